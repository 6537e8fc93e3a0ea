// Ingest: incremental, idempotent, order-tolerant (DESIGN.md §3, docs/EVENTS.md).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import type { LineageEvent } from '../../src/core/events';
import {
  appendEvents,
  appendRaw,
  at,
  foreignRunEvent,
  flagEvent,
  iso,
  jobEvent,
  line,
  MemoryWriter,
  notesEvent,
  queryState,
  shuffled,
  tempFixture,
  unflagAllEvent,
  uuid,
} from '../helpers/lineage';

describe('incremental ingest', () => {
  test('reads only what was appended since the last ingest', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    for (let i = 0; i < 3; i++) {
      w.logRun(
        { component: 'clean', startTime: at(i * 10), inputs: [{ name: 'raw.csv' }] },
        { status: 'complete', endTime: at(i * 10 + 1), outputs: [{ name: 'clean.csv' }] },
      );
    }
    const store = await fx.open({ deferIngest: true });
    const size1 = fs.statSync(w.file).size;
    const first = store.ingest();
    assert.deepEqual(
      {
        files: first.files,
        bytes: first.bytes,
        events: first.events,
        runs: first.runs,
        problems: first.problems,
        rebuilt: first.rebuilt,
      },
      { files: 1, bytes: size1, events: 6, runs: 3, problems: [], rebuilt: null },
    );

    const again = store.ingest();
    assert.deepEqual(
      { files: again.files, bytes: again.bytes, events: again.events, runs: again.runs },
      { files: 0, bytes: 0, events: 0, runs: 0 },
    );

    // Mangle what was already read (same size, so no rebuild): re-reading it would report errors.
    const text = fs.readFileSync(w.file, 'utf8');
    const firstLineLength = text.indexOf('\n');
    const fd = fs.openSync(w.file, 'r+');
    fs.writeSync(fd, 'X'.repeat(firstLineLength), 0);
    fs.closeSync(fd);

    w.logRun(
      { component: 'clean', startTime: at(100) },
      { status: 'complete', endTime: at(101), outputs: [{ name: 'clean.csv' }] },
    );
    w.logRun(
      { component: 'train', startTime: at(110), inputs: [{ name: 'clean.csv' }] },
      { status: 'failed', endTime: at(111), error: { message: 'boom', language: 'javascript' } },
    );
    const w2 = fx.writer('other');
    w2.logRun(
      { component: 'ingest', startTime: at(120) },
      { status: 'complete', endTime: at(121), outputs: [{ name: 'raw.csv' }] },
    );
    const appended = fs.statSync(w.file).size - size1 + fs.statSync(w2.file).size;

    const second = store.ingest();
    assert.deepEqual(
      {
        files: second.files,
        bytes: second.bytes,
        events: second.events,
        runs: second.runs,
        problems: second.problems,
      },
      { files: 2, bytes: appended, events: 6, runs: 3, problems: [] },
    );
    assert.equal(store.recent({ limit: 100 }).items.length, 6);
    assert.deepEqual(store.problems(), []);
    const train = store.history('train')[0];
    assert.equal(train.status, 'failed');
    assert.equal(train.error, 'boom');
    assert.deepEqual(
      train.dependencies,
      [store.history('clean')[0].id],
      'the new reader depends on the run read before',
    );
  });

  test('an event that only completes a run read earlier updates it, and counts no new run', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const handle = w.startRun({ component: 'train', startTime: at(0), inputs: [{ name: 'features.csv' }] });
    const store = await fx.open({ deferIngest: true });
    const r1 = store.ingest();
    assert.equal(r1.runs, 1);
    assert.equal(store.inspect(handle.runId).status, 'running');
    assert.equal(store.inspect(handle.runId).endTime, null);
    w.endRun(handle, { status: 'complete', endTime: at(30), outputs: [{ name: 'model.pkl' }] });
    const r2 = store.ingest();
    assert.deepEqual({ events: r2.events, runs: r2.runs }, { events: 1, runs: 0 });
    const run = store.inspect(handle.runId);
    assert.equal(run.status, 'complete');
    assert.equal(run.endTime, iso(30));
    assert.deepEqual(run.outputs, ['model.pkl']);
  });
});

