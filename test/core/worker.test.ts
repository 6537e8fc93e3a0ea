// Parsing in a worker thread (src/core/ingest/worker/host.ts): the index it builds is the one the main thread
// builds, byte for byte; its compact hand-off loses no field; and a worker that fails is reported
// as such, so that ingest can read on the main thread instead. Real worker threads throughout.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { decodeBatch, encodeBatch } from '../../src/core/ingest/worker/codec';
import { LogBatchSink, LogFileSpan, readLogBatches } from '../../src/core/ingest/batches';
import { noRunFacts } from '../../src/core/ingest/parseEvent';
import type { PreparedBatch } from '../../src/core/ingest/runDeltas';
import { readLogBatchesInWorker, WorkerFailure } from '../../src/core/ingest/worker/host';
import {
  appendEvents,
  appendRaw,
  at,
  examplesDir,
  Fixture,
  MemoryWriter,
  queryState,
  shuffled,
  tempFixture,
  uuid,
} from '../helpers/lineage';

const CHAIN = ['ingest', 'clean', 'featurize', 'train', 'evaluate'];
/** The last line of late-0.jsonl, still being written. */
const HALF_LINE = '{"eventType":"START","eventTime":"2026-01-0';

/**
 * A log that uses every kind of event and fact: component metadata, runs with code, git and
 * fingerprints, failures, declared upstreams, notes, flags and unflag-all; foreign events (valid
 * and invalid examples); malformed lines and a half-written last line; one large file (several
 * batches) and the rest shuffled across small files with COMPLETE before START.
 */
function richLog(fx: Fixture, runs: number): void {
  fx.writeFile('data/raw.csv', 'a,b\n1,2\n');
  fx.writeFile('data/clean.csv', 'a,b\n1,2\n3,4\n');
  const big = fx.writer('big');
  big.defineComponent({ name: 'ingest', description: 'Reads the raw export', owner: 'ana', tags: ['etl'] });
  big.defineComponent({ name: 'train', description: 'Fits the model', owner: 'bo', tags: ['ml', 'gpu'] });
  for (let i = 0; i < runs; i++) {
    const k = i % CHAIN.length;
    const part = `p${Math.floor(i / CHAIN.length) % 50}`;
    big.logRun(
      {
        component: CHAIN[k],
        runId: uuid(i + 1),
        startTime: at(i * 10),
        inputs: k === 0 ? [{ name: 'data/raw.csv' }] : [{ name: `chain/${part}/${CHAIN[k - 1]}.parquet` }],
        source: {
          gitHash: `abc${i % 7}`,
          gitTags: i % 11 === 0 ? ['v1', 'nightly'] : [],
          sourceFile: `pipelines/${CHAIN[k]}.py`,
          sourceLine: 10 + k,
          code: { language: 'python', source: `def ${CHAIN[k]}():\n    return ${k}\n` },
        },
        upstream: k === 2 && i % 3 === 0 ? ['clean'] : undefined,
      },
      i % 97 === 13
        ? {
            status: 'failed',
            endTime: at(i * 10 + 5),
            error: { message: `out of memory in run ${i}`, language: 'python' },
          }
        : {
            status: 'complete',
            endTime: at(i * 10 + 5),
            outputs: [{ name: k === 4 ? `reports/${part}.json` : `chain/${part}/${CHAIN[k]}.parquet` }],
          },
    );
    if (i % 50 === 7) big.addNotes(uuid(i + 1), CHAIN[k], `checked by hand (${i})`);
    if (i % 200 === 99) big.flag(`reports/p${i % 50}.json`, true);
  }
  big.unflagAll();
  big.flag('reports/p1.json', true);
  big.flag('data/clean.csv', true);

  // Runs of another component, each run's events reversed and shuffled across three files.
  const memory = new MemoryWriter(fx.location, 'late');
  for (let i = 0; i < 60; i++) {
    memory.logRun(
      {
        component: 'score',
        runId: uuid(100000 + i),
        startTime: at(i * 37 + 3),
        inputs: [{ name: 'data/clean.csv' }, { name: `chain/p${i % 50}/train.parquet` }],
      },
      { status: 'complete', endTime: at(i * 37 + 9), outputs: [{ name: `scores/${i % 5}.csv` }] },
    );
  }
  shuffled([...memory.events].reverse(), 7).forEach((event, i) =>
    appendEvents(fx, `late-${i % 3}.jsonl`, [event]),
  );

  for (const kind of ['valid', 'invalid'] as const) {
    const dir = path.join(examplesDir, kind);
    const events = fs
      .readdirSync(dir)
      .filter((n) => n.endsWith('.json'))
      .sort()
      .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as unknown);
    appendEvents(fx, `foreign-${kind}.jsonl`, events);
  }
  appendRaw(fx, 'foreign-valid.jsonl', '{"eventTime": "2026-01-01T00:00:00Z", "run": \n');
  appendRaw(fx, 'foreign-valid.jsonl', 'not json at all\n');
  appendRaw(fx, 'late-0.jsonl', HALF_LINE);
}

