// Lineage of any depth: chains tens of thousands of runs deep (a model fine-tuned from its last
// checkpoint, an incremental table appended to for years) and wide or diamond-rich shapes. Every
// traversal is iterative and near-linear: no call stack per level, no pairs that multiply.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { LineageStore } from '../../src/core/store';
import { graphData, inspectorData, reviewData } from '../../src/vscode/webviews/panelData';
import { at, Fixture, tempFixture } from '../helpers/lineage';

/** Each test builds its own log; generous, so that a quadratic query fails instead of hanging. */
const TIMEOUT = { timeout: 60_000 };
// 50,000 is measured by `npm run bench` (deepTraceMs); here, deep enough that recursion overflowed.
const DEEP = 20_000;

const ckpt = (i: number) => `ckpt/tune 'ü' ${i}.pt`;
const metrics = (i: number) => `metrics/${i}.json`;

/**
 * `n` runs of one component, each reading the checkpoint the previous one wrote and writing its
 * own, plus a metrics file nobody reads (an unflagged final output). Returns the run ids in order.
 */
function chain(fx: Fixture, n: number, component = 'fine\u202etune <b>'): string[] {
  const w = fx.writer();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      w.logRun(
        { component, startTime: at(i * 60), inputs: i === 0 ? [] : [{ name: ckpt(i - 1) }] },
        { status: 'complete', endTime: at(i * 60 + 1), outputs: [{ name: ckpt(i) }, { name: metrics(i) }] },
      ),
    );
  }
  return ids;
}

function timed<T>(what: string, fn: () => T): T {
  const start = performance.now();
  const result = fn();
  const ms = performance.now() - start;
  if (process.env.DEEP_TIMES) console.log(`${what}: ${Math.round(ms)} ms`);
  return result;
}

describe(`a chain ${DEEP.toLocaleString('en')} runs deep`, () => {
  let fx: Fixture;
  let store: LineageStore;
  let ids: string[];
  const last = DEEP - 1;

  after(() => fx?.cleanup());

  test('is indexed', TIMEOUT, async () => {
    fx = tempFixture();
    ids = timed('log', () => chain(fx, DEEP));
    store = await fx.open();
    assert.equal(store.recent({ limit: 1 }).items[0].id, ids[last]);
  });

  test('traces upstream from its end: every run once, depth-first, depth = distance', TIMEOUT, () => {
    const trace = timed('trace up', () => store.trace(ckpt(last)));
    assert.equal(trace.runs.length, DEEP);
    assert.equal(trace.runs[0].id, ids[last]);
    assert.equal(trace.runs[last].id, ids[0]);
    assert.ok(trace.runs.every((r, i) => r.depth === i && r.id === ids[last - i]));
    assert.equal(trace.runs[0].component, 'fine\u202etune <b>', 'names pass through untouched');
    assert.deepEqual(trace.runs[0].inputs, [ckpt(last - 1)]);
    // Each run whole, on every page the trace was read in: its pointers and its dependency.
    const wrong = trace.runs.find((r, i) => {
      const k = last - i;
      const logged = [k ? [ckpt(k - 1)] : [], [ckpt(k), metrics(k)], k ? [ids[k - 1]] : []];
      return JSON.stringify([r.inputs, r.outputs, r.dependencies]) !== JSON.stringify(logged);
    });
    assert.equal(wrong, undefined, `a run as logged: ${JSON.stringify(wrong)}`);
  });

  test('traces downstream from its start', TIMEOUT, () => {
    const trace = timed('trace down', () => store.trace(ckpt(0), { downstream: true, staleness: false }));
    assert.equal(trace.runs.length, DEEP - 1);
    assert.ok(trace.runs.every((r, i) => r.depth === i && r.id === ids[i + 1]));
  });

  test('traces from a run (by smallest depth) and lists its direct dependencies', TIMEOUT, () => {
    const traced = timed('traceRun', () => store.traceRun(ids[last]));
    assert.equal(traced.length, DEEP);
    assert.ok(traced.every((r, i) => r.depth === i && r.id === ids[last - i]));
    assert.deepEqual(
      store.dependencies(ids[last]).map((r) => r.id),
      [ids[last - 1]],
    );
    assert.deepEqual(store.dependencies(ids[0]), []);
  });

  test('a window of the lineage: the nearest runs, how many there are, where it was cut', TIMEOUT, () => {
    const up = timed('window', () =>
      store.lineageWindow({ kind: 'pointer', name: ckpt(last), direction: 'upstream' }, { limit: 100 }),
    );
    assert.equal(up.total, DEEP);
    assert.deepEqual(
      up.runs.map((r) => [r.id, r.depth]),
      ids
        .slice(-100)
        .reverse()
        .map((id, i) => [id, i]),
    );
    assert.deepEqual(up.frontier, [ids[last - 99]]);
    const down = store.lineageWindow({ kind: 'run', id: ids[0], direction: 'downstream' }, { limit: 10 });
    assert.equal(down.total, DEEP);
    assert.deepEqual(
      down.runs.map((r) => r.id),
      ids.slice(0, 10),
    );
    assert.deepEqual(down.frontier, [ids[9]]);
  });

  test('staleness of all its runs', TIMEOUT, async () => {
    // A restore rewrote the first checkpoint after everything: the second run read an old version.
    fx.writer().logRun(
      { component: 'restore', startTime: at(DEEP * 60) },
      { status: 'complete', endTime: at(DEEP * 60 + 1), outputs: [{ name: ckpt(0) }] },
    );
    store.ingest();
    const stale = timed('stale', () => store.stale({ component: 'fine\u202etune <b>' }));
    assert.deepEqual(
      stale.map((r) => r.id),
      [ids[1]],
    );
    const trace = store.trace(ckpt(last));
    assert.deepEqual(
      trace.runs.filter((r) => r.stale.length).map((r) => r.id),
      [ids[1]],
    );
  });

  test('review with its last output flagged: every run, Ochiai from the metrics downstream', TIMEOUT, () => {
    fx.writer().flag(ckpt(last), true);
    store.ingest();
    const review = timed('review', () => store.review());
    assert.deepEqual(review.flagged, [ckpt(last)]);
    assert.equal(review.runs.length, DEEP);
    assert.ok(review.runs.every((r, i) => r.id === ids[last - i] && r.count === 1 && r.coverage === 1));
    // Run i is upstream of the metrics of runs i..last, all final and unflagged.
    for (const i of [0, 1, 777, last - 1, last]) {
      const run = review.runs[last - i];
      assert.ok(
        Math.abs(run.suspiciousness - 1 / Math.sqrt(1 + (DEEP - i))) < 1e-12,
        `run ${i}: ${run.suspiciousness}`,
      );
    }
  });
});