/** A small pipeline with every kind of event, all times explicit. */
function pipelineEvents(): { events: LineageEvent[]; ids: Record<string, string> } {
  const fx = { location: { storeDir: '/nowhere/.mltrace', root: '/nowhere', namespace: 'ws' } };
  const w = new MemoryWriter(fx.location);
  const ids: Record<string, string> = {};
  const run = (
    key: string,
    component: string,
    start: number,
    inputs: string[],
    outputs: string[],
    extra: { upstream?: string[]; failed?: boolean } = {},
  ) => {
    ids[key] = w.logRun(
      {
        component,
        runId: uuid(Object.keys(ids).length + 1),
        startTime: at(start),
        inputs: inputs.map((name) => ({ name })),
        upstream: extra.upstream,
      },
      extra.failed
        ? {
            status: 'failed',
            endTime: at(start + 5),
            outputs: outputs.map((name) => ({ name })),
            error: { message: 'out of memory', language: 'python' },
          }
        : { status: 'complete', endTime: at(start + 5), outputs: outputs.map((name) => ({ name })) },
    );
  };
  run('I1', 'ingest', 10, [], ['data/raw.csv']);
  run('C1', 'clean', 20, ['data/raw.csv'], ['data/clean.csv']);
  run('I2', 'ingest', 30, [], ['data/raw.csv']);
  run('C2', 'clean', 40, ['data/raw.csv'], ['data/clean.csv']);
  run('T1', 'train', 50, ['data/clean.csv'], ['model.pkl']);
  // A clean that started before T1 but is logged after it: T1 depends on it.
  run('C3', 'clean', 45, ['data/raw.csv'], ['data/clean.csv']);
  run('F1', 'featurize', 55, [], ['features.csv'], { upstream: ['clean'] });
  run('E1', 'evaluate', 60, ['model.pkl', 'data/clean.csv', 'features.csv'], ['metrics.json']);
  run('T2', 'train', 70, ['data/clean.csv'], ['model.pkl']);
  run('X1', 'train', 80, ['data/clean.csv'], [], { failed: true });
  const events: LineageEvent[] = [...w.events];
  events.push(
    jobEvent('train', { description: 'fits the model', owner: 'ana', tags: ['ml'] }, at(1)),
    jobEvent('train', { description: 'fits the model, v2', tags: ['gpu'] }, at(2)),
    jobEvent('clean', { owner: 'bo', tags: ['etl'] }, at(3)),
    notesEvent(ids.T1, 'train', 'first note', at(90)),
    notesEvent(ids.T1, 'train', 'second note', at(91)),
    flagEvent('model.pkl', true, at(100)),
    flagEvent('metrics.json', true, at(101)),
    flagEvent('metrics.json', false, at(102)),
    unflagAllEvent(at(103)),
    flagEvent('data/clean.csv', true, at(104)),
  );
  return { events, ids };
}

describe('idempotent ingest', () => {
  test('the same event lines in another file change no query result', async (t) => {
    const { events } = pipelineEvents();
    const fx = tempFixture(t);
    appendEvents(fx, 'py-a.jsonl', events);
    const store = await fx.open();
    const before = queryState(store);
    assert.equal(store.recent({ limit: 100 }).items.length, 10);

    appendEvents(fx, 'zz-copy.jsonl', events);
    appendEvents(fx, 'py-a.jsonl', events.slice(0, 7)); // a writer that logged some lines twice
    const report = store.ingest();
    assert.equal(report.events, events.length + 7);
    assert.equal(report.runs, 0);
    assert.equal(queryState(store), before);

    // A store that reads the copy first (it sorts before the original) sees the same lineage.
    const other = tempFixture(t);
    appendEvents(other, '0-copy.jsonl', events);
    appendEvents(other, 'py-a.jsonl', events);
    const fresh = await other.open();
    assert.equal(queryState(fresh), before);
  });
});

