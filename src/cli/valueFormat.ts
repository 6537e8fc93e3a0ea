// How a terminal shows a run's parameters and metrics (names and values come from logs: visible()).
import { visible } from '../core/format';
import type { RunValues } from '../core/model';
import { formatMetric, formatParam } from '../core/valueText';

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
