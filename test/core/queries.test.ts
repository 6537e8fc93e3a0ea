// recent (keyset paging), history, inspect, components, tags, notes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LineageError } from '../../src/core/model';
import { appendEvents, at, iso, jobEvent, notesEvent, tempFixture, uuid } from '../helpers/lineage';

describe('recent', () => {
  test('pages neither overlap nor skip, even with equal start times and runs added between pages', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const ids: string[] = [];
    // 23 runs; runs 5..14 share one start time (ties: log order).
    for (let i = 0; i < 23; i++) {
      const start = i >= 5 && i < 15 ? 5 : i;
      ids.push(
        w.logRun(
          { component: `c${i % 4}`, startTime: at(start) },
          { status: 'complete', endTime: at(start + 1) },
        ),
      );
    }
    const store = await fx.open();
    const newestFirst = [...ids].reverse(); // by start desc, then log order desc
    assert.deepEqual(
      store.recent({ limit: 100 }).items.map((r) => r.id),
      newestFirst,
    );
    assert.equal(store.recent({ limit: 100 }).next, null);
    assert.equal(store.recent().items.length, 20, 'default page size');

    const seen: string[] = [];
    let page = store.recent({ limit: 4 });
    seen.push(...page.items.map((r) => r.id));
    let added = 0;
    while (page.next) {
      // Runs added between pages: newer ones, and one tied with the runs of the tie group.
      w.logRun(
        { component: 'new', startTime: at(1000 + added) },
        { status: 'complete', endTime: at(1001 + added) },
      );
      w.logRun({ component: 'tied', startTime: at(5) }, { status: 'complete', endTime: at(6) });
      added++;
      store.ingest();
      page = store.recent({ limit: 4, after: page.next });
      assert.ok(page.items.length <= 4);
      seen.push(...page.items.map((r) => r.id));
    }
    assert.equal(new Set(seen).size, seen.length, 'no run is on two pages');
    const original = new Set(ids);
    assert.deepEqual(
      seen.filter((id) => original.has(id)),
      newestFirst,
      'every original run, in order, none skipped',
    );
    // Runs added meanwhile show up only where the reader has not been yet: never the newer ones,
    // and the tied ones (same start, later in the log) only while the cursor was above the tie group.
    const addedSeen = store
      .recent({ limit: 1000 })
      .items.filter((r) => seen.includes(r.id) && !original.has(r.id));
    assert.ok(addedSeen.length > 0, 'some runs added meanwhile were seen');
    assert.deepEqual(
      addedSeen.filter((r) => r.component !== 'tied').map((r) => r.component),
      [],
      'only tied runs added meanwhile were seen',
    );
    assert.deepEqual(
      page.items.map((r) => r.id),
      newestFirst.slice(-page.items.length),
      'the last page ends with the oldest run',
    );
  });

  test('a page that ends exactly at the last run has no next; a bad cursor throws', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    for (let i = 0; i < 4; i++)
      w.logRun({ component: 'c', startTime: at(i) }, { status: 'complete', endTime: at(i + 1) });
    const store = await fx.open();
    const first = store.recent({ limit: 2 });
    assert.ok(first.next);
    const second = store.recent({ limit: 2, after: first.next });
    assert.equal(second.items.length, 2);
    assert.equal(second.next, null);
    assert.throws(
      () => store.recent({ after: 'not-a-cursor' }),
      (e: unknown) => e instanceof LineageError && e.kind === 'invalid',
    );
  });
});

describe('history', () => {
  test('runs of one component, newest first, with limit, since and until (inclusive)', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const ids = Array.from({ length: 10 }, (_, i) =>
      w.logRun(
        { component: 'train', startTime: at(i * 10) },
        { status: 'complete', endTime: at(i * 10 + 1) },
      ),
    );
    w.logRun({ component: 'other', startTime: at(55) }, { status: 'complete', endTime: at(56) });
    const store = await fx.open();
    const h = (o: Parameters<typeof store.history>[1]) =>
      store.history('train', o).map((r) => ids.indexOf(r.id));
    assert.deepEqual(h({}), [9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(h({ limit: 3 }), [9, 8, 7]);
    assert.deepEqual(h({ since: at(30) }), [9, 8, 7, 6, 5, 4, 3]);
    assert.deepEqual(h({ until: at(30) }), [3, 2, 1, 0]);
    assert.deepEqual(h({ since: at(25), until: at(61), limit: 2 }), [6, 5]);
    assert.deepEqual(h({ since: at(1000) }), []);
    assert.throws(
      () => store.history('nope'),
      (e: unknown) => e instanceof LineageError && e.message === 'No component is named "nope".',
    );
  });
});

describe('inspect', () => {
  test('by full id and unique prefix; ambiguous prefix and unknown id errors', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const a = uuid(1, 'aaaa1111');
    const b = uuid(2, 'aaaa2222');
    const c = uuid(3, 'bbbb3333');
    w.logRun(
      { component: 'x', runId: a, startTime: at(1), inputs: [{ name: 'in.csv' }] },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'out.csv' }] },
    );
    w.logRun(
      { component: 'y', runId: b, startTime: at(3) },
      { status: 'failed', endTime: at(4), error: { message: 'boom', language: 'python' } },
    );
    w.logRun(
      { component: 'z', runId: c, startTime: at(5), source: { gitTags: ['v1.2', 'v1.3'] } },
      { status: 'complete', endTime: at(6) },
    );
    const store = await fx.open();
    for (const id of [a, 'aaaa1', 'AAAA1111', ` ${a.slice(0, 10)} `])
      assert.equal(store.inspect(id).id, a, id);
    assert.equal(store.resolveRunId('bbbb'), c);
    assert.throws(
      () => store.inspect('aaaa'),
      (e: unknown) =>
        e instanceof LineageError &&
        e.kind === 'ambiguous' &&
        e.message.includes('aaaa1111-000') &&
        e.message.includes('aaaa2222-000'),
    );
    assert.throws(
      () => store.inspect('cccc'),
      (e: unknown) =>
        e instanceof LineageError &&
        e.kind === 'not-found' &&
        e.message === 'No run has an id starting with "cccc".',
    );
    assert.throws(
      () => store.inspect('$$'),
      (e: unknown) => e instanceof LineageError && e.kind === 'invalid',
    );

    const x = store.inspect(a);
    assert.deepEqual(
      {
        component: x.component,
        status: x.status,
        startTime: x.startTime,
        endTime: x.endTime,
        inputs: x.inputs,
        outputs: x.outputs,
        error: x.error,
      },
      {
        component: 'x',
        status: 'complete',
        startTime: iso(1),
        endTime: iso(2),
        inputs: ['in.csv'],
        outputs: ['out.csv'],
        error: null,
      },
    );
    assert.deepEqual(x.inputPointers, [{ name: 'in.csv', type: 'DATA', flagged: false, fingerprint: null }]);
    const y = store.inspect(b);
    assert.equal(y.status, 'failed');
    assert.equal(y.error, 'boom');
    assert.deepEqual(store.inspect(c).gitTags, ['v1.2', 'v1.3']);
  });
});

