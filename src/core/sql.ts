// Loading sql.js and small typed helpers over its prepared statements.
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { BindParams, Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';

export type { Database, Statement, SqlValue };
export type Row = SqlValue[];

let sqlJs: Promise<SqlJsStatic> | undefined;
/** sql.js once loaded, with its wasm memory (emscripten's exported Memory), for blobQuery.ts. */
let loaded: { sqlJs: SqlJsStatic; memory: WebAssembly.Memory | undefined } | undefined;

/** sql.js with its wasm read from beside the bundle (or from node_modules when run from source). */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (async () => {
    const beside = path.join(__dirname, 'sql-wasm.wasm');
    const file = fs.existsSync(beside) ? beside : require.resolve('sql.js/dist/sql-wasm.wasm');
    const wasmBinary = fs.readFileSync(file);
    const binary = wasmBinary.buffer.slice(
      wasmBinary.byteOffset,
      wasmBinary.byteOffset + wasmBinary.byteLength,
    ) as ArrayBuffer;
    let memory: WebAssembly.Memory | undefined;
    const sql = await new Promise<SqlJsStatic>((resolve, reject) => {
      initSqlJs({
        wasmBinary: binary,
        // emscripten's hook for instantiating the module: as it would, keeping the memory.
        instantiateWasm(imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance) => void) {
          WebAssembly.instantiate(binary, imports).then(({ instance }) => {
            memory = Object.values(instance.exports).find((x) => x instanceof WebAssembly.Memory);
            receive(instance);
          }, reject);
          return {};
        },
      } as Parameters<typeof initSqlJs>[0]).then(resolve, reject);
    });
    loaded = { sqlJs: sql, memory };
    return sql;
  })();
  return sqlJs;
}

/** sql.js and its wasm memory, once loadSqlJs has loaded them. */
export function loadedSqlJs(): typeof loaded {
  return loaded;
}

/** A SELECT list whose columns a row is read by: `sql` goes in the query, `at` names positions. */
export interface SelectList<Name extends string> {
  /** The expressions, comma-separated. */
  readonly sql: string;
  /** Each column's index in a row. */
  readonly at: { readonly [N in Name]: number };
  /** The index of the first column after these. */
  readonly end: number;
}

/** Names the columns of a SELECT; `from` is the index of the first (after another list's `end`). */
export function selectList<Name extends string>(columns: Record<Name, string>, from = 0): SelectList<Name> {
  const names = Object.keys(columns) as Name[];
  const at = {} as Record<Name, number>;
  names.forEach((name, i) => (at[name] = from + i));
  return { sql: names.map((name) => columns[name]).join(', '), at, end: from + names.length };
}

/** Prepared statements by name: a name that is not in the set fails to compile. */
export type Statements<Name extends string> = { readonly [N in Name]: Statement };

/** Prepares each SQL text of `sql` under its name. */
export function prepareStatements<Name extends string>(
  db: Database,
  sql: Record<Name, string>,
): Statements<Name> {
  const statements = {} as Record<Name, Statement>;
  for (const name of Object.keys(sql) as Name[]) statements[name] = db.prepare(sql[name]);
  return statements;
}

/** The statements a `lazyStatements` object has prepared so far, to free. */
const preparedOf = new WeakMap<object, Statement[]>();

/**
 * Each SQL text of `sql` under its name, prepared when first used. V8 compiles SQLite's code for
 * a statement the first time it runs, so a command that only reads should not prepare the ones
 * that write (a few milliseconds of a warm command). For statements used once per ingest or
 * query; a loop over rows takes `prepareStatements`' plain properties.
 */
export function lazyStatements<Name extends string>(
  db: Database,
  sql: Record<Name, string>,
): Statements<Name> {
  const statements = {} as Record<Name, Statement>;
  const prepared: Statement[] = [];
  for (const name of Object.keys(sql) as Name[]) {
    let stmt: Statement | undefined;
    Object.defineProperty(statements, name, {
      enumerable: true,
      get: () => {
        if (!stmt) prepared.push((stmt = db.prepare(sql[name])));
        return stmt;
      },
    });
  }
  preparedOf.set(statements, prepared);
  return statements;
}

/** Frees the statements of `prepareStatements` or `lazyStatements` (those it prepared). */
export function freeStatements(statements: Statements<string>): void {
  const prepared = preparedOf.get(statements) ?? Object.values(statements);
  for (const stmt of prepared) stmt.free();
}

/** First row of a prepared statement, or undefined. */
export function first(stmt: Statement, params?: BindParams): Row | undefined {
  try {
    if (params) stmt.bind(params);
    return stmt.step() ? stmt.get() : undefined;
  } finally {
    stmt.reset();
  }
}

export function all(stmt: Statement, params?: BindParams): Row[] {
  const rows: Row[] = [];
  try {
    if (params) stmt.bind(params);
    while (stmt.step()) rows.push(stmt.get());
  } finally {
    stmt.reset();
  }
  return rows;
}

