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
