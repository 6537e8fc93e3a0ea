// One class per webview: what it shows and the messages only it understands.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type {
  GraphData,
  GraphRoot,
  HistoryData,
  InspectorData,
  ReviewData,
  TaskData,
  ViewMessage,
} from '../../shared/protocol';
import { displayLabel } from '../../core/labels/keyedHash';
import { shortRunId, visible } from '../presentation';
import { readSettings } from '../settings';
import { graphData, historyData, inspectorData, reviewData } from './panelData';
import { LineageQueries, LineageSource, PanelActions, WebviewPanelHost } from './panelHost';
import { TaskChoice, taskData } from './taskData';

export const ViewTypes = {
  lineage: 'mltrace.lineage',
  inspector: 'mltrace.runInspector',
  review: 'mltrace.review',
  history: 'mltrace.history',
  task: 'mltrace.task',
} as const;

const trusted = (): boolean => vscode.workspace.isTrusted;
/** The key of a graph opened for `root`: one panel per file or run. */
export const graphKey = (root: GraphRoot): string =>
  root.kind === 'pointer' ? `graph:p:${root.name}` : `graph:r:${root.id}`;

export function rootTitle(root: GraphRoot | undefined): string {
  if (!root) return 'Lineage';
  return root.kind === 'pointer'
    ? `Lineage: ${visible(root.name.slice(root.name.lastIndexOf('/') + 1))}`
    : `Lineage: run ${shortRunId(root.id)}`;
}

export class LineageGraphPanel extends WebviewPanelHost<GraphData> {
  constructor(
    panel: vscode.WebviewPanel,
    source: LineageSource,
    actions: PanelActions,
    extensionUri: vscode.Uri,
    private roots: GraphRoot[],
  ) {
    super(panel, source, actions, extensionUri, 'graph');
    panel.title = rootTitle(roots[0]);
  }

  /** The label whose spread the graph marks (core/labels: where it reaches), or null. */
  private label: string | null = null;

  get highlightedLabel(): string | null {
    return this.label;
  }

  highlightLabel(label: string | null): void {
    this.label = label;
    this.refresh();
  }

  setRoots(roots: GraphRoot[]): void {
    const seen = new Set<string>();
    this.roots = roots.filter((r) => {
      const key = `${graphKey(r)}:${r.direction}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    this.refresh();
  }

  protected compute(store: LineageQueries): GraphData {
    const data = graphData(store, this.roots, {
      trusted: trusted(),
      staleness: this.source.staleness?.bind(this.source),
    });
    if (this.label !== null) {
      // The label as the editor shows it (a keyed hash shortened): the view only displays it.
      const spread = store.labels.spread(this.label);
      data.labelSpread = { ...spread, label: displayLabel(spread.label) };
    }
    return data;
  }

  protected override handleOwn(message: ViewMessage): boolean {
    if (message.type === 'expand') this.setRoots([...this.roots, message.root]);
    else if (message.type === 'setRoots') this.setRoots(message.roots.length ? message.roots : this.roots);
    else if (message.type === 'clearLabel') this.highlightLabel(null);
    else return false;
    return true;
  }
}

export class RunInspectorPanel extends WebviewPanelHost<InspectorData> {
  constructor(
    panel: vscode.WebviewPanel,
    source: LineageSource,
    actions: PanelActions,
    extensionUri: vscode.Uri,
    private runId: string,
  ) {
    super(panel, source, actions, extensionUri, 'inspector');
  }

  show(runId: string): void {
    this.runId = runId;
    this.refresh();
  }

  protected compute(store: LineageQueries): InspectorData {
    const data = inspectorData(store, this.runId, {
      trusted: trusted(),
      drift: readSettings().drift,
      sourceExists: (file) => {
        const uri = this.source.sourceUri(file);
        return uri !== undefined && fs.existsSync(uri.fsPath);
      },
    });
    this.panel.title = `Run ${shortRunId(data.run.id)}: ${visible(data.run.component)}`;
    return data;
  }
}

export class ReviewPanel extends WebviewPanelHost<ReviewData> {
  constructor(
    panel: vscode.WebviewPanel,
    source: LineageSource,
    actions: PanelActions,
    extensionUri: vscode.Uri,
  ) {
    super(panel, source, actions, extensionUri, 'review');
    panel.title = 'Review Flagged Outputs';
  }

  protected compute(store: LineageQueries): ReviewData {
    return reviewData(store, { trusted: trusted() });
  }
}

export class HistoryPanel extends WebviewPanelHost<HistoryData> {
  constructor(
    panel: vscode.WebviewPanel,
    source: LineageSource,
    actions: PanelActions,
    extensionUri: vscode.Uri,
    private component: string,
  ) {
    super(panel, source, actions, extensionUri, 'history');
    panel.title = `History: ${visible(component)}`;
  }

  show(component: string): void {
    this.component = component;
    this.panel.title = `History: ${visible(component)}`;
    this.refresh();
  }

  protected compute(store: LineageQueries): HistoryData {
    return historyData(store, this.component, { staleness: this.source.staleness?.bind(this.source) });
  }
}

export class TaskPanel extends WebviewPanelHost<TaskData> {
  private choice: TaskChoice = {};

  constructor(
    panel: vscode.WebviewPanel,
    source: LineageSource,
    actions: PanelActions,
    extensionUri: vscode.Uri,
    private task: string,
    choice?: TaskChoice,
  ) {
    super(panel, source, actions, extensionUri, 'task');
    panel.title = `Task: ${visible(task)}`;
    if (choice) this.choice = choice;
  }

  /** Shows `task`; `choice` (a registered metric's chart) replaces the metric and window shown. */
  show(task: string, choice?: TaskChoice): void {
    if (task !== this.task) this.choice = {};
    if (choice) this.choice = choice;
    this.task = task;
    this.panel.title = `Task: ${visible(task)}`;
    this.refresh();
  }

  protected compute(store: LineageQueries): TaskData {
    return taskData(store, this.task, this.choice, this.source.staleness?.bind(this.source));
  }

  protected override handleOwn(message: ViewMessage): boolean {
    if (message.type !== 'setTaskSeries') return false;
    // Checked before it is kept: a bad choice is an error in the view, the last good one stays.
    taskData(this.source.store!, this.task, { metric: message.metric, window: message.window });
    this.choice = { metric: message.metric, window: message.window };
    this.refresh();
    return true;
  }
}
