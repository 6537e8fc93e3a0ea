// Problems: a warning at the function of each component whose latest run is stale (the reasons
// as the message), and the malformed lines of the event log on the log file and line.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Run } from '../core/model';
import type { RunCode } from './codeAtRun';
import { Settings } from './constants';
import { locateComponents } from '../core/componentLocator';
import type { LineageService } from './lineageService';
import { shortRunId, visible } from './presentation';
import { onDidChangeSetting, readSettings, toDiagnosticSeverity } from './settings';

export const DIAGNOSTIC_SOURCE = 'mltrace';
export const DiagnosticCodes = { stale: 'stale-run', log: 'event-log' } as const;

export class DiagnosticsController implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
  private readonly disposables: vscode.Disposable[] = [this.collection];
  /** Reasons with what git adds (rule 4's commits), by run id, for the reasons they explain. */
  private disposed = false;
  private readonly explained = new Map<string, { reasons: string; explained: string[] }>();

  constructor(
    private readonly service: LineageService,
    private readonly runCode?: RunCode,
  ) {
    this.disposables.push(
      service.onDidChange(() => this.update()),
      onDidChangeSetting(
        [Settings.problemsEnabled, Settings.problemsSeverity, Settings.stalenessThresholdDays],
        () => this.update(),
      ),
    );
    this.update();
  }

  update(): void {
    const store = this.service.store;
    this.collection.clear();
    const settings = readSettings();
    if (!store || !settings.problemsEnabled) return;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    const add = (uri: vscode.Uri, diagnostic: vscode.Diagnostic) => {
      const list = byFile.get(uri.toString()) ?? [];
      list.push(diagnostic);
      byFile.set(uri.toString(), list);
    };

    const severity = toDiagnosticSeverity(settings.problemsSeverity);
    const staleBySource = new Map<string, Run[]>();
    const staleRuns = this.service.staleRuns();
    for (const run of staleRuns) {
      if (!run.sourceFile) continue;
      staleBySource.set(run.sourceFile, [...(staleBySource.get(run.sourceFile) ?? []), run]);
    }
    for (const [sourceFile, runs] of staleBySource) {
      const uri = this.service.sourceUri(sourceFile);
      if (!uri) continue;
      const text = this.textOf(uri);
      const anchors = text === undefined ? [] : locateComponents(text, runs);
      for (const run of runs) {
        const anchor = anchors.find((a) => a.component === run.component);
        const range = anchor?.def
          ? new vscode.Range(anchor.def.line, anchor.def.start, anchor.def.line, anchor.def.end)
          : new vscode.Range(
              anchor?.line ?? Math.max(0, (run.sourceLine ?? 1) - 1),
              0,
              anchor?.line ?? Math.max(0, (run.sourceLine ?? 1) - 1),
              1000,
            );
        const message = `${visible(run.component)}: its latest run (${shortRunId(run.id)}) may need re-running:\n${this.reasonsOf(
          run,
        )
          .map((r) => `• ${visible(r)}`)
          .join('\n')}`;
        const diagnostic = new vscode.Diagnostic(range, message, severity);
        diagnostic.source = DIAGNOSTIC_SOURCE;
        diagnostic.code = DiagnosticCodes.stale;
        add(uri, diagnostic);
      }
    }

    for (const problem of store.problems()) {
      const line = Math.max(0, problem.line - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, 10_000),
        `${visible(problem.reason)} The line was skipped; fix or remove it, then run "mltrace: Refresh".`,
        problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = DIAGNOSTIC_SOURCE;
      diagnostic.code = DiagnosticCodes.log;
      add(vscode.Uri.file(problem.file), diagnostic);
    }
    for (const [uri, diagnostics] of byFile) this.collection.set(vscode.Uri.parse(uri), diagnostics);
    void this.explainLater(staleRuns);
  }

  /** The run's reasons, with git's explanation once it has come. */
  private reasonsOf(run: Run): string[] {
    const known = this.explained.get(run.id);
    return known?.reasons === JSON.stringify(run.stale) ? known.explained : run.stale;
  }

  /**
   * Asks git what changed in the code of the runs not explained yet, off the update, and shows
   * it when it comes; the reasons shown meanwhile are staleness's own.
   */
  private async explainLater(runs: ReadonlyArray<Run>): Promise<void> {
    const pending = runs.filter((r) => this.explained.get(r.id)?.reasons !== JSON.stringify(r.stale));
    if (!this.runCode || pending.length === 0) return;
    const copies = pending.map((r) => ({ ...r, stale: [...r.stale] }));
    try {
      await this.runCode.explain(copies);
    } catch {
      return; // No explanation: the reasons already shown stand.
    }
    if (this.disposed) return;
    for (const [i, run] of pending.entries())
      this.explained.set(run.id, { reasons: JSON.stringify(run.stale), explained: copies[i].stale });
    if (copies.some((c, i) => c.stale.join('\n') !== pending[i].stale.join('\n'))) this.update();
  }

  /** The open document's text (it may have unsaved edits), else the file on disk. */
  private textOf(uri: vscode.Uri): string | undefined {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
    if (open) return open.getText();
    try {
      return fs.readFileSync(uri.fsPath, 'utf8');
    } catch {
      return undefined;
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
  }
}
