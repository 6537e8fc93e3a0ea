// The snapshot (DESIGN.md §3): written atomically on close, used on open, rebuilt from the log
// when missing, corrupt, of an older schema, or when an event file shrank.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import { SCHEMA_VERSION } from '../../src/core/schema';
import { loadSqlJs } from '../../src/core/sql';
import {
  appendEvents,
  appendRaw,
  at,
  flagEvent,
  Fixture,
  jobEvent,
  notesEvent,
  queryState,
  tempFixture,
  unflagAllEvent,
} from '../helpers/lineage';

/** A few runs, a flag, an unflag-all, notes, a malformed line: state that must survive a snapshot. */
function logPipeline(fx: Fixture, offset = 0): string[] {
  const w = fx.writer();
  const ids: string[] = [];
  for (let i = 0; i < 6; i++) {
    const start = offset + i * 10;
    ids.push(
      w.logRun(
        {
          component: ['ingest', 'clean', 'train'][i % 3],
          startTime: at(start),
          inputs: i % 3 ? [{ name: `p${offset + i - 1}.csv` }] : [],
        },
        { status: 'complete', endTime: at(start + 1), outputs: [{ name: `p${offset + i}.csv` }] },
      ),
    );
  }
  appendEvents(fx, w.file.slice(fx.eventsDir.length + 1), [
    unflagAllEvent(at(offset + 100)),
    flagEvent(`p${offset + 5}.csv`, true, at(offset + 101)),
    flagEvent(`p${offset + 2}.csv`, true, at(offset + 99)), // before the unflag-all: stays unflagged
    notesEvent(ids[0], 'ingest', 'kept across snapshots', at(offset + 102)),
    jobEvent('train', { owner: 'ana', tags: ['ml'] }, at(offset + 103)),
  ]);
  if (offset === 0) appendRaw(fx, 'broken.jsonl', `{"broken": \n`);
  return ids;
}

function damagePage(buf: Buffer, page: number): Buffer {
  const copy = Buffer.from(buf);
  copy.fill(0xa5, page * 4096, (page + 1) * 4096);
  return copy;
}

