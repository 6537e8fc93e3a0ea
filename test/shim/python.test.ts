// The Python logging shim (python/mltrace), exercised by real python3 processes running the small
// pipelines in test/fixtures/python, each in a temp workspace with its own .mltrace. The events
// they write are read back line by line, validated against the OpenLineage spec, and ingested by
// the lineage engine (src/core) to check what a user would see.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { fingerprintFile } from '../../src/core/fingerprint';
import { inferPointerType } from '../../src/core/pointers';
import { repoRoot, sharedDir, validateEvent } from '../helpers/openlineage';
import { withStore } from '../helpers/pythonProcess';

const PYTHON = process.env.PYTHON ?? 'python3';
const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'python');
const SHIM = path.join(repoRoot, 'python');
const OUR_SCHEMA = 'https://github.com/mltrace-vscode/mltrace-vscode/blob/main/docs/EVENTS.md#';

type Fields = Record<string, unknown>;
interface Dataset {
  namespace: string;
  name: string;
  facets?: Record<string, Fields>;
}
interface LoggedEvent {
  eventType?: string;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run?: { runId: string; facets?: Record<string, Fields> };
  job?: { namespace: string; name: string; facets?: Record<string, Fields> };
  inputs?: Dataset[];
  outputs?: Dataset[];
  dataset?: Dataset;
  /** Where the line came from (not part of the event). */
  file: string;
}

