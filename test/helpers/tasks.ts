// A task's DatasetEvent (facet mltrace_task, docs/EVENTS.md), as the Python shim writes one.
import { ourFacet } from '../../src/core/events';
import { at } from './lineage';

/** Values of `task` logged `seconds` after BASE_MS; `runId`: the run that logged them. */
export function taskEvent(
  task: string,
  role: string,
  seconds: number,
  values: Array<[string, unknown]>,
  runId?: string,
) {
  return taskDatasetEvent(task, seconds, {
    role,
    values: values.map(([identifier, value]) => ({ identifier, value })),
    ...(runId ? { runId } : {}),
  });
}

/** A metric registered for `task` `seconds` after BASE_MS (role "metric"), as Task.registerMetric logs it. */
export function taskMetricEvent(task: string, seconds: number, metric: unknown) {
  return taskDatasetEvent(task, seconds, { role: 'metric', metric });
}

function taskDatasetEvent(task: string, seconds: number, facet: Record<string, unknown>) {
  return {
    eventTime: at(seconds).toISOString(),
    producer: 'https://example.com/test',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
    dataset: {
      namespace: 'mltrace-task',
      name: task,
      facets: { mltrace_task: ourFacet('mltrace_task', facet) },
    },
  };
}
