// The named metrics of a task, as scikit-learn computes them with its defaults (and as the
// Python shim's standard-library versions do, python/mltrace/_metric_functions.py): binary
// precision, recall and F1 of the label 1, zero division counted as 0, R² and explained variance
// of a constant target 1 when predicted exactly and 0 otherwise. Called as fn(yTrue, yPred).

export type MetricFunction = (yTrue: readonly number[], yPred: readonly number[]) => number;

/** A metric that cannot be computed on these values (the message says why, as scikit-learn would). */
export class MetricError extends Error {}

function check(yTrue: readonly number[], yPred: readonly number[]): void {
  if (yTrue.length !== yPred.length)
    throw new MetricError(`inconsistent numbers of samples: ${yTrue.length} and ${yPred.length}`);
  if (yTrue.length === 0) throw new MetricError('no output has feedback yet');
}

const sum = (values: Iterable<number>): number => {
  let total = 0;
  for (const v of values) total += v;
  return total;
};
const mean = (values: readonly number[]): number => sum(values) / values.length;
const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const finiteScore = (numerator: number, denominator: number): number =>
  denominator === 0 ? (numerator === 0 ? 1 : 0) : 1 - numerator / denominator;

function binaryCounts(
  yTrue: readonly number[],
  yPred: readonly number[],
): { tp: number; fp: number; fn: number } {
  check(yTrue, yPred);
  const labels = new Set([...yTrue, ...yPred]);
  if (labels.size > 2)
    throw new MetricError('more than two labels: precision, recall and f1 are for labels 0 and 1');
  if (labels.size === 2 && !labels.has(1))
    throw new MetricError('the positive label 1 is not among the labels');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  yTrue.forEach((t, i) => {
    const p = yPred[i];
    if (p === 1 && t === 1) tp++;
    else if (p === 1) fp++;
    else if (t === 1) fn++;
  });
  return { tp, fp, fn };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export const METRICS: Readonly<Record<string, MetricFunction>> = {
  accuracy(yTrue, yPred) {
    check(yTrue, yPred);
    return yTrue.filter((t, i) => t === yPred[i]).length / yTrue.length;
  },
  precision(yTrue, yPred) {
    const { tp, fp } = binaryCounts(yTrue, yPred);
    return ratio(tp, tp + fp);
  },
  recall(yTrue, yPred) {
    const { tp, fn } = binaryCounts(yTrue, yPred);
    return ratio(tp, tp + fn);
  },
  f1(yTrue, yPred) {
    const { tp, fp, fn } = binaryCounts(yTrue, yPred);
    return ratio(2 * tp, 2 * tp + fp + fn);
  },
  mean_absolute_error(yTrue, yPred) {
    check(yTrue, yPred);
    return mean(yTrue.map((t, i) => Math.abs(t - yPred[i])));
  },
  mean_squared_error(yTrue, yPred) {
    check(yTrue, yPred);
    return mean(yTrue.map((t, i) => (t - yPred[i]) ** 2));
  },
  median_absolute_error(yTrue, yPred) {
    check(yTrue, yPred);
    return median(yTrue.map((t, i) => Math.abs(t - yPred[i])));
  },
  r2(yTrue, yPred) {
    check(yTrue, yPred);
    if (yTrue.length < 2) return NaN;
    const m = mean(yTrue);
    return finiteScore(sum(yTrue.map((t, i) => (t - yPred[i]) ** 2)), sum(yTrue.map((t) => (t - m) ** 2)));
  },
  explained_variance(yTrue, yPred) {
    check(yTrue, yPred);
    const errors = yTrue.map((t, i) => t - yPred[i]);
    const em = mean(errors);
    const tm = mean(yTrue);
    return finiteScore(mean(errors.map((e) => (e - em) ** 2)), mean(yTrue.map((t) => (t - tm) ** 2)));
  },
};

export const METRIC_NAMES = Object.keys(METRICS);

/** The metrics worth showing when none is asked for: classification ones for labels 0/1, else regression ones. */
export function defaultMetrics(values: readonly number[]): string[] {
  const labels = new Set(values);
  if ([...labels].every((v) => v === 0 || v === 1)) return ['accuracy', 'precision', 'recall', 'f1'];
  if (values.every(Number.isInteger) && labels.size <= 20) return ['accuracy'];
  return ['mean_absolute_error', 'mean_squared_error', 'r2'];
}