describe('components, tags, notes', () => {
  test('components by tag and owner; tags accumulate; description and owner: the latest by time wins', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    w.logRun({ component: 'train', startTime: at(1) }, { status: 'complete', endTime: at(2) });
    w.logRun({ component: 'train', startTime: at(3) }, { status: 'complete', endTime: at(4) });
    w.logRun({ component: 'clean', startTime: at(5) }, { status: 'complete', endTime: at(6) });
    appendEvents(fx, 'meta.jsonl', [
      jobEvent('train', { description: 'v2', owner: 'bo', tags: ['ml'] }, at(20)),
      jobEvent('train', { description: 'v1', owner: 'ana', tags: ['gpu'] }, at(10)), // older, logged later
      jobEvent('clean', { owner: 'ana', tags: ['etl', 'ml'] }, at(10)),
      jobEvent('report', { description: 'weekly', tags: ['bi'] }, at(10)), // no runs yet
    ]);
    const store = await fx.open();
    const all = store.components();
    assert.deepEqual(
      all.map((c) => [c.name, c.description, c.owner, c.tags, c.runCount, c.lastRunTime]),
      [
        ['clean', '', 'ana', ['etl', 'ml'], 1, iso(5)],
        ['report', 'weekly', '', ['bi'], 0, null],
        ['train', 'v2', 'bo', ['gpu', 'ml'], 2, iso(3)],
      ],
    );
    assert.deepEqual(
      store.components({ tag: 'ml' }).map((c) => c.name),
      ['clean', 'train'],
    );
    assert.deepEqual(
      store.components({ tag: 'gpu' }).map((c) => c.name),
      ['train'],
    );
    assert.deepEqual(store.components({ tag: 'nope' }), []);
    assert.deepEqual(
      store.components({ owner: 'ana' }).map((c) => c.name),
      ['clean'],
    );
    assert.deepEqual(
      store.components({ owner: 'bo', tag: 'ml' }).map((c) => c.name),
      ['train'],
    );
    assert.deepEqual(store.tags(), [
      { tag: 'bi', components: 1 },
      { tag: 'etl', components: 1 },
      { tag: 'gpu', components: 1 },
      { tag: 'ml', components: 2 },
    ]);
    const run = store.inspect(store.history('train')[0].id);
    assert.deepEqual(
      { description: run.description, owner: run.owner, tags: run.tags },
      { description: 'v2', owner: 'bo', tags: ['gpu', 'ml'] },
    );

    // The writer's defineComponent, read in a later ingest.
    w.defineComponent({ name: 'clean', description: 'drops nulls', tags: ['daily'] });
    store.ingest();
    const clean = store.components().find((c) => c.name === 'clean')!;
    assert.deepEqual(
      [clean.description, clean.owner, clean.tags],
      ['drops nulls', 'ana', ['daily', 'etl', 'ml']],
    );
  });

  test('notes accumulate in time order, one per event, and survive duplicates', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const id = w.logRun({ component: 'train', startTime: at(1) }, { status: 'complete', endTime: at(2) });
    // Written out of order, and in reverse alphabetical order, so that only time can order them.
    appendEvents(fx, 'notes.jsonl', [
      notesEvent(id, 'train', 'y: second', at(20)),
      notesEvent(id, 'train', 'z: first', at(10)),
    ]);
    const store = await fx.open();
    assert.equal(store.inspect(id).notes, 'z: first\ny: second');
    w.addNotes(id, 'train', 'x: third, from the writer');
    appendEvents(fx, 'notes.jsonl', [notesEvent(id, 'train', 'z: first', at(10))]);
    store.ingest();
    assert.equal(store.inspect(id).notes, 'z: first\ny: second\nx: third, from the writer');
    assert.equal(store.recent().items[0].notes, 'z: first\ny: second\nx: third, from the writer');
  });
});
