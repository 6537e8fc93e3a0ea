// Dependencies (DESIGN.md §2): run B depends on run A when B read a pointer that A wrote, A being
// the latest writer that started before B (ties: the later one in the log); explicit upstream is
// honoured; a run never depends on itself.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LineageEvent } from '../../src/core/events';
import {
  appendEvents,
  at,
  foreignRunEvent,
  Fixture,
  MemoryWriter,
  tempFixture,
  uuid,
} from '../helpers/lineage';
import type { TestContext } from 'node:test';

interface Spec {
  component: string;
  start: number;
  inputs?: string[];
  outputs?: string[];
  upstream?: string[];
}

/** Builds each run's events (START + COMPLETE) in memory, keyed by a label. */
function runs(specs: Record<string, Spec>): {
  events: Record<string, LineageEvent[]>;
  ids: Record<string, string>;
} {
  const events: Record<string, LineageEvent[]> = {};
  const ids: Record<string, string> = {};
  let n = 0;
  for (const [label, s] of Object.entries(specs)) {
    const w = new MemoryWriter({ storeDir: '/nowhere/.mltrace', root: '/nowhere', namespace: 'ws' });
    ids[label] = w.logRun(
      {
        component: s.component,
        runId: uuid(++n),
        startTime: at(s.start),
        inputs: (s.inputs ?? []).map((name) => ({ name })),
        upstream: s.upstream,
      },
      {
        status: 'complete',
        endTime: at(s.start + 1000),
        outputs: (s.outputs ?? []).map((name) => ({ name })),
      },
    );
    events[label] = w.events;
  }
  return { events, ids };
}

/** A store whose single log file holds the runs in the given order. */
async function storeWith(
  t: TestContext,
  events: Record<string, LineageEvent[]>,
  order: string[],
): Promise<{ fx: Fixture; store: Awaited<ReturnType<Fixture['open']>> }> {
  const fx = tempFixture(t);
  appendEvents(
    fx,
    'log.jsonl',
    order.flatMap((label) => events[label]),
  );
  return { fx, store: await fx.open() };
}

