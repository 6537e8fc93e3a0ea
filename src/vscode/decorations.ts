// File decorations on logged outputs: flagged (error colour), stale (warning colour) and logged
// (a plain badge), in the explorer, the editor tabs and the trees. Only the small sets (flagged
// outputs, outputs of stale runs) are computed on a change; whether any other file is a logged
// output is asked when VS Code shows it, and remembered until the next change.
import * as vscode from 'vscode';
import { Settings } from './constants';
import type { LineageService } from './lineageService';
import { runTitle } from './presentation';
import { onDidChangeSetting, readSettings } from './settings';

export const Badges = { flagged: '!', stale: 'S', tracked: 'L' } as const;

export class DecorationsController implements vscode.FileDecorationProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  private enabled = true;
  private flagged = new Set<string>();
  /** Output name → the stale run that wrote it. */
  private stale = new Map<string, string>();
  private readonly cache = new Map<string, vscode.FileDecoration | undefined>();
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly service: LineageService) {
    this.disposables.push(
      vscode.window.registerFileDecorationProvider(this),
      service.onDidChange(() => this.update()),
      onDidChangeSetting([Settings.decorationsEnabled, Settings.stalenessThresholdDays], () => this.update()),
    );
    this.update();
  }

  update(): void {
    const store = this.service.store;
    this.enabled = readSettings().decorationsEnabled;
    this.cache.clear();
    this.flagged = new Set(store && this.enabled ? store.pointers({ flagged: true }).map((p) => p.name) : []);
    this.stale = new Map();
    if (store && this.enabled) {
      for (const run of this.service.staleRuns()) {
        for (const output of run.outputs) this.stale.set(output, runTitle(run));
      }
    }
    this.emitter.fire(undefined); // every shown file is asked again
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const key = uri.toString();
    if (this.cache.has(key)) return this.cache.get(key);
    const decoration = this.compute(uri);
    this.cache.set(key, decoration);
    return decoration;
  }

  private compute(uri: vscode.Uri): vscode.FileDecoration | undefined {
    const store = this.service.store;
    if (!store || !this.enabled) return undefined;
    const name = this.service.pointerName(uri);
    if (!name) return undefined;
    let decoration: vscode.FileDecoration | undefined;
    if (this.flagged.has(name)) {
      decoration = new vscode.FileDecoration(
        Badges.flagged,
        'mltrace: flagged as erroneous output',
        new vscode.ThemeColor('list.errorForeground'),
      );
    } else if (this.stale.has(name)) {
      decoration = new vscode.FileDecoration(
        Badges.stale,
        `mltrace: written by ${this.stale.get(name)}, which may need re-running`,
        new vscode.ThemeColor('list.warningForeground'),
      );
    } else {
      const pointer = store.pointersNamed([name]).get(name);
      if (pointer && pointer.writers > 0) {
        decoration = new vscode.FileDecoration(
          Badges.tracked,
          `mltrace: logged output of ${pointer.writers === 1 ? 'a run' : `${pointer.writers} runs`}`,
        );
      }
    }
    if (decoration) decoration.propagate = false;
    return decoration;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