describe('shapes that multiply paths', () => {
  test(
    'a diamond-rich DAG: depths by shortest path from a run, review counts each output once',
    TIMEOUT,
    async (t) => {
      // Run i reads what runs i-1 and i-2 wrote: the number of paths grows like Fibonacci, and the
      // number of (run, depth) pairs quadratically.
      const fx = tempFixture(t);
      const w = fx.writer();
      const n = 6000;
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        const inputs = [i - 1, i - 2].filter((k) => k >= 0).map((k) => ({ name: `out/${k}` }));
        ids.push(
          w.logRun(
            { component: i % 2 ? 'odd' : 'even', startTime: at(i), inputs },
            { status: 'complete', endTime: at(i), outputs: [{ name: `out/${i}` }, { name: `log/${i}` }] },
          ),
        );
      }
      w.flag(`out/${n - 1}`, true);
      w.flag(`out/${n - 3}`, true);
      const store = await fx.open();
      const traced = timed('diamond traceRun', () => store.traceRun(ids[n - 1]));
      assert.equal(traced.length, n);
      assert.ok(traced.every((r, i) => r.id === ids[n - 1 - i] && r.depth === Math.ceil(i / 2)));
      // Depth-first, newest first among siblings: the nearer dependency first, so depth = distance.
      const trace = store.trace(`out/${n - 1}`, { staleness: false });
      assert.ok(trace.runs.every((r, i) => r.id === ids[n - 1 - i] && r.depth === i));
      assert.deepEqual(
        store.dependencies(ids[n - 1]).map((r) => r.id),
        [ids[n - 2], ids[n - 3]],
      );
      const review = timed('diamond review', () => store.review());
      assert.equal(review.runs.length, n);
      // Runs up to n-3 are in both flagged traces; n-2 and n-1 only in the newest one's.
      const byId = new Map(review.runs.map((r) => [r.id, r]));
      assert.deepEqual(
        review.runs.slice(0, 3).map((r) => [r.id, r.count]),
        [
          [ids[n - 3], 2],
          [ids[n - 4], 2],
          [ids[n - 5], 2],
        ],
      );
      assert.equal(byId.get(ids[n - 1])!.count, 1);
      assert.equal(byId.get(ids[n - 2])!.count, 1);
      // Unflagged final outputs downstream of run i: the logs of runs i..n-1 (the outs are read or flagged).
      for (const i of [0, 10, n - 3, n - 1]) {
        const run = byId.get(ids[i])!;
        const count = i <= n - 3 ? 2 : 1;
        const expected = count / Math.sqrt(2 * (count + (n - i)));
        assert.ok(
          Math.abs(run.suspiciousness - expected) < 1e-12,
          `run ${i}: ${run.suspiciousness} != ${expected}`,
        );
      }
    },
  );

  test(
    'a random DAG past the size walked in SQL: the same traces as a plain recursive walk',
    TIMEOUT,
    async (t) => {
      // queries.ts walks up to 4,096 runs with a recursive query and reads the dependency table
      // whole past that: both must give the order and depths of a depth-first walk, newest first.
      const fx = tempFixture(t);
      const w = fx.writer();
      const n = 9000;
      let seed = 7;
      const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
      const reads: number[][] = [];
      const ids: string[] = [];
      for (let i = 0; i < n; i++) {
        // Mostly recent outputs (a deep lineage), sometimes an old one (paths that meet).
        const picks = new Set<number>();
        for (let k = 0; i > 0 && k < 1 + Math.floor(random() * 3); k++)
          picks.add(
            random() < 0.8 ? i - 1 - Math.floor(random() * Math.min(i, 5)) : Math.floor(random() * i),
          );
        reads.push([...picks]);
        ids.push(
          w.logRun(
            {
              component: `c${i % 7}`,
              startTime: at(i),
              inputs: [...picks].map((k) => ({ name: `out/${k}` })),
            },
            { status: 'complete', endTime: at(i), outputs: [{ name: `out/${i}` }] },
          ),
        );
      }
      const readers: number[][] = Array.from({ length: n }, () => []);
      reads.forEach((list, i) => list.forEach((k) => readers[k].push(i)));
      /** Preorder from `roots`, children newest (largest index) first, each run at its first visit. */
      const expected = (roots: number[], children: (i: number) => number[]) => {
        const seen = new Set<number>();
        const order: Array<[string, number]> = [];
        const visit = (i: number, depth: number) => {
          if (seen.has(i)) return;
          seen.add(i);
          order.push([ids[i], depth]);
          for (const c of [...children(i)].sort((a, b) => b - a)) visit(c, depth + 1);
        };
        for (const r of [...roots].sort((a, b) => b - a)) visit(r, 0);
        return order;
      };
      const store = await fx.open();
      for (const end of [n - 1, n - 2, 4000, 120]) {
        const up = store.trace(`out/${end}`, { staleness: false });
        assert.deepEqual(
          up.runs.map((r) => [r.id, r.depth]),
          expected([end], (i) => reads[i]),
          `upstream of out/${end}`,
        );
      }
      for (const start of [0, 3, 4500]) {
        const down = store.trace(`out/${start}`, { downstream: true, staleness: false });
        assert.deepEqual(
          down.runs.map((r) => [r.id, r.depth]),
          expected(readers[start], (i) => readers[i]),
          `downstream of out/${start}`,
        );
      }
    },
  );

  test('many writers of one pointer: a model fine-tuned in place', TIMEOUT, async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const n = 10_000;
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      ids.push(
        w.logRun(
          { component: 'finetune', startTime: at(i * 60), inputs: i ? [{ name: 'model.pt' }] : [] },
          { status: 'complete', endTime: at(i * 60 + 1), outputs: [{ name: 'model.pt' }] },
        ),
      );
    }
    w.flag('model.pt', true);
    const store = await fx.open();
    const up = timed('in place up', () => store.trace('model.pt'));
    assert.ok(up.runs.length === n && up.runs.every((r, i) => r.id === ids[n - 1 - i] && r.depth === i));
    // Every run but the first read it: all readers are at depth 0, newest first.
    const down = store.trace('model.pt', { downstream: true, staleness: false });
    assert.ok(
      down.runs.length === n - 1 && down.runs.every((r, i) => r.id === ids[n - 1 - i] && r.depth === 0),
    );
    // Each reader but the last read a version that a later run wrote again.
    assert.equal(timed('in place stale', () => store.stale({ component: 'finetune' })).length, n - 2);
    const review = timed('in place review', () => store.review());
    assert.equal(review.runs.length, n);
    assert.ok(review.runs.every((r, i) => r.id === ids[n - 1 - i] && r.suspiciousness === 1));
  });

  test('a walk past the size walked in SQL sees the runs of each new ingest', TIMEOUT, async (t) => {
    const fx = tempFixture(t);
    const ids = chain(fx, 5_000);
    const store = await fx.open();
    const first = store.trace(ckpt(0), { downstream: true, staleness: false });
    assert.equal(first.runs.length, 4_999, 'every reader of the first checkpoint');
    // The chain goes on: the dependency graph kept from the walk above must not be used again.
    const w = fx.writer('later');
    for (let i = 5_000; i < 5_010; i++)
      ids.push(
        w.logRun(
          { component: 'later', startTime: at(i * 60), inputs: [{ name: ckpt(i - 1) }] },
          { status: 'complete', endTime: at(i * 60 + 1), outputs: [{ name: ckpt(i) }] },
        ),
      );
    store.ingest();
    const again = store.trace(ckpt(0), { downstream: true, staleness: false });
    assert.equal(again.runs.length, 5_009);
    assert.equal(again.runs.at(-1)!.id, ids[5_009]);
    assert.equal(store.review().runs.length, 0, 'nothing flagged');
  });

  test('wide: one source read by thousands of runs, windows of the nearest runs', TIMEOUT, async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const source = w.logRun(
      { component: 'ingest', startTime: at(0) },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'raw.csv' }] },
    );
    const readers: string[] = [];
    for (let i = 1; i <= 5000; i++) {
      readers.push(
        w.logRun(
          { component: `score_${i % 7}`, startTime: at(i), inputs: [{ name: 'raw.csv' }] },
          { status: 'complete', endTime: at(i), outputs: [{ name: `scores/${i}.csv` }] },
        ),
      );
    }
    w.flag('scores/5000.csv', true);
    const store = await fx.open();
    const window = store.lineageWindow({ kind: 'run', id: source, direction: 'downstream' }, { limit: 50 });
    assert.equal(window.total, 5001);
    assert.equal(window.runs.length, 50);
    assert.deepEqual(window.runs[0].id, source);
    assert.deepEqual(
      window.runs.slice(1).map((r) => r.id),
      readers.slice(-49).reverse(),
      'newest first among runs at one depth',
    );
    assert.deepEqual(window.frontier, [source], 'the source has readers that were left out');
    const review = store.review();
    const top = review.runs.find((r) => r.id === source)!;
    assert.ok(Math.abs(top.suspiciousness - 1 / Math.sqrt(1 * (1 + 4999))) < 1e-12);
  });
});