describe('dependencies', () => {
  test('the latest writer that started before the reader; a writer that started after is not one', async (t) => {
    const { events, ids } = runs({
      W1: { component: 'w', start: 10, outputs: ['x.csv'] },
      W2: { component: 'w', start: 20, outputs: ['x.csv'] },
      W3: { component: 'w', start: 40, outputs: ['x.csv'] },
      R0: { component: 'r', start: 5, inputs: ['x.csv'] },
      R: { component: 'r', start: 30, inputs: ['x.csv'] },
      R2: { component: 'r', start: 50, inputs: ['x.csv'] },
    });
    // R ends long after W3 finished (end = start + 1000): still, W3 started after R.
    for (const order of [
      ['W1', 'W2', 'W3', 'R0', 'R', 'R2'],
      ['R2', 'R', 'R0', 'W3', 'W2', 'W1'],
      ['W3', 'R', 'W1', 'R2', 'W2', 'R0'],
    ]) {
      const { store } = await storeWith(t, events, order);
      const deps = (label: string) => store.inspect(ids[label]).dependencies;
      assert.deepEqual(deps('R0'), [], `${order}: nothing was written before R0`);
      assert.deepEqual(deps('R'), [ids.W2], `${order}`);
      assert.deepEqual(deps('R2'), [ids.W3], `${order}`);
      assert.deepEqual(deps('W3'), []);
      assert.equal(store.trace('x.csv').runs[0].id, ids.W3, 'the newest producer');
    }
  });

  test('ties on start time are broken by log order: the later writer in the log', async (t) => {
    const { events, ids } = runs({
      Wa: { component: 'w', start: 20, outputs: ['x.csv'] },
      Wb: { component: 'w', start: 20, outputs: ['x.csv'] },
      R: { component: 'r', start: 30, inputs: ['x.csv'] },
    });
    const cases: Array<[string[], string]> = [
      [['Wa', 'Wb', 'R'], 'Wb'],
      [['Wb', 'Wa', 'R'], 'Wa'],
      [['R', 'Wa', 'Wb'], 'Wb'],
      [['R', 'Wb', 'Wa'], 'Wa'],
      [['Wa', 'R', 'Wb'], 'Wb'],
    ];
    for (const [order, expected] of cases) {
      const { store } = await storeWith(t, events, order);
      assert.deepEqual(store.inspect(ids.R).dependencies, [ids[expected]], `log order ${order}`);
      assert.equal(store.trace('x.csv').runs[0].id, ids[expected], `latest writer, log order ${order}`);
    }

    // Across ingests: what is read later is later in the log.
    const fx = tempFixture(t);
    appendEvents(fx, 'b.jsonl', [...events.Wb, ...events.R]);
    const store = await fx.open();
    assert.deepEqual(store.inspect(ids.R).dependencies, [ids.Wb]);
    appendEvents(fx, 'a.jsonl', events.Wa);
    store.ingest();
    assert.deepEqual(store.inspect(ids.R).dependencies, [ids.Wa], 'Wa was read after Wb');
  });

  test('an input first known from a COMPLETE read after a same-start writer: the tie is still log order', async (t) => {
    const { events, ids } = runs({
      W0: { component: 'w', start: 5, outputs: ['x.csv'] },
      R: { component: 'r', start: 20 },
      W: { component: 'w', start: 20, outputs: ['x.csv'] },
    });
    const fx = tempFixture(t);
    // R starts (no inputs yet), then W (same start, later in the log), then R's COMPLETE reads x.csv.
    appendEvents(fx, 'log.jsonl', [...events.W0, events.R[0]]);
    const store = await fx.open();
    appendEvents(fx, 'log.jsonl', events.W);
    store.ingest();
    const complete = structuredClone(events.R[1]) as { inputs: unknown[] };
    complete.inputs = [{ namespace: 'file', name: 'x.csv' }];
    appendEvents(fx, 'log.jsonl', [complete]);
    store.ingest();
    assert.deepEqual(
      store.inspect(ids.R).dependencies,
      [ids.W0],
      'W is later in the log than R, so it did not start before R',
    );
  });

  test('a writer and a reader that start at the same time: the reader depends on it only if the writer is earlier in the log', async (t) => {
    const { events, ids } = runs({
      W0: { component: 'w', start: 5, outputs: ['x.csv'] },
      W: { component: 'w', start: 20, outputs: ['x.csv'] },
      R: { component: 'r', start: 20, inputs: ['x.csv'] },
    });
    const first = await storeWith(t, events, ['W0', 'W', 'R']);
    assert.deepEqual(first.store.inspect(ids.R).dependencies, [ids.W]);
    const second = await storeWith(t, events, ['W0', 'R', 'W']);
    assert.deepEqual(second.store.inspect(ids.R).dependencies, [ids.W0]);
  });

  test('explicit upstream (RunStart.upstream / jobDependencies) is honoured, in any order', async (t) => {
    const { events, ids } = runs({
      P1: { component: 'prep', start: 10, outputs: ['a.csv'] },
      P2: { component: 'prep', start: 20, outputs: ['b.csv'] },
      P3: { component: 'prep', start: 40 },
      W: { component: 'w', start: 25, outputs: ['x.csv'] },
      R: { component: 'r', start: 30, inputs: ['x.csv'], upstream: ['prep'] },
      Q: { component: 'q', start: 5, upstream: ['prep'] },
      S: { component: 'prep', start: 35, upstream: ['prep'] },
    });
    for (const order of [
      ['P1', 'P2', 'P3', 'W', 'R', 'Q', 'S'],
      ['S', 'Q', 'R', 'W', 'P3', 'P2', 'P1'],
    ]) {
      const { store } = await storeWith(t, events, order);
      assert.deepEqual(
        store.inspect(ids.R).dependencies,
        [ids.W, ids.P2],
        `${order}: the latest prep run started before R, and the writer of x.csv`,
      );
      assert.deepEqual(store.inspect(ids.Q).dependencies, [], 'no prep run started before Q');
      assert.deepEqual(
        store.inspect(ids.S).dependencies,
        [ids.P2],
        'a run naming its own component depends on the previous run, not itself',
      );
      assert.deepEqual(
        store.trace('x.csv').runs.map((r) => r.id),
        [ids.W],
        'upstream is a run dependency, x.csv was written by W alone',
      );
      assert.deepEqual(
        store.traceRun(ids.R).map((r) => [r.id, r.depth]),
        [
          [ids.R, 0],
          [ids.W, 1],
          [ids.P2, 1],
        ],
      );
    }

    // A foreign event's jobDependencies facet; the upstream run arrives in a later ingest.
    const fx = tempFixture(t);
    const dependent = uuid(100);
    appendEvents(fx, 'airflow.jsonl', [
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: dependent,
        job: 'load',
        time: at(60),
        runFacets: {
          jobDependencies: {
            _producer: 'x',
            _schemaURL: 'y',
            upstream: [{ job: { namespace: 'airflow', name: 'extract' } }],
          },
        },
      }),
    ]);
    const store = await fx.open();
    assert.deepEqual(store.inspect(dependent).dependencies, []);
    appendEvents(fx, 'airflow.jsonl', [
      foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(101), job: 'extract', time: at(50) }),
      foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(102), job: 'extract', time: at(70) }),
    ]);
    store.ingest();
    assert.deepEqual(store.inspect(dependent).dependencies, [uuid(101)]);
    appendEvents(fx, 'airflow.jsonl', [
      foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(103), job: 'extract', time: at(55) }),
    ]);
    store.ingest();
    assert.deepEqual(
      store.inspect(dependent).dependencies,
      [uuid(103)],
      'a later-read run that started in between takes over',
    );
  });

  test('a run that reads and writes the same pointer does not depend on itself', async (t) => {
    const { events, ids } = runs({
      A: { component: 'init', start: 10, outputs: ['state.json'] },
      B: { component: 'update', start: 20, inputs: ['state.json'], outputs: ['state.json'] },
      C: { component: 'read', start: 30, inputs: ['state.json'] },
      S: { component: 'solo', start: 5, inputs: ['solo.json'], outputs: ['solo.json'] },
    });
    for (const order of [
      ['A', 'B', 'C', 'S'],
      ['C', 'S', 'B', 'A'],
    ]) {
      const { store } = await storeWith(t, events, order);
      assert.deepEqual(store.inspect(ids.B).dependencies, [ids.A], `${order}`);
      assert.deepEqual(store.inspect(ids.C).dependencies, [ids.B]);
      assert.deepEqual(store.inspect(ids.S).dependencies, []);
      assert.deepEqual(
        store.trace('state.json').runs.map((r) => [r.id, r.depth]),
        [
          [ids.B, 0],
          [ids.A, 1],
        ],
      );
      assert.deepEqual(
        store.trace('solo.json').runs.map((r) => r.id),
        [ids.S],
      );
      assert.deepEqual(store.inspect(ids.B).stale, [], 'its own write is not a newer write of its input');
    }

    // START (reading) and COMPLETE (writing) in different ingests.
    const fx = tempFixture(t);
    const [start, complete] = events.B;
    appendEvents(fx, 'log.jsonl', [...events.A, start]);
    const store = await fx.open();
    assert.deepEqual(store.inspect(ids.B).dependencies, [ids.A]);
    appendEvents(fx, 'log.jsonl', [complete, ...events.C]);
    store.ingest();
    assert.deepEqual(store.inspect(ids.B).dependencies, [ids.A]);
    assert.deepEqual(store.inspect(ids.C).dependencies, [ids.B]);
  });

  test('dependencies through several pointers, and datasets of other namespaces', async (t) => {
    const fx = tempFixture(t);
    const ids = {
      pg: uuid(1),
      s3: uuid(2),
      join: uuid(3),
    };
    appendEvents(fx, 'foreign.jsonl', [
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: ids.pg,
        job: 'dump',
        time: at(1),
        outputs: [{ namespace: 'postgres://db:5432', name: 'public.users' }],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: ids.s3,
        job: 'copy',
        time: at(2),
        outputs: [{ namespace: 's3://bucket', name: 'public.users' }],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: ids.join,
        job: 'join',
        time: at(3),
        inputs: [
          { namespace: 'postgres://db:5432', name: 'public.users' },
          { namespace: 's3://bucket', name: 'public.users' },
        ],
        outputs: ['data/joined.csv'],
      }),
    ]);
    const store = await fx.open();
    assert.deepEqual(store.inspect(ids.join).dependencies, [ids.s3, ids.pg]);
    assert.deepEqual(store.inspect(ids.join).inputs, [
      'postgres://db:5432/public.users',
      's3://bucket/public.users',
    ]);
  });
});
