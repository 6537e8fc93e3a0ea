// The metrics registered for a task (Task.registerMetric in any process; table task_metrics), and
// their values now where the engine can compute them: those whose function is one of its named
// metrics (metrics.ts), over the same window the Python shim's computeMetrics uses (the window's
// most recent joined values by feedback time, then log order), so that both show one number.
import { all, Statement } from '../sql';
import { computeMetric, type JoinedValue } from './index';
import { METRIC_NAMES } from './metrics';
import type { RegisteredMetricValue, RegisteredTaskMetric } from './model';

const REGISTERED_SQL = `SELECT identifier, name, window_size, function, callable, time_ms FROM task_metrics
  WHERE task = ? ORDER BY time_ms, seq`;

/** The metrics registered for a task, by when each was last registered. */
export function registeredMetrics(stmt: (sql: string) => Statement, task: string): RegisteredTaskMetric[] {
  return all(stmt(REGISTERED_SQL), [task]).map(([identifier, name, windowSize, fn, callable, ms]) => ({
    identifier: String(identifier),
    name: String(name),
    windowSize: windowSize === null ? null : Number(windowSize),
    function: fn === null ? null : String(fn),
    callable: callable === null ? null : String(callable),
    registeredTime: new Date(Number(ms)).toISOString(),
  }));
}

/** Why the engine cannot compute a registered metric, or null when it can. */
export function notComputable(metric: RegisteredTaskMetric): string | null {
  if (metric.function === null)
    return `a function of its own (${metric.callable ?? 'unnamed'}): only the Python process that registers it computes it`;
  if (!METRIC_NAMES.includes(metric.function))
    return `${metric.function} is computed by Python with scikit-learn only`;
  return null;
}

/** Each registered metric with its value over its window of `joined` (by feedback time, oldest first). */
export function registeredMetricValues(
  metrics: readonly RegisteredTaskMetric[],
  joined: readonly JoinedValue[],
): RegisteredMetricValue[] {
  return metrics.map((metric) => {
    const why = notComputable(metric);
    if (why !== null) return { ...metric, computable: false, value: null, error: why };
    const window = metric.windowSize === null ? joined : joined.slice(-metric.windowSize);
    return { ...metric, computable: true, ...computeMetric(metric.function!, window) };
  });
}
