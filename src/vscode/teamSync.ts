// Live sync with the team store (docs/TEAM.md) while the extension runs. Which URI may be used
// is decided here: a URI from user settings is the user's own choice; one from workspace settings
// came with the repository, so it is used only after the user confirms it once (per workspace and
// URI), and no URI is used in Restricted Mode (a sync writes to the workspace's store).
//
// While connected, a dedicated connection LISTENs on the channel every push NOTIFYs: another
// machine's run is pulled (and ingested, so the views show it) within a second or so. This
// machine's writer files are pushed a second after they change. A poll is the fallback for a
// missed notification. When the server is down the sync backs off (2 s, doubling, up to a minute)
// and says so in the status bar: never a dialog, never a password in a message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client, Notification } from 'pg';
import * as vscode from 'vscode';
import { eventsDir } from '../core/storeDir';
import { CHANNEL, ensureSchema } from '../core/team/schema';
import { recordedTeamUri } from '../core/team/recorded';
import { connect, explain, serverName, TeamError } from '../core/team/server';
import { PULLED_PREFIX, syncTeam } from '../core/team/sync';
import { SETTINGS_SECTION, Settings, StateKeys, TEAM_PUSH_DEBOUNCE_MS, TEAM_RETRY_MS } from './constants';
import type { LineageService } from './lineageService';
import { visible } from './presentation';
import type { Trust } from './trust';

/**
 * Where the URI in effect was set: user settings, the workspace's (or a folder's), or recorded by
 * this store's pipeline with mltrace's `set_db_uri()` (src/core/team/recorded.ts).
 */
export type TeamUriSource = 'user' | 'workspace' | 'recorded';

export interface TeamConfig {
  uri: string;
  source: TeamUriSource;
}

export interface TeamState {
  /** `off`: no sync (see `why`); `syncing`; `synced`; `offline`: the last attempt failed, retrying. */
  kind: 'off' | 'syncing' | 'synced' | 'offline';
  why?: 'unset' | 'restricted' | 'unconfirmed' | 'no-folder';
  /** The URI in effect (also when it awaits confirmation). */
  uri?: string;
  /** `user@host:port/db`. */
  server?: string;
  /** The LISTEN connection is up: other machines' runs arrive as they are pushed. */
  listening: boolean;
  /** When the last sync finished without error. */
  syncedAt?: number;
  /** Why the last attempt failed: one line, never a password. */
  error?: string;
  /** When the next attempt starts (offline). */
  retryAt?: number;
}

