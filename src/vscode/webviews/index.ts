// The webviews' entry point for extension.ts: `registerWebviews` returns the functions that open
// each panel and owns what must live as long as the extension (the lineage graph's serializer,
// the open panels).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { shortRunId, visible } from '../presentation';
import type { GraphRoot, ViewData, ViewMessage } from '../../shared/protocol';
import { isGraphViewState } from '../../shared/protocol';
import { LineageSource, PanelActions, WebviewPanelHost, webviewOptions } from './panelHost';
import {
  graphKey,
  HistoryPanel,
  LineageGraphPanel,
  ReviewPanel,
  RunInspectorPanel,
  TaskPanel,
  ViewTypes,
} from './lineagePanels';
import { pickLabel } from './labelPick';
import type { TaskChoice } from './taskData';

export { ViewTypes } from './lineagePanels';
export { pointerFromWebviewContext, runIdFromWebviewContext } from './menuContext';
export type { LineageSource } from './panelHost';

export type LineageTarget = { pointer: string } | { runId: string };

export interface Webviews extends vscode.Disposable {
  openLineageGraph(target: LineageTarget, direction?: 'upstream' | 'downstream'): LineageGraphPanel;
  openRunInspector(runId: string): RunInspectorPanel;
  openReview(): ReviewPanel;
  openHistory(component: string): HistoryPanel;
  /** A task's panel; `choice`: the metric and window to chart (a registered metric's). */
  openTask(task: string, choice?: TaskChoice): TaskPanel;
  /** A lineage graph downstream of where `label` was attached, its spread marked. */
  showLabelInGraph(label: string): LineageGraphPanel;
}

