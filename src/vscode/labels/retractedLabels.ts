// Files that hold data of a retracted label: a badge in the explorer and a Problems entry each
// ("models/topic.joblib holds data of label Alice, retracted 3 days ago: retrain within 27 days"),
// with the threshold of the Python shim's guard (the mltrace.stalenessThresholdDays setting,
// mltrace's 30 days by default). On each change of the store only the files whose labels changed
// are marked again (the carriers themselves come from the derivation the store keeps, labels/).
import * as vscode from 'vscode';
import { Settings } from '../constants';
import { DIAGNOSTIC_SOURCE } from '../diagnostics';
import type { LineageService } from '../lineageService';
import { onDidChangeSetting, readSettings } from '../settings';
import { retractionNotice } from './messages';

export const RETRACTED_BADGE = 'R';
export const RETRACTED_LABEL_CODE = 'retracted-label';

const DAY_MS = 86400e3;

/** What a file is marked with, and the key that says whether it must be marked again. */
interface Mark {
  uri: vscode.Uri;
  /** Its retracted labels with their times. */
  key: string;
  decoration?: vscode.FileDecoration;
}

export class RetractedLabelsController implements vscode.FileDecorationProvider, vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection(`${DIAGNOSTIC_SOURCE}-labels`);
  private readonly emitter = new vscode.EventEmitter<vscode.Uri[] | undefined>();
  readonly onDidChangeFileDecorations = this.emitter.event;
  /** File URI (as a string) → how it is marked. */
  private marks = new Map<string, Mark>();
  /** What every mark depends on besides its labels: the settings. */
  private context = '';
  /** Pointer → its file, for the store it was asked of. */
  private uris = new Map<string, vscode.Uri | undefined>();
  private urisOf: unknown;
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

  /** Marks the files that hold data of a retracted label; files whose labels did not change are left alone. */
  update(): void {
    const store = this.service.store;
    const settings = readSettings();
    const now = Date.now();
    const context = JSON.stringify([
      settings.stalenessThresholdDays,
      settings.problemsEnabled,
      settings.decorationsEnabled,
    ]);
    const everything = context !== this.context;
    if (everything) {
      // The settings changed: every file is marked again.
      this.collection.clear();
      this.marks = new Map();
    }
    this.context = context;
    const previous = this.marks;
    const next = new Map<string, Mark>();
    const changed: vscode.Uri[] = [];
    if (store !== this.urisOf) {
      this.uris = new Map();
      this.urisOf = store;
    }
    // A mark says "retracted 3 days ago": its key holds the age in days of each label.
    const ages = new Map<string, number>();
    const age = (at: string) =>
      ages.get(at) ?? ages.set(at, Math.floor((now - Date.parse(at)) / DAY_MS)).get(at)!;
    if (store && (settings.problemsEnabled || settings.decorationsEnabled)) {
      for (const { pointer, labels } of store.labels.retractedCarriers()) {
        const key = labels.map((l) => `${age(l.retractedAt!)} ${l.retractedAt} ${l.label}`).join('\n');
        let uri = this.uris.get(pointer);
        if (uri === undefined && !this.uris.has(pointer))
          this.uris.set(pointer, (uri = this.service.pointerUri(pointer)));
        if (!uri) continue;
        const id = uri.toString();
        const old = previous.get(id);
        if (old?.key === key) {
          next.set(id, old);
          continue;
        }
        const notices = labels.map((l) =>
          retractionNotice(pointer, l.label, l.retractedAt!, settings.stalenessThresholdDays, now),
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
        const decoration = settings.decorationsEnabled
          ? new vscode.FileDecoration(
              RETRACTED_BADGE,
              `mltrace: ${notices.map((n) => n.message).join('; ')}`,
              new vscode.ThemeColor(overdue ? 'list.errorForeground' : 'list.warningForeground'),
            )
          : undefined;
        next.set(id, { uri, key, decoration });
        changed.push(uri);
      }
    }
    for (const [id, old] of previous) {
      if (next.has(id)) continue;
      this.collection.delete(old.uri);
      changed.push(old.uri);
    }
    this.marks = next;
    if (everything) this.emitter.fire(undefined);
    else if (changed.length) this.emitter.fire(changed);
  }

  provideFileDecoration(uri: vscode.Uri): vscode.FileDecoration | undefined {
    return this.marks.get(uri.toString())?.decoration;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
