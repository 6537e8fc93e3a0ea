// Trace (DESIGN.md §2, queries.ts): upstream from the newest producer, downstream to the
// consumers; depth-first, newest first among siblings, each run once; pointer name resolution.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineageError } from '../../src/core/model';
import { BARE_NAME_SQL, POINTERS_NAMED_SQL } from '../../src/core/queries';
import { SCHEMA } from '../../src/core/schema';
import { loadSqlJs } from '../../src/core/sql';
import { appendEvents, at, foreignRunEvent, tempFixture, uuid } from '../helpers/lineage';

async function diamond(t: Parameters<typeof tempFixture>[0]) {
  const fx = tempFixture(t);
  const w = fx.writer();
  const log = (component: string, start: number, inputs: string[], outputs: string[]) =>
    w.logRun(
      { component, startTime: at(start), inputs: inputs.map((name) => ({ name })) },
      { status: 'complete', endTime: at(start + 1), outputs: outputs.map((name) => ({ name })) },
    );
  const ids = {
    old: log('join', 1, [], ['d.csv']), // an older producer of d.csv
    A: log('source', 10, [], ['a.csv']),
    B: log('left', 20, ['a.csv'], ['b.csv']),
    C: log('right', 30, ['a.csv'], ['c.csv']),
    D: log('join', 40, ['b.csv', 'c.csv'], ['d.csv']),
    E: log('report', 50, ['d.csv'], ['e.csv']),
    F: log('audit', 60, ['a.csv'], []),
  };
  return { fx, ids, store: await fx.open() };
}

