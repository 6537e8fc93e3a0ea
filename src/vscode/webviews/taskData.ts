// The data of a task's panel, from the engine's queries (no `vscode` here, as panelData.ts): the
// chosen metric over time (src/core/tasks/series.ts), the registered and default metrics now, and
// the runs that logged the task's outputs.
import { computeMetric } from '../../core/tasks';
import { defaultMetrics, METRIC_NAMES } from '../../core/tasks/metrics';
import { registeredMetricValues } from '../../core/tasks/registered';
import { badWindow, SeriesWindow, taskSeries } from '../../core/tasks/series';
import type { TaskData } from '../../shared/protocol';
import type { Staleness } from './panelData';
import type { LineageQueries } from './panelHost';

/** What the panel was asked to show; unset fields take the task's defaults. */
export interface TaskChoice {
  metric?: string;
  window?: SeriesWindow;
}

export function taskData(
  store: LineageQueries,
  name: string,
  choice: TaskChoice = {},
  staleness?: Staleness,
): TaskData {
  const task = store.tasks().find((t) => t.name === name);
  if (!task) throw new Error(`No task is named "${name}" in this log any more.`);
  const joined = store.taskValues(name);
  const outcomes = store.taskOutcomes(name);
  const defaults = defaultMetrics(
    outcomes.flatMap((o) => (o.yTrue === null ? [o.yPred] : [o.yPred, o.yTrue])),
  );
  if (choice.metric !== undefined && !METRIC_NAMES.includes(choice.metric))
    throw new Error(`The metric must be one of ${METRIC_NAMES.join(', ')}; not "${choice.metric}".`);
  const window = choice.window ?? { kind: 'all' };
  const problem = badWindow(window);
  if (problem) throw new Error(`Cannot draw the metric over that window: ${problem}.`);
  const metric = choice.metric ?? defaults[0];
  const runs = store.taskRuns(name);
  // As the other views show it (only a component's latest run can be stale), when the host says so.
  if (staleness) {
    const reasons = staleness(runs);
    for (const run of runs) run.stale = reasons.get(run.id) ?? [];
  }
  return {
    view: 'task',
    task,
    metricNames: [...METRIC_NAMES],
    metric,
    window,
    series: taskSeries(metric, outcomes, window),
    current: defaults.map((m) => ({ name: m, ...computeMetric(m, joined) })),
    registered: registeredMetricValues(store.taskMetrics(name), joined),
    runs,
  };
}
