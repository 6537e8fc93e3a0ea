// `mltrace tasks` and `mltrace metrics <task>`: production metrics of a task's outputs joined
// with their feedback (src/core/tasks). Human tables here; --json gives the same figures.
import { visible } from '../core/format';
import type { LineageStore } from '../core/store';
import { computeMetric, MetricPoint, metricSeries, TaskSummary, withinSeconds } from '../core/tasks';
import { defaultMetrics, METRIC_NAMES } from '../core/tasks/metrics';
import type { RegisteredMetricValue } from '../core/tasks/model';
import { windowLabel } from '../core/tasks/registeredChart';
import { registeredMetricValues } from '../core/tasks/registered';
import { dim, relativeTime, table } from './tables';
import { formatMetric } from '../core/valueText';

export interface MetricsReport {
  task: string;
  outputs: number;
  feedback: number;
  /** Outputs that have feedback, in the window. */
  joined: number;
  /** joined / outputs of the whole task (how much of the output has feedback). */
  coverage: number;
  windowSeconds: number | null;
  metrics: Array<{ name: string; value: number | null; error?: string }>;
  /** The first metric over time (at most 200 points), each over the window that ends there. */
  series: MetricPoint[];
  /**
   * The metrics registered for the task (Task.registerMetric, in any process), each over its own
   * window (its most recent joined values), with its value where the engine computes it.
   */
  registered: RegisteredMetricValue[];
}

/** The figures of `mltrace metrics`; `metric` must be one of METRIC_NAMES (checked by the caller). */
export function metricsReport(
  store: LineageStore,
  task: string,
  options: { metric?: string; windowSeconds?: number; nowMs?: number } = {},
): MetricsReport {
  const all = store.taskValues(task);
  const summary = store.tasks().find((t) => t.name === task)!;
  const values = withinSeconds(all, options.windowSeconds, options.nowMs ?? Date.now());
  const names = options.metric ? [options.metric] : defaultMetrics(all.flatMap((v) => [v.yTrue, v.yPred]));
  return {
    task,
    outputs: summary.outputs,
    feedback: summary.feedback,
    joined: values.length,
    coverage: summary.outputs ? summary.joined / summary.outputs : 0,
    windowSeconds: options.windowSeconds ?? null,
    metrics: names.map((name) => ({ name, ...computeMetric(name, values) })),
    series: metricSeries(names[0], all, options.windowSeconds),
    registered: registeredMetricValues(store.taskMetrics(task), all),
  };
}

export function metricsText(report: MetricsReport): string {
  const window = report.windowSeconds === null ? 'all time' : `the last ${report.windowSeconds} s`;
  const head =
    `Task ${visible(report.task)}: ${report.outputs} outputs, ${report.feedback} feedback; ` +
    `${Math.round(report.coverage * 100)}% of outputs have feedback. Over ${window}: ${report.joined} joined.`;
  const rows = report.metrics.map((m) => [
    m.name,
    m.value === null ? '—' : formatMetric(m.value),
    m.error ? dim(visible(m.error)) : '',
  ]);
  const text = `${head}\n\n${table(['METRIC', 'VALUE', ''], rows)}`;
  if (report.registered.length === 0) return text;
  const registered = report.registered.map((m) => [
    visible(m.identifier),
    windowLabel(m.windowSize),
    m.value === null ? '—' : formatMetric(m.value),
    m.error ? dim(visible(m.error)) : '',
  ]);
  return `${text}\n\nRegistered (Task.registerMetric), each over its own window of joined values:\n\n${table(['REGISTERED', 'WINDOW', 'VALUE', ''], registered)}`;
}

export function tasksTable(tasks: TaskSummary[]): string {
  if (tasks.length === 0) return dim('No tasks. Log outputs with Task(name).logOutput(value, identifier).');
  return table(
    ['TASK', 'OUTPUTS', 'FEEDBACK', 'JOINED', 'COVERAGE', 'LAST'],
    tasks.map((t) => [
      visible(t.name),
      String(t.outputs),
      String(t.feedback),
      String(t.joined),
      `${t.outputs ? Math.round((t.joined / t.outputs) * 100) : 0}%`,
      relativeTime(t.lastTime),
    ]),
  );
}

/** Why a --metric is not one we compute, or null. */
export function unknownMetric(name: string): string | null {
  return METRIC_NAMES.includes(name)
    ? null
    : `--metric must be one of ${METRIC_NAMES.join(', ')}; not "${name}".`;
}
