// Review of erroneous outputs (DESIGN.md §6) and the flags it starts from (docs/EVENTS.md:
// the latest flag event by eventTime, then log order, wins; an unflag-all unflags what came before).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendEvents, at, flagEvent, tempFixture, unflagAllEvent } from '../helpers/lineage';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} != ${expected}`);

describe('review', () => {
  test('counts, coverage, ties newest first, and Ochiai suspiciousness computed by hand', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const log = (component: string, start: number, inputs: string[], outputs: string[]) =>
      w.logRun(
        { component, startTime: at(start), inputs: inputs.map((name) => ({ name })) },
        { status: 'complete', endTime: at(start + 1), outputs: outputs.map((name) => ({ name })) },
      );
    // S is upstream of everything, good and bad; C (the culprit) only of the bad outputs.
    const S = log('ingest', 1, [], ['raw.csv']);
    const C = log('featurize_bad', 2, ['raw.csv'], ['bad_feat.csv']);
    const G = log('featurize_good', 3, ['raw.csv'], ['good_feat.csv']);
    const P1 = log('predict', 4, ['bad_feat.csv'], ['out1.csv']);
    const P2 = log('predict', 5, ['bad_feat.csv'], ['out2.csv']);
    const P3 = log('predict', 6, ['good_feat.csv'], ['out3.csv']);
    const P4 = log('predict', 7, ['good_feat.csv'], ['out4.csv']);
    w.flag('out1.csv', true);
    w.flag('out2.csv', true);
    const store = await fx.open();
    const review = store.review();
    assert.deepEqual(review.flagged, ['out1.csv', 'out2.csv']);
    assert.deepEqual(
      review.runs.map((r) => [r.id, r.count, r.coverage]),
      [
        [C, 2, 1], // count 2, the newer of the two
        [S, 2, 1],
        [P2, 1, 0.5],
        [P1, 1, 0.5],
      ],
    );
    // Ochiai: flagged(r) / sqrt(totalFlagged × (flagged(r) + unflagged(r))), where unflagged(r)
    // counts the unflagged final outputs (read by no run) whose trace contains r:
    //   S: out3.csv, out4.csv → 2 (raw.csv and the features are intermediate);  C, P1, P2: 0.
    const byId = new Map(review.runs.map((r) => [r.id, r]));
    close(byId.get(S)!.suspiciousness, 2 / Math.sqrt(2 * (2 + 2)), 'S');
    close(byId.get(C)!.suspiciousness, 2 / Math.sqrt(2 * (2 + 0)), 'C');
    close(byId.get(P1)!.suspiciousness, 1 / Math.sqrt(2 * (1 + 0)), 'P1');
    close(byId.get(P2)!.suspiciousness, 1 / Math.sqrt(2 * (1 + 0)), 'P2');
    assert.ok(
      byId.get(C)!.suspiciousness > byId.get(S)!.suspiciousness,
      'the culprit outranks the shared upstream',
    );
    assert.deepEqual(
      [G, P3, P4].filter((id) => byId.has(id)),
      [],
      'runs in no flagged trace are not listed',
    );
    assert.equal(byId.get(C)!.component, 'featurize_bad');
    assert.deepEqual(byId.get(C)!.dependencies, [S]);

    assert.deepEqual(
      store.review({ limit: 2 }).runs.map((r) => r.id),
      [C, S],
    );
  });

  test('ties on start time: the later run in the log first', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const first = w.logRun(
      { component: 'a', startTime: at(1) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'x.csv' }] },
    );
    const second = w.logRun(
      { component: 'b', startTime: at(1) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'y.csv' }] },
    );
    const older = w.logRun(
      { component: 'c', startTime: at(0) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'z.csv' }] },
    );
    for (const name of ['x.csv', 'y.csv', 'z.csv']) w.flag(name, true);
    const store = await fx.open();
    const review = store.review();
    assert.deepEqual(
      review.runs.map((r) => r.id),
      [second, first, older],
    );
    assert.deepEqual(
      review.runs.map((r) => [r.id, r.count, r.coverage]),
      review.runs.map((r) => [r.id, 1, 1 / 3]),
      'each run is in one trace of three',
    );
    // Without unflagged outputs, suspiciousness is flagged / sqrt(total × flagged).
    for (const r of review.runs) close(r.suspiciousness, 1 / Math.sqrt(3), r.component);
  });

  test('nothing flagged: an empty review; a flagged pointer nobody wrote counts in the total', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const A = w.logRun(
      { component: 'a', startTime: at(1) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'x.csv' }] },
    );
    const store = await fx.open();
    assert.deepEqual(store.review(), { flagged: [], runs: [] });
    appendEvents(fx, 'flags.jsonl', [
      flagEvent('x.csv', true, at(10)),
      flagEvent('hand-made.csv', true, at(11)),
    ]);
    store.ingest();
    const review = store.review();
    assert.deepEqual(review.flagged, ['hand-made.csv', 'x.csv']);
    assert.deepEqual(
      review.runs.map((r) => [r.id, r.count, r.coverage]),
      [[A, 1, 0.5]],
    );
  });
});

