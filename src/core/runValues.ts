// A run's parameters and metrics as queries return them (facets mltrace_params, mltrace_metrics;
// stored in run_values by ingest/applyBatch.ts). One statement for any number of runs.
import type { ParamValue, RunValues } from './model';
import { all, Statement } from './sql';

export const RUN_VALUES_SQL = `SELECT run_id, kind, name, value FROM run_values
  WHERE run_id IN (SELECT value FROM json_each(?)) ORDER BY run_id, kind, name`;

const noValues = (): RunValues => ({ params: {}, metrics: {} });

/** The values of each run (by index row id); a run with none gets empty objects. */
export function readRunValues(stmt: Statement, rowIds: readonly number[]): Map<number, RunValues> {
  const byRun = new Map<number, RunValues>(rowIds.map((id) => [id, noValues()]));
  if (rowIds.length === 0) return byRun;
  for (const [runId, kind, name, value] of all(stmt, [JSON.stringify(rowIds)])) {
    const values = byRun.get(Number(runId));
    if (!values) continue;
    const parsed = JSON.parse(String(value)) as ParamValue;
    if (kind === 'metric') values.metrics[String(name)] = Number(parsed);
    else values.params[String(name)] = parsed;
  }
  return byRun;
}
