// The status bar items: how many runs are logged and how many components' latest runs are stale
// (a click lists the stale ones); the team store's sync state (a click syncs now).
import * as vscode from 'vscode';
import { Commands } from './constants';
import type { LineageService } from './lineageService';
import { md, plural, visible } from './presentation';
import type { TeamSyncService } from './teamSync';

export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('mltrace.status', vscode.StatusBarAlignment.Left, 10);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly service: LineageService) {
    this.item.name = 'mltrace';
    this.item.command = Commands.showStale;
    this.subscription = service.onDidChange(() => this.update());
    this.update();
  }

  update(): void {
    const store = this.service.store;
    const runs = store ? store.components().reduce((n, c) => n + c.runCount, 0) : 0;
    if (runs === 0) {
      // Nothing logged (yet): the views' welcome content says how to start.
      this.item.hide();
      return;
    }
    const stale = this.service.staleRuns();
    this.item.text = stale.length
      ? `$(type-hierarchy) ${runs} runs $(history) ${stale.length} stale`
      : `$(type-hierarchy) ${runs} runs`;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**mltrace**: ${plural(runs, 'run')} logged\n\n`);
    if (stale.length) {
      tip.appendMarkdown(`${plural(stale.length, 'component')} whose latest run may need re-running:\n\n`);
      for (const run of stale.slice(0, 10))
        tip.appendMarkdown(`- ${md(run.component)}: ${md(run.stale[0] ?? '')}\n`);
      tip.appendMarkdown('\nClick to list them.');
    } else {
      tip.appendMarkdown('No stale runs.');
    }
    this.item.tooltip = tip;
    this.item.accessibilityInformation = { label: `mltrace: ${plural(runs, 'run')}, ${stale.length} stale` };
    this.item.show();
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}

/**
 * The team store's item: synced, syncing, or offline with the seconds to the next attempt; hidden
 * when there is no team store (or in Restricted Mode). A click syncs now.
 */
export class TeamStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('mltrace.team', vscode.StatusBarAlignment.Left, 9);
  private readonly subscription: vscode.Disposable;
  /** Counts down the seconds to the next attempt while offline. */
  private ticker: NodeJS.Timeout | undefined;

  constructor(private readonly team: TeamSyncService) {
    this.item.name = 'mltrace team store';
    this.item.command = Commands.syncNow;
    this.subscription = team.onDidChangeState(() => this.update());
    this.update();
  }

  update(): void {
    const state = this.team.state;
    const offline = state.kind === 'offline';
    if (offline && !this.ticker) this.ticker = setInterval(() => this.update(), 1000);
    if (!offline && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
    if (state.kind === 'off' && state.why !== 'unconfirmed') {
      this.item.hide();
      return;
    }
    const server = state.server ?? 'the team store';
    const seconds = Math.max(0, Math.ceil(((state.retryAt ?? 0) - Date.now()) / 1000));
    this.item.text =
      state.kind === 'off'
        ? '$(cloud) team store?'
        : state.kind === 'syncing'
          ? '$(sync~spin) syncing…'
          : offline
            ? `$(cloud-offline) offline, retrying in ${seconds}s`
            : '$(cloud) synced';
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**mltrace team store** ${md(server)}\n\n`);
    if (state.kind === 'off') tip.appendMarkdown("Named by this workspace's settings: click to confirm it.");
    else {
      tip.appendMarkdown(
        state.listening
          ? 'Connected: other machines’ runs arrive as they are pushed.\n\n'
          : 'Not connected.\n\n',
      );
      if (state.syncedAt)
        tip.appendMarkdown(`Last synced ${md(new Date(state.syncedAt).toLocaleTimeString())}.\n\n`);
      if (state.error && offline) tip.appendMarkdown(`Last error: ${md(state.error)}\n\n`);
      tip.appendMarkdown('Click to sync now.');
    }
    this.item.tooltip = tip;
    this.item.accessibilityInformation = {
      label: `mltrace team store ${visible(server)}: ${this.item.text.replace(/\$\([^)]*\)\s*/g, '')}`,
    };
    this.item.show();
  }

  dispose(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.subscription.dispose();
    this.item.dispose();
  }
}