describe('snapshot', () => {
  for (const readLazily of [false, true])
    test(`close() writes lineage.sqlite atomically; reopening${readLazily ? ' (read lazily)' : ''} reads only the bytes appended since`, async (t) => {
      const fx = tempFixture(t);
      const ids = logPipeline(fx);
      const store = await fx.open();
      const state = queryState(store);
      assert.equal(store.problems().length, 1);
      assert.ok(!fs.existsSync(fx.snapshot));
      store.close();
      assert.ok(fs.existsSync(fx.snapshot), 'close() saved the snapshot');
      assert.deepEqual(
        fs.readdirSync(fx.storeDir).filter((n) => n.includes('tmp')),
        [],
        'no temp file is left behind',
      );

      const messages: string[] = [];
      const reopened = await fx.open({ deferIngest: true, readLazily, onMessage: (m) => messages.push(m) });
      assert.equal(queryState(reopened), state, 'the snapshot alone answers the queries');
      const nothing = reopened.ingest();
      assert.deepEqual(
        { bytes: nothing.bytes, events: nothing.events, files: nothing.files, rebuilt: nothing.rebuilt },
        { bytes: 0, events: 0, files: 0, rebuilt: null },
      );
      assert.deepEqual(
        reopened.problems().map((p) => p.line),
        [1],
        'problems survive the snapshot',
      );

      // Append to an existing file and a new one.
      const w = fx.writer('later');
      const late = w.logRun(
        { component: 'clean', startTime: at(200), inputs: [{ name: 'p5.csv' }] },
        { status: 'complete', endTime: at(201), outputs: [{ name: 'late.csv' }] },
      );
      // A flag older than the unflag-all (read before the snapshot) stays unflagged.
      const added = appendEvents(fx, 'broken.jsonl', [
        flagEvent('late.csv', true, at(300)),
        flagEvent('p1.csv', true, at(50)),
      ]);
      const report = reopened.ingest();
      assert.equal(report.bytes, fs.statSync(w.file).size + added, 'only the appended bytes are read');
      assert.equal(report.events, 4);
      assert.equal(report.runs, 1);
      assert.equal(report.rebuilt, null);
      assert.deepEqual(messages, []);
      assert.deepEqual(
        reopened.inspect(late).dependencies,
        [ids[5]],
        'dependencies reach runs that came from the snapshot',
      );
      assert.deepEqual(
        reopened.review().flagged,
        ['late.csv', 'p5.csv'],
        'the unflag-all time came from the snapshot',
      );
      reopened.close();

      // A store rebuilt from the log alone agrees with the incremental one.
      const incremental = await fx.open({ readLazily });
      const fromSnapshot = queryState(incremental);
      incremental.close({ save: false });
      fs.rmSync(fx.snapshot);
      const rebuilt = await fx.open();
      assert.equal(queryState(rebuilt), fromSnapshot);
    });

  test('save() writes only when something changed', async (t) => {
    const fx = tempFixture(t);
    logPipeline(fx);
    const store = await fx.open();
    assert.equal(store.save(), true);
    const mtime = fs.statSync(fx.snapshot).mtimeMs;
    assert.equal(store.save(), false);
    store.ingest();
    assert.equal(store.save(), false, 'an ingest that read nothing changes nothing');
    assert.equal(fs.statSync(fx.snapshot).mtimeMs, mtime);
  });

  for (const readLazily of [false, true])
    for (const [label, corrupt] of [
      ['garbage bytes', () => Buffer.from('this is not a database'.repeat(100))],
      [
        'random bytes after a valid header',
        (buf: Buffer) => Buffer.concat([buf.subarray(0, 100), Buffer.alloc(buf.length - 100, 0xa5)]),
      ],
      ['truncated mid-page', (buf: Buffer) => buf.subarray(0, Math.floor(buf.length / 2) + 123)],
      [
        'truncated at a page boundary',
        (buf: Buffer) => buf.subarray(0, 4096 * Math.max(1, Math.floor(buf.length / 4096 / 2))),
      ],
      ['empty', () => Buffer.alloc(0)],
      // Same size, valid header and meta table: only a page further in is damaged.
      ['a damaged page in the middle', (buf: Buffer) => damagePage(buf, Math.floor(buf.length / 4096 / 2))],
      ['the last page damaged', (buf: Buffer) => damagePage(buf, buf.length / 4096 - 1)],
    ] as const) {
      test(`a corrupt snapshot (${label}) is rebuilt from the log with a message${readLazily ? ' (read lazily)' : ''}`, async (t) => {
        const fx = tempFixture(t);
        logPipeline(fx);
        for (let i = 1; i < 8; i++) logPipeline(fx, i * 1000); // enough pages to truncate meaningfully
        const store = await fx.open();
        const expected = queryState(store);
        store.close();
        const good = fs.readFileSync(fx.snapshot);
        assert.ok(good.length > 4096 * 4, `snapshot of ${good.length} bytes`);
        fs.writeFileSync(fx.snapshot, corrupt(good));

        const messages: string[] = [];
        const reopened = await fx.open({ deferIngest: true, readLazily, onMessage: (m) => messages.push(m) });
        const report = reopened.ingest();
        assert.match(
          report.rebuilt ?? '',
          /^Rebuilt the lineage index from the event log: the snapshot .*lineage\.sqlite (could not be read|is damaged) \(.+\)\.$/,
        );
        assert.ok(!report.rebuilt!.includes('\n'), 'the message is one line');
        assert.deepEqual(messages, [report.rebuilt]);
        assert.equal(
          report.bytes,
          fs.readdirSync(fx.eventsDir).reduce((n, f) => n + fs.statSync(fx.file(f)).size, 0),
          'everything is read again',
        );
        assert.equal(queryState(reopened), expected);
        assert.equal(reopened.problems().length, 1);
        assert.equal(reopened.ingest().rebuilt, null, 'the next ingest is incremental again');
        reopened.close();
        // The rebuilt index was saved: the next open uses it.
        const third = await fx.open({ deferIngest: true, readLazily });
        assert.equal(third.ingest().bytes, 0);
        assert.equal(queryState(third), expected);
      });
    }

  test('a snapshot of an older schema version is rebuilt', async (t) => {
    const fx = tempFixture(t);
    logPipeline(fx);
    const store = await fx.open();
    const expected = queryState(store);
    store.close();
    const SQL = await loadSqlJs();
    const db = new SQL.Database(fs.readFileSync(fx.snapshot));
    db.run(`UPDATE meta SET value = ? WHERE key = 'schema_version'`, [String(SCHEMA_VERSION - 1)]);
    // An older index may also be missing rows the current one has: prove they are not reused.
    db.run('DELETE FROM runs');
    fs.writeFileSync(fx.snapshot, db.export());
    db.close();

    const messages: string[] = [];
    const reopened = await fx.open({ onMessage: (m) => messages.push(m) });
    assert.equal(messages.length, 1);
    assert.equal(
      messages[0],
      `Rebuilt the lineage index from the event log: the snapshot ${fx.snapshot} has schema version ${SCHEMA_VERSION - 1}, this version needs ${SCHEMA_VERSION}.`,
    );
    assert.equal(queryState(reopened), expected);
  });

  test('a shrunk event file triggers a rebuild, also in a store that stays open', async (t) => {
    const fx = tempFixture(t);
    const w = fx.writer();
    const keep = w.logRun(
      { component: 'a', startTime: at(1) },
      { status: 'complete', endTime: at(2), outputs: [{ name: 'x.csv' }] },
    );
    const keptSize = fs.statSync(w.file).size;
    const drop = w.logRun(
      { component: 'b', startTime: at(3), inputs: [{ name: 'x.csv' }] },
      { status: 'complete', endTime: at(4), outputs: [{ name: 'y.csv' }] },
    );
    const store = await fx.open();
    assert.equal(store.recent().items.length, 2);
    store.close();

    fs.truncateSync(w.file, keptSize);
    const messages: string[] = [];
    const reopened = await fx.open({ deferIngest: true, onMessage: (m) => messages.push(m) });
    const report = reopened.ingest();
    assert.equal(
      report.rebuilt,
      `Rebuilt the lineage index from the event log: the event file ${w.file} is shorter than what was already read from it.`,
    );
    assert.deepEqual(messages, [report.rebuilt]);
    assert.deepEqual(
      reopened.recent().items.map((r) => r.id),
      [keep],
    );
    assert.equal(reopened.hasPointer('y.csv'), false);
    assert.throws(() => reopened.inspect(drop));

    // In an open store: a file replaced by a shorter one.
    const other = fx.writer('other');
    other.logRun({ component: 'c', startTime: at(10) }, { status: 'complete', endTime: at(11) });
    assert.equal(reopened.ingest().rebuilt, null);
    fs.writeFileSync(w.file, '');
    const again = reopened.ingest();
    assert.match(again.rebuilt ?? '', /is shorter than what was already read from it\.$/);
    assert.deepEqual(
      reopened.recent().items.map((r) => r.component),
      ['c'],
    );
  });

  test('a deleted event file triggers a rebuild', async (t) => {
    const fx = tempFixture(t);
    const a = fx.writer('a');
    a.logRun({ component: 'a', startTime: at(1) }, { status: 'complete', endTime: at(2) });
    const b = fx.writer('b');
    b.logRun({ component: 'b', startTime: at(3) }, { status: 'complete', endTime: at(4) });
    const store = await fx.open();
    assert.equal(store.recent().items.length, 2);
    a.close();
    fs.rmSync(a.file);
    const report = store.ingest();
    assert.ok(report.rebuilt, 'rebuilt');
    assert.deepEqual(
      store.recent().items.map((r) => r.component),
      ['b'],
    );
  });
});
