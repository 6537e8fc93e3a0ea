// Staleness (DESIGN.md §5), one rule at a time, with the exact sentences the engine produces.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import type { RunEvent } from '../../src/core/events';
import { shortId } from '../../src/core/format';
import {
  appendEvents,
  at,
  DAY_S,
  foreignRunEvent,
  MemoryWriter,
  tempFixture,
  uuid,
} from '../helpers/lineage';

const days = (n: number) => n * DAY_S;

describe('staleness rule 1: a dependency started more than the threshold before the run', () => {
  test('default threshold of 30 days; a custom thresholdDays; exactly at the threshold is fresh', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const I = w.logRun(
      { component: 'ingest', startTime: at(0) },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'raw.csv' }] },
    );
    const C40 = w.logRun(
      { component: 'clean', startTime: at(days(40) + days(0.9)), inputs: [{ name: 'raw.csv' }] },
      { status: 'complete', endTime: at(days(41)) },
    );
    const C30 = w.logRun(
      { component: 'prep', startTime: at(days(30)), inputs: [{ name: 'raw.csv' }] },
      { status: 'complete', endTime: at(days(31)) },
    );
    const C2 = w.logRun(
      { component: 'peek', startTime: at(days(2)), inputs: [{ name: 'raw.csv' }] },
      { status: 'complete', endTime: at(days(3)) },
    );
    const store = await fx.open();
    const label = `ingest (run ${shortId(I)})`;

    assert.deepEqual(store.inspect(C40).stale, [
      `${label} started 40 days before this run (threshold: 30 days).`,
    ]);
    assert.deepEqual(store.inspect(C30).stale, [], 'exactly 30 days is not more than 30');
    assert.deepEqual(store.inspect(C2).stale, []);
    assert.deepEqual(store.inspect(I).stale, []);
    assert.deepEqual(
      store.stale().map((r) => [r.id, r.stale]),
      [[C40, [`${label} started 40 days before this run (threshold: 30 days).`]]],
    );

    assert.deepEqual(store.stale({ thresholdDays: 50 }), []);
    assert.deepEqual(
      store.stale({ thresholdDays: 1 }).map((r) => [r.id, r.stale]),
      [
        [C40, [`${label} started 40 days before this run (threshold: 1 day).`]],
        [C30, [`${label} started 30 days before this run (threshold: 1 day).`]],
        [C2, [`${label} started 2 days before this run (threshold: 1 day).`]],
      ],
    );
    assert.deepEqual(
      store.stale({ component: 'clean', thresholdDays: 10 }).map((r) => r.stale),
      [[`${label} started 40 days before this run (threshold: 10 days).`]],
    );
  });

  test("a run's own stalenessThresholdDays wins over the setting", async (t) => {
    const fx = tempFixture(t);
    const w = new MemoryWriter(fx.location);
    const I = w.logRun(
      { component: 'ingest', startTime: at(0) },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'raw.csv' }] },
    );
    const lenient = w.logRun(
      { component: 'lenient', startTime: at(days(40)), inputs: [{ name: 'raw.csv' }] },
      { status: 'complete', endTime: at(days(40) + 1) },
    );
    const strict = w.logRun(
      { component: 'strict', startTime: at(days(10)), inputs: [{ name: 'raw.csv' }] },
      { status: 'complete', endTime: at(days(10) + 1) },
    );
    for (const event of w.events as RunEvent[]) {
      const own = event.job.name === 'lenient' ? 45 : event.job.name === 'strict' ? 5 : undefined;
      if (own !== undefined)
        (event.run.facets!.mltrace_run as Record<string, unknown>).stalenessThresholdDays = own;
    }
    appendEvents(fx, 'py.jsonl', w.events);
    const store = await fx.open();
    const label = `ingest (run ${shortId(I)})`;
    assert.deepEqual(store.inspect(lenient).stale, []);
    assert.deepEqual(store.inspect(strict).stale, [
      `${label} started 10 days before this run (threshold: 5 days).`,
    ]);
    for (const thresholdDays of [1, 30, 50]) {
      assert.deepEqual(
        store.stale({ thresholdDays }).map((r) => [r.id, r.stale]),
        [[strict, [`${label} started 10 days before this run (threshold: 5 days).`]]],
        `setting ${thresholdDays}`,
      );
    }
  });
});

