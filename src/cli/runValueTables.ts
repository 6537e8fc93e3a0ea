// Parameters and metrics of runs in a terminal: columns of `mltrace history`, lines of
// `mltrace inspect`. Names and values come from logs: shown through visible().
import { visible } from '../core/format';
import type { HistoryRun } from '../core/model';
import { formatMetric, formatParam, valueNames } from '../core/valueText';
import { shortId } from '../core/format';
import { dim, duration, list, relativeTime, runsTable, status, table } from './tables';

/** Value columns a history table shows at most; --json has them all. */
export const MAX_VALUE_COLUMNS = 8;

/** A component's runs, with a column per parameter and metric that any of them has. */
export function historyTable(runs: HistoryRun[]): string {
  const names = valueNames(runs);
  const columns = [
    ...names.params.map((name) => ({ name, metric: false })),
    ...names.metrics.map((name) => ({ name, metric: true })),
  ];
  if (runs.length === 0 || columns.length === 0) return runsTable(runs);
  const shown = columns.slice(0, MAX_VALUE_COLUMNS);
  const rows = runs.map((run) => [
    visible(shortId(run.id)),
    relativeTime(run.startTime),
    duration(run),
    status(run),
    ...shown.map(({ name, metric }) => {
      if (metric) return name in run.metrics ? formatMetric(run.metrics[name]) : '—';
      return name in run.params ? visible(formatParam(run.params[name])) : '—';
    }),
    `${list(run.inputs)} → ${list(run.outputs)}`,
  ]);
  const header = [
    'ID',
    'STARTED',
    'DURATION',
    'STATUS',
    ...shown.map((c) => visible(c.name)),
    'INPUTS → OUTPUTS',
  ];
  const more = columns.length - shown.length;
  const note = more > 0 ? `\n${dim(`${more} more parameter and metric columns: see --json`)}` : '';
  return table(header, rows) + note;
}