const CONNECT_TIMEOUT_MS = 10_000;
/** A sync pulls for at most this long, then comes back for the rest (the UI shows progress). */
const PULL_BUDGET_MS = 5_000;
const WRITER_FILE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export class TeamSyncService implements vscode.Disposable {
  private stateValue: TeamState = { kind: 'off', why: 'unset', listening: false };
  private session: Session | undefined;
  private restarting: Promise<void> = Promise.resolve();
  /** URIs the user was asked to confirm in this window: asked once, not at every settings change. */
  private readonly asked = new Set<string>();
  private readonly stateEmitter = new vscode.EventEmitter<TeamState>();
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  readonly onDidChangeState = this.stateEmitter.event;

  constructor(
    private readonly service: LineageService,
    private readonly trust: Trust,
    private readonly secrets: vscode.SecretStorage,
    private readonly globalState: vscode.Memento,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.disposables.push(
      this.stateEmitter,
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SETTINGS_SECTION}.team`)) void this.restart();
      }),
      trust.onDidGrant(() => void this.restart()),
      secrets.onDidChange((e) => {
        if (e.key.startsWith(StateKeys.teamPassword)) void this.restart();
      }),
      // The store moved (another folder, the storeDirectory setting): sync that one.
      service.onDidChange(() => {
        if (this.session && this.session.storeDir !== service.location?.storeDir) void this.restart();
        else if (!this.session && this.stateValue.why === 'no-folder' && service.location)
          void this.restart();
        // A pipeline may have named a team store (set_db_uri) since: the new runs came with it.
        else if (!this.session && this.stateValue.why === 'unset' && this.configured()) void this.restart();
      }),
    );
  }

  get state(): TeamState {
    return this.stateValue;
  }

  /** Starts syncing when a usable URI is configured (after the store knows its folder). */
  start(): void {
    void this.service.whenReady().then(() => this.restart());
  }

  /** The URI in effect and where it was set, or undefined when none is. */
  configured(): TeamConfig | undefined {
    const info = vscode.workspace
      .getConfiguration(SETTINGS_SECTION, vscode.workspace.workspaceFolders?.[0]?.uri)
      .inspect<string>(Settings.teamUri);
    const workspace = info?.workspaceFolderValue ?? info?.workspaceValue;
    if (workspace !== undefined)
      return workspace.trim() ? { uri: workspace.trim(), source: 'workspace' } : undefined;
    const user = info?.globalValue?.trim();
    if (user) return { uri: user, source: 'user' };
    const storeDir = this.service.location?.storeDir;
    const recorded = storeDir ? recordedTeamUri(storeDir) : undefined;
    return recorded ? { uri: recorded, source: 'recorded' } : undefined;
  }

  /** Whether the user confirmed this URI, found in this workspace's settings. */
  isConfirmed(uri: string): boolean {
    return this.globalState.get<string>(StateKeys.teamConfirmed + workspaceKey()) === uri;
  }

  /** Records that the user accepts this workspace URI, then starts syncing with it. */
  async confirm(uri: string): Promise<void> {
    await this.globalState.update(StateKeys.teamConfirmed + workspaceKey(), uri);
    await this.restart();
  }

  /** Connects, creates or checks the tables, disconnects: a TeamError says what went wrong. */
  async test(uri: string, password: string | undefined): Promise<void> {
    const client = await connect(uri, { password, timeoutMs: CONNECT_TIMEOUT_MS });
    try {
      await ensureSchema(client, uri);
    } catch (error) {
      throw explain(error, uri, password);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * Saves a tested connection: the password (empty: none, the environment or ~/.pgpass decide) in
   * SecretStorage, the URI in user or workspace settings. A URI the user typed needs no confirming.
   */
  async save(uri: string, password: string | undefined, target: TeamUriSource): Promise<void> {
    if (password) await this.secrets.store(passwordKey(uri), password);
    else await this.secrets.delete(passwordKey(uri));
    if (target === 'workspace') await this.globalState.update(StateKeys.teamConfirmed + workspaceKey(), uri);
    await vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .update(
        Settings.teamUri,
        uri,
        target === 'user' ? vscode.ConfigurationTarget.Global : vscode.ConfigurationTarget.Workspace,
      );
    await this.restart();
  }

  /** Stops syncing: clears the setting in the scope that set the URI in effect. */
  async disconnect(): Promise<boolean> {
    const config = vscode.workspace.getConfiguration(
      SETTINGS_SECTION,
      vscode.workspace.workspaceFolders?.[0]?.uri,
    );
    const info = config.inspect<string>(Settings.teamUri);
    const target =
      info?.workspaceFolderValue !== undefined
        ? vscode.ConfigurationTarget.WorkspaceFolder
        : info?.workspaceValue !== undefined
          ? vscode.ConfigurationTarget.Workspace
          : info?.globalValue !== undefined
            ? vscode.ConfigurationTarget.Global
            : undefined;
    if (target === undefined) {
      // A URI the pipeline recorded stays recorded (it is the pipeline's): take back the consent.
      const recorded = this.configured();
      if (recorded?.source !== 'recorded' || !this.isConfirmed(recorded.uri)) return false;
      this.asked.add(recorded.uri); // not asked again in this window
      await this.globalState.update(StateKeys.teamConfirmed + workspaceKey(), undefined);
      await this.restart();
      return true;
    }
    await config.update(Settings.teamUri, undefined, target);
    await this.restart();
    return true;
  }

  /** Forgets the stored password of the configured server; true when there was one. */
  async forgetPassword(): Promise<boolean> {
    const uri = this.configured()?.uri;
    if (!uri) return false;
    const had = (await this.secrets.get(passwordKey(uri))) !== undefined;
    await this.secrets.delete(passwordKey(uri));
    return had;
  }

  /** Syncs now (retrying at once when offline); asks first for an unconfirmed workspace URI. */
  async syncNow(): Promise<void> {
    await this.restarting;
    if (this.session) return this.session.syncNow();
    const config = this.configured();
    if (this.stateValue.why === 'unconfirmed' && config) {
      this.asked.delete(config.uri);
      await this.askToConfirm(config);
      return this.session ? (this.session as Session).syncNow() : undefined;
    }
    if (this.stateValue.why === 'unset')
      void vscode.window.showInformationMessage(
        'mltrace: no team store is configured. Run "mltrace: Connect Team Store…" to set one.',
      );
  }

  dispose(): void {
    this.disposed = true;
    this.session?.dispose();
    this.session = undefined;
    for (const d of this.disposables) d.dispose();
  }

  // ---------------------------------------------------------------------------------------------

  /** Stops the current session and starts the one the settings ask for now (one at a time). */
  private restart(): Promise<void> {
    this.restarting = this.restarting
      .then(() => this.startSession())
      .catch((error: Error) => {
        this.log.error(`Team store: ${visible(error.message)}`);
      });
    return this.restarting;
  }

  private async startSession(): Promise<void> {
    this.session?.dispose();
    this.session = undefined;
    if (this.disposed) return;
    const config = this.configured();
    if (!config) return this.setState({ kind: 'off', why: 'unset', listening: false });
    const off = (why: TeamState['why']) =>
      this.setState({ kind: 'off', why, uri: config.uri, server: serverName(config.uri), listening: false });
    if (!this.trust.trusted) return off('restricted');
    // A URI that came with the repository (its settings, or its pipeline's set_db_uri) is used
    // only once the user says so: lineage must not go to a server a cloned repository names.
    if (config.source !== 'user' && !this.isConfirmed(config.uri)) {
      off('unconfirmed');
      if (!this.asked.has(config.uri)) void this.askToConfirm(config);
      return;
    }
    const storeDir = this.service.location?.storeDir;
    if (!storeDir) return off('no-folder');
    const password = await this.secrets.get(passwordKey(config.uri));
    if (this.disposed) return;
    const poll = vscode.workspace
      .getConfiguration(SETTINGS_SECTION)
      .get<number>(Settings.teamPollSeconds, 30);
    this.session = new Session({
      uri: config.uri,
      storeDir,
      password,
      pollMs: Math.max(1, Number.isFinite(poll) ? poll : 30) * 1000,
      log: this.log,
      onState: (state) => this.setState({ ...state, uri: config.uri }),
      // Other machines' events were written to team-*.jsonl: read them now, the views follow.
      onPulled: () => this.service.ingestNow(),
    });
    const from = config.source === 'recorded' ? "the pipeline's set_db_uri()" : `${config.source} settings`;
    this.log.info(`Team store: syncing with ${visible(this.session.server)} (${from}).`);
    this.session.start();
  }

  private async askToConfirm({ uri, source }: TeamConfig): Promise<void> {
    this.asked.add(uri);
    const use = 'Use This Team Store';
    const who =
      source === 'recorded'
        ? "this workspace's pipeline named a team store with set_db_uri()"
        : "this workspace's settings name a team store";
    const choice = await vscode.window.showInformationMessage(
      `mltrace: ${who}, ${visible(serverName(uri))}. Syncing sends this workspace's lineage (component names, file paths, code locations) to it. Use it?`,
      use,
      'Not Now',
    );
    if (choice === use) await this.confirm(uri);
  }

  private setState(state: TeamState): void {
    this.stateValue = state;
    this.stateEmitter.fire(state);
  }
}

