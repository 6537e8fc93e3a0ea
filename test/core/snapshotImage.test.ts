// Snapshots read lazily (src/core/snapshotImage.ts): the whole file is checked, only the pages a
// query reaches are read, and the first write reads the rest, so that what sql.js writes back is
// the same as from a snapshot read whole.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { loadSqlJs } from '../../src/core/sql';
import { readImage, readImageLazily, sha256 } from '../../src/core/snapshotImage';

/** Row `id`'s text: 200 bytes. */
const body = (id: number) => `${id}:`.padEnd(200, String.fromCharCode(97 + (id % 26)));

/** A database of about 4 MB: 20,000 rows of 200 bytes, written to a file in a temp folder. */
async function bigSnapshot(t: {
  after: (fn: () => void) => void;
}): Promise<{ file: string; bytes: Uint8Array }> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.exec('CREATE TABLE rows (id INTEGER PRIMARY KEY, body TEXT)');
  db.exec('BEGIN');
  const insert = db.prepare('INSERT INTO rows (id, body) VALUES (?, ?)');
  for (let id = 0; id < 20000; id++) insert.run([id, body(id)]);
  insert.free();
  db.exec('COMMIT');
  const bytes = db.export();
  db.close();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-image-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'lineage.sqlite');
  fs.writeFileSync(file, bytes);
  return { file, bytes };
}

const bodyOf = (db: import('sql.js').Database, id: number) =>
  db.exec('SELECT body FROM rows WHERE id = ?', [id])[0]?.values[0]?.[0];

test('a lazy image checks the whole file but reads only the pages a query reaches', async (t) => {
  const { file, bytes } = await bigSnapshot(t);
  const SQL = await loadSqlJs();
  const snapshot = readImageLazily(file, 1 << 20);
  assert.equal(snapshot.sha256, sha256(bytes), 'the checksum covers every byte of the file');
  const db = new SQL.Database(snapshot.image);
  assert.equal(bodyOf(db, 12345), body(12345));
  assert.ok(
    snapshot.bytesRead() < bytes.length / 10,
    `${snapshot.bytesRead()} of ${bytes.length} bytes read for one row`,
  );
  assert.equal(db.exec('SELECT count(*), sum(length(body)) FROM rows')[0].values[0].join(), '20000,4000000');
  assert.ok(!snapshot.whole(), 'a query that only reads leaves the image unfilled');
  // A page cache of ten pages: each scan reads every page from the file again, through the one
  // small buffer reads land in, and must see what a snapshot read whole gives.
  db.exec('PRAGMA cache_size = 10');
  const whole = new SQL.Database(readImage(file, 0).image);
  const scan = (d: typeof db) =>
    d.exec("SELECT group_concat(id || '=' || body, ';') FROM (SELECT * FROM rows ORDER BY body DESC, id)")[0]
      .values[0][0];
  const expected = scan(whole);
  whole.close();
  for (let i = 0; i < 2; i++) assert.equal(scan(db), expected, `scan ${i + 1} as from the whole file`);
  db.close();
  snapshot.release();
});

test('the first write reads the rest: a lazy image exports what a whole one does', async (t) => {
  const { file } = await bigSnapshot(t);
  const SQL = await loadSqlJs();
  const exported = (snapshot: ReturnType<typeof readImage>) => {
    const db = new SQL.Database(snapshot.image);
    assert.equal(bodyOf(db, 7), body(7));
    db.exec("UPDATE rows SET body = 'changed' WHERE id = 19999; INSERT INTO rows (body) VALUES ('new')");
    assert.ok(snapshot.whole(), 'everything was read before the write');
    const bytes = db.export();
    db.close();
    snapshot.release();
    return bytes;
  };
  const whole = exported(readImage(file, 1 << 20));
  const lazy = exported(readImageLazily(file, 1 << 20));
  assert.equal(sha256(lazy), sha256(whole));
  const SQLCheck = new SQL.Database(lazy);
  assert.equal(bodyOf(SQLCheck, 19999), 'changed');
  assert.equal(SQLCheck.exec('SELECT count(*) FROM rows')[0].values[0][0], 20001);
  SQLCheck.close();
});

test('a snapshot replaced while a lazy image is open: the image keeps the file it checked', async (t) => {
  const { file, bytes } = await bigSnapshot(t);
  const SQL = await loadSqlJs();
  const snapshot = readImageLazily(file, 0);
  // Another process saves a new snapshot the way LineageStore.save does: a temp file renamed over it.
  fs.writeFileSync(`${file}.tmp`, Buffer.alloc(bytes.length, 0x5a));
  fs.renameSync(`${file}.tmp`, file);
  const db = new SQL.Database(snapshot.image);
  assert.equal(bodyOf(db, 19000), body(19000));
  assert.equal(db.exec('SELECT count(*) FROM rows')[0].values[0][0], 20000);
  db.close();
  snapshot.release();
});