describe('staleness rule 2: the dependency has fresher runs that began before the run started', () => {
  test('counts the fresher runs of the dependency component that began before the run', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const F1 = w.logRun(
      { component: 'featurize', startTime: at(10) },
      { status: 'complete', endTime: at(11), outputs: [{ name: 'features.csv' }] },
    );
    const T1 = w.logRun(
      { component: 'train', startTime: at(15), inputs: [{ name: 'features.csv' }] },
      { status: 'complete', endTime: at(16) },
    );
    w.logRun(
      { component: 'featurize', startTime: at(20) },
      { status: 'complete', endTime: at(21), outputs: [{ name: 'features_v2.csv' }] },
    );
    const T2 = w.logRun(
      { component: 'train', startTime: at(22), inputs: [{ name: 'features.csv' }] },
      { status: 'complete', endTime: at(23) },
    );
    w.logRun(
      { component: 'featurize', startTime: at(25) },
      { status: 'failed', endTime: at(26), error: { message: 'x', language: 'python' } },
    );
    const T3 = w.logRun(
      { component: 'train', startTime: at(50), inputs: [{ name: 'features.csv' }] },
      { status: 'complete', endTime: at(51) },
    );
    w.logRun({ component: 'featurize', startTime: at(60) }, { status: 'complete', endTime: at(61) }); // after every train run
    const store = await fx.open();
    const label = `featurize (run ${shortId(F1)})`;
    assert.deepEqual(store.inspect(T1).stale, []);
    assert.deepEqual(store.inspect(T2).stale, [
      `${label} has 1 fresher run that began before this run started.`,
    ]);
    assert.deepEqual(store.inspect(T3).stale, [
      `${label} has 2 fresher runs that began before this run started.`,
    ]);
    assert.deepEqual(
      store.stale({ component: 'train' }).map((r) => r.id),
      [T3, T2],
    );
    assert.deepEqual(
      store.stale().map((r) => r.id),
      [T3],
      'by default only the latest run of each component',
    );
  });
});

