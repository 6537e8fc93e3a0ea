// What the task queries answer (index.ts, series.ts), as plain types: the webviews' protocol
// names them without taking in the store.

export interface TaskSummary {
  name: string;
  outputs: number;
  feedback: number;
  /** Outputs that have feedback. */
  joined: number;
  /** ISO time of the latest output or feedback. */
  lastTime: string | null;
}

export type SeriesWindow =
  { kind: 'all' } | { kind: 'count'; size: number } | { kind: 'seconds'; size: number };

export interface TaskSeriesPoint {
  /** ISO time of the point (an output or feedback was logged then). */
  time: string;
  /** The metric over the window, or null when it cannot be computed (no joined value in it). */
  value: number | null;
  /** Joined values in the window. */
  count: number;
  /** Outputs logged by then (in the window, for a window of seconds). */
  outputs: number;
  /** Of those, how many had feedback by then. */
  withFeedback: number;
  /** withFeedback / outputs (0 without outputs). */
  coverage: number;
}

/** A metric registered for a task (Task.registerMetric), as the log records it (ingest/taskMetric.ts). */
export interface RegisteredTaskMetric {
  /** mltrace's identifier, `<name>_window<size>`: computeMetrics returns values by it. */
  identifier: string;
  name: string;
  /** The most recent joined values (by feedback time) it reads; null: all of them. */
  windowSize: number | null;
  /** The supported metric its function is (accuracy, …), or null: a function of the user's own. */
  function: string | null;
  /** That function's name, when it is the user's own. */
  callable: string | null;
  /** ISO time of its latest registration. */
  registeredTime: string;
}

/** A registered metric with its value now, where this engine can compute it (tasks/registered.ts). */
export interface RegisteredMetricValue extends RegisteredTaskMetric {
  /** False when only Python can compute it (a function of the user's own, or one of scikit-learn's only). */
  computable: boolean;
  value: number | null;
  /** Why there is no value. */
  error?: string;
}