describe('trace', () => {
  test('upstream: depth-first from the newest producer, newest first among siblings, each run once in a diamond', async (t) => {
    const { ids, store } = await diamond(t);
    const trace = store.trace('d.csv');
    assert.equal(trace.pointer, 'd.csv');
    assert.equal(trace.direction, 'upstream');
    assert.deepEqual(
      trace.runs.map((r) => [r.id, r.depth]),
      [
        [ids.D, 0],
        [ids.C, 1],
        [ids.A, 2],
        [ids.B, 1],
      ],
    );
    assert.deepEqual(trace.runs[0].dependencies, [ids.C, ids.B]);
    assert.deepEqual(trace.runs[0].inputs, ['b.csv', 'c.csv']);
    assert.deepEqual(
      store.trace('e.csv').runs.map((r) => [r.id, r.depth]),
      [
        [ids.E, 0],
        [ids.D, 1],
        [ids.C, 2],
        [ids.A, 3],
        [ids.B, 2],
      ],
    );
    assert.deepEqual(
      store.trace('a.csv').runs.map((r) => [r.id, r.depth]),
      [[ids.A, 0]],
    );
    // From a run: by depth, then newest first.
    assert.deepEqual(
      store.traceRun(ids.E.slice(0, 8)).map((r) => [r.id, r.depth]),
      [
        [ids.E, 0],
        [ids.D, 1],
        [ids.C, 2],
        [ids.B, 2],
        [ids.A, 3],
      ],
    );
  });

  test('downstream: the readers, then the runs that depend on them', async (t) => {
    const { ids, store } = await diamond(t);
    const trace = store.trace('a.csv', { downstream: true });
    assert.equal(trace.direction, 'downstream');
    assert.deepEqual(
      trace.runs.map((r) => [r.id, r.depth]),
      [
        [ids.F, 0],
        [ids.C, 0],
        [ids.D, 1],
        [ids.E, 2],
        [ids.B, 0],
      ],
    );
    assert.deepEqual(store.trace('e.csv', { downstream: true }).runs, [], 'nobody read e.csv');
    assert.deepEqual(
      store.trace('d.csv', { downstream: true }).runs.map((r) => [r.id, r.depth]),
      [[ids.E, 0]],
    );
  });

  test('producer is the head of the upstream trace; readers are depth 0 downstream, newest first', async (t) => {
    const { ids, store } = await diamond(t);
    assert.equal(store.producer('d.csv')?.id, ids.D, 'the latest writer, not the older one');
    assert.equal(store.producer('d.csv')?.id, store.trace('d.csv').runs[0].id);
    assert.deepEqual(
      store.readers('a.csv').map((r) => r.id),
      [ids.F, ids.C, ids.B],
    );
    assert.deepEqual(
      store.readers('a.csv').map((r) => r.id),
      store
        .trace('a.csv', { downstream: true })
        .runs.filter((r) => r.depth === 0)
        .map((r) => r.id),
    );
    // Each reader in full, as the other lists give a run (their staleness aside).
    const listed = new Map(store.recent({ limit: 100 }).items.map((r) => [r.id, { ...r, stale: [] }]));
    for (const run of store.readers('a.csv')) assert.deepEqual(run, listed.get(run.id));
    assert.throws(() => store.producer('nope.csv'), LineageError);
    assert.deepEqual(store.readers('e.csv'), []);
  });

  test('a pointer only flagged, never written, has an empty upstream trace', async (t) => {
    const fx = tempFixture(t);
    fx.writer().flag('lonely.csv', true);
    const store = await fx.open();
    assert.deepEqual(store.trace('lonely.csv').runs, []);
  });

  test('staleness reasons come with the traced runs unless turned off', async (t) => {
    const { fx, ids, store } = await diamond(t);
    assert.ok(
      store.trace('d.csv').runs.every((r) => r.stale.length === 0),
      'fresh at first',
    );
    // a.csv is written again after B and C started (and before D, which does not read it).
    const A2 = fx
      .writer('later')
      .logRun(
        { component: 'source', startTime: at(35) },
        { status: 'complete', endTime: at(36), outputs: [{ name: 'a.csv' }] },
      );
    store.ingest();
    const trace = store.trace('d.csv');
    const reasons = Object.fromEntries(trace.runs.map((r) => [r.id, r.stale]));
    const again = `Input a.csv was written again by source (run ${A2.slice(0, 8)}) after this run started.`;
    assert.deepEqual(reasons, { [ids.D]: [], [ids.C]: [again], [ids.A]: [], [ids.B]: [again] });
    assert.deepEqual(
      trace.runs.map((r) => r.id),
      [ids.D, ids.C, ids.A, ids.B],
      'the trace itself is unchanged: D still read the old b.csv and c.csv',
    );
    const noStale = store.trace('d.csv', { staleness: false });
    assert.deepEqual(
      noStale.runs.map((r) => r.id),
      trace.runs.map((r) => r.id),
    );
    assert.ok(noStale.runs.every((r) => r.stale.length === 0));
    assert.ok(!trace.runs.some((r) => r.id === ids.old), 'the older producer of d.csv is not traced');
  });

  test('an unknown pointer throws LineageError', async (t) => {
    const { store } = await diamond(t);
    assert.throws(
      () => store.trace('nope.csv'),
      (e: unknown) =>
        e instanceof LineageError &&
        e.kind === 'not-found' &&
        e.message === 'No logged run read or wrote "nope.csv".',
    );
    assert.throws(() => store.trace('nope.csv', { downstream: true }), LineageError);
    assert.equal(store.hasPointer('nope.csv'), false);
    assert.equal(store.hasPointer('a.csv'), true);
  });

  test('pointersNamed: each name as runs list it, the file namespace first, with its flag and writers and readers; unknown names absent', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'foreign.jsonl', [
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(1),
        job: 'dump',
        time: at(1),
        outputs: [{ namespace: 'postgres://db:5432', name: 'public.users' }, 'data/orders.csv'],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(2),
        job: 'shadow',
        time: at(2),
        inputs: ['data/orders.csv', { namespace: 'postgres://db:5432', name: 'public.users' }],
        outputs: [{ namespace: 'other', name: 'data/orders.csv' }],
      }),
    ]);
    const w = fx.writer();
    w.flag('data/orders.csv', true);
    const store = await fx.open();
    const found = store.pointersNamed([
      'data/orders.csv',
      'other/data/orders.csv',
      'postgres://db:5432/public.users',
      'public.users',
      'nope.csv',
      'data/orders.csv',
    ]);
    assert.deepEqual(
      [...found].sort(([a], [b]) => a.localeCompare(b)),
      [
        ['data/orders.csv', { name: 'data/orders.csv', type: 'DATA', flagged: true, writers: 1, readers: 1 }],
        [
          'other/data/orders.csv',
          { name: 'other/data/orders.csv', type: 'DATA', flagged: false, writers: 1, readers: 0 },
        ],
        [
          'postgres://db:5432/public.users',
          {
            name: 'postgres://db:5432/public.users',
            type: 'UNKNOWN',
            flagged: false,
            writers: 1,
            readers: 1,
          },
        ],
      ],
      'a bare name of another namespace is no name a run lists; unknown names are absent',
    );
    assert.deepEqual(
      store.pointers({ flagged: true }).map((p) => p.name),
      ['data/orders.csv'],
    );
    assert.deepEqual(
      store.pointers({ flagged: false }).map((p) => p.name),
      ['other/data/orders.csv', 'postgres://db:5432/public.users'],
    );
  });

  test('a name in no namespace, and the names a graph shows, are looked up by index, not by reading every pointer (a hover asks for any word)', async () => {
    const db = new (await loadSqlJs()).Database();
    try {
      db.exec(SCHEMA);
      const plan = db
        .exec(`EXPLAIN QUERY PLAN ${BARE_NAME_SQL('p.id')}`, ['nope'])[0]
        .values.map((r) => String(r[3]));
      assert.ok(
        plan.every((step) => !/^SCAN (p|n|pointers)\b/.test(step)),
        `no step scans the pointers: ${plan.join(' | ')}`,
      );
      assert.ok(
        plan.some((step) => /^SEARCH p USING .*\(namespace=\? AND name=\?\)/.test(step)),
        plan.join(' | '),
      );
      const named = db
        .exec(`EXPLAIN QUERY PLAN ${POINTERS_NAMED_SQL}`, ['[]'])[0]
        .values.map((r) => String(r[3]));
      assert.ok(
        named.some((step) => /^SEARCH p USING .*\(namespace=\? AND name=\?\)/.test(step)) &&
          named.every((step) => !/^SCAN p\b/.test(step)),
        `pointersNamed searches each name: ${named.join(' | ')}`,
      );
    } finally {
      db.close();
    }
  });

  test('namespace/name and unique bare names resolve; an ambiguous bare name throws', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'foreign.jsonl', [
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(1),
        job: 'dump',
        time: at(1),
        outputs: [{ namespace: 'postgres://db:5432', name: 'public.users' }],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(2),
        job: 'copy',
        time: at(2),
        outputs: [{ namespace: 's3://bucket', name: 'public.users' }],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(3),
        job: 'spark',
        time: at(3),
        outputs: [{ namespace: 'hdfs://nn', name: '/warehouse/orders' }],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(4),
        job: 'local',
        time: at(4),
        outputs: ['data/orders.csv'],
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(5),
        job: 'shadow',
        time: at(5),
        outputs: [{ namespace: 'other', name: 'data/orders.csv' }],
      }),
    ]);
    const store = await fx.open();
    assert.throws(
      () => store.trace('public.users'),
      (e: unknown) =>
        e instanceof LineageError &&
        e.kind === 'ambiguous' &&
        e.message.includes('postgres://db:5432/public.users') &&
        e.message.includes('s3://bucket/public.users'),
    );
    const pg = store.trace('postgres://db:5432/public.users');
    assert.equal(pg.pointer, 'postgres://db:5432/public.users');
    assert.deepEqual(
      pg.runs.map((r) => r.id),
      [uuid(1)],
    );
    assert.deepEqual(
      store.trace('s3://bucket/public.users').runs.map((r) => r.id),
      [uuid(2)],
    );
    assert.deepEqual(
      store.trace('hdfs://nn//warehouse/orders').runs.map((r) => r.id),
      [uuid(3)],
      'namespace/name where the name starts with /',
    );
    assert.deepEqual(
      store.trace('/warehouse/orders').runs.map((r) => r.id),
      [uuid(3)],
      'unique bare name',
    );
    // A workspace file wins over a dataset of the same name in another namespace.
    assert.deepEqual(
      store.trace('data/orders.csv').runs.map((r) => r.id),
      [uuid(4)],
    );
    assert.deepEqual(
      store.trace('other/data/orders.csv').runs.map((r) => r.id),
      [uuid(5)],
    );
    assert.deepEqual(
      store.trace('file/data/orders.csv').runs.map((r) => r.id),
      [uuid(4)],
    );
  });
});