describe('staleness rule 3: an input changed since the run read it', () => {
  test('with a fingerprint: content changed, unchanged (even rewritten), file deleted', async (t) => {
    const fx = tempFixture(t);
    fx.writeFile('data/raw.csv', 'id,value\n1,2\n');
    fx.writeFile('data/src.csv', 'a\n');
    const w = fx.writer();
    const I = w.logRun(
      { component: 'ingest', startTime: at(0), inputs: [{ name: 'data/src.csv' }] },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'data/raw.csv' }] },
    );
    const C = w.logRun(
      { component: 'clean', startTime: at(10), inputs: [{ name: 'data/raw.csv' }] },
      { status: 'complete', endTime: at(11) },
    );
    const store = await fx.open();
    assert.match(store.inspect(C).inputPointers[0].fingerprint ?? '', /^sha256:[0-9a-f]{64}$/);
    assert.deepEqual(store.inspect(C).stale, [], 'unchanged');
    assert.deepEqual(store.inspect(I).stale, []);

    // Written again by a newer run, with the same content: still fresh (the content decides).
    const I2 = w.logRun(
      { component: 'ingest', startTime: at(20) },
      { status: 'complete', endTime: at(21), outputs: [{ name: 'data/raw.csv' }] },
    );
    store.ingest();
    assert.deepEqual(store.inspect(C).stale, []);

    fx.writeFile('data/raw.csv', 'id,value\n1,2\n3,4\n');
    fx.writeFile('data/src.csv', 'a\nb\n');
    assert.deepEqual(store.inspect(C).stale, [
      `Input data/raw.csv (last written by ingest (run ${shortId(I2)})) changed since this run read it.`,
    ]);
    assert.deepEqual(
      store.inspect(I).stale,
      ['Input data/src.csv changed since this run read it.'],
      'a source file nobody wrote',
    );

    fs.rmSync(path.join(fx.root, 'data', 'raw.csv'));
    assert.deepEqual(store.inspect(C).stale, [
      `Input data/raw.csv (last written by ingest (run ${shortId(I2)})) no longer exists.`,
    ]);

    fx.writeFile('data/raw.csv', 'id,value\n1,2\n');
    assert.deepEqual(store.inspect(C).stale, [], 'back to what was read');
  });

  test('without a fingerprint: a newer run has written it since', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const W1 = w.logRun(
      { component: 'train', startTime: at(10) },
      { status: 'complete', endTime: at(11), outputs: [{ name: 'model_v1' }] },
    );
    const R = w.logRun(
      { component: 'serve', startTime: at(20), inputs: [{ name: 'model_v1' }] },
      { status: 'complete', endTime: at(100) },
    );
    const store = await fx.open();
    assert.equal(store.inspect(R).inputPointers[0].fingerprint, null, 'no file: no fingerprint');
    assert.deepEqual(store.inspect(R).stale, []);

    // A writer that started before R but is logged later is R's dependency, not a newer write.
    const W15 = w.logRun(
      { component: 'train', startTime: at(15) },
      { status: 'complete', endTime: at(16), outputs: [{ name: 'model_v1' }] },
    );
    store.ingest();
    assert.deepEqual(store.inspect(R).dependencies, [W15]);
    assert.deepEqual(store.inspect(R).stale, []);

    const W2 = w.logRun(
      { component: 'train', startTime: at(30) },
      { status: 'complete', endTime: at(31), outputs: [{ name: 'model_v1' }] },
    );
    store.ingest();
    assert.deepEqual(store.inspect(R).stale, [
      `Input model_v1 was written again by train (run ${shortId(W2)}) after this run started.`,
    ]);
    assert.deepEqual(store.inspect(W1).stale, []);

    // A write that started in the same millisecond as R but is later in the log is after it too.
    const tie = w.logRun(
      { component: 'tie', startTime: at(20) },
      { status: 'complete', endTime: at(21), outputs: [{ name: 'model_v0' }] },
    );
    const R0 = w.logRun(
      { component: 'serve0', startTime: at(40), inputs: [{ name: 'model_v0' }] },
      { status: 'complete', endTime: at(41) },
    );
    const tieAgain = w.logRun(
      { component: 'tie', startTime: at(40) },
      { status: 'complete', endTime: at(42), outputs: [{ name: 'model_v0' }] },
    );
    store.ingest();
    assert.deepEqual(store.inspect(R0).dependencies, [tie]);
    assert.deepEqual(store.inspect(R0).stale, [
      `Input model_v0 was written again by tie (run ${shortId(tieAgain)}) after this run started.`,
    ]);
  });

  test('a dataset of another namespace, even with a version, is judged by newer writes', async (t) => {
    const fx = tempFixture(t);
    const ds = (version: string) => ({
      namespace: 's3://bucket',
      name: 'features',
      facets: { version: { _producer: 'x', _schemaURL: 'y', datasetVersion: version } },
    });
    const event = (
      runId: string,
      job: string,
      time: number,
      io: { inputs?: unknown[]; outputs?: unknown[] },
    ) => ({
      ...foreignRunEvent({ eventType: 'COMPLETE', runId, job, time: at(time) }),
      inputs: io.inputs ?? [],
      outputs: io.outputs ?? [],
    });
    appendEvents(fx, 'spark.jsonl', [
      // Even a sha256-looking version names no workspace file: there is nothing to hash here.
      event(uuid(1), 'write', 1, { outputs: [ds(`sha256:${'a'.repeat(64)}`)] }),
      event(uuid(2), 'read', 2, { inputs: [ds(`sha256:${'a'.repeat(64)}`)] }),
      event(uuid(3), 'write', 3, { outputs: [ds('v2')] }),
      event(uuid(4), 'read', 4, { inputs: [ds('v2')] }),
    ]);
    const store = await fx.open();
    assert.deepEqual(store.inspect(uuid(2)).stale, [
      `Input s3://bucket/features was written again by write (run ${shortId(uuid(3))}) after this run started.`,
    ]);
    assert.deepEqual(store.inspect(uuid(4)).stale, []);
  });
});