const snapshotBytes = (fx: Fixture) => fs.readFileSync(fx.snapshot);

describe('parsing in a worker thread', () => {
  test('builds the same index as the main thread: same answers, same problems, same snapshot bytes', async (t) => {
    const main = tempFixture(t);
    richLog(main, 2200);
    const worker = tempFixture(t);
    fs.cpSync(main.root, worker.root, { recursive: true });

    const inMain = await main.open({ deferIngest: true, parseInWorker: 'never' });
    const inWorker = await worker.open({ deferIngest: true, parseInWorker: 'always' });
    const mainReport = inMain.ingest();
    const workerReport = inWorker.ingest();

    assert.equal(mainReport.parsedInWorker, false);
    assert.equal(workerReport.parsedInWorker, true);
    // The log is what it claims: several batches, problems, flags, failures, foreign runs.
    assert.ok(mainReport.events > 4400, `${mainReport.events} events`);
    assert.ok(
      mainReport.problems.some((p) => p.severity === 'error' && p.reason.startsWith('malformed JSON')),
    );
    assert.ok(mainReport.problems.some((p) => p.severity === 'warning'));
    assert.deepEqual(inMain.review().flagged, ['data/clean.csv', 'reports/p1.json']);
    assert.ok(inMain.recent({ limit: 5000 }).items.some((r) => r.status === 'failed'));

    const strip = (r: typeof mainReport, root: string) => ({
      ...r,
      parsedInWorker: undefined,
      problems: r.problems.map((p) => ({ ...p, file: path.relative(root, p.file) })),
      waiting: r.waiting.map((w) => ({ ...w, file: path.relative(root, w.file) })),
    });
    assert.deepEqual(strip(workerReport, worker.root), strip(mainReport, main.root));
    // The half-written last line of late-0.jsonl waits, and says so.
    assert.deepEqual(strip(mainReport, main.root).waiting, [
      { file: '.mltrace/events/late-0.jsonl', bytes: Buffer.byteLength(HALF_LINE) },
    ]);
    assert.equal(queryState(inWorker), queryState(inMain));

    // The half-written line completes: the next (small) ingest reads it the same way in both.
    for (const fx of [main, worker]) appendRaw(fx, 'late-0.jsonl', '1-01T00:00:00Z"}\n');
    assert.deepEqual(
      inWorker.ingest().problems.map((p) => p.reason),
      inMain.ingest().problems.map((p) => p.reason),
    );
    inMain.save();
    inWorker.save();
    assert.ok(snapshotBytes(main).equals(snapshotBytes(worker)), 'the two snapshots differ');
  });

  test("'auto' starts the worker for a backlog of 4 MiB or more, and not for a small one", async (t) => {
    const fx = tempFixture(t);
    richLog(fx, 2500);
    const bytes = fs.readdirSync(fx.eventsDir).reduce((n, f) => n + fs.statSync(fx.file(f)).size, 0);
    assert.ok(bytes >= 4 * 1024 * 1024, `${bytes} bytes`);
    const store = await fx.open({ deferIngest: true });
    assert.equal(store.ingest().parsedInWorker, true);
    fx.writer('small').flag('data/raw.csv', true);
    const small = store.ingest();
    assert.equal(small.events, 1);
    assert.equal(small.parsedInWorker, false);
    assert.deepEqual(store.review().flagged, ['data/clean.csv', 'data/raw.csv', 'reports/p1.json']);
  });
});

