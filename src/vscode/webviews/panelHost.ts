// The host side every mltrace webview shares: the strict-CSP HTML, the ready handshake, data
// posted as plain objects (never before `ready`; again after every store change), errors shown in
// the view, and the messages every view may send, checked before use.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { Run } from '../../core/model';
import type { LineageStore } from '../../core/store';
import type { HostMessage, ViewData, ViewKind, ViewMessage } from '../../shared/protocol';
import { isViewMessage } from '../../shared/protocol';
import { webviewHtml } from './panelHtml';

/** The queries the webviews run (a `LineageStore`, or anything with the same methods). */
export type LineageQueries = Pick<
  LineageStore,
  | 'trace'
  | 'traceRun'
  | 'lineageWindow'
  | 'dependencies'
  | 'inspect'
  | 'review'
  | 'history'
  | 'pointersNamed'
  | 'resolveRunId'
  | 'staleReasons'
  | 'runDrift'
  | 'tasks'
  | 'taskValues'
  | 'taskOutcomes'
  | 'taskRuns'
  | 'taskMetrics'
  | 'labels'
>;

/** Where the store comes from: `LineageService` fits. */
export interface LineageSource {
  readonly store: LineageQueries | undefined;
  /** Fires after an ingest that read new events (and when the store is reopened). */
  onDidChange(listener: () => void): { dispose(): void };
  whenReady?(): Promise<unknown>;
  pointerUri(name: string): vscode.Uri | undefined;
  sourceUri(sourceFile: string): vscode.Uri | undefined;
  /** Staleness as the rest of the editor shows it (only a component's latest run can be stale). */
  staleness?(runs: ReadonlyArray<Run>): Map<string, string[]>;
}

/** What a panel asks of the registry (opening other panels, running commands). */
export interface PanelActions {
  handle(message: ViewMessage, from: WebviewPanelHost<ViewData>): Promise<void>;
}

export const WEBVIEW_FOLDER = ['dist', 'webview'] as const;

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableFindWidget: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, ...WEBVIEW_FOLDER)],
  };
}

export abstract class WebviewPanelHost<D extends ViewData> implements vscode.Disposable {
  private ready = false;
  /** Whether the page loaded and said `ready` (it gets its data then). */
  get isReady(): boolean {
    return this.ready;
  }
  /** The store changed while the panel was hidden: post when it shows again. */
  private stale = false;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;
  private readonly postEmitter = new vscode.EventEmitter<HostMessage>();
  /** Fires after each message the host posted to the view (data or error). */
  readonly onDidPost = this.postEmitter.event;
  /** The last message posted to the view: what it shows now. */
  lastPosted: HostMessage | undefined;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly source: LineageSource,
    protected readonly actions: PanelActions,
    extensionUri: vscode.Uri,
    readonly view: ViewKind,
  ) {
    const webview = panel.webview;
    panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'mltrace.svg');
    webview.options = webviewOptions(extensionUri);
    const base = webview
      .asWebviewUri(vscode.Uri.joinPath(extensionUri, ...WEBVIEW_FOLDER))
      .toString()
      .replace(/\/$/, '');
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      baseUri: base,
      view,
      nonce: randomBytes(16).toString('base64'),
      title: panel.title,
    });
    const subscription = source.onDidChange(() => this.refresh());
    this.disposables.push(
      { dispose: () => subscription.dispose() },
      this.disposeEmitter,
      this.postEmitter,
      webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      panel.onDidChangeViewState(() => {
        if (panel.visible && this.stale) this.refresh();
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The view's data now, from the store (throws a sentence for the user when it cannot). */
  protected abstract compute(store: LineageQueries): D | Promise<D>;

  /** Messages specific to this view; return false to let the registry handle it. */
  protected handleOwn(_message: ViewMessage): boolean | Promise<boolean> {
    return false;
  }

  /** What the view shows once loaded: its data computed from the store now. */
  async currentData(): Promise<D> {
    await this.source.whenReady?.();
    const store = this.source.store;
    if (!store) throw new Error('The lineage store is not open.');
    return this.compute(store);
  }

  /** Recomputes and posts `update` (or waits for `ready`, or for the panel to show). */
  refresh(): void {
    if (this.disposed || !this.ready) return;
    if (!this.panel.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    void this.postData('update');
  }

  async post(message: HostMessage): Promise<boolean> {
    if (this.disposed) return false;
    this.lastPosted = message;
    this.postEmitter.fire(message);
    return this.panel.webview.postMessage(message);
  }

  showError(message: string): void {
    void this.post({ type: 'error', message });
  }

  private async postData(type: 'init' | 'update'): Promise<void> {
    try {
      await this.source.whenReady?.();
      const store = this.source.store;
      if (!store)
        throw new Error(
          'The lineage store is not open: open the folder of your pipeline, then run "mltrace: Refresh".',
        );
      const data = await this.compute(store);
      await this.post({ type, data });
    } catch (error) {
      this.showError((error as Error).message);
    }
  }

  private async receive(message: unknown): Promise<void> {
    if (!isViewMessage(message)) return;
    if (message.type === 'ready') {
      // Also after the webview was reloaded (hidden, then shown again): always start with `init`.
      this.ready = true;
      this.stale = false;
      await this.postData('init');
      return;
    }
    try {
      if (!(await this.handleOwn(message))) await this.actions.handle(message, this);
    } catch (error) {
      this.showError((error as Error).message);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
  }
}
