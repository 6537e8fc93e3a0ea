// What runs and tasks say beyond lineage (docs/EVENTS.md): a run's parameters and metrics
// (run facets mltrace_params, mltrace_metrics) and a task's outputs, feedback and registered
// metrics (DatasetEvents with the facet mltrace_task). Parsed here; parseEvent.ts calls these, runDeltas.ts groups them
// and applyBatch.ts keeps the latest value of each name (by event time, then log order).
import { OUR_FACETS } from '../events';
import { parseTaskMetric, TASK_METRIC_ROLE, type ParsedTaskMetricEvent } from './taskMetric';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export type RunValueKind = 'param' | 'metric';

/** A parameter or a metric of a run; `value` is JSON text (a metric's is a finite number). */
export interface RunValue {
  kind: RunValueKind;
  name: string;
  value: string;
}

/** The parameters and metrics a run event's facets carry. */
export function parseRunValues(runFacets: Json, warnings: string[]): RunValue[] {
  const values: RunValue[] = [];
  const params = runFacets[OUR_FACETS.params];
  if (params !== undefined) {
    if (isObject(params) && isObject(params.params)) {
      for (const [name, value] of Object.entries(params.params)) {
        values.push({ kind: 'param', name, value: JSON.stringify(value ?? null) });
      }
    } else warnings.push(`facet ${OUR_FACETS.params} ignored: "params" must be an object`);
  }
  const metrics = runFacets[OUR_FACETS.metrics];
  if (metrics !== undefined) {
    if (isObject(metrics) && isObject(metrics.metrics)) {
      for (const [name, value] of Object.entries(metrics.metrics)) {
        if (typeof value === 'number' && Number.isFinite(value))
          values.push({ kind: 'metric', name, value: JSON.stringify(value) });
        else warnings.push(`metric "${name}" of facet ${OUR_FACETS.metrics} ignored: not a finite number`);
      }
    } else warnings.push(`facet ${OUR_FACETS.metrics} ignored: "metrics" must be an object`);
  }
  return values;
}

/** Outputs of a model, or the feedback (true values) that came later for them. */
export type TaskRole = 'output' | 'feedback';
export const TASK_ROLES: readonly TaskRole[] = ['output', 'feedback'];

export interface ParsedTaskEvent {
  kind: 'task';
  timeMs: number;
  task: string;
  role: TaskRole;
  values: Array<{ identifier: string; value: number }>;
  /** The run that logged them (the facet's optional `runId`), or null. */
  runId: string | null;
}

/** The task dataset an mltrace_task facet is on: `{ namespace: TASK_NAMESPACE, name: task }`. */
export const TASK_NAMESPACE = 'mltrace-task';

/** A DatasetEvent's mltrace_task facet, or null (with a warning) when it has the wrong shape. */
export function parseTaskFacet(
  facet: unknown,
  task: string,
  timeMs: number,
  warnings: string[],
): ParsedTaskEvent | ParsedTaskMetricEvent | null {
  const where = `facet ${OUR_FACETS.task}`;
  if (isObject(facet) && facet.role === TASK_METRIC_ROLE)
    return parseTaskMetric(facet, task, timeMs, warnings);
  if (!isObject(facet) || !TASK_ROLES.includes(facet.role as TaskRole) || !Array.isArray(facet.values)) {
    warnings.push(
      `${where} ignored: it needs "role" (output or feedback) and a "values" array, or "role" metric and a "metric" object`,
    );
    return null;
  }
  const values: ParsedTaskEvent['values'] = [];
  for (const item of facet.values) {
    const ok =
      isObject(item) &&
      typeof item.identifier === 'string' &&
      typeof item.value === 'number' &&
      Number.isFinite(item.value);
    if (ok) values.push({ identifier: item.identifier as string, value: item.value as number });
    else warnings.push(`a value of ${where} ignored: it needs a string "identifier" and a finite "value"`);
  }
  const runId = typeof facet.runId === 'string' && facet.runId ? facet.runId : null;
  return { kind: 'task', timeMs, task, role: facet.role as TaskRole, values, runId };
}