describe('indexing in the background', () => {
  test('gives the same index as ingest() while the event loop keeps turning; meanwhile ingest() refuses and save() waits', async (t) => {
    const main = tempFixture(t);
    richLog(main, 1500);
    const background = tempFixture(t);
    fs.cpSync(main.root, background.root, { recursive: true });
    const reference = await main.open({ deferIngest: true, parseInWorker: 'never' });
    const expected = reference.ingest();
    const store = await background.open({ deferIngest: true });

    let turns = 0;
    let done = false;
    const during: { ingest?: string; saved?: boolean; runs?: number } = {};
    const turn = () => {
      if (done) return;
      turns++;
      if (turns === 1) {
        try {
          store.ingest();
        } catch (error) {
          during.ingest = (error as Error).message;
        }
        during.saved = store.save();
        during.runs = store.recent({ limit: 5000 }).items.length;
      }
      setImmediate(turn);
    };
    setImmediate(turn);
    const report = await store.ingestInBackground();
    done = true;

    assert.ok(turns >= 1, `${turns} turns of the event loop`);
    assert.equal(
      during.ingest,
      'The lineage store is busy indexing its event log; try again when it is done.',
    );
    assert.equal(during.saved, false, 'no snapshot of half a transaction');
    assert.ok(during.runs! < expected.runs, `queries answered from the ${during.runs} runs applied so far`);
    assert.equal(report.parsedInWorker, true);
    const counts = (r: typeof report) => ({ ...r, problems: r.problems.length, waiting: r.waiting.length });
    assert.deepEqual(counts(report), { ...counts(expected), parsedInWorker: true });
    store.save();
    reference.save();
    assert.ok(snapshotBytes(main).equals(snapshotBytes(background)), 'the two snapshots differ');
  });

  test('closing the store while it indexes ends the ingest with an error for the caller alone', async (t) => {
    const fx = tempFixture(t);
    richLog(fx, 1500);
    const store = await fx.open({ deferIngest: true });
    const indexing = store.ingestInBackground();
    setImmediate(() => store.close({ save: false }));
    await assert.rejects(indexing, /The lineage store is closed/);
  });

  test('a worker that fails: the rest is read on the main thread, with a message', async (t) => {
    const fx = tempFixture(t);
    richLog(fx, 300);
    const messages: string[] = [];
    const store = await fx.open({
      deferIngest: true,
      worker: { script: `throw new Error('no worker today');` },
      onMessage: (m) => messages.push(m),
    });
    const report = await store.ingestInBackground();
    assert.equal(report.parsedInWorker, false);
    assert.ok(report.runs > 300);
    assert.equal(messages.length, 1);
    assert.match(messages[0], /no worker today/);
  });
});

