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

/**
 * Adds a column (a name, or a pattern with `*`) to `mltrace.drift.ignoreColumns`, or takes it out:
 * from the value in effect, written to the workspace's settings (the user's, without a workspace),
 * so that names the user's settings list stay listed.
 */
export async function setDriftColumnIgnored(column: string, ignored: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
  const now = config.get<unknown>(Settings.driftIgnoreColumns);
  const listed = Array.isArray(now) ? now.filter((c): c is string => typeof c === 'string') : [];
  if (listed.includes(column) === ignored) return;
  const next = ignored ? [...listed, column] : listed.filter((c) => c !== column);
  const target = vscode.workspace.workspaceFolders?.length
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update(Settings.driftIgnoreColumns, next, target);
}