describe('what the editor shows of a deep lineage', () => {
  test(
    'the graph gets a window and where it stopped; the inspector one step; review chips a few',
    TIMEOUT,
    async (t) => {
      const fx = tempFixture(t);
      const ids = chain(fx, 1000);
      fx.writer().flag(ckpt(999), true);
      const store = await fx.open();
      const root = { kind: 'pointer', name: ckpt(999), direction: 'upstream' } as const;
      const graph = graphData(store, [root], { trusted: true, window: 50 });
      assert.deepEqual(
        graph.runs.map((r) => r.id),
        ids.slice(-50).reverse(),
      );
      assert.deepEqual(graph.more, [{ runId: ids[950], direction: 'upstream', hidden: 950 }]);
      // "50 more upstream…" clicked: the next window, from the run where the first one stopped.
      const next = graphData(store, [root, { kind: 'run', id: ids[950], direction: 'upstream' }], {
        trusted: true,
        window: 50,
      });
      assert.equal(next.runs.length, 99);
      assert.deepEqual(next.more, [{ runId: ids[901], direction: 'upstream', hidden: 901 }]);
      assert.deepEqual(
        inspectorData(store, ids[999], { trusted: true, sourceExists: () => false }).dependencies.map(
          (r) => r.id,
        ),
        [ids[998]],
      );
      const review = reviewData(store, { trusted: true });
      assert.equal(review.traces[0].runIds.length, 200);
      assert.equal(review.traces[0].total, 1000);
    },
  );
});
