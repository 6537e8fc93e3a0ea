// Code once per version (docs/EVENTS.md "mltrace_code"): the first COMPLETE of a code version
// carries the standard sourceCode facet, later ones name its hash; ingest attaches the code to
// every run, whichever file and whichever ingest brings the code's own event.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { codeHash } from '../../src/core/codeRegistry';
import { compactLog } from '../../src/core/segments/compact';
import { listSegments, segmentDataPath, segmentManifestPath } from '../../src/core/segments/manifest';
import type { LineageStore } from '../../src/core/store';
import type { EventWriter } from '../../src/core/writer';
import { validateEvent } from '../helpers/openlineage';
import { at, Fixture, repoRoot, tempFixture } from '../helpers/lineage';

const CODE = 'def train(data):\n    model = fit(data)\n    save(model)\n    return model\n';
const PYTHON = process.env.PYTHON ?? 'python3';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function logRun(writer: EventWriter, n: number, source = CODE): string {
  return writer.logRun(
    {
      component: 'train',
      startTime: at(n * 10),
      source: { sourceFile: 'train.py', sourceLine: 1, code: { language: 'python', source } },
    },
    { status: 'complete', endTime: at(n * 10 + 5) },
  );
}

const eventsOf = (file: string): Json[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json);

const codes = (store: LineageStore) =>
  store
    .recent({ limit: 100 })
    .items.map((r) => store.inspect(r.id).codeSnapshot)
    .sort();

describe('code once per version', () => {
  test('the first COMPLETE records the code, later ones name its hash; every event validates', async (t) => {
    const fx = tempFixture(t);
    const writer = fx.writer('node');
    for (let i = 0; i < 3; i++) logRun(writer, i);
    logRun(writer, 3, CODE + '# changed\n');
    writer.close();
    const ends = eventsOf(writer.file).filter((e) => e.eventType === 'COMPLETE');
    assert.deepEqual(
      ends.map((e) =>
        Object.keys(e.job.facets).filter((k) => k.includes('ode') && k !== 'sourceCodeLocation'),
      ),
      [['sourceCode'], ['mltrace_code'], ['mltrace_code'], ['sourceCode']],
    );
    assert.deepEqual(ends[1].job.facets.mltrace_code, {
      _producer: ends[1].producer,
      _schemaURL: 'https://github.com/mltrace-vscode/mltrace-vscode/blob/main/docs/EVENTS.md#mltrace_code',
      language: 'python',
      sha256: codeHash(CODE),
    });
    for (const event of eventsOf(writer.file)) assert.deepEqual(validateEvent(event), []);
    assert.ok(fs.existsSync(path.join(fx.storeDir, 'code', codeHash(CODE))), 'the registry knows it');
    const store = await fx.open();
    assert.deepEqual(codes(store), [CODE, CODE, CODE, CODE + '# changed\n']);
  });

  test('a reference read before the code (another file, a later ingest, a worker) is resolved', async (t) => {
    for (const parseInWorker of ['never', 'always'] as const) {
      const fx = tempFixture(t);
      const recorder = fx.writer('zz-recorder');
      logRun(recorder, 0);
      recorder.close();
      // Another writer of the same store finds the code recorded: it names the hash only. Its
      // file sorts first, so ingest meets the reference before the code.
      const referrer = fx.writer('aa-referrer');
      logRun(referrer, 1);
      logRun(referrer, 2);
      referrer.close();
      assert.ok(!fs.readFileSync(referrer.file, 'utf8').includes('"sourceCode"'));

      const hidden = `${recorder.file}.hidden`;
      fs.renameSync(recorder.file, hidden);
      const store = await fx.open({ parseInWorker, autoCompact: false });
      assert.deepEqual(codes(store), [null, null], 'the code is not in the log yet');
      fs.renameSync(hidden, recorder.file);
      store.ingest();
      assert.deepEqual(codes(store), [CODE, CODE, CODE], `${parseInWorker}: resolved when the code arrives`);

      // From nothing, in one ingest, through a segment: the same.
      compactLog(fx.storeDir);
      store.close({ save: false });
      const rebuilt = await fx.open({ parseInWorker, autoCompact: false });
      assert.deepEqual(codes(rebuilt), [CODE, CODE, CODE]);
    }
  });

  test('python: the code once per version across processes; after compaction ≤ 1,000 bytes a run', async (t) => {
    const fx = tempFixture(t);
    const script = writePipeline(fx);
    const RUNS = 40;
    for (let p = 0; p < 2; p++) {
      const result = spawnSync(PYTHON, [script, String(RUNS / 2)], {
        cwd: fx.root,
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: path.join(repoRoot, 'python'), MLTRACE_DIR: fx.storeDir },
      });
      assert.equal(result.status, 0, result.stderr);
    }
    const files = fs.readdirSync(fx.eventsDir).filter((n) => n.endsWith('.jsonl'));
    assert.equal(files.length, 2);
    const events = files.flatMap((f) => eventsOf(fx.file(f)));
    for (const event of events) assert.deepEqual(validateEvent(event), [], JSON.stringify(event));
    const ends = events.filter((e) => e.eventType === 'COMPLETE');
    assert.equal(ends.length, RUNS);
    assert.equal(
      ends.filter((e) => e.job.facets.sourceCode).length,
      1,
      'recorded once, by the first process',
    );
    assert.equal(ends.filter((e) => e.job.facets.mltrace_code).length, RUNS - 1);

    const report = compactLog(fx.storeDir);
    assert.equal(report.files, 2);
    const [id] = listSegments(fx.storeDir);
    const bytes =
      fs.statSync(segmentDataPath(fx.storeDir, id)).size +
      fs.statSync(segmentManifestPath(fx.storeDir, id)).size;
    assert.ok(bytes / RUNS <= 1000, `${Math.round(bytes / RUNS)} bytes a run`);
    const store = await fx.open();
    const runs = store.recent({ limit: 100 }).items;
    assert.equal(runs.length, RUNS);
    assert.ok(runs.every((r) => store.inspect(r.id).codeSnapshot?.includes('def step(')));
  });
});

/** A four-line function run as a component, reading one file and writing another. */
function writePipeline(fx: Fixture): string {
  fx.writeFile('data/in.csv', 'x\n1\n');
  return fx.writeFile(
    'pipeline.py',
    [
      'import sys',
      'from mltrace import register',
      '',
      "@register('step', input_vars=['src'], output_vars=['dst'])",
      'def step(i, src="data/in.csv"):',
      '    dst = "data/out%d.csv" % (i % 4)',
      '    open(dst, "w").write(open(src).read())',
      '    return dst',
      '',
      'for i in range(int(sys.argv[1])):',
      '    step(i)',
      '',
    ].join('\n'),
  );
}