/**
 * SQL that returns the rows of `select` (a SELECT of `width` columns, in its order) as one JSON
 * array of arrays, for `allJson`. On sql.js a row read with `get()` costs a call into the wasm per
 * cell and a string decoded per text cell: for tens of thousands of rows that costs several times
 * the query itself, where SQLite writes the same rows as JSON text inside the wasm and one
 * JSON.parse reads them. (Not for BLOB columns, which JSON cannot hold.)
 */
export function jsonRowsSql(select: string, width: number): string {
  const names = Array.from({ length: width }, (_, i) => `c${i}`).join(', ');
  return `WITH rows_of(${names}) AS (${select}) SELECT json_group_array(json_array(${names})) FROM rows_of`;
}

/**
 * SQL that returns, in one row, a JSON array of `width` arrays: the columns of `select` (aliased
 * or not), each in row order. For rows of plain numbers this parses into flat arrays, where
 * `jsonRowsSql` gives an array per row. (No ORDER BY inside `select`: json_group_array keeps the
 * order rows come in, the same for every column of one scan.)
 */
export function columnsJsonSql(select: string, width: number): string {
  const names = Array.from({ length: width }, (_, i) => `c${i}`);
  return `WITH rows_of(${names.join(', ')}) AS (${select}) SELECT json_array(${names
    .map((n) => `json_group_array(${n})`)
    .join(', ')}) FROM rows_of`;
}

/**
 * The start of a FROM clause over the distinct ids of a JSON array parameter, to be joined on
 * `ids.value`: `${FROM_IDS} runs r ON r.id = ids.value`. json_each is read once, in order, where
 * `IN (SELECT value FROM json_each(?))` first builds an index of all the ids, which costs more
 * than the lookups themselves once there are tens of thousands. (CROSS JOIN keeps it outermost.)
 */
export const FROM_IDS = 'FROM json_each(?) ids CROSS JOIN';

/**
 * SQLite's page cache (in sql.js's wasm memory) while queries read: small, since a page it does
 * not hold is copied again from the image, which sql.js keeps in memory anyway, while each page it
 * holds is fresh wasm memory to touch (a trace 50,000 runs deep: 8–10 % less CPU and 18 MB less
 * memory than with the ingest's). An ingest's inserts need a large one (INGEST_CACHE).
 */
export const QUERY_CACHE = 'PRAGMA cache_size = -4096';
/** The page cache while an ingest writes (64 MiB): smaller, its inserts spill pages and slow down. */
export const INGEST_CACHE = 'PRAGMA cache_size = -65536';

/** The rows of a statement prepared from `jsonRowsSql`, as `all` would give them. */
export function allJson(stmt: Statement, params?: BindParams): Row[] {
  const row = first(stmt, params);
  return row ? (JSON.parse(String(row[0])) as Row[]) : [];
}

/** Runs a statement that returns nothing. (bind/step/reset: cheaper than Statement.run.) */
export function exec(stmt: Statement, params?: BindParams): void {
  try {
    if (params) stmt.bind(params);
    stmt.step();
  } finally {
    stmt.reset();
  }
}

/**
 * Inserts rows with multi-row INSERT statements: on sql.js the cost of a statement is mostly
 * per call, so 64 rows in one call are several times cheaper than 64 calls.
 */
export class RowInserter {
  private readonly rows: SqlValue[][] = [];
  private readonly one: Statement;
  private readonly many: Statement;

  constructor(
    db: Database,
    /** e.g. `INSERT OR IGNORE INTO t (a, b) VALUES` */
    head: string,
    width: number,
    private readonly chunk = 64,
  ) {
    const tuple = `(${Array(width).fill('?').join(', ')})`;
    this.one = db.prepare(`${head} ${tuple}`);
    this.many = db.prepare(`${head} ${Array(chunk).fill(tuple).join(', ')}`);
  }

  get pending(): number {
    return this.rows.length;
  }

  add(row: SqlValue[]): void {
    this.rows.push(row);
  }

  flush(): void {
    const { rows, chunk } = this;
    let i = 0;
    if (rows.length >= chunk) {
      const params: SqlValue[] = new Array(chunk * rows[0].length);
      for (; i + chunk <= rows.length; i += chunk) {
        let k = 0;
        for (let r = i; r < i + chunk; r++) for (const value of rows[r]) params[k++] = value;
        exec(this.many, params);
      }
    }
    for (; i < rows.length; i++) exec(this.one, rows[i]);
    rows.length = 0;
  }

  free(): void {
    this.one.free();
    this.many.free();
  }
}

/** Text in SQLite's BINARY order (UTF-8 bytes), as its ORDER BY gives it. */
export function byteOrder(a: string, b: string): number {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(a + b)) return a < b ? -1 : a > b ? 1 : 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