/** Where a server's password is kept in SecretStorage. */
export const passwordKey = (uri: string): string => StateKeys.teamPassword + serverName(uri);

/** The workspace a confirmation belongs to: its .code-workspace file, else its first folder. */
function workspaceKey(): string {
  return (vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri)?.toString() ?? '';
}

/**
 * A URI and the password pasted in it, apart: the password goes to SecretStorage, the URI without
 * it to settings. Undefined when the text is no postgresql:// URI with a host.
 */
export function splitPassword(text: string): { uri: string; password?: string } | undefined {
  const trimmed = text.trim();
  if (!/^postgres(ql)?:\/\//.test(trimmed)) return undefined;
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return undefined;
  }
  if (!url.password) return { uri: trimmed };
  const password = decodeURIComponent(url.password);
  url.password = '';
  return { uri: url.toString(), password };
}

interface SessionOptions {
  uri: string;
  storeDir: string;
  password: string | undefined;
  pollMs: number;
  log: vscode.LogOutputChannel;
  onState: (state: TeamState) => void;
  onPulled: () => void;
}

/** Syncing with one server for one store, until disposed. */
class Session {
  readonly server: string;
  readonly storeDir: string;
  private listener: Client | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private backoff: number = TEAM_RETRY_MS.first;
  private retryTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  private watcher: fs.FSWatcher | undefined;
  private state: TeamState;
  private disposed = false;
  /** Stops a sync in flight when the session ends (the URI was removed or changed). */
  private readonly abort = new AbortController();

  constructor(private readonly options: SessionOptions) {
    this.server = serverName(options.uri);
    this.storeDir = options.storeDir;
    this.state = { kind: 'syncing', server: this.server, listening: false };
  }

  start(): void {
    this.update({});
    this.pollTimer = setInterval(() => this.poll(), this.options.pollMs);
    this.watchOwnWriters();
    void this.connectAndSync();
  }