describe('the hand-off from the worker', () => {
  test('a batch with every field set, and one with every field empty, survive encoding', () => {
    const full: PreparedBatch = {
      metas: [
        {
          component: 'train',
          namespace: 'ws',
          meta: { description: 'Fits', owner: 'bo', tags: ['ml', 'gpu'] },
          ms: 5,
        },
        { component: 'clean', namespace: 'ws', meta: { tags: [] }, ms: 6 },
        { component: 'clean', namespace: 'ws', meta: {}, ms: 7 },
      ],
      flags: [
        {
          seq: 9,
          event: {
            kind: 'flag',
            timeMs: 11,
            namespace: 'file',
            name: 'model.pkl',
            flagged: true,
            all: false,
          },
        },
        {
          seq: 10,
          event: { kind: 'flag', timeMs: 12, namespace: 'mltrace', name: '*', flagged: false, all: true },
        },
      ],
      retractions: [
        { timeMs: 13, labels: ['Alice', 'hmac-sha256:00ff'] },
        { timeMs: 14, labels: ['Alice'] },
      ],
      deltas: [
        {
          runId: uuid(1),
          component: 'train',
          namespace: 'ws',
          lifecycle: true,
          seq: 3,
          firstMs: 100,
          startMs: 100,
          endMs: 250,
          terminal: { status: 'failed', ms: 250 },
          gitHash: 'abc',
          gitTags: ['v1', 'ünïcode ✓'],
          sourceFile: 'train.py',
          sourceLine: 12,
          code: { language: 'python', source: 'def f():\n    pass\n' },
          codeRef: 'ab'.repeat(32),
          error: 'boom',
          thresholdDays: 2.5,
          user: 'ana',
          host: 'gpu01',
          noInputDeps: true,
          upstream: new Set(['clean', 'featurize']),
          notes: [
            { ms: 120, text: 'first' },
            { ms: 130, text: 'first' },
          ],
          inputs: new Map([
            [
              'file\0a.csv',
              {
                namespace: 'file',
                name: 'a.csv',
                type: 'DATA' as const,
                fingerprint: 'sha256:1',
                profile: {
                  data: '{"profiler":"mltrace-profile/1","rows":120,"columns":[["x","number"]]}',
                  numbers: new Float64Array([
                    0,
                    120,
                    7,
                    1,
                    9,
                    NaN,
                    21,
                    ...Array.from({ length: 21 }, (_, i) => i / 3),
                  ]),
                },
                labels: ['Alice', 'Bob'],
              },
            ],
            ['s3\0b', { namespace: 's3', name: 'b', type: null, fingerprint: null, profile: null }],
          ]),
          outputs: new Map([
            [
              'file\0m.pkl',
              {
                namespace: 'file',
                name: 'm.pkl',
                type: 'MODEL' as const,
                fingerprint: 'sha256:2',
                profile: {
                  data: '{"profiler":"mltrace-profile/1","rows":0,"columns":[]}',
                  numbers: new Float64Array(0),
                },
              },
            ],
          ]),
        },
        {
          ...noRunFacts(),
          runId: uuid(2),
          component: 'clean',
          namespace: '',
          lifecycle: false,
          seq: 4,
          firstMs: -5,
          startMs: null,
          endMs: null,
          terminal: null,
          upstream: new Set(),
          notes: [],
          inputs: new Map(),
          outputs: new Map(),
        },
        {
          ...noRunFacts(),
          runId: uuid(3),
          component: 'score',
          namespace: 'ws',
          lifecycle: true,
          seq: 5,
          firstMs: 300,
          startMs: null,
          endMs: null,
          terminal: { status: 'complete', ms: 310 },
          gitTags: [],
          upstream: new Set(),
          notes: [],
          inputs: new Map(),
          outputs: new Map(),
        },
      ],
      runValues: [
        { runId: 'r1', kind: 'param', name: 'lr', value: '0.1', ms: 5, seq: 1 },
        { runId: 'r1', kind: 'metric', name: 'accuracy', value: '0.84', ms: 5, seq: 1 },
        { runId: 'r2', kind: 'param', name: 'layers', value: '{"a":[1,2]}', ms: 9, seq: 4 },
      ],
      taskValues: [
        { task: 'churn', role: 'output', identifier: 'u1', value: 1, ms: 10, seq: 5, runId: 'r1' },
        { task: 'churn', role: 'feedback', identifier: 'u1', value: 0.5, ms: 11, seq: 6, runId: null },
      ],
      taskMetrics: [
        {
          task: 'churn',
          metric: {
            name: 'acc',
            identifier: 'acc_window5',
            windowSize: 5,
            function: 'accuracy',
            callable: null,
          },
          ms: 12,
          seq: 7,
        },
        {
          task: 'churn',
          metric: {
            name: 'mine',
            identifier: 'mine_windowNone',
            windowSize: null,
            function: null,
            callable: '<lambda>',
          },
          ms: 13,
          seq: 8,
        },
      ],
    };
    // The first delta states every field, so the round trip below covers each of them.
    for (const [field, value] of Object.entries(full.deltas[0])) {
      assert.notEqual(value, null, `the full delta sets ${field}`);
      assert.notEqual(value, false, `the full delta sets ${field}`);
      if (value instanceof Set || value instanceof Map)
        assert.ok(value.size > 0, `the full delta sets ${field}`);
      if (Array.isArray(value)) assert.ok(value.length > 0, `the full delta sets ${field}`);
    }
    assert.deepEqual(
      full.deltas.map((d) => d.terminal?.status ?? null),
      ['failed', null, 'complete'],
      'both final statuses and none',
    );
    const encoded = encodeBatch(full);
    assert.equal(new Set(encoded.strings).size, encoded.strings.length, 'each string is sent once');
    assert.deepEqual(decodeBatch(structuredClone(encoded)), full);
    const empty: PreparedBatch = {
      metas: [],
      flags: [],
      deltas: [],
      retractions: [],
      runValues: [],
      taskValues: [],
      taskMetrics: [],
    };
    assert.deepEqual(decodeBatch(encodeBatch(empty)), empty);
  });

  test('a batch that does not decode to exactly one batch fails, saying how', () => {
    const batch: PreparedBatch = {
      metas: [{ component: 'train', namespace: 'ws', meta: { owner: 'bo' }, ms: 5 }],
      flags: [],
      deltas: [],
      retractions: [],
      runValues: [],
      taskValues: [],
      taskMetrics: [],
    };
    const { numbers, strings } = encodeBatch(batch);
    assert.deepEqual(decodeBatch({ numbers, strings }), batch);
    assert.throws(() => decodeBatch({ numbers: Float64Array.of(...numbers, 1), strings }), /trailing data/);
    assert.throws(() => decodeBatch({ numbers: numbers.slice(0, -1), strings }), /ends early/);
    assert.throws(() => decodeBatch({ numbers, strings: strings.slice(0, -1) }), /has no string 2/);
  });
});

