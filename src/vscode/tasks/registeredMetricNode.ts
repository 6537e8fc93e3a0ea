// A metric registered for a task (Task.registerMetric, in any process), under the task in the
// Tasks view: its name, window and value now where the engine computes it; a click or Enter
// charts it in the task's panel. One registered with a function of the user's own has no value
// here (only the Python process that registers it computes it): the tooltip says so.
import * as vscode from 'vscode';
import type { RegisteredMetricValue } from '../../core/tasks/model';
import { chartOf, windowLabel } from '../../core/tasks/registeredChart';
import { formatMetric } from '../../core/valueText';
import { Commands } from '../constants';
import { md, relativeTime, visible } from '../presentation';
import type { LineageNode } from '../views/treeBase';

export class RegisteredMetricNode implements LineageNode {
  readonly kind = 'taskMetric';

  constructor(
    private readonly task: string,
    readonly metric: RegisteredMetricValue,
  ) {}

  treeItem(): vscode.TreeItem {
    const m = this.metric;
    const item = new vscode.TreeItem(visible(m.name));
    item.id = `task:${this.task}:metric:${m.identifier}`;
    item.contextValue = 'mltrace.taskMetric';
    item.iconPath = new vscode.ThemeIcon('pinned');
    const value = m.value === null ? '—' : formatMetric(m.value);
    item.description = `${windowLabel(m.windowSize)} · ${value}`;
    const over =
      m.windowSize === null
        ? 'every output with feedback'
        : `the ${m.windowSize} most recent outputs with feedback`;
    const fn = m.function ?? m.callable ?? 'a function of its own';
    item.tooltip = new vscode.MarkdownString(
      `Registered metric **${md(m.identifier)}** (${md(fn)} over ${over}), last registered ` +
        `${md(relativeTime(m.registeredTime))}.` +
        (m.value === null ? `\n\nNo value here: ${md(m.error ?? 'none')}.` : ''),
    );
    const chart = chartOf(m);
    if (chart)
      item.command = {
        command: Commands.openTask,
        title: 'Chart This Metric',
        arguments: [this.task, chart],
      };
    return item;
  }
}
