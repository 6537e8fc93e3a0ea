// The Tasks view: every task (mltrace's Task: outputs in production and the feedback that came
// later), with its counts and feedback coverage; each expands to the metrics registered for it
// (registeredMetricNode.ts) and its metrics now (those `mltrace metrics` computes by default), and
// opens, on a click or Enter, the panel of its metric over time.
// Task names come from logs: shown through visible().
import * as vscode from 'vscode';
import type { TaskSummary } from '../../core/tasks';
import { computeMetric } from '../../core/tasks';
import { defaultMetrics } from '../../core/tasks/metrics';
import { registeredMetricValues } from '../../core/tasks/registered';
import { formatMetric } from '../../core/valueText';
import { Commands } from '../constants';
import type { LineageService } from '../lineageService';
import { md, plural, relativeTime, visible } from '../presentation';
import { LineageNode, LineageTreeProvider, MessageNode } from '../views/treeBase';
import { RegisteredMetricNode } from './registeredMetricNode';

export const coveragePercent = (t: TaskSummary): number =>
  t.outputs ? Math.round((t.joined / t.outputs) * 100) : 0;

export class TasksView extends LineageTreeProvider {
  constructor(service: LineageService) {
    super(service);
  }

  protected roots(): LineageNode[] {
    return this.service.store!.tasks().map((task) => new TaskNode(this.service, task));
  }
}

export class TaskNode implements LineageNode {
  readonly kind = 'task';

  constructor(
    private readonly service: LineageService,
    readonly task: TaskSummary,
  ) {}

  treeItem(): vscode.TreeItem {
    const t = this.task;
    const item = new vscode.TreeItem(visible(t.name), vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `task:${t.name}`;
    item.contextValue = 'mltrace.task';
    item.iconPath = new vscode.ThemeIcon('graph-line');
    item.description = `${plural(t.outputs, 'output')} · ${coveragePercent(t)}% with feedback`;
    item.tooltip = new vscode.MarkdownString(
      `Task **${md(t.name)}**: ${md(plural(t.outputs, 'output'))}, ${md(plural(t.feedback, 'feedback value'))}; ` +
        `${t.joined} of the outputs have feedback (${coveragePercent(t)}%). Last logged ${md(relativeTime(t.lastTime))}.`,
    );
    item.command = { command: Commands.openTask, title: 'Show Task Metrics', arguments: [t.name] };
    return item;
  }

  children(): LineageNode[] {
    const store = this.service.store!;
    const joined = store.taskValues(this.task.name);
    const registered = registeredMetricValues(store.taskMetrics(this.task.name), joined).map(
      (m) => new RegisteredMetricNode(this.task.name, m),
    );
    if (joined.length === 0)
      return [...registered, new MessageNode('No output has feedback yet: no metric to compute.')];
    const names = defaultMetrics(joined.flatMap((v) => [v.yTrue, v.yPred]));
    return [
      ...registered,
      ...names.map((name) => new TaskMetricNode(name, computeMetric(name, joined), joined.length)),
    ];
  }
}

/** A metric of a task over every output that has feedback. */
class TaskMetricNode implements LineageNode {
  constructor(
    private readonly name: string,
    private readonly result: { value: number | null; error?: string },
    private readonly joined: number,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.name);
    item.iconPath = new vscode.ThemeIcon('symbol-number');
    item.description = this.result.value === null ? '—' : formatMetric(this.result.value);
    item.tooltip =
      this.result.value === null
        ? visible(`${this.name} cannot be computed: ${this.result.error ?? 'no value'}`)
        : `${this.name} over the ${plural(this.joined, 'output')} that have feedback`;
    return item;
  }
}
