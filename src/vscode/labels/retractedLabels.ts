// Files that hold data of a retracted label: a badge in the explorer and a Problems entry each
// ("models/topic.joblib holds data of label Alice, retracted 3 days ago: retrain within 27 days"),
// with the threshold of the Python shim's guard (the mltrace.stalenessThresholdDays setting,
// mltrace's 30 days by default). Recomputed when the store changes; one walk per group of labels.
import * as vscode from 'vscode';
import { Settings } from '../constants';
import { DIAGNOSTIC_SOURCE } from '../diagnostics';
import type { LineageService } from '../lineageService';
import { onDidChangeSetting, readSettings } from '../settings';
import { retractionNotice } from './messages';

export const RETRACTED_BADGE = 'R';
export const RETRACTED_LABEL_CODE = 'retracted-label';

export class RetractedLabelsController implements vscode.FileDecorationProvider, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(`${DIAGNOSTIC_SOURCE}-labels`);
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  /** File URI → the decoration it gets. */
  private decorations = new Map<string, vscode.FileDecoration>();
  private readonly disposables: vscode.Disposable[] = [this.collection, this.emitter];

  constructor(private readonly service: LineageService) {
    this.disposables.push(
      vscode.window.registerFileDecorationProvider(this),
      service.onDidChange(() => this.update()),
      onDidChangeSetting(
        [Settings.stalenessThresholdDays, Settings.problemsEnabled, Settings.decorationsEnabled],
        () => this.update(),
      ),
    );
    this.update();
  }

  update(): void {
    this.collection.clear();
    this.decorations = new Map();
    const store = this.service.store;
    const settings = readSettings();
    if (store && (settings.problemsEnabled || settings.decorationsEnabled)) {
      for (const { pointer, labels } of store.labels.retractedCarriers()) {
        const uri = this.service.pointerUri(pointer);
        if (!uri) continue;
        const notices = labels.map((l) =>
          retractionNotice(pointer, l.label, l.retractedAt!, settings.stalenessThresholdDays),
        );
        const overdue = notices.some((n) => n.overdue);
        if (settings.problemsEnabled) {
          this.collection.set(
            uri,
            notices.map((n) => {
              const diagnostic = new vscode.Diagnostic(
                new vscode.Range(0, 0, 0, 0),
                n.message,
                n.overdue ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
              );
              diagnostic.source = DIAGNOSTIC_SOURCE;
              diagnostic.code = RETRACTED_LABEL_CODE;
              return diagnostic;
            }),
          );
        }
        if (settings.decorationsEnabled) {
          this.decorations.set(
            uri.toString(),
            new vscode.FileDecoration(
              RETRACTED_BADGE,
              `mltrace: ${notices.map((n) => n.message).join('; ')}`,
              new vscode.ThemeColor(overdue ? 'list.errorForeground' : 'list.warningForeground'),
            ),
          );
        }
      }
    }
    this.emitter.fire(undefined);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return this.decorations.get(uri.toString());
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
