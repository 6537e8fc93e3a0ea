// What the example logs besides its runs: whose data clean reads (labels, docs/LABELS.md) and the
// production task of the predict step, with feedback arriving later and a metric registered for it
// (tasks, the Tasks view).
import { DatasetEvent, eventSchemaURL, ourFacet, OUR_FACETS, PRODUCER } from '../core/events';
import { TASK_NAMESPACE } from '../core/ingest/values';

/** The labels clean's read of data/raw.csv attaches, by pipeline run (1: three days ago, 2: yesterday). */
export const SENSOR_LABELS: Record<number, string[]> = { 1: ['acme', 'globex'], 2: ['globex'] };

export const EXAMPLE_TASK = 'sensor-alerts';
const OUTPUTS_PER_RUN = 24;
const HOUR_MS = 3600_000;

/**
 * The task's events: each predict run raises or not an alert per reading (its outputs, named by
 * that run); the true answers come in over the following hours, some never. The first run is
 * mostly right, the second less so, the third (the retrained model) better again.
 */
export function exampleTaskEvents(
  predictions: Array<{ runId: string; start: Date }>,
  now: Date,
): DatasetEvent[] {
  const wrongEvery = [8, 3, 6];
  // Recall over the 24 most recent joined outputs, registered before the first prediction, as
  // Task("sensor-alerts").registerMetric(Metric("recall", 24, recall_score)) logs it.
  const events: DatasetEvent[] =
    predictions.length > 0
      ? [
          taskMetricEvent(new Date(predictions[0].start.getTime() - 1000), {
            name: 'recall',
            identifier: `recall_window${OUTPUTS_PER_RUN}`,
            windowSize: OUTPUTS_PER_RUN,
            function: 'recall',
          }),
        ]
      : [];
  predictions.forEach(({ runId, start }, k) => {
    const ids = Array.from({ length: OUTPUTS_PER_RUN }, (_, j) => `reading-${k + 1}-${j + 1}`);
    const predicted = ids.map((_, j) => ((j * 7 + k * 3) % 5 === 0 ? 1 : 0));
    events.push(taskEvent('output', new Date(start.getTime() + 1000), ids, predicted, runId));
    // Feedback one reading at a time, spread over the hours after (before now); every sixth never comes.
    const spacing = Math.min(HOUR_MS, (now.getTime() - start.getTime()) / (OUTPUTS_PER_RUN + 2));
    ids.forEach((id, j) => {
      if (j % 6 === 5) return;
      const truth = j % wrongEvery[k % wrongEvery.length] === 1 ? 1 - predicted[j] : predicted[j];
      events.push(taskEvent('feedback', new Date(start.getTime() + (j + 1) * spacing), [id], [truth]));
    });
  });
  return events;
}

function taskEvent(role: string, time: Date, ids: string[], values: number[], runId?: string): DatasetEvent {
  return datasetEvent(time, {
    role,
    values: ids.map((identifier, i) => ({ identifier, value: values[i] })),
    ...(runId ? { runId } : {}),
  });
}

/** A metric registered for the task (docs/EVENTS.md, Registered metrics). */
function taskMetricEvent(
  time: Date,
  metric: { name: string; identifier: string; windowSize: number | null; function: string },
): DatasetEvent {
  return datasetEvent(time, { role: 'metric', metric });
}

function datasetEvent(time: Date, facet: Record<string, unknown>): DatasetEvent {
  return {
    eventTime: time.toISOString(),
    producer: PRODUCER,
    schemaURL: eventSchemaURL('DatasetEvent'),
    dataset: {
      namespace: TASK_NAMESPACE,
      name: EXAMPLE_TASK,
      facets: {
        [OUR_FACETS.task]: ourFacet(OUR_FACETS.task, facet),
      },
    },
  };
}
