// How the editor shows a registered metric (tasks/registered.ts): its window in words and the chart
// that draws it. No store here: the Tasks view and the task webview both import it.
import type { RegisteredMetricValue, SeriesWindow } from './model';

/** A registered metric's window in a few words: `last 100` (joined values), or `all`. */
export const windowLabel = (windowSize: number | null): string =>
  windowSize === null ? 'all' : `last ${windowSize}`;

/** The chart of a registered metric the engine computes: its function over its window of joined values. */
export function chartOf(metric: RegisteredMetricValue): { metric: string; window: SeriesWindow } | null {
  if (!metric.computable || metric.function === null) return null;
  return {
    metric: metric.function,
    window: metric.windowSize === null ? { kind: 'all' } : { kind: 'count', size: metric.windowSize },
  };
}
