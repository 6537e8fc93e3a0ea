// Typed access to the `mltrace.*` settings.
import * as vscode from 'vscode';
import type { DriftSettings } from '../core/drift';
import { DEFAULT_AUTO_COMPACT_FILES } from '../core/store';
import { DRIFT_SETTINGS, Settings, SETTINGS_SECTION } from './constants';

export type ProblemsSeverity = 'error' | 'warning' | 'information' | 'hint';

export interface MltraceSettings {
  /** Store folder as configured (may be relative to the workspace folder); '' = `<folder>/.mltrace`. */
  storeDirectory: string;
  stalenessThresholdDays: number;
  codeLensEnabled: boolean;
  problemsEnabled: boolean;
  problemsSeverity: ProblemsSeverity;
  decorationsEnabled: boolean;
  /** The drift settings given (the engine applies its defaults to the rest: drift.ts). */
  drift: Partial<DriftSettings>;
  /** Merge ended writers' files once this many wait (docs/LAYOUT.md "Segments"); 0: never. */
  autoCompactEndedFiles: number;
  /** The job namespace of components logged here; '' = from the git remote, else the folder's name. */
  namespace: string;
}

export function readSettings(scope?: vscode.ConfigurationScope): MltraceSettings {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION, scope);
  const threshold = config.get<number>(Settings.stalenessThresholdDays, 30);
  return {
    storeDirectory: config.get<string>(Settings.storeDirectory, '').trim(),
    stalenessThresholdDays: Number.isFinite(threshold) && threshold > 0 ? threshold : 30,
    codeLensEnabled: config.get<boolean>(Settings.codeLensEnabled, true),
    problemsEnabled: config.get<boolean>(Settings.problemsEnabled, true),
    problemsSeverity: config.get<ProblemsSeverity>(Settings.problemsSeverity, 'warning'),
    decorationsEnabled: config.get<boolean>(Settings.decorationsEnabled, true),
    drift: Object.fromEntries(
      Object.entries(DRIFT_SETTINGS).map(([name, key]) => [name, config.get<unknown>(key)]),
    ) as Partial<DriftSettings>,
    autoCompactEndedFiles: config.get<number>(Settings.autoCompactEndedFiles, DEFAULT_AUTO_COMPACT_FILES),
    namespace: config.get<string>(Settings.namespace, '').trim(),
  };
}

/** Calls `listener` when any of the given settings changes. */
export function onDidChangeSetting(
  keys: ReadonlyArray<(typeof Settings)[keyof typeof Settings]>,
  listener: () => void,
): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((event) => {
    if (keys.some((key) => event.affectsConfiguration(`${SETTINGS_SECTION}.${key}`))) listener();
  });
}

export function toDiagnosticSeverity(severity: ProblemsSeverity): vscode.DiagnosticSeverity {
  switch (severity) {
    case 'error':
      return vscode.DiagnosticSeverity.Error;
    case 'information':
      return vscode.DiagnosticSeverity.Information;
    case 'hint':
      return vscode.DiagnosticSeverity.Hint;
    default:
      return vscode.DiagnosticSeverity.Warning;
  }
}
