// How a run's parameters and metrics read as text, the same in the terminal and the webviews.
import type { ParamValue, RunValues } from './model';

/** A metric with six significant digits. */
export const formatMetric = (value: number): string => String(Number(value.toPrecision(6)));

/** A parameter as written: text bare, anything else as JSON. */
export const formatParam = (value: ParamValue): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** The names that any of these runs has, sorted: the columns of a history table. */
export function valueNames(runs: readonly RunValues[]): { params: string[]; metrics: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    for (const name of Object.keys(run.params)) params.add(name);
    for (const name of Object.keys(run.metrics)) metrics.add(name);
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}
