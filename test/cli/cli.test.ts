// The `mltrace` CLI as a user runs it: the built bundle in a real node process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function mltrace(cwd: string, ...args: string[]): Result {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, timeout: 30000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function json<T>(cwd: string, ...args: string[]): T {
  const result = mltrace(cwd, ...args, '--json');
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as T;
}

interface RunJson {
  id: string;
  component: string;
  status: string;
  startTime: string;
  endTime: string | null;
  inputs: string[];
  outputs: string[];
  dependencies: string[];
  stale: string[];
  gitHash: string | null;
  sourceFile: string | null;
  sourceLine: number | null;
  notes: string;
  depth?: number;
}

describe('mltrace CLI', () => {
  let root: string;
  let nested: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cli-'));
    fs.mkdirSync(path.join(root, '.mltrace'));
    fs.mkdirSync(path.join(root, 'data'));
    nested = path.join(root, 'src', 'deep');
    fs.mkdirSync(nested, { recursive: true });
    fs.writeFileSync(path.join(root, 'data', 'raw.csv'), 'a,b\n1,2\n');
    // A three-stage pipeline through the command wrapper, run from a nested folder: the store
    // is found by walking up, and paths are logged relative to the root.
    const steps: Array<[string, string[]]> = [
      [
        'clean',
        [
          '-i',
          '../../data/raw.csv',
          '-o',
          '../../data/clean.csv',
          '--',
          'cp',
          '../../data/raw.csv',
          '../../data/clean.csv',
        ],
      ],
      [
        'featurize',
        [
          '-i',
          '../../data/clean.csv',
          '-o',
          '../../data/features.csv',
          '--tag',
          'etl',
          '--',
          'cp',
          '../../data/clean.csv',
          '../../data/features.csv',
        ],
      ],
      [
        'train',
        [
          '-i',
          '../../data/features.csv',
          '-o',
          '../../model.pkl',
          '--',
          process.execPath,
          '-e',
          "require('fs').writeFileSync('../../model.pkl', 'weights')",
        ],
      ],
    ];
    for (const [component, args] of steps) {
      const result = mltrace(nested, 'run', '-c', component, ...args);
      assert.equal(result.status, 0, `${component}: ${result.stderr}`);
    }
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('recent lists the runs newest first, with the JSON fields the issue names', () => {
    const runs = json<RunJson[]>(root, 'recent');
    assert.deepEqual(
      runs.map((r) => r.component),
      ['train', 'featurize', 'clean'],
    );
    const train = runs[0];
    for (const key of [
      'id',
      'component',
      'status',
      'startTime',
      'endTime',
      'inputs',
      'outputs',
      'dependencies',
      'stale',
      'gitHash',
      'sourceFile',
      'sourceLine',
      'notes',
    ]) {
      assert.ok(key in train, `run JSON has ${key}`);
    }
    assert.match(train.id, /^[0-9a-f-]{36}$/);
    assert.equal(train.status, 'complete');
    assert.deepEqual(train.inputs, ['data/features.csv']);
    assert.deepEqual(train.outputs, ['model.pkl']);
    assert.equal(train.dependencies[0], runs[1].id);
    assert.equal(json<RunJson[]>(root, 'recent', '--limit', '1').length, 1);
  });

  it('trace --json prints the pointer and its producers depth-first', () => {
    const trace = json<{ pointer: string; runs: RunJson[] }>(root, 'trace', 'model.pkl');
    assert.equal(trace.pointer, 'model.pkl');
    assert.deepEqual(
      trace.runs.map((r) => [r.component, r.depth]),
      [
        ['train', 0],
        ['featurize', 1],
        ['clean', 2],
      ],
    );
    const down = json<{ pointer: string; runs: RunJson[] }>(root, 'trace', 'data/clean.csv', '--downstream');
    assert.deepEqual(
      down.runs.map((r) => [r.component, r.depth]),
      [
        ['featurize', 0],
        ['train', 1],
      ],
    );
  });

  it('accepts a path relative to the current folder for a pointer', () => {
    const trace = json<{ pointer: string; runs: RunJson[] }>(nested, 'trace', '../../model.pkl');
    assert.equal(trace.pointer, 'model.pkl');
  });

  it('human output is aligned, with short ids and relative times', () => {
    const result = mltrace(root, 'recent');
    assert.equal(result.status, 0);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID\s+COMPONENT\s+STARTED\s+DURATION\s+STATUS/);
    assert.match(lines[1], /^[0-9a-f]{8} {2}train\s+(just now|\d+ s ago)/);
    assert.equal(lines[1].indexOf('train'), lines[0].indexOf('COMPONENT'));
  });

  it('inspect takes a unique prefix; unknown ids exit 1 with one line on stderr', () => {
    const [latest] = json<RunJson[]>(root, 'recent', '--limit', '1');
    const run = json<RunJson>(root, 'inspect', latest.id.slice(0, 6));
    assert.equal(run.id, latest.id);
    const missing = mltrace(root, 'inspect', 'ffffffff');
    assert.equal(missing.status, 1);
    assert.equal(missing.stdout, '');
    assert.equal(missing.stderr.trim().split('\n').length, 1);
    assert.match(missing.stderr, /No run has an id starting with "ffffffff"/);
  });

  it('unknown pointers and components exit 1; usage errors exit 2', () => {
    assert.equal(mltrace(root, 'trace', 'nope.csv').status, 1);
    assert.equal(mltrace(root, 'history', 'nope').status, 1);
    assert.equal(mltrace(root, 'history').status, 2);
    assert.equal(mltrace(root, 'recent', '--limit', 'x').status, 2);
    assert.equal(mltrace(root, 'frobnicate').status, 2);
  });

  it('flag, review and unflag work through events', () => {
    const flagged = json<{ pointer: string; flagged: boolean }>(root, 'flag', 'model.pkl');
    assert.deepEqual(flagged, { pointer: 'model.pkl', flagged: true });
    const review = json<{ flagged: string[]; runs: Array<RunJson & { count: number; coverage: number }> }>(
      root,
      'review',
    );
    assert.deepEqual(review.flagged, ['model.pkl']);
    assert.deepEqual(
      review.runs.map((r) => [r.component, r.count, r.coverage]),
      [
        ['train', 1, 1],
        ['featurize', 1, 1],
        ['clean', 1, 1],
      ],
    );
    const unflagged = json<{ unflagged: string[] }>(root, 'unflag', '--all');
    assert.deepEqual(unflagged.unflagged, ['model.pkl']);
    assert.deepEqual(json<{ flagged: string[] }>(root, 'review').flagged, []);
    const files = fs.readdirSync(path.join(root, '.mltrace', 'events'));
    assert.ok(
      files.some((f) => f.startsWith('cli-')),
      'flags are written as events in a file of the CLI',
    );
  });

  it('history, components, tags and notes', () => {
    assert.deepEqual(
      json<RunJson[]>(root, 'history', 'train').map((r) => r.component),
      ['train'],
    );
    assert.deepEqual(
      json<RunJson[]>(root, 'history', 'train', '--since', '2000-01-01', '--until', '2000-01-02'),
      [],
    );
    const components = json<Array<{ name: string; tags: string[] }>>(root, 'components', '--tag', 'etl');
    assert.deepEqual(
      components.map((c) => [c.name, c.tags]),
      [['featurize', ['etl']]],
    );
    assert.deepEqual(
      json<Array<{ tag: string }>>(root, 'tags').map((t) => t.tag),
      ['etl'],
    );
    const [latest] = json<RunJson[]>(root, 'recent', '--limit', '1');
    assert.equal(
      json<RunJson>(root, 'notes', latest.id.slice(0, 8), 'checked by hand').notes,
      'checked by hand',
    );
  });

  it('stale reports a changed input with a sentence naming the producer', () => {
    fs.appendFileSync(path.join(root, 'data', 'features.csv'), '3,4\n');
    const stale = json<RunJson[]>(root, 'stale');
    const train = stale.find((r) => r.component === 'train');
    assert.ok(train, 'train is stale');
    assert.match(
      train.stale.join('\n'),
      /Input data\/features\.csv \(last written by featurize \(run [0-9a-f]{8}\)\) changed since this run read it\./,
    );
  });

  it('run exits with the command status and logs a failed run', () => {
    const result = mltrace(root, 'run', '-c', 'broken', '--', process.execPath, '-e', 'process.exit(3)');
    assert.equal(result.status, 3);
    const [run] = json<RunJson[]>(root, 'history', 'broken');
    assert.equal(run.status, 'failed');
    const missing = mltrace(root, 'run', '-c', 'missing', '--', 'definitely-not-a-command-xyz');
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /Could not start definitely-not-a-command-xyz/);
  });

  it('ingest reports malformed lines with file and line, and --dir points anywhere', () => {
    const events = path.join(root, '.mltrace', 'events');
    fs.writeFileSync(path.join(events, 'zz-bad.jsonl'), '{"eventTime": "2026-01-01T00:00:00Z"}\nnot json\n');
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cli-other-'));
    try {
      const report = json<{ problems: Array<{ file: string; line: number; reason: string }> }>(
        elsewhere,
        'ingest',
        '--dir',
        path.join(root, '.mltrace'),
      );
      const bad = report.problems.filter((p) => p.file.endsWith('zz-bad.jsonl'));
      assert.deepEqual(
        bad.map((p) => p.line),
        [1, 2],
      );
      assert.match(bad[1].reason, /malformed JSON/);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('ingest says which file ends in a line without its newline, and reads it once it ends', () => {
    const file = path.join(root, '.mltrace', 'events', 'zz-open.jsonl');
    const event = JSON.stringify({
      eventType: 'COMPLETE',
      eventTime: '2026-01-01T00:00:00Z',
      run: { runId: '0b6d4c2e-2f4e-4c57-9a53-6c1a7f7d2e10' },
      job: { namespace: 'ws', name: 'foreign' },
    });
    fs.writeFileSync(file, event);
    const human = mltrace(root, 'ingest');
    assert.equal(human.status, 0, human.stderr);
    assert.ok(
      human.stdout.includes(
        `${file}: the last ${Buffer.byteLength(event)} bytes are a line without its newline yet; read once it ends.`,
      ),
      human.stdout,
    );
    assert.deepEqual(json<{ waiting: unknown[] }>(root, 'ingest').waiting, [
      { file, bytes: Buffer.byteLength(event) },
    ]);
    fs.appendFileSync(file, '\n');
    const done = json<{ waiting: unknown[]; events: number }>(root, 'ingest');
    assert.deepEqual({ waiting: done.waiting, events: done.events }, { waiting: [], events: 1 });
    assert.equal(json<RunJson[]>(root, 'history', 'foreign')[0].status, 'complete');
  });

  it('ingest of a large log parses it in the bundled worker (dist/ingestWorker.js)', () => {
    const big = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cli-big-'));
    try {
      // 2000 runs, about 5 MiB of events.
      const writer = new EventWriter(storeLocation(path.join(big, '.mltrace')), 'gen');
      for (let i = 0; i < 2000; i++) {
        writer.logRun(
          {
            component: `step${i % 4}`,
            inputs: [{ name: `in/${i % 50}.csv` }],
            source: {
              gitHash: 'abc',
              sourceFile: 'p.py',
              sourceLine: 3,
              code: { language: 'python', source: 'x = 1\n'.repeat(40) },
            },
          },
          { status: 'complete', outputs: [{ name: `out/${i}.csv` }] },
        );
      }
      writer.close();
      const report = json<{ runs: number; events: number; parsedInWorker: boolean; problems: unknown[] }>(
        big,
        'ingest',
      );
      assert.deepEqual(
        {
          runs: report.runs,
          events: report.events,
          parsedInWorker: report.parsedInWorker,
          problems: report.problems,
        },
        { runs: 2000, events: 4000, parsedInWorker: true, problems: [] },
      );
      assert.equal(json<RunJson[]>(big, 'recent', '--limit', '3').length, 3);
    } finally {
      fs.rmSync(big, { recursive: true, force: true });
    }
  });
});
