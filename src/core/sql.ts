// Loading sql.js and small typed helpers over its prepared statements.
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { BindParams, Database, SqlJsStatic, SqlValue, Statement } from 'sql.js';

export type { Database, Statement, SqlValue };
export type Row = SqlValue[];

let sqlJs: Promise<SqlJsStatic> | undefined;

/** sql.js with its wasm read from beside the bundle (or from node_modules when run from source). */
export function loadSqlJs(): Promise<SqlJsStatic> {
  sqlJs ??= (async () => {
    const beside = path.join(__dirname, 'sql-wasm.wasm');
    const file = fs.existsSync(beside) ? beside : require.resolve('sql.js/dist/sql-wasm.wasm');
    const wasmBinary = fs.readFileSync(file);
    return initSqlJs({ wasmBinary: wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer });
  })();
  return sqlJs;
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

export function run(stmt: Statement, params?: BindParams): void {
  stmt.run(params);
}
