// Tasks: a model's outputs in production and the feedback that came later (facet mltrace_task,
// table task_values), joined by identifier, and metrics over them, now and over time. The same
// joins and windows as the Python shim's (python/mltrace/_tasks.py), so that `mltrace metrics`
// and `compute_metric` agree.
import { all, Statement } from '../sql';
import { MetricError, METRICS } from './metrics';
import type { TaskSummary } from './model';

export type { TaskSummary } from './model';

/** An output with its feedback. */
export interface JoinedValue {
  identifier: string;
  yPred: number;
  yTrue: number;
  outputMs: number;
  feedbackMs: number;
}

export interface MetricPoint {
  /** ISO time of the feedback the point ends at. */
  time: string;
  value: number | null;
  /** Joined values in the window. */
  count: number;
}

/** Tasks with values, and those that only registered metrics so far (no values: counts 0). */
export const TASK_SQL = {
  list: `SELECT task, sum(role = 'output'), sum(role = 'feedback'), max(time_ms),
      (SELECT count(*) FROM task_values o JOIN task_values f ON f.task = o.task AND f.identifier = o.identifier
        AND f.role = 'feedback' WHERE o.task = t.task AND o.role = 'output')
    FROM task_values t GROUP BY task
    UNION ALL SELECT DISTINCT task, 0, 0, NULL, 0 FROM task_metrics WHERE task NOT IN (SELECT task FROM task_values)
    ORDER BY 1`,
  joined: `SELECT o.identifier, o.value, o.time_ms, f.value, f.time_ms FROM task_values o
    JOIN task_values f ON f.task = o.task AND f.identifier = o.identifier AND f.role = 'feedback'
    WHERE o.task = ? AND o.role = 'output' ORDER BY f.time_ms, f.seq`,
};

export function listTasks(stmt: (sql: string) => Statement): TaskSummary[] {
  return all(stmt(TASK_SQL.list)).map(([name, outputs, feedback, lastMs, joined]) => ({
    name: String(name),
    outputs: Number(outputs),
    feedback: Number(feedback),
    joined: Number(joined),
    lastTime: lastMs === null ? null : new Date(Number(lastMs)).toISOString(),
  }));
}

/** Every output that has feedback, by feedback time, then log order. */
export function joinedValues(stmt: (sql: string) => Statement, task: string): JoinedValue[] {
  return all(stmt(TASK_SQL.joined), [task]).map(([identifier, yPred, outputMs, yTrue, feedbackMs]) => ({
    identifier: String(identifier),
    yPred: Number(yPred),
    yTrue: Number(yTrue),
    outputMs: Number(outputMs),
    feedbackMs: Number(feedbackMs),
  }));
}

/** mltrace's window: the output and its feedback both logged in the `seconds` before `nowMs`. */
export function withinSeconds(
  values: readonly JoinedValue[],
  seconds: number | undefined,
  nowMs: number,
): JoinedValue[] {
  if (!seconds) return [...values];
  const cutoff = nowMs - seconds * 1000;
  return values.filter((v) => v.outputMs >= cutoff && v.feedbackMs >= cutoff);
}

/** A named metric of joined values: its value, or null with the reason when it cannot be computed. */
export function computeMetric(
  name: string,
  values: readonly JoinedValue[],
): { value: number | null; error?: string } {
  const fn = METRICS[name];
  if (!fn) throw new MetricError(`unknown metric "${name}"`);
  try {
    const value = fn(
      values.map((v) => v.yTrue),
      values.map((v) => v.yPred),
    );
    return { value: Number.isNaN(value) ? null : value };
  } catch (error) {
    if (error instanceof MetricError) return { value: null, error: error.message };
    throw error;
  }
}

/** Points a chart draws at most: the metric is computed at this many feedback times, evenly spread. */
export const MAX_POINTS = 200;

/**
 * The metric over time: at each feedback time (at most MAX_POINTS of them), its value over the
 * joined values of the window that ends there (`seconds` before it; all so far without a window).
 */
export function metricSeries(name: string, values: readonly JoinedValue[], seconds?: number): MetricPoint[] {
  const step = Math.max(1, Math.ceil(values.length / MAX_POINTS));
  const points: MetricPoint[] = [];
  for (let end = values.length - 1; end >= 0; end -= step) {
    const at = values[end].feedbackMs;
    const window = withinSeconds(values.slice(0, end + 1), seconds, at);
    points.push({
      time: new Date(at).toISOString(),
      value: computeMetric(name, window).value,
      count: window.length,
    });
  }
  return points.reverse();
}
