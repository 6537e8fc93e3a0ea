// One class per webview: what it shows and the messages only it understands.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type {
  GraphData,
  GraphRoot,
  HistoryData,
  InspectorData,
  ReviewData,
  ViewMessage,
} from '../../shared/protocol';
import { shortRunId, visible } from '../presentation';
import { readSettings } from '../settings';
import { graphData, historyData, inspectorData, reviewData } from './panelData';
import { LineageQueries, LineageSource, PanelActions, WebviewPanelHost } from './panelHost';

export const ViewTypes = {
  lineage: 'mltrace.lineage',
  inspector: 'mltrace.runInspector',
  review: 'mltrace.review',
  history: 'mltrace.history',
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
    return graphData(store, this.roots, {
      trusted: trusted(),
      staleness: this.source.staleness?.bind(this.source),
    });
  }

  protected override handleOwn(message: ViewMessage): boolean {
    if (message.type === 'expand') this.setRoots([...this.roots, message.root]);
    else if (message.type === 'setRoots') this.setRoots(message.roots.length ? message.roots : this.roots);
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