const workspaces: string[] = [];
after(() => {
  for (const dir of workspaces) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh workspace holding copies of the named fixtures (so their source lies inside the root). */
function workspace(...fixtures: string[]): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-py-')));
  workspaces.push(dir);
  for (const name of fixtures) fs.copyFileSync(path.join(FIXTURES, name), path.join(dir, name));
  return dir;
}

function pythonEnv(cwd: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: SHIM, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.MLTRACE_NAMESPACE;
  env.MLTRACE_DIR = path.join(cwd, '.mltrace');
  // set_db_uri records the team store in the user's configuration: here, one of the test's own.
  env.MLTRACE_CONFIG_DIR = path.join(cwd, '.config');
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

function runPython(
  cwd: string,
  script: string,
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; pythonArgs?: string[]; scriptDir?: string; expectStatus?: number } = {},
): SpawnSyncReturns<string> {
  const scriptPath = path.join(options.scriptDir ?? cwd, script);
  const result = spawnSync(PYTHON, [...(options.pythonArgs ?? []), scriptPath, ...args], {
    cwd,
    env: pythonEnv(cwd, options.env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  const expected = options.expectStatus ?? 0;
  assert.equal(
    result.status,
    expected,
    `${script} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`,
  );
  return result;
}

/** Every event in a store, checking that each file holds only whole, parseable lines. */
function readEvents(storeDir: string): LoggedEvent[] {
  const eventsDir = path.join(storeDir, 'events');
  const events: LoggedEvent[] = [];
  for (const name of fs.readdirSync(eventsDir).sort()) {
    // An ended writer's marker (docs/LAYOUT.md): empty, beside its file.
    if (name.endsWith('.jsonl.done')) {
      assert.equal(fs.statSync(path.join(eventsDir, name)).size, 0);
      assert.ok(fs.existsSync(path.join(eventsDir, name.slice(0, -'.done'.length))), `${name} marks a file`);
      continue;
    }
    assert.match(name, /^py-[A-Za-z0-9_.-]+-\d+-[0-9a-f]{12}\.jsonl$/, 'writer file name');
    const text = fs.readFileSync(path.join(eventsDir, name), 'utf8');
    if (text === '') continue;
    assert.ok(text.endsWith('\n'), `${name} ends with a whole line`);
    for (const line of text.slice(0, -1).split('\n')) {
      events.push({ ...(JSON.parse(line) as Omit<LoggedEvent, 'file'>), file: name });
    }
  }
  return events;
}

function assertAllValid(events: LoggedEvent[]): void {
  for (const { file, ...event } of events) {
    assert.deepEqual(
      validateEvent(event),
      [],
      `invalid event in ${file}: ${JSON.stringify(event).slice(0, 400)}`,
    );
  }
}

/** Events of the runs of a component, grouped by run id, in log order. */
function runsOf(events: LoggedEvent[], component: string): LoggedEvent[][] {
  const runs = new Map<string, LoggedEvent[]>();
  for (const event of events) {
    if (!event.run || event.job?.name !== component) continue;
    runs.set(event.run.runId, [...(runs.get(event.run.runId) ?? []), event]);
  }
  return [...runs.values()];
}

/** The single run of a component: its START and its final event. */
function onlyRun(
  events: LoggedEvent[],
  component: string,
): { start: LoggedEvent; end: LoggedEvent; all: LoggedEvent[] } {
  const runs = runsOf(events, component);
  assert.equal(runs.length, 1, `one run of ${component}`);
  const [start, end] = runs[0];
  assert.equal(start.eventType, 'START');
  return { start, end, all: runs[0] };
}

const names = (datasets: Dataset[] | undefined): string[] => (datasets ?? []).map((d) => d.name);
const facet = (holder: { facets?: Record<string, Fields> } | undefined, name: string): Fields => {
  const found = holder?.facets?.[name];
  assert.ok(found, `facet ${name}`);
  return found;
};
/** The pointer type a reader sees: the facet's, else the one the name implies. */
const typeOf = (d: Dataset): unknown => d.facets?.mltrace_pointer?.pointerType ?? inferPointerType(d.name);
const sha256 = (file: string): string =>
  'sha256:' + createHash('sha256').update(fs.readFileSync(file)).digest('hex');
/** The 1-based number of the first line of a file that starts with `prefix`. */
const lineOf = (file: string, prefix: string): number =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((line) => line.startsWith(prefix)) + 1;

describe('python shim: pipelines', () => {
  test('a chain logs each stage with inputs, outputs, fingerprints, source and dependencies', async () => {
    const dir = workspace('chain.py');
    const result = runPython(dir, 'chain.py');
    assert.equal(result.stdout.trim(), 'models/model.pkl');
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    assert.equal(new Set(events.map((e) => e.file)).size, 1, 'one file per process');

    const stages = [
      { name: 'ingest', inputs: [], outputs: ['data/raw.csv'] },
      { name: 'clean', inputs: ['data/raw.csv'], outputs: ['data/clean.csv'] },
      { name: 'featurize', inputs: ['data/clean.csv'], outputs: ['data/features.csv'] },
      { name: 'train', inputs: ['data/features.csv'], outputs: ['models/model.pkl'] },
    ];
    for (const stage of stages) {
      const { start, end, all } = onlyRun(events, stage.name);
      assert.equal(all.length, 2);
      assert.equal(end.eventType, 'COMPLETE');
      assert.equal(start.producer, 'https://github.com/mltrace-vscode/mltrace-vscode/tree/v0.1.0/python');
      assert.equal(start.job?.namespace, path.basename(dir));
      // START knows only the inputs declared up front; the end event knows everything.
      assert.deepEqual(names(start.outputs), []);
      assert.deepEqual(names(end.inputs), stage.inputs);
      assert.deepEqual(names(end.outputs), stage.outputs);
      for (const dataset of [...(end.inputs ?? []), ...(end.outputs ?? [])]) {
        assert.equal(dataset.namespace, 'file');
        const file = path.join(dir, dataset.name);
        if (stage.outputs.includes(dataset.name)) {
          assert.equal(
            facet(dataset, 'version').datasetVersion,
            sha256(file),
            `fingerprint of ${dataset.name}`,
          );
        } else {
          assert.match(String(facet(dataset, 'version').datasetVersion), /^sha256:[0-9a-f]{64}$/);
        }
        const pointer = facet(dataset, 'mltrace_pointer');
        assert.equal(pointer._schemaURL, OUR_SCHEMA + 'mltrace_pointer');
        assert.equal(pointer.pointerType, dataset.name.endsWith('.pkl') ? 'MODEL' : 'DATA');
        assert.equal(pointer.size, fs.statSync(file).size);
      }
      const runFacet = facet(end.run, 'mltrace_run');
      assert.equal(runFacet.startTime, start.eventTime);
      assert.equal(runFacet.endTime, end.eventTime);
      assert.equal(facet(start.run, 'mltrace_run').endTime, undefined);
      assert.equal(runFacet.stalenessThresholdDays, stage.name === 'train' ? 7 : undefined);
      const location = facet(end.job, 'sourceCodeLocation');
      const decorator = lineOf(path.join(dir, 'chain.py'), `@register("${stage.name}"`);
      assert.ok(decorator > 0);
      assert.equal(location.path, 'chain.py');
      assert.equal(location.type, 'file', 'no git repository here');
      assert.equal(location.url, `file://${path.join(dir, 'chain.py')}#L${decorator}`);
      assert.deepEqual(facet(start.job, 'sourceCodeLocation'), location, 'START knows where the code is');
      assert.match(String(facet(end.job, 'sourceCode').sourceCode), new RegExp(`def ${stage.name}\\(`));
    }

    const metadata = events.filter((e) => !e.run && e.job?.name === 'ingest');
    assert.equal(metadata.length, 2, 'create_component and tag_component');
    assert.equal(facet(metadata[0].job, 'documentation').description, 'Writes the raw data');
    assert.deepEqual(facet(metadata[0].job, 'ownership').owners, [{ name: 'data-team' }]);
    assert.deepEqual(facet(metadata[0].job, 'tags').tags, [{ key: 'etl', value: 'true', source: 'MLTRACE' }]);
    assert.deepEqual(facet(metadata[1].job, 'tags').tags, [{ key: 'raw', value: 'true', source: 'MLTRACE' }]);

    await withStore(path.join(dir, '.mltrace'), (store) => {
      const trace = store.trace('models/model.pkl');
      assert.deepEqual(
        trace.runs.map((r) => [r.component, r.depth, r.status]),
        [
          ['train', 0, 'complete'],
          ['featurize', 1, 'complete'],
          ['clean', 2, 'complete'],
          ['ingest', 3, 'complete'],
        ],
      );
      const ingest = store.components().find((c) => c.name === 'ingest');
      assert.deepEqual(
        [ingest?.owner, ingest?.description, ingest?.tags],
        ['data-team', 'Writes the raw data', ['etl', 'raw']],
      );
      const train = trace.runs[0];
      assert.equal(train.sourceFile, 'chain.py');
      assert.deepEqual(
        store.inspect(train.id.slice(0, 8)).outputPointers.map((p) => [p.name, p.type]),
        [['models/model.pkl', 'MODEL']],
      );
    });
  });

  test('a fan-in run depends on every run that wrote its inputs', async () => {
    const dir = workspace('fanin.py');
    runPython(dir, 'fanin.py');
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    const join = onlyRun(events, 'join');
    assert.deepEqual(
      names(join.start.inputs),
      ['data/users.csv', 'data/orders.csv'],
      'declared inputs are known at START',
    );
    for (const input of join.start.inputs ?? []) {
      assert.equal(facet(input, 'version').datasetVersion, sha256(path.join(dir, input.name)));
    }
    await withStore(path.join(dir, '.mltrace'), (store) => {
      const users = onlyRun(events, 'users').start.run!.runId;
      const orders = onlyRun(events, 'orders').start.run!.runId;
      assert.deepEqual(new Set(store.inspect(join.start.run!.runId).dependencies), new Set([users, orders]));
      assert.deepEqual(
        new Set(store.trace('data/joined.csv').runs.map((r) => r.component)),
        new Set(['join', 'users', 'orders']),
      );
    });
  });

  test('a run that raises is logged as failed, and the exception propagates unchanged', async () => {
    const dir = workspace('failure.py');
    const result = runPython(dir, 'failure.py', [], { expectStatus: 1 });
    assert.match(result.stdout, /^propagated input has 3 bad rows from explode$/m);
    assert.match(result.stdout, /^missing: Variable not_defined not in current stack frame\.$/m);
    assert.match(
      result.stderr,
      /Traceback[\s\S]*raise QualityError\("too many nulls"\)[\s\S]*QualityError: too many nulls\s*$/,
    );
    assert.doesNotMatch(result.stderr, /MltraceWarning|mltrace could not/);

    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    const explode = onlyRun(events, 'explode');
    assert.equal(explode.end.eventType, 'FAIL');
    const error = facet(explode.end.run, 'errorMessage');
    assert.equal(error.message, 'ValueError: input has 3 bad rows');
    assert.equal(error.programmingLanguage, 'python');
    assert.match(String(error.stackTrace), /in explode\n\s+raise ValueError/);
    assert.deepEqual(names(explode.end.inputs), ['data/in.txt']);
    assert.equal(
      facet(explode.end.inputs![0], 'version').datasetVersion,
      sha256(path.join(dir, 'data/in.txt')),
    );
    assert.deepEqual(names(explode.end.outputs), [], 'a failed run claims no outputs');
    assert.equal(
      facet(onlyRun(events, 'missing').end.run, 'errorMessage').message,
      'ValueError: Variable not_defined not in current stack frame.',
    );
    assert.equal(
      facet(onlyRun(events, 'quality').end.run, 'errorMessage').message,
      'QualityError: too many nulls',
    );

    await withStore(path.join(dir, '.mltrace'), (store) => {
      const run = store.inspect(explode.start.run!.runId);
      assert.equal(run.status, 'failed');
      assert.equal(run.error, 'ValueError: input has 3 bad rows');
    });
  });

  test('auto_log logs file arguments as inputs and files written during the run as outputs', async () => {
    const dir = workspace('autolog.py');
    runPython(dir, 'autolog.py');
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    const run = onlyRun(events, 'autolog');
    assert.deepEqual(
      names(run.start.inputs),
      ['data/in.csv', 'config.txt'],
      'existing files among the arguments, defaults included',
    );
    assert.deepEqual(names(run.end.inputs), ['data/in.csv', 'config.txt']);
    assert.deepEqual(new Set(names(run.end.outputs)), new Set(['data/out.csv', 'data/report.txt']));
    for (const output of run.end.outputs ?? []) {
      assert.equal(facet(output, 'version').datasetVersion, sha256(path.join(dir, output.name)));
    }
  });

  test('input_vars, output_vars and kwargs are read at return: lists, None, endpoints, mismatches', () => {
    const dir = workspace('variables.py');
    const result = runPython(dir, 'variables.py');
    assert.match(
      result.stdout,
      /^mismatch: Value "values" does not have the same length as the key "names\."$/m,
    );
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);

    const vars = onlyRun(events, 'vars').end;
    assert.deepEqual(names(vars.inputs), ['data/a.csv', 'data/b.csv', 'data/late.csv', 'data/labels.csv']);
    assert.deepEqual(names(vars.outputs), ['data/c.csv', 'data/d.csv', 'preds_1', 'preds_2']);
    const preds = vars.outputs!.find((d) => d.name === 'preds_1')!;
    assert.equal(
      preds.facets?.mltrace_pointer,
      undefined,
      'no facet when it would only repeat the inferred type',
    );
    assert.equal(typeOf(preds), 'UNKNOWN');
    assert.equal(preds.facets?.version, undefined, 'a name that is no file has no fingerprint');
    assert.equal(facet(vars.outputs![1], 'version').datasetVersion, sha256(path.join(dir, 'data/d.csv')));

    const serve = onlyRun(events, 'serve').end;
    assert.deepEqual(names(serve.inputs), ['request-17']);
    assert.deepEqual(names(serve.outputs), ['response-17']);
    assert.equal(facet(serve.outputs![0], 'mltrace_pointer').pointerType, 'ENDPOINT');

    const mismatch = onlyRun(events, 'mismatch').end;
    assert.equal(mismatch.eventType, 'FAIL');
  });

  test('Component.run, bare or with arguments, runs beforeTests and afterTests and logs metadata', async () => {
    const dir = workspace('component.py');
    const result = runPython(dir, 'component.py');
    assert.deepEqual(result.stdout.trim().split('\n'), [
      'before: 3 rows',
      'after: data/scores.txt exists=True',
      'Test testTotal failed: total is 6',
      'score=6',
      'bare=42',
    ]);
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);

    const [scoreRun, skippedRun] = runsOf(events, 'scorer');
    assert.deepEqual(
      skippedRun.map((e) => e.eventType),
      ['START', 'COMPLETE'],
    );
    const score = { start: scoreRun[0], end: scoreRun[1] };
    assert.deepEqual(names(score.end.inputs), ['data/rows.csv']);
    assert.deepEqual(names(score.end.outputs), ['data/scores.txt']);
    for (const event of [score.start, score.end]) {
      assert.equal(facet(event.job, 'documentation').description, 'Scores rows');
      assert.deepEqual(facet(event.job, 'ownership').owners, [{ name: 'ml-team' }]);
      assert.deepEqual(
        facet(event.job, 'tags').tags,
        ['scoring', 'nightly'].map((key) => ({ key, value: 'true', source: 'MLTRACE' })),
      );
    }
    const bare = onlyRun(events, 'plain');
    assert.equal(bare.end.eventType, 'COMPLETE');
    assert.match(String(facet(bare.end.job, 'sourceCode').sourceCode), /@plain\.run\ndef bare\(\):/);
    await withStore(path.join(dir, '.mltrace'), (store) => {
      const history = store.history('scorer');
      assert.equal(history.length, 2, 'score() and skipped()');
      assert.deepEqual(history[0].outputs, ['data/skip.txt']);
      assert.equal(store.inspect(history[1].id).owner, 'ml-team');
    });
  });
});

describe('python shim: manual runs, notes, flags, git, store', () => {
  test('ComponentRun + log_component_run: times, upstream, notes, flags, compatibility warnings', async () => {
    const dir = workspace('manual.py');
    const result = runPython(dir, 'manual.py');
    const out = result.stdout;
    assert.match(out, /^incomplete: incomplete ComponentRun has no end timestamp\. $/m);
    const reportId = /^report=([0-9a-f-]{36})$/m.exec(out)?.[1];
    assert.ok(reportId, out);
    assert.match(out, /^notes='first look\\nsecond look'$/m);
    assert.match(out, /^unknown: ComponentRun with ID "zzzz" not found\.$/m);
    assert.equal(
      result.stderr.match(/MltraceWarning/g)?.length,
      2,
      `one warning for set_db_uri's password, one for set_address:\n${result.stderr}`,
    );
    assert.match(result.stderr, /set_db_uri\(\): the password was not recorded/);
    assert.match(result.stderr, /set_address\(\) is accepted and ignored/);
    assert.ok(
      result.stderr
        .split('\n')
        .filter((l) => l.includes('MltraceWarning'))
        .every((l) => !l.includes('admin:admin')),
      "no warning repeats the password (Python echoes the caller's own source line after it)",
    );
    // The team store is recorded in the user's configuration, keyed by the store, without the password.
    const recorded = JSON.parse(
      fs.readFileSync(path.join(dir, '.config', 'team-stores.json'), 'utf8'),
    ) as Record<string, string>;
    assert.deepEqual(recorded, {
      [fs.realpathSync(path.join(dir, '.mltrace'))]: 'postgresql://admin@localhost:5432/sqlalchemy',
    });

    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    assert.equal(runsOf(events, 'incomplete').length, 0, 'an incomplete run is not logged');
    const report = runsOf(events, 'report')[0];
    assert.deepEqual(
      report.map((e) => e.eventType),
      ['START', 'COMPLETE', 'OTHER', 'OTHER'],
    );
    const [start, end, firstNote, secondNote] = report;
    assert.equal(start.run?.runId, reportId);
    assert.equal(start.eventTime, '2024-01-02T03:04:05.678Z', 'naive datetimes are UTC');
    assert.equal(end.eventTime, '2024-01-02T03:05:35.678Z');
    assert.deepEqual(names(start.inputs), ['data/in.csv', 'model_v1']);
    assert.deepEqual(
      end.inputs!.map((d) => [d.name, typeOf(d), d.facets?.version?.datasetVersion]),
      [
        ['data/in.csv', 'DATA', sha256(path.join(dir, 'data/in.csv'))],
        ['model_v1', 'MODEL', undefined],
      ],
    );
    assert.deepEqual(
      end.outputs!.map((d) => [d.name, typeOf(d)]),
      [['dashboard', 'ENDPOINT']],
    );
    const runFacet = facet(end.run, 'mltrace_run');
    assert.equal(runFacet.noInputDependencies, true);
    assert.equal(runFacet.stalenessThresholdDays, 2);
    assert.deepEqual(facet(end.run, 'jobDependencies').upstream, [
      { job: { namespace: path.basename(dir), name: 'train' } },
      { job: { namespace: path.basename(dir), name: 'featurize' } },
    ]);
    const location = facet(end.job, 'sourceCodeLocation');
    assert.deepEqual(
      [location.type, location.version, location.path],
      ['git', '0123456789abcdef0123456789abcdef01234567', 'manual.py'],
    );
    assert.equal(
      location.url,
      `file://${path.join(dir, 'manual.py')}#L${lineOf(path.join(dir, 'manual.py'), 'run = ComponentRun(')}`,
    );
    assert.equal(facet(end.job, 'sourceCode').sourceCode, "print('report')\n");
    assert.equal(facet(firstNote.run, 'mltrace_notes').notes, 'first look');
    assert.equal(facet(secondNote.run, 'mltrace_notes').notes, 'second look');
    assert.equal(secondNote.job?.name, 'report', 'the job of a run found by id prefix');
    const unknown = events.find((e) => e.run?.runId === '4f9f7d7e-3a4c-4d2b-9d55-0c3c1d4e5f60');
    assert.equal(unknown?.job?.name, 'unknown');
    assert.equal(runsOf(events, 'later')[0][0].run?.facets?.mltrace_run?.noInputDependencies, undefined);

    const flags = events
      .filter((e) => e.dataset)
      .map((e) => [e.dataset!.namespace, e.dataset!.name, facet(e.dataset, 'mltrace_flag').flagged]);
    assert.deepEqual(flags, [
      ['file', 'data/in.csv', true],
      ['file', 'data/out.csv', true],
      ['file', 'data/out.csv', false],
      ['mltrace', '*', false],
    ]);

    await withStore(path.join(dir, '.mltrace'), (store) => {
      const run = store.inspect(reportId.slice(0, 8));
      assert.equal(run.notes, 'first look\nsecond look');
      assert.equal(run.gitHash, '0123456789abcdef0123456789abcdef01234567');
      assert.equal(run.codeSnapshot, "print('report')\n");
      assert.deepEqual(
        run.dependencies,
        [],
        'no dependencies from inputs, and no runs of train or featurize',
      );
      assert.deepEqual(store.pointers({ flagged: true }), [], 'unflag_all came last');
    });
  });

  test('inside a git repository the commit and its tags are recorded, and follow new commits', () => {
    const dir = workspace('tagged.py');
    const gitEnv = { ...process.env, GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1' };
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], {
        cwd: dir,
        encoding: 'utf8',
        env: gitEnv,
      }).trim();
    git('init', '-q');
    git('add', 'tagged.py');
    git('commit', '-q', '-m', 'pipeline');
    git('tag', 'v1.2');
    git('tag', '-a', 'release', '-m', 'annotated');
    const first = git('rev-parse', 'HEAD');
    const result = runPython(dir, 'tagged.py', ['recommit'], {
      env: { GIT_CONFIG_GLOBAL: os.devNull, GIT_CONFIG_NOSYSTEM: '1' },
    });
    const second = git('rev-parse', 'HEAD');
    assert.notEqual(second, first);
    assert.deepEqual(result.stdout.trim().split('\n'), [
      `hash=${first} tags=['release', 'v1.2']`,
      `hash=${second} tags=['v2']`,
    ]);
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    const versions = (event: LoggedEvent) => {
      const location = facet(event.job, 'sourceCodeLocation');
      assert.deepEqual([location.type, location.path], ['git', 'tagged.py']);
      const tags = (facet(event.run, 'tags').tags as Fields[]).map((t) => `${t.key}=${t.value}/${t.source}`);
      return `${location.version} ${tags.sort().join(' ')}`;
    };
    const firstVersion = `${first} git.tag=release/GIT git.tag=v1.2/GIT`;
    assert.deepEqual(
      runsOf(events, 'tagged').map((run) => run.map(versions)),
      [
        [firstVersion, firstVersion],
        [firstVersion, firstVersion],
        [`${second} git.tag=v2/GIT`, `${second} git.tag=v2/GIT`],
      ],
    );
    assert.deepEqual(
      onlyRun(events, 'manual_tagged').all.map(versions),
      [firstVersion, firstVersion],
      'manual runs too',
    );
  });

  test('the store is found as docs/EVENTS.md says: ancestor .mltrace, MLTRACE_NAMESPACE, set_store_dir()', () => {
    const dir = workspace('storedir.py');
    const deep = path.join(dir, 'sub', 'deeper');
    fs.mkdirSync(deep, { recursive: true });
    fs.mkdirSync(path.join(dir, '.mltrace'));
    const found = runPython(deep, 'storedir.py', [], {
      scriptDir: dir,
      env: { MLTRACE_DIR: undefined, MLTRACE_NAMESPACE: 'team-ns' },
    });
    assert.equal(found.stdout.trim(), path.join(dir, '.mltrace'));
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    const run = onlyRun(events, 'located');
    assert.equal(run.end.job?.namespace, 'team-ns');
    assert.deepEqual(
      names(run.end.outputs),
      ['sub/deeper/local.csv'],
      'pointer names are relative to the root',
    );
    assert.equal(facet(run.end.job, 'sourceCodeLocation').path, 'storedir.py');

    const elsewhere = path.join(dir, 'elsewhere', '.mltrace');
    const explicit = runPython(deep, 'storedir.py', [elsewhere], { scriptDir: dir });
    assert.equal(explicit.stdout.trim(), elsewhere, 'set_store_dir() wins over MLTRACE_DIR');
    const moved = onlyRun(readEvents(elsewhere), 'located');
    assert.equal(moved.end.job?.namespace, 'elsewhere');
    assert.deepEqual(names(moved.end.outputs), [path.join(deep, 'local.csv')], 'outside the root: absolute');
  });

  test('fingerprints match the engine: full hash up to 64 MiB, sampled above', () => {
    const dir = workspace();
    fs.mkdirSync(path.join(dir, 'big'));
    const files = {
      empty: 'big/empty.bin',
      small: 'big/small.txt',
      limit: 'big/limit.bin',
      huge: 'big/huge.bin',
    };
    fs.writeFileSync(path.join(dir, files.empty), '');
    fs.writeFileSync(path.join(dir, files.small), 'hello\n');
    const sparse = (name: string, size: number) => {
      const fd = fs.openSync(path.join(dir, name), 'w');
      for (const [at, text] of [
        [0, 'head'],
        [Math.floor(size / 2), 'middle'],
        [size - 4, 'tail'],
      ] as const) {
        fs.writeSync(fd, text, at);
      }
      fs.ftruncateSync(fd, size);
      fs.closeSync(fd);
    };
    sparse(files.limit, 64 * 1024 * 1024);
    sparse(files.huge, 64 * 1024 * 1024 + 3);
    runPython(dir, 'fingerprints.py', Object.values(files), { scriptDir: FIXTURES });
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    const end = onlyRun(events, 'fingerprints').end;
    for (const input of end.inputs ?? []) {
      const expected = fingerprintFile(path.join(dir, input.name));
      assert.ok(expected);
      assert.equal(facet(input, 'version').datasetVersion, expected.fingerprint, input.name);
      assert.equal(facet(input, 'mltrace_pointer').size, expected.size);
      assert.equal(facet(input, 'mltrace_pointer').modifiedTime, expected.modifiedTime);
    }
    const prints = end.inputs!.map((d) => String(facet(d, 'version').datasetVersion).split(':')[0]);
    assert.deepEqual(prints, ['sha256', 'sha256', 'sha256', 'sha256-sampled']);
  });
});

describe('python shim: robustness', () => {
  test('eight processes logging at once (threads and a fork inside) lose nothing', async () => {
    const dir = workspace();
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data', 'shared.csv'), 'shared\n');
    const runsPerThread = 6;
    const threads = 3;
    const exits = await Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          new Promise<number | null>((resolve, reject) => {
            const args = [
              path.join(FIXTURES, 'worker.py'),
              String(i),
              String(runsPerThread),
              String(threads),
            ];
            if (i === 0) args.push('fork');
            const child = spawn(PYTHON, args, {
              cwd: dir,
              env: pythonEnv(dir),
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            child.on('error', reject);
            child.on('exit', resolve);
          }),
      ),
    );
    assert.deepEqual(exits, Array(8).fill(0));
    const events = readEvents(path.join(dir, '.mltrace'));
    const expectedRuns = 8 * threads * runsPerThread + runsPerThread;
    assert.equal(events.length, 2 * expectedRuns, 'every START and COMPLETE of every run');
    assert.equal(
      new Set(events.map((e) => e.file)).size,
      9,
      'one file per process, the forked child included',
    );
    const runs = runsOf(events, 'work');
    assert.equal(runs.length, expectedRuns);
    for (const run of runs)
      assert.deepEqual(
        run.map((e) => e.eventType),
        ['START', 'COMPLETE'],
      );
    assert.equal(
      new Set(runs.map((r) => names(r[1].outputs)[0])).size,
      expectedRuns,
      'each run its own output',
    );
    assertAllValid(events.filter((_, i) => i % 25 === 0));
    await withStore(path.join(dir, '.mltrace'), (store) => {
      assert.equal(store.history('work', { limit: 1000 }).length, expectedRuns);
    });
  });

  test('a process killed inside a @register function leaves its START and every earlier event', async () => {
    const dir = workspace('killed.py');
    const child = spawn(PYTHON, [path.join(dir, 'killed.py')], {
      cwd: dir,
      env: pythonEnv(dir),
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, signal) => resolve(signal)),
    );
    const marker = path.join(dir, 'inside.flag');
    const deadline = Date.now() + 20_000;
    while (!fs.existsSync(marker)) {
      assert.ok(Date.now() < deadline, 'killed.py reached sleeper()');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const events = readEvents(path.join(dir, '.mltrace'));
    assertAllValid(events);
    assert.deepEqual(
      events.map((e) => [e.job?.name, e.eventType]),
      [
        ['before', 'START'],
        ['before', 'COMPLETE'],
        ['sleeper', 'START'],
      ],
    );
    const sleeper = onlyRun(events, 'sleeper').start;
    assert.deepEqual(names(sleeper.inputs), ['data/first.txt']);
    await withStore(path.join(dir, '.mltrace'), (store) => {
      const run = store.inspect(sleeper.run!.runId);
      assert.equal(run.status, 'running');
      assert.equal(run.endTime, null);
      assert.deepEqual(run.dependencies, [onlyRun(events, 'before').start.run!.runId]);
    });
  });

  test('an unwritable store gives one warning and the pipeline goes on', () => {
    const dir = workspace('chain.py');
    fs.writeFileSync(path.join(dir, 'blocker'), 'a file where a folder should be');
    const env = { MLTRACE_DIR: path.join(dir, 'blocker', '.mltrace') };
    for (const pythonArgs of [[], ['-W', 'error']]) {
      fs.rmSync(path.join(dir, 'data'), { recursive: true, force: true });
      const result = runPython(dir, 'chain.py', [], { env, pythonArgs });
      assert.equal(result.stdout.trim(), 'models/model.pkl', 'the pipeline ran to the end');
      assert.ok(fs.existsSync(path.join(dir, 'models', 'model.pkl')));
      const warnings = result.stderr.match(/mltrace cannot write to its store/g) ?? [];
      assert.equal(
        warnings.length,
        1,
        `exactly one warning (${pythonArgs.join(' ') || 'default filters'}):\n${result.stderr}`,
      );
    }
  });

  test('the validator behind these checks rejects the OpenLineage examples that break a facet schema', () => {
    const invalid = path.join(sharedDir, 'openlineage', 'examples', 'invalid');
    for (const name of fs.readdirSync(invalid)) {
      const event: unknown = JSON.parse(fs.readFileSync(path.join(invalid, name), 'utf8'));
      assert.notDeepEqual(validateEvent(event), [], name);
    }
  });

  test('the package and the fixtures parse as Python 3.8', () => {
    const files = [
      ...fs
        .readdirSync(path.join(SHIM, 'mltrace'), { recursive: true, encoding: 'utf8' })
        .map((f) => path.join(SHIM, 'mltrace', f)),
      ...fs.readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f)),
    ].filter((f) => f.endsWith('.py'));
    assert.ok(files.length > 10);
    const check =
      'import ast, sys\nfor f in sys.argv[1:]:\n    ast.parse(open(f).read(), f, feature_version=(3, 8))\n';
    const result = spawnSync(PYTHON, ['-c', check, ...files], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });
});
