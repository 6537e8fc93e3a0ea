// Many rows out of sql.js as one JSON array per column: the label graph reads every run's rows
// (100,000 runs: 100,000 rows per table). Where sql.ts's jsonRowsSql gives an array per row, a
// column of numbers parses into one packed array, without an object per row for the collector.
import { first, Statement, SqlValue } from '../sql';
import type { BindParams } from 'sql.js';

/** SQL giving the `width` columns of `select` (in its order) as one JSON array each, in one row. */
export function columnsSql(select: string, width: number): string {
  const names = Array.from({ length: width }, (_, i) => `c${i}`);
  return `WITH rows_of(${names.join(', ')}) AS (${select})
    SELECT ${names.map((n) => `json_group_array(${n})`).join(', ')} FROM rows_of`;
}

/** The columns of a statement prepared from `columnsSql`: all of the same length. */
export function allColumns(stmt: Statement, params?: BindParams): SqlValue[][] {
  const row = first(stmt, params);
  return row ? row.map((column) => JSON.parse(String(column)) as SqlValue[]) : [];
}
