// Tasks and labels in the panels: a task's metric over time, a label's spread in the lineage graph.
import * as vscode from 'vscode';
import type { LineageStore } from '../../core/store';
import { Commands } from '../constants';
import { LabelNode } from '../labels/labelsView';
import { coveragePercent, TaskNode } from '../tasks/tasksView';
import { pickLabel } from '../webviews/labelPick';
import type { TaskChoice } from '../webviews/taskData';
import { isSeriesWindow } from '../../shared/protocol';
import { plural, visible } from '../presentation';
import { command, type CommandDefinition, type CommandDeps } from './needs';

export function taskCommands({ webviews }: CommandDeps): CommandDefinition[] {
  return [
    command(Commands.openTask, { store: true }, async ({ store }, arg?: unknown, chart?: unknown) => {
      const task = taskOf(arg) ?? (await pickTask(store));
      if (task) webviews.openTask(task, chartOf(chart));
    }),

    command(Commands.highlightLabel, { store: true }, async ({ store }, arg?: unknown) => {
      const label =
        arg instanceof LabelNode
          ? arg.label.label
          : typeof arg === 'string' && arg
            ? arg
            : await pickLabel(store.labels.list(), null);
      if (label !== undefined) webviews.showLabelInGraph(label);
    }),
  ];
}

/** The metric and window a registered metric's node asks to chart (registeredMetricNode.ts), if any. */
function chartOf(arg: unknown): TaskChoice | undefined {
  if (typeof arg !== 'object' || arg === null) return undefined;
  const { metric, window } = arg as Record<string, unknown>;
  return typeof metric === 'string' && isSeriesWindow(window) ? { metric, window } : undefined;
}

function taskOf(arg: unknown): string | undefined {
  if (arg instanceof TaskNode) return arg.task.name;
  return typeof arg === 'string' && arg ? arg : undefined;
}

async function pickTask(store: LineageStore): Promise<string | undefined> {
  const tasks = store.tasks();
  if (tasks.length === 0) {
    void vscode.window.showInformationMessage(
      'mltrace: no task has logged outputs yet. Log them from Python with Task("name").logOutput(value, identifier).',
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    tasks.map((t) => ({
      label: visible(t.name),
      description: `${plural(t.outputs, 'output')} · ${coveragePercent(t)}% with feedback`,
      name: t.name,
    })),
    { title: 'mltrace: Show Task Metrics' },
  );
  return picked?.name;
}