/** A worker script that allocates until its heap is full. */
const HOG = 'const hoard = []; for (;;) hoard.push(new Array(1000).fill({}));';

describe('a worker that fails', () => {
  const spansOf = (fx: Fixture): LogFileSpan[] =>
    fs
      .readdirSync(fx.eventsDir)
      .filter((name) => name.endsWith('.jsonl'))
      .sort()
      .map((name) => ({
        name,
        file: fx.file(name),
        from: { offset: 0, line: 0 },
        size: fs.statSync(fx.file(name)).size,
      }));
  const collect = () => {
    const batches: PreparedBatch[] = [];
    const sink: LogBatchSink = { batch: (_f, b) => batches.push(b), fileDone: () => undefined };
    return { batches, sink };
  };

  test('the same batches arrive from the worker as from readLogBatches', (t) => {
    const fx = tempFixture(t);
    richLog(fx, 1200);
    const here = collect();
    const there = collect();
    const lastHere = readLogBatches(spansOf(fx), 40, here.sink);
    const lastThere = readLogBatchesInWorker(spansOf(fx), 40, there.sink);
    assert.equal(lastThere, lastHere);
    assert.ok(here.batches.length > 2);
    assert.deepEqual(there.batches, here.batches);
  });

  test('one that throws while loading is a WorkerFailure with its message', (t) => {
    const fx = tempFixture(t);
    richLog(fx, 10);
    assert.throws(
      () =>
        readLogBatchesInWorker(spansOf(fx), 0, collect().sink, {
          script: `require('/nowhere/ingestWorker.js');`,
        }),
      (error) =>
        error instanceof WorkerFailure &&
        /Cannot find module '\/nowhere\/ingestWorker.js'/.test(error.message),
    );
  });

  test('one that dies later (an uncaught error, process.exit) is noticed when it exits, and harms nothing', (t) => {
    const fx = tempFixture(t);
    richLog(fx, 10);
    for (const script of [
      `setTimeout(() => { throw new Error('later'); }, 50);`,
      `setTimeout(() => process.exit(3), 50);`,
    ]) {
      assert.throws(
        // A silence limit far longer than the test: the exit, not the silence, ends the wait.
        () => readLogBatchesInWorker(spansOf(fx), 0, collect().sink, { script, silenceMs: 600_000 }),
        (error) =>
          error instanceof WorkerFailure && error.message === 'the worker stopped before it finished',
        script,
      );
    }
  });

  test('one that runs out of memory is noticed when it dies, not after the silence limit', (t) => {
    const fx = tempFixture(t);
    richLog(fx, 10);
    assert.throws(
      // A silence limit far longer than the death takes: a wait that ends in silence fails.
      () =>
        readLogBatchesInWorker(spansOf(fx), 0, collect().sink, {
          script: HOG,
          resourceLimits: { maxOldGenerationSizeMb: 8 },
          silenceMs: 30_000,
        }),
      (error) => error instanceof WorkerFailure && error.message === 'the worker ran out of memory',
    );
  });

  test('one that says nothing is given up after the silence limit', (t) => {
    const fx = tempFixture(t);
    richLog(fx, 10);
    assert.throws(
      () =>
        readLogBatchesInWorker(spansOf(fx), 0, collect().sink, {
          script: 'setTimeout(() => {}, 60000);',
          silenceMs: 300,
        }),
      (error) => error instanceof WorkerFailure && error.message === 'no answer for 0.3 s',
    );
  });

  test('the store reads on the main thread instead, says so once, and loses nothing', async (t) => {
    const fx = tempFixture(t);
    richLog(fx, 400);
    const copy = tempFixture(t);
    fs.cpSync(fx.root, copy.root, { recursive: true });
    const messages: string[] = [];
    const failing = await fx.open({
      deferIngest: true,
      parseInWorker: 'always',
      worker: { script: `throw new Error('no worker today');` },
      onMessage: (m) => messages.push(m),
    });
    const report = failing.ingest();
    assert.equal(report.parsedInWorker, false);
    assert.equal(messages.length, 1);
    assert.match(
      messages[0],
      /^Reading the event log in a worker thread failed \(.*\); read it on the main thread instead\.$/,
    );
    const reference = await copy.open({ deferIngest: true, parseInWorker: 'never' });
    const expected = reference.ingest();
    assert.equal(report.events, expected.events);
    assert.equal(report.runs, expected.runs);
    assert.equal(queryState(failing), queryState(reference));
  });

  test('a blocking ingest whose worker runs out of memory reads on the main thread, and loses nothing', async (t) => {
    const fx = tempFixture(t);
    richLog(fx, 400);
    const copy = tempFixture(t);
    fs.cpSync(fx.root, copy.root, { recursive: true });
    const messages: string[] = [];
    const starved = await fx.open({
      deferIngest: true,
      parseInWorker: 'always',
      worker: { script: HOG, resourceLimits: { maxOldGenerationSizeMb: 8 }, silenceMs: 30_000 },
      onMessage: (m) => messages.push(m),
    });
    const report = starved.ingest();
    assert.equal(report.parsedInWorker, false);
    assert.deepEqual(messages, [
      'Reading the event log in a worker thread failed (the worker ran out of memory); read it on the main thread instead.',
    ]);
    const reference = await copy.open({ deferIngest: true, parseInWorker: 'never' });
    const expected = reference.ingest();
    assert.equal(report.events, expected.events);
    assert.equal(report.runs, expected.runs);
    assert.equal(queryState(starved), queryState(reference));
  });

  test('an error of the sink is not a WorkerFailure: it propagates as it is', (t) => {
    const fx = tempFixture(t);
    richLog(fx, 1200);
    const boom = new Error('the index is full');
    assert.throws(
      () =>
        readLogBatchesInWorker(spansOf(fx), 0, {
          batch: () => {
            throw boom;
          },
          fileDone: () => undefined,
        }),
      (error) => error === boom,
    );
  });
});
