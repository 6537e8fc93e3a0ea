// In a trusted workspace, terminals get what logging needs: MLTRACE_DIR (a pipeline started from
// any sub-folder logs to the store this window shows), MLTRACE_NAMESPACE when the
// `mltrace.namespace` setting names one, the Python shim on PYTHONPATH (`import
// mltrace`) and the `mltrace` CLI on PATH, both shipped inside the extension, and the data profile
// budget (`mltrace.profile.budgetMs` as MLTRACE_PROFILE_BUDGET_MS). In Restricted Mode terminals
// are left alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { Settings, SETTINGS_SECTION } from './constants';
import type { LineageService } from './lineageService';
import { onDidChangeSetting, readSettings } from './settings';
import type { Trust } from './trust';

/** The profile budget's default (src/core/profile/profile.ts DEFAULT_BUDGET_MS). */
const DEFAULT_PROFILE_BUDGET_MS = 200;

export class TerminalEnvironment implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    readonly collection: vscode.GlobalEnvironmentVariableCollection,
    private readonly extensionPath: string,
    private readonly service: LineageService,
    private readonly trust: Trust,
  ) {
    collection.description =
      'mltrace: lets pipelines started in terminals log to this workspace (MLTRACE_DIR, `import mltrace`, the `mltrace` command).';
    this.subscriptions = [
      service.onDidChange(() => this.update()),
      trust.onDidGrant(() => this.update()),
      onDidChangeSetting([Settings.profileBudgetMs], () => this.update()),
    ];
    this.update();
  }

  private update(): void {
    const storeDir = this.service.location?.storeDir;
    if (!this.trust.trusted || !storeDir) {
      this.collection.clear();
      return;
    }
    // Set every time (each call replaces the previous mutator): the collection persists across
    // sessions, and the extension's folder changes with each update.
    this.collection.replace('MLTRACE_DIR', storeDir);
    const namespace = readSettings(
      vscode.workspace.getWorkspaceFolder(vscode.Uri.file(storeDir))?.uri,
    ).namespace;
    if (namespace) this.collection.replace('MLTRACE_NAMESPACE', namespace);
    else this.collection.delete('MLTRACE_NAMESPACE');
    const python = path.join(this.extensionPath, 'python');
    if (fs.existsSync(path.join(python, 'mltrace')))
      this.collection.prepend('PYTHONPATH', python + path.delimiter);
    const bin = path.join(this.extensionPath, 'dist', 'bin');
    if (fs.existsSync(path.join(bin, 'mltrace'))) this.collection.prepend('PATH', bin + path.delimiter);
    this.collection.replace('MLTRACE_PROFILE_BUDGET_MS', String(profileBudgetMs()));
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
  }
}

/** `mltrace.profile.budgetMs`: milliseconds, 0 (profiles off) or more; the default otherwise. */
export function profileBudgetMs(): number {
  const value = vscode.workspace
    .getConfiguration(SETTINGS_SECTION)
    .get<number>(Settings.profileBudgetMs, DEFAULT_PROFILE_BUDGET_MS);
  return typeof value === 'number' && Number.isFinite(value) && value >= 0
    ? value
    : DEFAULT_PROFILE_BUDGET_MS;
}
