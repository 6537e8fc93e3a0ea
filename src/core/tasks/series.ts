// A task's metric over time, for the editor's chart: at each moment an output or feedback was
// logged, the metric over a sliding window of the joined values known then, and how much of the
// output had feedback by then (coverage). Computed from the index's latest value per identifier
// and role, and ordered by time, then identifier, never by log order: the same events read in any
// order give the same series.
import { all, Statement } from '../sql';
import { computeMetric, MAX_POINTS } from './index';
import type { SeriesWindow, TaskSeriesPoint } from './model';

export type { SeriesWindow, TaskSeriesPoint } from './model';

/** An output, and its feedback when there is some (latest value of each, tasks/index.ts). */
export interface TaskOutcome {
  identifier: string;
  yPred: number;
  outputMs: number;
  yTrue: number | null;
  feedbackMs: number | null;
}

/**
 * The window a point's metric is computed over: every joined value so far, the `size` most recent
 * (by when they were joined: the later of output and feedback, as a registered Metric's
 * window_size), or those whose output and feedback were both logged in the `size` seconds up to
 * the point (as compute_metric's window_size).
 */

const OUTCOMES_SQL = `SELECT o.identifier, o.value, o.time_ms, f.value, f.time_ms FROM task_values o
  LEFT JOIN task_values f ON f.task = o.task AND f.identifier = o.identifier AND f.role = 'feedback'
  WHERE o.task = ? AND o.role = 'output' ORDER BY o.time_ms, o.identifier`;

/** Every output of a task with its feedback, oldest output first. */
export function taskOutcomes(stmt: (sql: string) => Statement, task: string): TaskOutcome[] {
  return all(stmt(OUTCOMES_SQL), [task]).map(([identifier, yPred, outputMs, yTrue, feedbackMs]) => ({
    identifier: String(identifier),
    yPred: Number(yPred),
    outputMs: Number(outputMs),
    yTrue: yTrue === null ? null : Number(yTrue),
    feedbackMs: feedbackMs === null ? null : Number(feedbackMs),
  }));
}

/** Why a window cannot be used, or null. */
export function badWindow(window: SeriesWindow): string | null {
  if (window.kind === 'all') return null;
  if (!Number.isFinite(window.size) || window.size <= 0)
    return `a window of ${window.kind} must be a positive number, not ${window.size}`;
  if (window.kind === 'count' && !Number.isInteger(window.size))
    return `a window of count must be a whole number, not ${window.size}`;
  return null;
}

interface Joined {
  identifier: string;
  yPred: number;
  yTrue: number;
  outputMs: number;
  feedbackMs: number;
  /** When both were logged: the later of the two. */
  atMs: number;
}

const byTimeThenId = (a: Joined, b: Joined): number =>
  a.atMs - b.atMs || (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0);

/**
 * The metric `name` over time. Points are the distinct times an output or feedback was logged (at
 * most MAX_POINTS of them, evenly spread, always with the last); at each, the window of joined
 * values known then, and the coverage of the outputs logged by then.
 */
export function taskSeries(
  name: string,
  outcomes: readonly TaskOutcome[],
  window: SeriesWindow = { kind: 'all' },
): TaskSeriesPoint[] {
  const problem = badWindow(window);
  if (problem) throw new RangeError(problem);
  const joined: Joined[] = [];
  const times = new Set<number>();
  for (const o of outcomes) {
    times.add(o.outputMs);
    if (o.feedbackMs === null || o.yTrue === null) continue;
    times.add(o.feedbackMs);
    joined.push({ ...o, yTrue: o.yTrue, feedbackMs: o.feedbackMs, atMs: Math.max(o.outputMs, o.feedbackMs) });
  }
  joined.sort(byTimeThenId);
  const outputTimes = outcomes.map((o) => o.outputMs).sort((a, b) => a - b);
  const coveredTimes = joined.map((j) => j.atMs); // sorted: joined is by atMs
  const sorted = [...times].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(sorted.length / MAX_POINTS));
  const points: TaskSeriesPoint[] = [];
  for (let i = sorted.length - 1; i >= 0; i -= step) {
    const at = sorted[i];
    const known = joined.slice(0, upperBound(coveredTimes, at));
    let inWindow: Joined[];
    let outputs: number;
    let withFeedback: number;
    if (window.kind === 'seconds') {
      const cutoff = at - window.size * 1000;
      inWindow = known.filter((j) => j.outputMs >= cutoff && j.feedbackMs >= cutoff);
      outputs = upperBound(outputTimes, at) - lowerBound(outputTimes, cutoff);
      withFeedback = known.filter((j) => j.outputMs >= cutoff).length;
    } else {
      inWindow = window.kind === 'count' ? known.slice(-window.size) : known;
      outputs = upperBound(outputTimes, at);
      withFeedback = known.length;
    }
    points.push({
      time: new Date(at).toISOString(),
      value: computeMetric(name, inWindow).value,
      count: inWindow.length,
      outputs,
      withFeedback,
      coverage: outputs ? withFeedback / outputs : 0,
    });
  }
  return points.reverse();
}

/** Index of the first element > value in an ascending array. */
function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first element >= value in an ascending array. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