describe('order-tolerant ingest', () => {
  test('events shuffled across files, COMPLETE before START, give the same lineage as the ordered log', async (t) => {
    const { events, ids } = pipelineEvents();
    const ordered = tempFixture(t);
    appendEvents(ordered, 'py-ordered.jsonl', events);
    const reference = await ordered.open();
    const expected = queryState(reference);

    // The ordered store is what the design says (so the comparison is not vacuous).
    const deps = (key: string) => reference.inspect(ids[key]).dependencies;
    assert.deepEqual(deps('C1'), [ids.I1]);
    assert.deepEqual(deps('C2'), [ids.I2]);
    assert.deepEqual(deps('T1'), [ids.C3], 'T1 reads the latest clean that started before it');
    assert.deepEqual(deps('F1'), [ids.C3], 'explicit upstream: the latest clean run started before F1');
    assert.deepEqual(deps('E1'), [ids.F1, ids.T1, ids.C3], 'newest first');
    assert.deepEqual(deps('T2'), [ids.C3]);
    assert.equal(reference.trace('model.pkl').runs[0].id, ids.T2, 'the latest writer is the newest producer');
    assert.deepEqual(reference.review().flagged, ['data/clean.csv']);

    const seeds = [1, 2, 3, 4, 5];
    for (const seed of seeds) {
      // Each run's events reversed (COMPLETE first), then everything shuffled across 4 files.
      const reversed = [...events].reverse();
      const mixed = shuffled(reversed, seed);
      const fx = tempFixture(t, `ws`);
      const files = ['a.jsonl', 'b.jsonl', 'c.jsonl', 'd.jsonl'];
      mixed.forEach((event, i) => appendEvents(fx, files[(i * 7 + seed) % files.length], [event]));
      const store = await fx.open();
      assert.equal(queryState(store), expected, `seed ${seed}, one ingest`);

      // The same files written and ingested one at a time, in reverse name order.
      const fx2 = tempFixture(t, 'ws');
      const store2 = await fx2.open();
      for (const name of [...files].reverse()) {
        fs.copyFileSync(fx.file(name), fx2.file(name));
        store2.ingest();
      }
      assert.equal(queryState(store2), expected, `seed ${seed}, one ingest per file`);
    }

    // Fully reversed log, one event per ingest.
    const fx3 = tempFixture(t, 'ws');
    const store3 = await fx3.open();
    for (const event of [...events].reverse()) {
      appendEvents(fx3, 'rev.jsonl', [event]);
      store3.ingest();
    }
    assert.equal(queryState(store3), expected, 'reversed, one event per ingest');
  });

  test('a foreign COMPLETE without start time, then its START in a later ingest: dependencies move', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const W0 = w.logRun(
      { component: 'extract', startTime: at(10) },
      { status: 'complete', endTime: at(11), outputs: [{ name: 'x.csv' }] },
    );
    const W1 = w.logRun(
      { component: 'extract', startTime: at(30) },
      { status: 'complete', endTime: at(31), outputs: [{ name: 'x.csv' }] },
    );
    const Q = w.logRun(
      { component: 'report', startTime: at(35), inputs: [{ name: 'y.csv' }] },
      { status: 'complete', endTime: at(36) },
    );
    const R = uuid(77);
    appendEvents(fx, 'airflow.jsonl', [
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: R,
        job: 'transform',
        time: at(40),
        inputs: ['x.csv'],
        outputs: ['y.csv'],
      }),
    ]);

    const store = await fx.open();
    let r = store.inspect(R);
    assert.equal(r.startTime, iso(40), 'until its START is seen, the run starts at its first event');
    assert.equal(r.status, 'complete');
    assert.deepEqual(r.dependencies, [W1], 'W1 is the latest writer started before 40');
    assert.deepEqual(store.inspect(Q).dependencies, [], 'Q started before R (as far as we know)');
    assert.deepEqual(
      store.trace('y.csv').runs.map((x) => [x.id, x.depth]),
      [
        [R, 0],
        [W1, 1],
      ],
    );

    appendEvents(fx, 'airflow.jsonl', [
      foreignRunEvent({ eventType: 'START', runId: R, job: 'transform', time: at(20), inputs: ['x.csv'] }),
    ]);
    const report = store.ingest();
    assert.equal(report.runs, 0);
    r = store.inspect(R);
    assert.equal(r.startTime, iso(20));
    assert.equal(r.endTime, iso(40));
    assert.equal(r.status, 'complete', 'a START read after the COMPLETE does not reopen the run');
    assert.deepEqual(r.dependencies, [W0], 'now W0 is the latest writer started before R');
    assert.deepEqual(store.inspect(Q).dependencies, [R], 'Q now started after R, which wrote y.csv');
    assert.deepEqual(
      store.trace('y.csv').runs.map((x) => [x.id, x.depth]),
      [
        [R, 0],
        [W0, 1],
      ],
    );
    assert.deepEqual(
      store.trace('x.csv', { downstream: true }).runs.map((x) => [x.id, x.depth]),
      [
        [R, 0],
        [Q, 1],
      ],
    );
    assert.deepEqual(
      store.recent().items.map((x) => x.id),
      [Q, W1, R, W0],
    );

    // The same events read in log order (START first) give the same lineage.
    const other = tempFixture(t);
    fs.copyFileSync(w.file, other.file('py-1.jsonl'));
    appendEvents(other, 'airflow.jsonl', [
      foreignRunEvent({ eventType: 'START', runId: R, job: 'transform', time: at(20), inputs: ['x.csv'] }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: R,
        job: 'transform',
        time: at(40),
        inputs: ['x.csv'],
        outputs: ['y.csv'],
      }),
    ]);
    const inOrder = await other.open();
    assert.equal(queryState(inOrder), queryState(store));
  });

  test('foreign runs (no start facet) shuffled across files and ingests give the same lineage as in order', async (t) => {
    const upstream = (name: string) => ({
      jobDependencies: {
        _producer: 'x',
        _schemaURL: 'y',
        upstream: [{ job: { namespace: 'airflow', name } }],
      },
    });
    const run = (
      n: number,
      job: string,
      start: number,
      end: number,
      inputs: string[],
      outputs: string[],
      runFacets?: Record<string, unknown>,
    ) => [
      foreignRunEvent({ eventType: 'START', runId: uuid(n), job, time: at(start), inputs, runFacets }),
      foreignRunEvent({ eventType: 'RUNNING', runId: uuid(n), job, time: at((start + end) / 2), inputs }),
      foreignRunEvent({
        eventType: n % 5 === 0 ? 'FAIL' : 'COMPLETE',
        runId: uuid(n),
        job,
        time: at(end),
        inputs,
        outputs,
        runFacets,
      }),
    ];
    const events = [
      ...run(1, 'extract', 10, 12, [], ['raw.csv']),
      ...run(2, 'extract', 30, 32, [], ['raw.csv']),
      ...run(3, 'transform', 20, 45, ['raw.csv'], ['mid.csv']),
      ...run(4, 'transform', 40, 41, ['raw.csv'], ['mid.csv']),
      ...run(5, 'load', 42, 50, ['mid.csv'], ['out.csv']),
      ...run(6, 'load', 46, 47, ['mid.csv', 'out.csv'], ['out.csv'], upstream('extract')),
      ...run(7, 'report', 25, 60, [], ['report.md'], upstream('transform')),
      ...run(8, 'extract', 44, 44, [], ['raw.csv']),
    ];
    const ordered = tempFixture(t);
    appendEvents(ordered, 'airflow.jsonl', events);
    const reference = await ordered.open();
    const expected = queryState(reference);
    const deps = (n: number) => reference.inspect(uuid(n)).dependencies;
    assert.deepEqual(deps(3), [uuid(1)]);
    assert.deepEqual(deps(4), [uuid(2)]);
    assert.deepEqual(deps(5), [uuid(4)]);
    assert.deepEqual(
      deps(6),
      [uuid(8), uuid(5), uuid(4)],
      'upstream extract: 8 (at 44); out.csv: 5; mid.csv: 4',
    );
    assert.deepEqual(deps(7), [uuid(3)]);
    assert.equal(reference.inspect(uuid(5)).status, 'failed');

    for (const seed of [11, 12, 13, 14]) {
      const fx = tempFixture(t);
      const store = await fx.open();
      const mixed = shuffled(events, seed);
      // Four files, and an ingest after every few lines.
      mixed.forEach((event, i) => {
        appendEvents(fx, `f${(i * 3 + seed) % 4}.jsonl`, [event]);
        if (i % 3 === 2) store.ingest();
      });
      store.ingest();
      assert.equal(queryState(store), expected, `seed ${seed}`);
    }

    // And every line once more, in another file: nothing changes.
    appendEvents(ordered, 'zz-again.jsonl', shuffled(events, 99));
    assert.equal(reference.ingest().runs, 0);
    assert.equal(queryState(reference), expected);
  });

  test('an output known only from a later COMPLETE becomes the dependency of readers that started after the run', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const early = w.logRun(
      { component: 'use', startTime: at(15), inputs: [{ name: 'y.csv' }] },
      { status: 'complete', endTime: at(16) },
    );
    const R = uuid(5);
    appendEvents(fx, 'spark.jsonl', [
      foreignRunEvent({ eventType: 'START', runId: R, job: 'make', time: at(10) }),
    ]);
    const store = await fx.open();
    appendEvents(fx, 'spark.jsonl', [
      foreignRunEvent({ eventType: 'COMPLETE', runId: R, job: 'make', time: at(50), outputs: ['y.csv'] }),
    ]);
    store.ingest();
    assert.equal(store.inspect(R).startTime, iso(10));
    assert.deepEqual(store.inspect(early).dependencies, [R]);
  });
});

