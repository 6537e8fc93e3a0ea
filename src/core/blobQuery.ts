// A query whose BLOB is read straight from sql.js's memory. sql.js's Statement copies a BLOB into
// a new array a byte at a time in JavaScript; a drift check reads a thousand profiles of ~25 KB of
// floats each and keeps only a few, so it copies each into a buffer it used before (driftCheck.ts):
// new memory is slow to touch the first time on this kind of machine (docs/PERFORMANCE.md).
// Only SQLite's own C functions, which sql.js's module exports by name, are called here.
import { Database, loadedSqlJs } from './sql';

/** The C functions of sql.js's module (emscripten exports) that BlobQuery calls. */
interface SqliteExports {
  _malloc(bytes: number): number;
  _free(ptr: number): void;
  _sqlite3_prepare_v2(db: number, sql: number, bytes: number, stmt: number, tail: number): number;
  _sqlite3_bind_text(stmt: number, index: number, text: number, bytes: number, destructor: number): number;
  _sqlite3_step(stmt: number): number;
  _sqlite3_reset(stmt: number): number;
  _sqlite3_finalize(stmt: number): number;
  _sqlite3_column_blob(stmt: number, column: number): number;
  _sqlite3_column_text(stmt: number, column: number): number;
  _sqlite3_column_bytes(stmt: number, column: number): number;
  _sqlite3_errmsg(db: number): number;
}
const FUNCTIONS: Array<keyof SqliteExports> = [
  '_malloc',
  '_free',
  '_sqlite3_prepare_v2',
  '_sqlite3_bind_text',
  '_sqlite3_step',
  '_sqlite3_reset',
  '_sqlite3_finalize',
  '_sqlite3_column_blob',
  '_sqlite3_column_text',
  '_sqlite3_column_bytes',
  '_sqlite3_errmsg',
];
const SQLITE_OK = 0;
const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
/** SQLITE_TRANSIENT: SQLite copies a bound text before the call returns. */
const TRANSIENT = -1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A statement of one text parameter whose rows are a TEXT column and a BLOB column, of which it
 * reads the first row. `prepare` gives null when sql.js's module lacks what it needs: use a
 * Statement then.
 */
export class BlobQuery {
  private constructor(
    private readonly c: SqliteExports,
    private readonly memory: WebAssembly.Memory,
    private readonly db: number,
    private stmt: number,
  ) {}

  /** `sql` prepared on `db` (a database of the sql.js that loadSqlJs loaded). */
  static prepare(db: Database, sql: string): BlobQuery | null {
    const loaded = loadedSqlJs();
    const c = loaded?.sqlJs as unknown as Partial<SqliteExports> | undefined;
    // (sql.js keeps its connection's handle in `db`.)
    const handle = (db as unknown as { db?: unknown }).db;
    if (!loaded?.memory || !c || typeof handle !== 'number') return null;
    if (FUNCTIONS.some((name) => typeof c[name] !== 'function')) return null;
    const exports = c as SqliteExports;
    const memory = loaded.memory;
    const text = encoder.encode(sql);
    // The text with its NUL, then (aligned) the 4 bytes where SQLite writes the statement's handle.
    const handleAt = (text.length + 1 + 3) & ~3;
    const at = exports._malloc(handleAt + 4);
    try {
      const heap = new Uint8Array(memory.buffer);
      heap.set(text, at);
      heap[at + text.length] = 0;
      const out = at + handleAt;
      const rc = exports._sqlite3_prepare_v2(handle, at, -1, out, 0);
      if (rc !== SQLITE_OK)
        throw new Error(`SQLite could not prepare "${sql}": ${errorOf(exports, memory, handle)}`);
      return new BlobQuery(exports, memory, handle, new DataView(memory.buffer).getInt32(out, true));
    } finally {
      exports._free(at);
    }
  }

  /**
   * `use` of the first row's text and bytes for this parameter; undefined without a row. The
   * bytes are a view of sql.js's memory, good only while `use` runs, which must not call SQLite:
   * copy what is kept. (A NULL reads as '' and no bytes.)
   */
  first<T>(param: string, use: (text: string, bytes: Uint8Array) => T): T | undefined {
    if (this.stmt === 0) throw new Error('the query was freed');
    const { c, memory, stmt } = this;
    const bytes = encoder.encode(param);
    const at = c._malloc(bytes.length + 1);
    try {
      new Uint8Array(memory.buffer).set(bytes, at);
      let rc = c._sqlite3_bind_text(stmt, 1, at, bytes.length, TRANSIENT);
      if (rc !== SQLITE_OK)
        throw new Error(`SQLite could not bind a parameter: ${errorOf(c, memory, this.db)}`);
      rc = c._sqlite3_step(stmt);
      if (rc === SQLITE_DONE) return undefined;
      if (rc !== SQLITE_ROW) throw new Error(`SQLite could not read a row: ${errorOf(c, memory, this.db)}`);
      // (Each pointer before its length, as SQLite asks: the pointer may convert the value.)
      const textAt = c._sqlite3_column_text(stmt, 0);
      const textBytes = c._sqlite3_column_bytes(stmt, 0);
      const blobAt = c._sqlite3_column_blob(stmt, 1);
      const blobBytes = c._sqlite3_column_bytes(stmt, 1);
      const heap = new Uint8Array(memory.buffer);
      const text = textAt === 0 ? '' : decoder.decode(heap.subarray(textAt, textAt + textBytes));
      return use(text, heap.subarray(blobAt, blobAt + (blobAt === 0 ? 0 : blobBytes)));
    } finally {
      c._sqlite3_reset(stmt);
      c._free(at);
    }
  }

  /** Finalizes the statement (before its database is closed). */
  free(): void {
    if (this.stmt !== 0) this.c._sqlite3_finalize(this.stmt);
    this.stmt = 0;
  }
}

/** SQLite's message for the connection's last error. */
function errorOf(c: SqliteExports, memory: WebAssembly.Memory, db: number): string {
  const heap = new Uint8Array(memory.buffer);
  const at = c._sqlite3_errmsg(db);
  const end = heap.indexOf(0, at);
  return decoder.decode(heap.subarray(at, end < 0 ? at : end));
}
