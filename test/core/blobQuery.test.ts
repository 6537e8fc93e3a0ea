// BlobQuery (src/core/blobQuery.ts): the first row's text and BLOB read straight from sql.js's
// memory must be exactly what sql.js's own Statement gives, for any text and any BLOB size.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { BlobQuery } from '../../src/core/blobQuery';
import { first, loadSqlJs } from '../../src/core/sql';

async function database() {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.exec('CREATE TABLE t (k TEXT PRIMARY KEY, words TEXT, bytes BLOB)');
  return db;
}

test('each row as sql.js gives it: texts in any script, BLOBs of no bytes to many pages', async (t) => {
  const db = await database();
  t.after(() => db.close());
  const rows: Array<[string, string | null, Uint8Array | null]> = [
    ['plain', 'age,income', randomBytes(24)],
    ['empty blob', '{"names":[]}', new Uint8Array(0)],
    // Over a page of SQLite's (4 KiB): read from overflow pages.
    ['large', 'x'.repeat(10_000), randomBytes(200_000)],
    ['ünïcødé ключ 数据 🚀', 'Größe, 価格 — 🚀', randomBytes(4097)],
    ['nulls', null, null],
  ];
  const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
  for (const row of rows) insert.run(row);
  insert.free();
  const query = BlobQuery.prepare(db, 'SELECT words, bytes FROM t WHERE k = ?');
  assert.ok(query, 'sql.js offers what BlobQuery needs');
  t.after(() => query.free());
  const statement = db.prepare('SELECT words, bytes FROM t WHERE k = ?');
  t.after(() => statement.free());
  for (const [key, words, bytes] of rows) {
    const read: readonly [string, Uint8Array] | undefined = query.first(
      key,
      (text, blob) => [text, blob.slice()] as const,
    );
    const expected = first(statement, [key])!;
    assert.ok(read, key);
    assert.equal(read[0], expected[0] ?? '', key);
    assert.deepEqual(Buffer.from(read[1]), Buffer.from((expected[1] as Uint8Array | null) ?? []), key);
    assert.equal(read[0], words ?? '', key);
    assert.deepEqual(Buffer.from(read[1]), Buffer.from(bytes ?? []), key);
  }
  assert.equal(
    query.first('no such key', () => 'found'),
    undefined,
  );
  // Asked again, in another order: the statement was reset after each row.
  assert.equal(
    query.first('plain', (text) => text),
    'age,income',
  );
});

test('a query SQLite cannot prepare is an error with its message; a freed query refuses', async (t) => {
  const db = await database();
  t.after(() => db.close());
  assert.throws(
    () => BlobQuery.prepare(db, 'SELECT words, bytes FROM no_such_table WHERE k = ?'),
    /SQLite could not prepare .*no such table: no_such_table/,
  );
  const query = BlobQuery.prepare(db, 'SELECT words, bytes FROM t WHERE k = ?')!;
  query.free();
  assert.throws(() => query.first('k', () => 1), /the query was freed/);
});