describe('bad input', () => {
  test('malformed lines are reported with file, line and reason; the lines around them are ingested', async (t) => {
    const fx = tempFixture(t);
    const w = new MemoryWriter(fx.location);
    const A = w.logRun(
      { component: 'a', startTime: at(1) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'a.csv' }] },
    );
    const B = w.logRun(
      { component: 'b', startTime: at(3), inputs: [{ name: 'a.csv' }] },
      { status: 'complete', endTime: at(4) },
    );
    const [a1, a2, b1, b2] = w.events.map(line);
    const noRunId = line({
      ...foreignRunEvent({ eventType: 'COMPLETE', runId: 'x', job: 'j', time: at(5) }),
      run: {},
    });
    const noJobName = line({
      ...foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(9), job: 'j', time: at(5) }),
      job: { namespace: 'n' },
    });
    const noTime = line({
      ...foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(9), job: 'j', time: at(5) }),
      eventTime: 'yesterday',
    });
    const badJob = line({ eventTime: iso(6), job: { namespace: 'n' } });
    const badDataset = line({ eventTime: iso(6), dataset: { name: 'no namespace' } });
    appendRaw(
      fx,
      'py-bad.jsonl',
      [
        a1,
        a2,
        '{"eventType": "START", "eventTime": \n',
        '\n',
        '[1, 2, 3]\n',
        '{"eventTime":"2026-01-01T00:00:00Z"}\n',
        noRunId,
        noJobName,
        noTime,
        badJob,
        badDataset,
        b1,
        b2,
      ].join(''),
    );
    const store = await fx.open({ deferIngest: true });
    const report = store.ingest();
    const file = fx.file('py-bad.jsonl');
    const errors = report.problems.map((p) => ({
      ...p,
      reason: p.reason.startsWith('malformed JSON (') ? 'malformed JSON (…)' : p.reason,
    }));
    assert.deepEqual(errors, [
      { file, line: 3, reason: 'malformed JSON (…)', severity: 'error' },
      { file, line: 5, reason: 'not a JSON object', severity: 'error' },
      { file, line: 6, reason: 'not an OpenLineage event (no run, job or dataset)', severity: 'error' },
      { file, line: 7, reason: 'RunEvent without run.runId', severity: 'error' },
      { file, line: 8, reason: 'RunEvent without job.name', severity: 'error' },
      { file, line: 9, reason: 'missing or invalid eventTime', severity: 'error' },
      { file, line: 10, reason: 'JobEvent without job.name', severity: 'error' },
      {
        file,
        line: 11,
        reason: 'DatasetEvent without dataset.namespace and dataset.name',
        severity: 'error',
      },
    ]);
    assert.match(report.problems[0].reason, /^malformed JSON \(.+\)$/);
    assert.equal(report.events, 4);
    assert.deepEqual(
      store.recent().items.map((r) => r.id),
      [B, A],
    );
    assert.deepEqual(store.inspect(B).dependencies, [A]);
    assert.deepEqual(store.problems(), report.problems, 'problems are kept in the index');
    // Reading again reports nothing new and keeps the problems once.
    assert.deepEqual(store.ingest().problems, []);
    assert.equal(store.problems().length, 8);
  });

  test('a half-written last line is neither ingested nor reported until it is complete', async (t) => {
    const fx = tempFixture(t);
    const w = new MemoryWriter(fx.location);
    const A = w.logRun({ component: 'a', startTime: at(1) }, { status: 'complete', endTime: at(2) });
    const B = w.logRun({ component: 'b', startTime: at(3) }, { status: 'complete', endTime: at(4) });
    const [a1, a2, b1, b2] = w.events.map(line);
    const cut = Math.floor(b1.length / 2);
    appendRaw(fx, 'w.jsonl', a1 + a2 + b1.slice(0, cut));
    const store = await fx.open({ deferIngest: true });
    const r1 = store.ingest();
    assert.deepEqual(
      { events: r1.events, bytes: r1.bytes, problems: r1.problems },
      { events: 2, bytes: Buffer.byteLength(a1 + a2), problems: [] },
    );
    assert.deepEqual(
      store.recent().items.map((r) => r.id),
      [A],
    );

    // Still incomplete: the rest of the line without its newline.
    appendRaw(fx, 'w.jsonl', b1.slice(cut, -1));
    const r2 = store.ingest();
    assert.deepEqual(
      { events: r2.events, bytes: r2.bytes, problems: r2.problems },
      { events: 0, bytes: 0, problems: [] },
    );

    appendRaw(fx, 'w.jsonl', '\n' + b2 + 'not json\n');
    const r3 = store.ingest();
    assert.equal(r3.events, 2);
    assert.equal(r3.bytes, Buffer.byteLength(b1 + b2 + 'not json\n'));
    assert.deepEqual(
      r3.problems.map((p) => [p.line, p.severity]),
      [[5, 'error']],
      'line numbers count the completed line',
    );
    assert.deepEqual(
      store.recent().items.map((r) => [r.id, r.status]),
      [
        [B, 'complete'],
        [A, 'complete'],
      ],
    );
  });

  test('crash mid-write: a file ending in a truncated JSON fragment keeps every complete event', async (t) => {
    const fx = tempFixture(t);
    const w = new MemoryWriter(fx.location);
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      ids.push(
        w.logRun(
          { component: 'step', startTime: at(i), inputs: [{ name: `p${i}.csv` }] },
          { status: 'complete', endTime: at(i + 0.5), outputs: [{ name: `p${i + 1}.csv` }] },
        ),
      );
    }
    w.addNotes(ids[39], 'step', 'naïve café ☕ — the run crashed while logging this note');
    const text = w.events.map(line).join('');
    const lastLine = line(w.events[w.events.length - 1]);
    const whole = Buffer.from(text);
    // Cut inside the multi-byte "☕" of the last line.
    const cutAt =
      whole.length - Buffer.byteLength(lastLine) + Buffer.from(lastLine).indexOf(Buffer.from('☕')) + 1;
    fs.writeFileSync(fx.file('py-crashed.jsonl'), whole.subarray(0, cutAt));
    fx.writer('next').logRun(
      { component: 'after', startTime: at(100), inputs: [{ name: 'p40.csv' }] },
      { status: 'complete', endTime: at(101) },
    );

    const store = await fx.open({ deferIngest: true });
    const report = store.ingest();
    assert.deepEqual(report.problems, []);
    assert.equal(report.events, 82);
    assert.equal(report.runs, 41);
    assert.equal(store.history('step', { limit: 1000 }).length, 40);
    for (const id of ids) assert.equal(store.inspect(id).status, 'complete');
    assert.equal(store.inspect(ids[39]).notes, '', 'the torn note is not ingested');
    const trace = store.trace('p40.csv');
    assert.equal(trace.runs.length, 40, 'the whole chain is traceable');
    assert.deepEqual(
      trace.runs.map((r) => r.depth),
      [...Array(40).keys()],
    );
  });

  test('a line longer than the read chunk, with multi-byte characters across the chunk boundary', async (t) => {
    const fx = tempFixture(t);
    const runId = uuid(1);
    const pad = 'é'.repeat(2 * 1024 * 1024 + 7); // 4 MiB + 14 bytes of UTF-8
    const note = `start ${pad} ☕ end`;
    const events = [
      foreignRunEvent({ eventType: 'START', runId, job: 'big', time: at(1) }),
      notesEvent(runId, 'big', note, at(2)),
      notesEvent(runId, 'big', 'après', at(3)),
    ];
    appendEvents(fx, 'big.jsonl', events);
    fs.appendFileSync(
      fx.file('big.jsonl'),
      '\r\n' +
        line(foreignRunEvent({ eventType: 'COMPLETE', runId, job: 'big', time: at(4) })).replace(
          '\n',
          '\r\n',
        ),
    );
    const store = await fx.open({ deferIngest: true });
    const report = store.ingest();
    assert.deepEqual(report.problems, []);
    assert.equal(report.events, 4);
    const run = store.inspect(runId);
    assert.equal(run.notes, `${note}\naprès`);
    assert.equal(run.status, 'complete');
  });
});