  syncNow(): Promise<void> {
    if (this.retryTimer) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.backoff = TEAM_RETRY_MS.first;
      return this.connectAndSync();
    }
    return this.listener ? this.requestSync() : this.connectAndSync();
  }

  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    for (const timer of [this.retryTimer, this.pushTimer]) if (timer) clearTimeout(timer);
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.watcher?.close();
    this.closeListener();
  }

  // ---- when to sync -------------------------------------------------------------------------

  private poll(): void {
    if (this.retryTimer || this.disposed) return; // the retry comes first
    void (this.listener ? this.requestSync() : this.connectAndSync());
  }

  /** This machine's writer files changed: push them after a quiet second. */
  private watchOwnWriters(): void {
    const events = eventsDir(this.storeDir);
    try {
      this.watcher = fs.watch(events, { persistent: false }, (_event, file) => {
        const name = file ? String(file) : '';
        if (name && (!name.endsWith('.jsonl') || name.startsWith(PULLED_PREFIX))) return;
        if (this.pushTimer) clearTimeout(this.pushTimer);
        this.pushTimer = setTimeout(() => {
          this.pushTimer = undefined;
          if (!this.retryTimer && !this.disposed) void this.requestSync();
        }, TEAM_PUSH_DEBOUNCE_MS);
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No events folder yet: the poll pushes the first run.
    }
  }

  /** Another machine pushed: pull, unless the writer is one of this store's own. */
  private onNotification(message: Notification): void {
    const writer = message.payload ?? '';
    const own =
      WRITER_FILE.test(writer) &&
      !writer.startsWith(PULLED_PREFIX) &&
      fs.existsSync(path.join(eventsDir(this.storeDir), `${writer}.jsonl`));
    if (!own) void this.requestSync();
  }

  // ---- connecting and syncing ---------------------------------------------------------------

  /** LISTEN first (so no push between the sync and the LISTEN goes unnoticed), then sync. */
  private async connectAndSync(): Promise<void> {
    if (await this.listen()) await this.requestSync();
  }

  private async listen(): Promise<boolean> {
    if (this.listener) return true;
    this.update({ kind: 'syncing' });
    let client: Client | undefined;
    try {
      client = await connect(this.options.uri, {
        password: this.options.password,
        timeoutMs: CONNECT_TIMEOUT_MS,
      });
      if (this.disposed) {
        await client.end().catch(() => undefined);
        return false;
      }
      const self = client;
      const lost = () => {
        if (this.listener !== self) return;
        this.closeListener();
        if (!this.disposed)
          this.failed(new TeamError(`lost the connection to the team store ${this.server}`));
      };
      client.on('notification', (message) => this.onNotification(message));
      client.on('error', lost);
      client.on('end', lost);
      await client.query(`LISTEN ${CHANNEL}`);
      this.listener = client;
      this.update({ listening: true });
      return true;
    } catch (error) {
      await client?.end().catch(() => undefined);
      if (!this.disposed) this.failed(error);
      return false;
    }
  }

  private closeListener(): void {
    const client = this.listener;
    this.listener = undefined;
    void client?.end().catch(() => undefined);
    if (!this.disposed && this.state.listening) this.update({ listening: false });
  }

  /** One sync at a time: a request during one runs another after it. */
  private requestSync(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.syncWhileAsked().finally(() => (this.running = undefined));
    return this.running;
  }

  private async syncWhileAsked(): Promise<void> {
    do {
      this.again = false;
      await this.syncOnce();
    } while (this.again && !this.retryTimer && !this.disposed);
  }

  private async syncOnce(): Promise<void> {
    if (this.disposed) return;
    this.update({ kind: 'syncing' });
    try {
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `mltrace: syncing with ${visible(this.server)}` },
        () =>
          syncTeam(this.storeDir, this.options.uri, {
            password: this.options.password,
            timeoutMs: CONNECT_TIMEOUT_MS,
            pullBudgetMs: PULL_BUDGET_MS,
            signal: this.abort.signal,
          }),
      );
      if (this.disposed) return;
      this.backoff = TEAM_RETRY_MS.first;
      for (const problem of report.problems) this.options.log.warn(`Team store: ${visible(problem)}`);
      if (report.pushed || report.pulled)
        this.options.log.info(
          `Team store: pushed ${report.pushed} and pulled ${report.pulled} events (${visible(this.server)}).`,
        );
      if (report.pulled > 0) this.options.onPulled();
      if (report.incomplete) this.again = true;
      this.update({ kind: 'synced', syncedAt: Date.now(), error: undefined, retryAt: undefined });
    } catch (error) {
      if (!this.disposed) this.failed(error);
    }
  }

  /** Offline (or refused): say why, retry later, each time waiting twice as long up to a minute. */
  private failed(error: unknown): void {
    const message = visible(explain(error, this.options.uri, this.options.password).message);
    this.closeListener();
    if (!this.retryTimer) {
      const wait = this.backoff;
      this.backoff = Math.min(wait * 2, TEAM_RETRY_MS.max);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        void this.connectAndSync();
      }, wait);
      this.options.log.warn(`Team store: ${message}; retrying in ${Math.round(wait / 1000)} s.`);
      this.update({ kind: 'offline', error: message, retryAt: Date.now() + wait });
    }
  }

  private update(change: Partial<TeamState>): void {
    if (this.disposed) return;
    this.state = { ...this.state, ...change };
    this.options.onState(this.state);
  }
}