describe('staleness rule 4: the code changed since the run', () => {
  const code = 'def clean(df):\n    return df.dropna()';

  test('snapshot still in the file: fresh; changed: stale; source file deleted: stale', async (t) => {
    const fx = tempFixture(t);
    fx.writeFile('pipeline.py', `import pandas\n\n${code}\n\n\ndef other():\n    pass\n`);
    const w = fx.writer();
    const R = w.logRun(
      {
        component: 'clean',
        startTime: at(0),
        source: {
          sourceFile: 'pipeline.py',
          sourceLine: 3,
          gitHash: 'abc1234',
          code: { language: 'python', source: code },
        },
      },
      { status: 'complete', endTime: at(1) },
    );
    const noLine = w.logRun(
      {
        component: 'clean2',
        startTime: at(2),
        source: { sourceFile: 'pipeline.py', code: { language: 'python', source: 'def other():\n    pass' } },
      },
      { status: 'complete', endTime: at(3) },
    );
    const crlf = w.logRun(
      {
        component: 'clean4',
        startTime: at(6),
        source: {
          sourceFile: 'pipeline.py',
          sourceLine: 3,
          code: { language: 'python', source: '\r\ndef clean(df):  \r\n    return df.dropna()\t\r\n' },
        },
      },
      { status: 'complete', endTime: at(7) },
    );
    const noSnapshot = w.logRun(
      { component: 'clean3', startTime: at(4), source: { sourceFile: 'pipeline.py', sourceLine: 9 } },
      { status: 'complete', endTime: at(5) },
    );
    const store = await fx.open();
    const detail = store.inspect(R);
    assert.equal(detail.codeSnapshot, code);
    assert.equal(detail.codeLanguage, 'python');
    assert.equal(detail.sourceFile, 'pipeline.py');
    assert.equal(detail.sourceLine, 3);
    assert.equal(detail.gitHash, 'abc1234');
    assert.deepEqual(detail.stale, []);
    assert.deepEqual(
      store.inspect(crlf).stale,
      [],
      'a snapshot recorded with CRLF and trailing blanks matches the same code',
    );

    // Moved down, with trailing blanks and CRLF line endings: the same code.
    fx.writeFile(
      'pipeline.py',
      `# header\r\nimport pandas\r\n\r\n\r\ndef clean(df):   \r\n    return df.dropna()\r\n\r\ndef other():\r\n    pass\r\n`,
    );
    assert.deepEqual(store.inspect(R).stale, [], 'whitespace at line ends and line endings do not count');

    fx.writeFile(
      'pipeline.py',
      `import pandas\n\ndef clean(df):\n    return df.fillna(0)\n\ndef other():\n    return 1\n`,
    );
    assert.deepEqual(store.inspect(R).stale, [
      `The code of clean (run ${shortId(R)}) changed since it ran (pipeline.py:3).`,
    ]);
    assert.deepEqual(store.inspect(noLine).stale, [
      `The code of clean2 (run ${shortId(noLine)}) changed since it ran (pipeline.py).`,
    ]);
    assert.deepEqual(store.inspect(noSnapshot).stale, [], 'without a snapshot there is nothing to compare');

    fs.rmSync(path.join(fx.root, 'pipeline.py'));
    assert.deepEqual(store.inspect(R).stale, [
      `The source file of clean (run ${shortId(R)}), pipeline.py, no longer exists.`,
    ]);
    assert.deepEqual(store.inspect(noSnapshot).stale, []);
    assert.deepEqual(
      store.stale().map((r) => r.component),
      ['clean4', 'clean2', 'clean'],
    );
  });
});