describe('pending bytes', () => {
  test('counts what ingest has not read yet, and the whole log when the snapshot will be rebuilt', async (t) => {
    const fx = tempFixture(t);
    const store = await fx.open({ deferIngest: true });
    assert.equal(store.pendingBytes(), 0, 'no events folder content yet');
    const w = fx.writer();
    w.logRun({ component: 'a', startTime: at(1) }, { status: 'complete', endTime: at(2) });
    const size = fs.statSync(w.file).size;
    assert.equal(store.pendingBytes(), size);
    store.ingest();
    assert.equal(store.pendingBytes(), 0);
    appendRaw(fx, 'other.jsonl', '{"half": ');
    assert.equal(store.pendingBytes(), 9, 'a half-written line is unread bytes too');
    store.save();
    store.close();

    fs.writeFileSync(fx.snapshot, 'not a database');
    const reopened = await fx.open({ deferIngest: true });
    assert.equal(reopened.pendingBytes(), size + 9, 'a damaged snapshot: everything is read again');
    reopened.ingest();
    assert.equal(reopened.pendingBytes(), 9);
  });
});

describe('runs and components that are only mentioned', () => {
  test('a run known only from notes is shown nowhere until its START or COMPLETE arrives, then with its notes', async (t) => {
    const fx = tempFixture(t);
    const w = new MemoryWriter(fx.location);
    const id = w.logRun(
      { component: 'train', runId: uuid(7), startTime: at(10) },
      { status: 'complete', endTime: at(20) },
    );
    appendEvents(fx, 'a-notes.jsonl', [notesEvent(id, 'train', 'learning rate was too high', at(30))]);
    const store = await fx.open();
    assert.deepEqual(store.recent().items, []);
    assert.deepEqual(store.components(), []);
    assert.deepEqual(store.stale(), []);
    assert.throws(() => store.inspect(id), /No run has an id starting with/);
    assert.throws(() => store.history('train'), /No component is named "train"/);

    appendEvents(fx, 'b-run.jsonl', w.events);
    store.ingest();
    const [run] = store.recent().items;
    assert.deepEqual(
      { id: run.id, status: run.status, startTime: run.startTime, notes: store.inspect(id).notes },
      { id, status: 'complete', startTime: iso(10), notes: 'learning rate was too high' },
    );
    assert.deepEqual(
      store.components().map((c) => [c.name, c.runCount]),
      [['train', 1]],
    );
  });

  test('a component named only as a declared upstream is not listed; one that was described is', async (t) => {
    const fx = tempFixture(t);
    const w = new MemoryWriter(fx.location);
    w.logRun(
      { component: 'train', runId: uuid(1), startTime: at(10), upstream: ['prep'] },
      { status: 'complete', endTime: at(20) },
    );
    appendEvents(fx, 'w.jsonl', [...w.events, jobEvent('serve', { description: 'Serves the model' }, at(5))]);
    const store = await fx.open();
    assert.deepEqual(
      store.components().map((c) => [c.name, c.runCount, c.description]),
      [
        ['serve', 0, 'Serves the model'],
        ['train', 1, ''],
      ],
    );
    assert.throws(() => store.history('prep'), /No component is named "prep"/);
    assert.deepEqual(store.history('serve'), []);

    // prep runs after all: it is a component, and the dependency of train if it started before.
    const p = new MemoryWriter(fx.location);
    p.logRun({ component: 'prep', runId: uuid(2), startTime: at(1) }, { status: 'complete', endTime: at(2) });
    appendEvents(fx, 'p.jsonl', p.events);
    store.ingest();
    assert.deepEqual(
      store.components().map((c) => c.name),
      ['prep', 'serve', 'train'],
    );
    assert.deepEqual(store.inspect(uuid(1)).dependencies, [uuid(2)]);
  });
});