describe('flags', () => {
  const flaggedNames = (store: Awaited<ReturnType<ReturnType<typeof tempFixture>['open']>>) =>
    store.review().flagged;

  test('the latest flag event by time wins, whatever the log order', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'a.jsonl', [
      flagEvent('x.csv', true, at(20)),
      flagEvent('x.csv', false, at(10)), // older, logged later: ignored
      flagEvent('y.csv', false, at(20)),
      flagEvent('y.csv', true, at(10)),
    ]);
    const store = await fx.open();
    assert.deepEqual(flaggedNames(store), ['x.csv']);
    assert.deepEqual(
      store.pointers({ flagged: true }).map((p) => p.name),
      ['x.csv'],
    );
    // A later ingest with an even older event changes nothing; a newer one does.
    appendEvents(fx, 'b.jsonl', [flagEvent('x.csv', false, at(5)), flagEvent('y.csv', true, at(30))]);
    store.ingest();
    assert.deepEqual(flaggedNames(store), ['x.csv', 'y.csv']);
  });

  test('equal times: the later one in the log wins', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'a.jsonl', [
      flagEvent('x.csv', true, at(10)),
      flagEvent('x.csv', false, at(10)),
      flagEvent('y.csv', false, at(10)),
      flagEvent('y.csv', true, at(10)),
    ]);
    const store = await fx.open();
    assert.deepEqual(flaggedNames(store), ['y.csv']);
    appendEvents(fx, 'a.jsonl', [flagEvent('y.csv', false, at(10))]);
    store.ingest();
    assert.deepEqual(flaggedNames(store), []);
  });

  test('unflag-all unflags what was flagged before it, by time, in any log order', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'a.jsonl', [
      flagEvent('before.csv', true, at(10)),
      flagEvent('after.csv', true, at(30)),
      unflagAllEvent(at(20)),
      flagEvent('late-logged-but-older.csv', true, at(15)), // logged after the unflag-all, but older
      flagEvent('same-time-after.csv', true, at(20)), // same time, later in the log
    ]);
    const store = await fx.open();
    assert.deepEqual(flaggedNames(store), ['after.csv', 'same-time-after.csv']);

    // In a later ingest: an older unflag-all changes nothing, a newer one unflags everything before it.
    appendEvents(fx, 'b.jsonl', [unflagAllEvent(at(12)), flagEvent('before.csv', true, at(18))]);
    store.ingest();
    assert.deepEqual(
      flaggedNames(store),
      ['after.csv', 'same-time-after.csv'],
      'before.csv at 18 is still before the unflag-all at 20',
    );
    appendEvents(fx, 'b.jsonl', [unflagAllEvent(at(25)), flagEvent('newest.csv', true, at(40))]);
    store.ingest();
    assert.deepEqual(flaggedNames(store), ['after.csv', 'newest.csv']);
    // Flagging again after the unflag-all works.
    appendEvents(fx, 'b.jsonl', [flagEvent('before.csv', true, at(50))]);
    store.ingest();
    assert.deepEqual(flaggedNames(store), ['after.csv', 'before.csv', 'newest.csv']);
    assert.ok(!store.pointers().some((p) => p.name === '*'), 'the unflag-all dataset is no pointer');
  });

  test('the writer: flag, unflag and unflag-all in the order they were logged', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    w.logRun(
      { component: 'a', startTime: at(1) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'x.csv' }, { name: 'y.csv' }] },
    );
    w.flag('x.csv', true);
    w.flag('y.csv', true);
    w.flag('x.csv', false);
    const store = await fx.open();
    assert.deepEqual(flaggedNames(store), ['y.csv']);
    assert.deepEqual(
      store.inspect(store.recent().items[0].id).outputPointers.map((p) => [p.name, p.flagged]),
      [
        ['x.csv', false],
        ['y.csv', true],
      ],
    );
    w.unflagAll();
    store.ingest();
    assert.deepEqual(flaggedNames(store), []);
    w.flag('x.csv', true);
    store.ingest();
    assert.deepEqual(flaggedNames(store), ['x.csv']);
  });
});
