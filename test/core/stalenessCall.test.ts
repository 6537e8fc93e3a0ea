// What one staleness check keeps for its runs (staleness.ts Call): each pointer's latest writer,
// read once per check, and rule 3's sentences, one instance per text. A check of many runs must
// give each run the reasons a check of that run alone gives, and the next check must see the
// writers that a later ingest brought.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shortId } from '../../src/core/format';
import { at, tempFixture } from '../helpers/lineage';

describe('staleness: what a check keeps for its runs', () => {
  test("a component's runs, checked together, get the reasons each gets alone; a new writer is seen by the next check", async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    fx.writeFile('data/raw.csv', 'id\n1\n');
    fx.writeFile('data/cfg.json', '{}\n');
    const ingest = w.logRun(
      { component: 'ingest', startTime: at(0) },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'data/raw.csv' }] },
    );
    // Runs of `clean` read raw.csv (written by ingest) and cfg.json (nobody's output); the second
    // one also rewrites raw.csv, so it is raw.csv's latest writer itself; the third reads
    // notes (no file, so no version) that a later run writes.
    const c1 = w.logRun(
      {
        component: 'clean',
        startTime: at(10),
        inputs: [{ name: 'data/raw.csv' }, { name: 'data/cfg.json' }],
      },
      { status: 'complete', endTime: at(11) },
    );
    const c2 = w.logRun(
      {
        component: 'clean',
        startTime: at(20),
        inputs: [{ name: 'data/raw.csv' }, { name: 'data/cfg.json' }],
      },
      { status: 'complete', endTime: at(21), outputs: [{ name: 'data/raw.csv' }] },
    );
    const c3 = w.logRun(
      {
        component: 'clean',
        startTime: at(30),
        inputs: [{ name: 'data/cfg.json' }, { name: 'notes' }],
      },
      { status: 'complete', endTime: at(31) },
    );
    const notes = w.logRun(
      { component: 'annotate', startTime: at(40) },
      { status: 'complete', endTime: at(41), outputs: [{ name: 'notes' }] },
    );
    const store = await fx.open();
    fx.writeFile('data/raw.csv', 'id\n1\n2\n');
    fx.writeFile('data/cfg.json', '{"a": 1}\n');

    const together = new Map(store.stale({ component: 'clean' }).map((r) => [r.id, r.stale]));
    for (const id of [c1, c2, c3]) {
      const alone = store.staleReasons([id]).get(id) ?? [];
      assert.deepEqual(together.get(id) ?? [], alone, `run ${shortId(id)}`);
    }
    // (By pointer name: cfg.json before raw.csv.)
    const byC2 = `Input data/raw.csv (last written by clean (run ${shortId(c2)})) changed since this run read it.`;
    assert.deepEqual(together.get(c1), ['Input data/cfg.json changed since this run read it.', byC2]);
    // c2 is raw.csv's latest writer: its own write is not named.
    assert.deepEqual(together.get(c2), [
      'Input data/cfg.json changed since this run read it.',
      'Input data/raw.csv changed since this run read it.',
    ]);
    assert.deepEqual(together.get(c3), [
      'Input data/cfg.json changed since this run read it.',
      `Input notes was written again by annotate (run ${shortId(notes)}) after this run started.`,
    ]);
    assert.notEqual(ingest, c2);

    // A later writer of raw.csv, ingested: the next check names it (the writers are read per check).
    const again = w.logRun(
      { component: 'ingest', startTime: at(50) },
      { status: 'complete', endTime: at(51), outputs: [{ name: 'data/raw.csv' }] },
    );
    store.ingest();
    const next = new Map(store.stale({ component: 'clean', drift: false }).map((r) => [r.id, r.stale]));
    const byAgain = `Input data/raw.csv (last written by ingest (run ${shortId(again)})) changed since this run read it.`;
    assert.deepEqual(next.get(c1)?.[1], byAgain);
    assert.deepEqual(next.get(c2)?.[1], byAgain, 'c2 is no longer the latest writer');
  });

  test('more stale runs than one read takes (1,024): each listed, newest first, as history() gives it', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const I1 = w.logRun(
      { component: 'ingest', startTime: at(0) },
      { status: 'complete', endTime: at(1), outputs: [{ name: 'raw.csv' }] },
    );
    const runs: string[] = [];
    for (let i = 0; i < 1100; i++)
      runs.push(
        w.logRun(
          { component: 'clean', startTime: at(10 + i * 10), inputs: [{ name: 'raw.csv' }] },
          { status: 'complete', endTime: at(11 + i * 10), outputs: [{ name: `out/${i % 7}.csv` }] },
        ),
      );
    const I2 = w.logRun(
      { component: 'ingest', startTime: at(20_000) },
      { status: 'complete', endTime: at(20_001), outputs: [{ name: 'raw.csv' }] },
    );
    const store = await fx.open();
    const stale = store.stale({ component: 'clean' });
    assert.deepEqual(
      stale.map((r) => r.id),
      [...runs].reverse(),
    );
    const history = new Map(store.history('clean', { limit: 2000 }).map((r) => [r.id, r]));
    for (const run of stale) {
      const full = history.get(run.id)!;
      const keys = Object.keys(run);
      assert.deepEqual(run, Object.fromEntries(keys.map((k) => [k, full[k as keyof typeof full]])));
      assert.deepEqual(run.dependencies, [I1]);
      assert.deepEqual(run.stale, [
        `Input raw.csv was written again by ingest (run ${shortId(I2)}) after this run started.`,
      ]);
    }
  });
});
