// The lineage store of the workspace, kept in the extension host: opened off the critical path,
// brought up to date when the event log grows (bursts coalesced into one ingest), saved as a
// snapshot after quiet periods, closed on deactivate. Everything else listens to `onDidChange`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IngestReport, Run } from '../core/model';
import type { StalenessOptions } from '../core/staleness';
import { autoCompactFrom, LineageStore } from '../core/store';
import {
  eventsDir,
  isOwnStore,
  readerSnapshotDir,
  STORE_FOLDER,
  StoreLocation,
  storeLocation,
} from '../core/storeDir';
import { EventWriter } from '../core/writer';
import { ContextKeys, DRIFT_SETTINGS, INGEST_DEBOUNCE_MS, Settings } from './constants';
import { visible } from './presentation';
import { onDidChangeSetting, readSettings } from './settings';
import type { Trust } from './trust';

/** From this much unread log, opening the store indexes it in the background, with a notification. */
const PROGRESS_BYTES = 16 * 1024 * 1024;
/** Longest a steady stream of appends can delay an ingest. */
const INGEST_MAX_WAIT_MS = 600;

export class LineageService implements vscode.Disposable {
  private storeValue: LineageStore | undefined;
  private opening: Promise<LineageStore | undefined> | undefined;
  private writerValue: EventWriter | undefined;
  private watcher: vscode.FileSystemWatcher | undefined;
  private directWatcher: fs.FSWatcher | undefined;
  private storeSubscription: { dispose(): void } | undefined;
  private ingestTimer: NodeJS.Timeout | undefined;
  private lastIngestValue: IngestReport | undefined;
  /** The first index of a large log, while it runs in the background. */
  private indexing: Promise<IngestReport> | undefined;
  private ingestWhenIndexed = false;
  private firstPendingAt = 0;
  /** Start time of each component's latest run, cached until the store changes. */
  private latestStarts: Map<string, string | null> | undefined;
  /** The stale latest runs, shared by the views, Problems, decorations and status bar until the next change. */
  private staleLatest: Run[] | undefined;
  private disposed = false;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];

  /** Fires once per ingest that read new events, and when the store is (re)opened. */
  readonly onDidChange = this.changeEmitter.event;
  /** Where the store is: set as soon as a workspace folder is known. */
  location: StoreLocation | undefined;
  /** Why the store could not be opened, as a sentence for the user. */
  openError: string | undefined;

  constructor(
    private readonly trust: Trust,
    private readonly log: vscode.LogOutputChannel,
    /** This workspace's storage folder (ExtensionContext.storageUri), for a shared store's snapshot. */
    private readonly storageDir?: string,
  ) {
    this.disposables.push(
      this.changeEmitter,
      onDidChangeSetting(
        [Settings.storeDirectory, Settings.autoCompactEndedFiles, Settings.namespace],
        () => void this.reopen(),
      ),
      onDidChangeSetting([Settings.stalenessThresholdDays, ...Object.values(DRIFT_SETTINGS)], () => {
        this.staleLatest = undefined;
        this.changeEmitter.fire();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => void this.reopen()),
      vscode.workspace.onDidSaveTextDocument((document) => this.onDidSave(document)),
    );
  }

  /** Starts opening the store on the next tick, so that activation returns at once. */
  start(): void {
    if (this.opening) return;
    this.opening = new Promise((resolve) => setTimeout(resolve, 0)).then(() => this.open());
  }

  /** The store once open (undefined when there is no workspace folder or it failed to open). */
  whenReady(): Promise<LineageStore | undefined> {
    this.start();
    return this.opening!;
  }

  /** True while the first index of a large log runs in the background. */
  get isIndexing(): boolean {
    return this.indexing !== undefined;
  }

  /** The report of the latest ingest that read something. */
  get lastIngest(): IngestReport | undefined {
    return this.lastIngestValue;
  }

  /** The open store, for code that runs after `whenReady` or on change events. */
  get store(): LineageStore | undefined {
    return this.storeValue;
  }

  get thresholdDays(): number {
    return readSettings(this.folder()?.uri).stalenessThresholdDays;
  }

  /** Staleness as the settings ask: rule 1's threshold and drift's (mltrace.drift.*). */
  private stalenessOptions(): StalenessOptions {
    const settings = readSettings(this.folder()?.uri);
    return { thresholdDays: settings.stalenessThresholdDays, drift: settings.drift };
  }

  /**
   * Staleness reasons of runs that are the latest of their component (an older run was
   * superseded: re-running it makes no sense, so it never shows as stale).
   */
  staleness(runs: ReadonlyArray<Run>): Map<string, string[]> {
    const store = this.storeValue;
    if (!store || runs.length === 0) return new Map();
    this.latestStarts ??= new Map(store.components().map((c) => [c.name, c.lastRunTime]));
    const latest = runs.filter((r) => this.latestStarts!.get(r.component) === r.startTime);
    return store.staleReasons(
      latest.map((r) => r.id),
      this.stalenessOptions(),
    );
  }

  /** The latest run of each component that is stale (with its reasons), newest first. */
  staleRuns(): Run[] {
    const store = this.storeValue;
    if (!store) return [];
    return (this.staleLatest ??= store.stale(this.stalenessOptions()));
  }

  /** Reads what was appended to the log now (the Refresh command, and after our own writes). */
  ingestNow(): IngestReport | undefined {
    if (this.ingestTimer) clearTimeout(this.ingestTimer);
    this.ingestTimer = undefined;
    this.firstPendingAt = 0;
    const store = this.storeValue;
    if (!store) return undefined;
    if (this.indexing) {
      // The first index of a large log is still being applied: read the rest after it.
      this.ingestWhenIndexed = true;
      return undefined;
    }
    try {
      return this.ingested(store.ingest());
    } catch (error) {
      this.ingestFailed(error as Error);
      return undefined;
    }
  }

  private ingested(report: IngestReport): IngestReport {
    if (report.bytes > 0 || report.rebuilt) this.lastIngestValue = report;
    if (report.problems.length)
      this.log.warn(
        `${report.problems.length} problem(s) in the event log; run "mltrace: Show Ingest Problems".`,
      );
    return report;
  }

  private ingestFailed(error: Error): void {
    // The message may quote the log (a file name, a line).
    const message = visible(error.message);
    this.log.error(`Could not read the event log: ${message}`);
    void vscode.window.showErrorMessage(
      `mltrace could not read the event log: ${message}. Run "mltrace: Refresh" to try again.`,
    );
  }

  /**
   * The ingest after opening. A large backlog (a first index of a big log, a rebuilt snapshot)
   * blocks the extension host for seconds: say so in a notification before it starts.
   */
  private async firstIngest(store: LineageStore): Promise<IngestReport | undefined> {
    const pending = store.pendingBytes();
    if (pending < PROGRESS_BYTES) return this.ingestNow();
    const mb = (pending / 1024 / 1024).toFixed(0);
    this.log.info(`Indexing ${mb} MB of lineage events.`);
    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `mltrace: indexing ${mb} MB of lineage events…`,
      },
      async () => {
        // Parsed in a worker thread and applied a batch at a time: the extension host (and every
        // other extension) keeps running meanwhile.
        const indexing = store.ingestInBackground();
        this.indexing = indexing;
        try {
          return this.ingested(await indexing);
        } catch (error) {
          // Closed meanwhile (the folder or the setting changed): nothing to report.
          if (this.storeValue === store) this.ingestFailed(error as Error);
          return undefined;
        } finally {
          this.indexing = undefined;
          if (this.ingestWhenIndexed && this.storeValue === store) this.scheduleIngest();
          this.ingestWhenIndexed = false;
        }
      },
    );
  }

  /** Ingests, then tells every view to re-read (staleness also depends on files on disk). */
  refresh(): IngestReport | undefined {
    const report = this.ingestNow();
    this.staleLatest = undefined;
    void this.setContext();
    this.changeEmitter.fire();
    return report;
  }

  /** Appends events with the extension's own writer, then ingests them at once. */
  write(action: (writer: EventWriter) => void): void {
    if (!this.location)
      throw new Error('Open a folder first: mltrace keeps its log in the workspace folder.');
    this.writerValue ??= new EventWriter(this.location, 'vscode');
    action(this.writerValue);
    this.ingestNow();
  }

  /** The pointer name of a file: its path relative to the store's root, else its absolute path. */
  pointerName(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file' || !this.location) return undefined;
    const relative = path.relative(this.location.root, uri.fsPath);
    if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return uri.fsPath;
    return relative.split(path.sep).join('/');
  }

  /** The file a pointer names, when it is a workspace file (bare name) or an absolute path. */
  pointerUri(name: string): vscode.Uri | undefined {
    if (!this.location) return undefined;
    if (path.isAbsolute(name)) return vscode.Uri.file(name);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(name)) return undefined;
    return vscode.Uri.file(path.join(this.location.root, ...name.split('/')));
  }

  /** A source file recorded by runs (relative to the root), as a URI. */
  sourceUri(sourceFile: string): vscode.Uri | undefined {
    return this.pointerUri(sourceFile);
  }

  dispose(): void {
    this.disposed = true;
    this.closeStore();
    for (const d of this.disposables) d.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  /** The workspace folder whose store is shown: the first one that has a `.mltrace` folder. */
  private folder(): vscode.WorkspaceFolder | undefined {
    const folders = vscode.workspace.workspaceFolders ?? [];
    return (
      folders.find((f) => f.uri.scheme === 'file' && fs.existsSync(path.join(f.uri.fsPath, STORE_FOLDER))) ??
      folders.find((f) => f.uri.scheme === 'file')
    );
  }

  private async open(): Promise<LineageStore | undefined> {
    const folder = this.folder();
    this.openError = undefined;
    if (!folder) {
      this.location = undefined;
      await this.setContext();
      return undefined;
    }
    const { storeDirectory: configured, namespace } = readSettings(folder.uri);
    const storeDir = configured
      ? path.resolve(folder.uri.fsPath, configured)
      : path.join(folder.uri.fsPath, STORE_FOLDER);
    // The setting names the namespace as MLTRACE_NAMESPACE does (terminals get it too).
    this.location = storeLocation(
      storeDir,
      namespace ? { ...process.env, MLTRACE_NAMESPACE: namespace } : process.env,
    );
    const started = Date.now();
    try {
      // A store outside the workspace (a shared folder that many machines append to): the
      // snapshot is this window's own, in the workspace's storage (docs/LAYOUT.md).
      const snapshotDir = isOwnStore(storeDir, folder.uri.fsPath)
        ? undefined
        : this.storageDir
          ? path.join(this.storageDir, 'snapshot')
          : readerSnapshotDir(storeDir);
      const store = await LineageStore.open({
        dir: storeDir,
        snapshotDir,
        deferIngest: true,
        onMessage: (m) => this.log.info(m),
        autoCompact: autoCompactFrom(readSettings(folder.uri).autoCompactEndedFiles),
      });
      if (this.disposed) {
        store.close({ save: false });
        return undefined;
      }
      this.storeValue = store;
      this.latestStarts = undefined;
      this.staleLatest = undefined;
      this.storeSubscription = store.onDidChange(() => this.onStoreChanged());
      this.watch(this.location);
      const report = await this.firstIngest(store);
      this.log.info(
        `Opened the lineage store ${storeDir} in ${Date.now() - started} ms (${report?.events ?? 0} new events).`,
      );
    } catch (error) {
      this.openError = `mltrace could not open its store ${visible(storeDir)}: ${visible((error as Error).message)}. Check the "mltrace.storeDirectory" setting, then run "mltrace: Refresh".`;
      this.log.error(this.openError);
    }
    await this.setContext();
    this.changeEmitter.fire();
    return this.storeValue;
  }

  private async reopen(): Promise<void> {
    await this.opening?.catch(() => undefined);
    this.closeStore();
    this.opening = this.open();
    await this.opening;
  }

  private closeStore(): void {
    if (this.ingestTimer) clearTimeout(this.ingestTimer);
    this.ingestTimer = undefined;
    this.watcher?.dispose();
    this.watcher = undefined;
    this.directWatcher?.close();
    this.directWatcher = undefined;
    this.storeSubscription?.dispose();
    this.storeSubscription = undefined;
    this.writerValue?.close();
    this.writerValue = undefined;
    // In Restricted Mode nothing is written to the workspace, not even the snapshot.
    this.storeValue?.close({ save: this.trust.trusted });
    this.storeValue = undefined;
    this.lastIngestValue = undefined;
  }

  private watch(location: StoreLocation): void {
    // Based on the nearest folder that exists, so that a store created later (by the first run) is
    // seen too. A folder created with its contents may be reported as the folder alone: match the
    // folders on the way as well.
    let base = location.storeDir;
    while (!fs.existsSync(base) && path.dirname(base) !== base) base = path.dirname(base);
    const parts = path.relative(base, eventsDir(location.storeDir)).split(path.sep).filter(Boolean);
    const globs = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
    globs.push([...parts, '*.jsonl'].join('/'));
    const pattern = new vscode.RelativePattern(
      vscode.Uri.file(base),
      globs.length > 1 ? `{${globs.join(',')}}` : globs[0],
    );
    this.watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const schedule = () => {
      this.watchDirectly(location);
      this.scheduleIngest();
    };
    this.watcher.onDidCreate(schedule);
    this.watcher.onDidChange(schedule);
    this.watcher.onDidDelete(schedule);
    this.watchDirectly(location);
  }

  /**
   * VS Code's watcher reports appends after up to a second; an inotify watch on the one events
   * folder (cheap, not recursive) reports them at once. Both feed the same coalesced ingest.
   * Attached when the folder exists (it may appear with the first run).
   */
  private watchDirectly(location: StoreLocation): void {
    if (this.directWatcher) return;
    try {
      this.directWatcher = fs.watch(eventsDir(location.storeDir), { persistent: false }, (_event, file) => {
        if (!file || String(file).endsWith('.jsonl')) this.scheduleIngest();
      });
      this.directWatcher.on('error', () => {
        this.directWatcher?.close();
        this.directWatcher = undefined;
      });
    } catch {
      // No events folder yet: VS Code's watcher reports its creation.
    }
  }

  /** Coalesces a burst of appends: ingest after a short quiet time, but never later than the max wait. */
  private scheduleIngest(): void {
    const now = Date.now();
    if (!this.firstPendingAt) this.firstPendingAt = now;
    if (this.ingestTimer) clearTimeout(this.ingestTimer);
    const delay = Math.max(0, Math.min(INGEST_DEBOUNCE_MS, this.firstPendingAt + INGEST_MAX_WAIT_MS - now));
    this.ingestTimer = setTimeout(() => this.ingestNow(), delay);
  }

  /** Saving a recorded source file or a logged input can change staleness (rules 3 and 4). */
  private onDidSave(document: vscode.TextDocument): void {
    const store = this.storeValue;
    const name = this.pointerName(document.uri);
    if (!store || !name) return;
    if (store.runsOfSource(name, 1).length === 0 && !store.hasPointer(name)) return;
    this.staleLatest = undefined;
    this.changeEmitter.fire();
  }

  private onStoreChanged(): void {
    this.latestStarts = undefined;
    this.staleLatest = undefined;
    if (this.trust.trusted) this.storeValue?.scheduleSave();
    void this.setContext();
    this.changeEmitter.fire();
  }

  private async setContext(): Promise<void> {
    const store = this.storeValue;
    const hasRuns = store ? store.recent({ limit: 1 }).items.length > 0 : false;
    const flagged = store ? store.pointers({ flagged: true }) : [];
    // Paths for `resourcePath in mltrace.flaggedFiles` (Flag or Unflag in the explorer menu).
    const flaggedFiles = flagged
      .map((p) => this.pointerUri(p.name)?.fsPath)
      .filter((f): f is string => f !== undefined);
    await Promise.all([
      vscode.commands.executeCommand('setContext', ContextKeys.ready, true),
      vscode.commands.executeCommand('setContext', ContextKeys.hasRuns, hasRuns),
      vscode.commands.executeCommand('setContext', ContextKeys.hasFlagged, flagged.length > 0),
      vscode.commands.executeCommand('setContext', ContextKeys.flaggedFiles, flaggedFiles),
    ]);
  }
}
