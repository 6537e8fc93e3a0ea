// How a terminal shows a run's parameters and metrics (names and values come from logs: visible()).
import { visible } from '../core/format';
import type { ParamValue, RunValues } from '../core/model';

/** A metric with six significant digits, a parameter as written (text bare, others as JSON). */
export const formatMetric = (value: number): string => String(Number(value.toPrecision(6)));
export const formatParam = (value: ParamValue): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

/** `name=value` pairs, one line per kind, or null when the run has none. */
export function valueLines(run: RunValues): Array<[string, string]> {
  const lines: Array<[string, string]> = [];
  const pairs = (entries: Array<[string, string]>) =>
    entries.map(([name, value]) => `${visible(name)}=${visible(value)}`).join('  ');
  const params = Object.entries(run.params).map(([k, v]): [string, string] => [k, formatParam(v)]);
  const metrics = Object.entries(run.metrics).map(([k, v]): [string, string] => [k, formatMetric(v)]);
  if (params.length) lines.push(['Params', pairs(params)]);
  if (metrics.length) lines.push(['Metrics', pairs(metrics)]);
  return lines;
}
