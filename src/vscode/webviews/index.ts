// The webviews' entry point for extension.ts: `registerWebviews` returns the functions that open
// each panel and owns what must live as long as the extension (the lineage graph's serializer,
// the provider of recorded code for "Compare with Current Code", the open panels).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Commands } from '../constants';
import type { GraphRoot, ViewData, ViewMessage } from '../../shared/protocol';
import { isGraphViewState } from '../../shared/protocol';
import { LineageSource, PanelActions, WebviewPanelHost } from './panelHost';
import { HistoryPanel, LineageGraphPanel, ReviewPanel, RunInspectorPanel, ViewTypes } from './lineagePanels';

export { ViewTypes } from './lineagePanels';
export { pointerFromWebviewContext, runIdFromWebviewContext } from './menuContext';
export type { LineageSource } from './panelHost';

/** URI scheme of the recorded code of a run: `mltrace-snapshot:/<run id>/<file name>`. */
export const SNAPSHOT_SCHEME = 'mltrace-snapshot';

export type LineageTarget = { pointer: string } | { runId: string };

export interface Webviews extends vscode.Disposable {
  openLineageGraph(target: LineageTarget, direction?: 'upstream' | 'downstream'): LineageGraphPanel;
  openRunInspector(runId: string): RunInspectorPanel;
  openReview(): ReviewPanel;
  openHistory(component: string): HistoryPanel;
}

export function registerWebviews(context: { extensionUri: vscode.Uri }, source: LineageSource): Webviews {
  const extensionUri = context.extensionUri;
  const graphs = new Map<string, LineageGraphPanel>();
  let inspector: RunInspectorPanel | undefined;
  let review: ReviewPanel | undefined;
  let history: HistoryPanel | undefined;
  const disposables: vscode.Disposable[] = [];

  const newPanel = (viewType: string, title: string, beside = false) =>
    vscode.window.createWebviewPanel(
      viewType,
      title,
      beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview')],
      },
    );

  const track = (panel: LineageGraphPanel) => {
    graphs.set(panel.key, panel);
    panel.onDidDispose(() => {
      if (graphs.get(panel.key) === panel) graphs.delete(panel.key);
    });
    return panel;
  };

  const api: Webviews = {
    openLineageGraph(target, direction = 'upstream') {
      const root: GraphRoot =
        'pointer' in target
          ? { kind: 'pointer', name: target.pointer, direction }
          : { kind: 'run', id: target.runId, direction };
      const key = root.kind === 'pointer' ? `p:${root.name}` : `r:${root.id}`;
      const open = graphs.get(key);
      if (open) {
        open.panel.reveal();
        if (direction === 'downstream') open.setRoots([root]);
        return open;
      }
      return track(
        new LineageGraphPanel(newPanel(ViewTypes.lineage, 'Lineage'), source, actions, extensionUri, [root]),
      );
    },
    openRunInspector(runId) {
      if (inspector) {
        inspector.show(runId);
        inspector.panel.reveal();
        return inspector;
      }
      const panel = new RunInspectorPanel(
        newPanel(ViewTypes.inspector, `Run ${runId.slice(0, 8)}`, true),
        source,
        actions,
        extensionUri,
        runId,
      );
      panel.onDidDispose(() => (inspector = undefined));
      return (inspector = panel);
    },
    openReview() {
      if (review) {
        review.panel.reveal();
        return review;
      }
      const panel = new ReviewPanel(
        newPanel(ViewTypes.review, 'Review Flagged Outputs'),
        source,
        actions,
        extensionUri,
      );
      panel.onDidDispose(() => (review = undefined));
      return (review = panel);
    },
    openHistory(component) {
      if (history) {
        history.show(component);
        history.panel.reveal();
        return history;
      }
      const panel = new HistoryPanel(
        newPanel(ViewTypes.history, `History: ${component}`),
        source,
        actions,
        extensionUri,
        component,
      );
      panel.onDidDispose(() => (history = undefined));
      return (history = panel);
    },
    dispose() {
      for (const panel of [...graphs.values(), inspector, review, history]) panel?.dispose();
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
          await compareCode(message.runId);
          break;
        case 'exportSvg':
          await exportSvg(message.svg, message.fileName);
          break;
        case 'ready':
        case 'setRoots':
          break;
      }
      void from;
    },
  };

  async function compareCode(runId: string): Promise<void> {
    const store = source.store;
    if (!store) return;
    const run = store.inspect(runId);
    const current = run.sourceFile ? source.sourceUri(run.sourceFile) : undefined;
    if (!run.codeSnapshot || !current) {
      throw new Error(
        `No code snapshot or source file was recorded for ${run.component} (run ${runId.slice(0, 8)}).`,
      );
    }
    const snapshot = vscode.Uri.from({
      scheme: SNAPSHOT_SCHEME,
      path: `/${run.id}/${path.basename(run.sourceFile!)}`,
    });
    await vscode.commands.executeCommand(
      'vscode.diff',
      snapshot,
      current,
      `${run.component} (run ${run.id.slice(0, 8)}) ↔ ${path.basename(run.sourceFile!)} now`,
    );
  }

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
    vscode.workspace.registerTextDocumentContentProvider(SNAPSHOT_SCHEME, {
      provideTextDocumentContent(uri: vscode.Uri): string {
        const runId = uri.path.split('/')[1] ?? '';
        return source.store?.inspect(runId).codeSnapshot ?? '';
      },
    }),
    // Restores lineage graphs after a reload, from the roots the webview saved with setState.
    vscode.window.registerWebviewPanelSerializer(ViewTypes.lineage, {
      async deserializeWebviewPanel(panel: vscode.WebviewPanel, state: unknown) {
        if (!isGraphViewState(state) || state.roots.length === 0) {
          panel.dispose();
          return;
        }
        track(new LineageGraphPanel(panel, source, actions, extensionUri, state.roots));
      },
    }),
  );
  return api;
}
