// The status bar item: how many runs are logged and how many components' latest runs are stale;
// a click lists the stale ones.
import * as vscode from 'vscode';
import { Commands } from './constants';
import type { LineageService } from './lineageService';
import { md, plural } from './presentation';

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
