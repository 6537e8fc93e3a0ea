// How a run's parameters and metrics read as text, the same in the terminal and the webviews.
import type { ParamValue } from './model';

/** A metric with six significant digits. */
export const formatMetric = (value: number): string => String(Number(value.toPrecision(6)));

/** A parameter as written: text bare, anything else as JSON. */
export const formatParam = (value: ParamValue): string =>
  typeof value === 'string' ? value : JSON.stringify(value);
