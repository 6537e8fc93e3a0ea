// A metric registered for a task (Task.registerMetric in Python): the facet mltrace_task with the
// role "metric" (docs/EVENTS.md). values.ts hands such a facet here; the index keeps the latest
// registration of each identifier (table task_metrics), and tasks/registered.ts reads them back.
import { OUR_FACETS } from '../events';

/** The role of an mltrace_task facet that registers a metric rather than logging values. */
export const TASK_METRIC_ROLE = 'metric';

/** A registered metric as the log records it. */
export interface TaskMetricDefinition {
  /** The Metric's name, as the user gave it. */
  name: string;
  /** mltrace's getIdentifier(): `<name>_window<size>`; one registration per task and identifier. */
  identifier: string;
  /** The most recent joined values it reads, or null for all of them. */
  windowSize: number | null;
  /** The supported metric its function is (accuracy, …), or null: a function of the user's own. */
  function: string | null;
  /** That function's name, for display (only when `function` is null). */
  callable: string | null;
}

export interface ParsedTaskMetricEvent {
  kind: 'taskMetric';
  timeMs: number;
  task: string;
  metric: TaskMetricDefinition;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmpty = (v: unknown): v is string => typeof v === 'string' && v !== '';
const optional = (v: unknown, ok: (v: unknown) => boolean): boolean => v === undefined || v === null || ok(v);
const positiveWhole = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v > 0;

/** The facet `{role: "metric", metric: {...}}`, or null with a warning when it is malformed. */
export function parseTaskMetric(
  facet: Json,
  task: string,
  timeMs: number,
  warnings: string[],
): ParsedTaskMetricEvent | null {
  const m = facet.metric;
  const ok =
    isObject(m) &&
    nonEmpty(m.name) &&
    nonEmpty(m.identifier) &&
    optional(m.windowSize, positiveWhole) &&
    optional(m.function, nonEmpty) &&
    optional(m.callable, (v) => typeof v === 'string');
  if (!ok) {
    warnings.push(
      `facet ${OUR_FACETS.task} ignored: role "metric" needs "metric": { "name", "identifier" (strings), ` +
        `"windowSize" (a positive whole number or null), "function" (a metric's name or null) }`,
    );
    return null;
  }
  return {
    kind: 'taskMetric',
    timeMs,
    task,
    metric: {
      name: m.name as string,
      identifier: m.identifier as string,
      windowSize: (m.windowSize as number | null | undefined) ?? null,
      function: (m.function as string | null | undefined) ?? null,
      callable: typeof m.callable === 'string' ? m.callable : null,
    },
  };
}