export function registerWebviews(context: { extensionUri: vscode.Uri }, source: LineageSource): Webviews {
  const extensionUri = context.extensionUri;
  /** The open panels, by key: a lineage graph per root, one panel of each other kind. */
  const panels = new Map<string, WebviewPanelHost<ViewData>>();
  const disposables: vscode.Disposable[] = [];

  /** Keeps `panel` under `key` until it is closed. */
  const track = <P extends WebviewPanelHost<ViewData>>(key: string, panel: P): P => {
    panels.set(key, panel);
    panel.onDidDispose(() => {
      if (panels.get(key) === panel) panels.delete(key);
    });
    return panel;
  };

  /**
   * The panel open under `key`, updated by `reuse` and revealed; else a new one from `create`, in
   * a new webview panel of `viewType` (beside the active editor when `beside`).
   */
  const openPanel = <P extends WebviewPanelHost<ViewData>>(
    key: string,
    reuse: (open: P) => void,
    create: (panel: vscode.WebviewPanel) => P,
    { viewType, title, beside = false }: { viewType: string; title: string; beside?: boolean },
  ): P => {
    const open = panels.get(key) as P | undefined;
    if (open) {
      reuse(open);
      open.panel.reveal();
      return open;
    }
    const panel = vscode.window.createWebviewPanel(
      viewType,
      title,
      beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
      webviewOptions(extensionUri),
    );
    return track(key, create(panel));
  };

  const api: Webviews = {
    openLineageGraph(target, direction = 'upstream') {
      const root: GraphRoot =
        'pointer' in target
          ? { kind: 'pointer', name: target.pointer, direction }
          : { kind: 'run', id: target.runId, direction };
      return openPanel<LineageGraphPanel>(
        graphKey(root),
        (open) => {
          if (direction === 'downstream') open.setRoots([root]);
        },
        (panel) => new LineageGraphPanel(panel, source, actions, extensionUri, [root]),
        { viewType: ViewTypes.lineage, title: 'Lineage' },
      );
    },
    openRunInspector(runId) {
      return openPanel<RunInspectorPanel>(
        ViewTypes.inspector,
        (open) => open.show(runId),
        (panel) => new RunInspectorPanel(panel, source, actions, extensionUri, runId),
        { viewType: ViewTypes.inspector, title: `Run ${shortRunId(runId)}`, beside: true },
      );
    },
    openReview() {
      return openPanel<ReviewPanel>(
        ViewTypes.review,
        () => undefined,
        (panel) => new ReviewPanel(panel, source, actions, extensionUri),
        { viewType: ViewTypes.review, title: 'Review Flagged Outputs' },
      );
    },
    openHistory(component) {
      return openPanel<HistoryPanel>(
        ViewTypes.history,
        (open) => open.show(component),
        (panel) => new HistoryPanel(panel, source, actions, extensionUri, component),
        { viewType: ViewTypes.history, title: `History: ${visible(component)}` },
      );
    },
    openTask(task, choice) {
      return openPanel<TaskPanel>(
        ViewTypes.task,
        (open) => open.show(task, choice),
        (panel) => new TaskPanel(panel, source, actions, extensionUri, task, choice),
        { viewType: ViewTypes.task, title: `Task: ${visible(task)}` },
      );
    },
    showLabelInGraph(label) {
      const store = source.store;
      if (!store) throw new Error('The lineage store is not open.');
      const { sources } = store.labels.spread(label);
      if (sources.length === 0) throw new Error(`No run read data of the label "${visible(label)}".`);
      const graph = api.openLineageGraph({ pointer: sources[0] }, 'downstream');
      if (sources.length > 1)
        graph.setRoots(sources.map((name) => ({ kind: 'pointer', name, direction: 'downstream' })));
      graph.highlightLabel(label);
      return graph;
    },
    dispose() {
      for (const panel of [...panels.values()]) panel.dispose();
      for (const d of disposables) d.dispose();
    },
  };

  /** Messages any view may send; flag, unflag and notes go through the commands (trust, writing). */
  const actions: PanelActions = {
    async handle(message: ViewMessage, from: WebviewPanelHost<ViewData>): Promise<void> {
      switch (message.type) {
        case 'openFile':
          await vscode.commands.executeCommand(Commands.openPointer, message.pointer);
          break;
        case 'openSource':
          await vscode.commands.executeCommand(Commands.openSource, message.runId);
          break;
        case 'inspectRun':
          api.openRunInspector(message.runId);
          break;
        case 'traceFrom':
          api.openLineageGraph({ pointer: message.pointer }, message.direction);
          break;
        case 'expand':
          api.openLineageGraph(
            message.root.kind === 'pointer' ? { pointer: message.root.name } : { runId: message.root.id },
            message.root.direction,
          );
          break;
        case 'showHistory':
          api.openHistory(message.component);
          break;
        case 'flag':
          await vscode.commands.executeCommand(Commands.flag, message.pointer);
          break;
        case 'unflag':
          await vscode.commands.executeCommand(Commands.unflag, message.pointer);
          break;
        case 'saveNotes':
          await vscode.commands.executeCommand(Commands.addNotes, message.runId, message.text);
          break;
        case 'compareCode':
          await vscode.commands.executeCommand(Commands.compareCode, message.runId);
          break;
        case 'ignoreDriftColumn':
          await vscode.commands.executeCommand(Commands.ignoreDriftColumn, message.column, message.ignore);
          break;
        case 'exportSvg':
          await exportSvg(message.svg, message.fileName);
          break;
        case 'pickLabel':
          if (from instanceof LineageGraphPanel && source.store) {
            const label = await pickLabel(source.store.labels.list(), from.highlightedLabel);
            if (label !== undefined) from.highlightLabel(label);
          }
          break;
        case 'ready':
        case 'setRoots':
        case 'clearLabel':
        case 'setTaskSeries':
          break;
      }
      void from;
    },
  };

  async function exportSvg(svg: string, fileName: string): Promise<void> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, fileName) : undefined,
      filters: { 'SVG image': ['svg'] },
      title: 'Export Lineage Graph',
    });
    if (!target) return;
    await vscode.workspace.fs.writeFile(target, Buffer.from(svg, 'utf8'));
    vscode.window.setStatusBarMessage(`mltrace: saved ${path.basename(target.fsPath)}`, 3000);
  }

  disposables.push(
    // Restores lineage graphs after a reload, from the roots the webview saved with setState.
    vscode.window.registerWebviewPanelSerializer(ViewTypes.lineage, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        if (!isGraphViewState(state) || state.roots.length === 0) {
          panel.dispose();
          return;
        }
        track(
          graphKey(state.roots[0]),
          new LineageGraphPanel(panel, source, actions, extensionUri, state.roots),
        );
      },
    }),
  );
  return api;
}