describe('staleness: several rules and a fresh run', () => {
  test('a fresh run has no reasons; reasons of several rules come in rule order', async (t) => {
    const fx = tempFixture(t);
    fx.writeFile('data/raw.csv', 'x\n');
    fx.writeFile('clean.py', 'def clean():\n    pass\n');
    const w = fx.writer();
    const I = w.logRun(
      { component: 'ingest', startTime: at(0) },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'data/raw.csv' }] },
    );
    const fresh = w.logRun(
      {
        component: 'clean',
        startTime: at(10),
        inputs: [{ name: 'data/raw.csv' }],
        source: {
          sourceFile: 'clean.py',
          sourceLine: 1,
          code: { language: 'python', source: 'def clean():\n    pass' },
        },
      },
      { status: 'complete', endTime: at(11) },
    );
    const store = await fx.open();
    assert.deepEqual(store.inspect(fresh).stale, []);
    assert.deepEqual(store.stale(), []);

    const old = w.logRun(
      {
        component: 'clean',
        startTime: at(days(45)),
        inputs: [{ name: 'data/raw.csv' }],
        source: {
          sourceFile: 'clean.py',
          sourceLine: 1,
          code: { language: 'python', source: 'def clean():\n    pass' },
        },
      },
      { status: 'complete', endTime: at(days(45) + 1) },
    );
    w.logRun(
      { component: 'ingest', startTime: at(days(44)) },
      { status: 'failed', endTime: at(days(44) + 1), error: { message: 'x', language: 'python' } },
    );
    store.ingest();
    fx.writeFile('data/raw.csv', 'y\ny\n');
    fx.writeFile('clean.py', 'def clean():\n    return 1\n');
    const label = `ingest (run ${shortId(I)})`;
    assert.deepEqual(store.inspect(old).stale, [
      `${label} started 45 days before this run (threshold: 30 days).`,
      `${label} has 1 fresher run that began before this run started.`,
      `Input data/raw.csv (last written by ${label}) changed since this run read it.`,
      `The code of clean (run ${shortId(old)}) changed since it ran (clean.py:1).`,
    ]);
  });
});

describe('stale({ component }): all the stale runs of a component', () => {
  test('each stale run as history() gives it, newest first; fresh runs left out', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const ingest = (start: number) =>
      w.logRun(
        { component: 'ingest', startTime: at(start) },
        { status: 'complete', endTime: at(start + 1), outputs: [{ name: 'raw.csv' }, { name: 'aux.csv' }] },
      );
    const I1 = ingest(0);
    // clean runs read both files and write two, one fails; one has notes; the last is fresh.
    const clean = (start: number, status: 'complete' | 'failed' = 'complete') =>
      w.logRun(
        { component: 'clean', startTime: at(start), inputs: [{ name: 'raw.csv' }, { name: 'aux.csv' }] },
        {
          status,
          endTime: at(start + 1),
          outputs: [{ name: 'z.csv' }, { name: 'a.csv' }],
          ...(status === 'failed' ? { error: { message: 'boom', language: 'python' } } : {}),
        },
      );
    const C1 = clean(days(40));
    const C2 = clean(days(41), 'failed');
    w.addNotes(C2, 'clean', 'retried\nby hand');
    const I2 = ingest(days(42));
    const C3 = clean(days(43));
    const store = await fx.open();

    const stale = store.stale({ component: 'clean' });
    assert.deepEqual(
      stale.map((r) => r.id),
      [C2, C1],
      'newest first, the fresh run left out',
    );
    const history = new Map(store.history('clean').map((r) => [r.id, r]));
    assert.deepEqual([...history.keys()], [C3, C2, C1]);
    for (const run of stale) {
      // The same fields, in the same order (the CLI prints them as JSON), with the same values.
      const full = history.get(run.id)!;
      const keys = Object.keys(run);
      assert.deepEqual(keys, Object.keys(full).slice(0, keys.length));
      assert.deepEqual(run, Object.fromEntries(keys.map((k) => [k, full[k as keyof typeof full]])));
    }
    const [c2] = stale;
    assert.deepEqual(
      [c2.inputs, c2.outputs, c2.notes, c2.error],
      [['aux.csv', 'raw.csv'], ['a.csv', 'z.csv'], 'retried\nby hand', 'boom'],
    );
    assert.deepEqual(c2.dependencies, [I1]);
    assert.deepEqual(c2.stale, [
      `ingest (run ${shortId(I1)}) started 41 days before this run (threshold: 30 days).`,
      `Input aux.csv was written again by ingest (run ${shortId(I2)}) after this run started.`,
      `Input raw.csv was written again by ingest (run ${shortId(I2)}) after this run started.`,
    ]);
    assert.deepEqual(store.stale({ component: 'ingest' }), [], 'no stale run: none listed');
    assert.throws(() => store.stale({ component: 'nobody' }), /No component is named "nobody"/);
  });
});
