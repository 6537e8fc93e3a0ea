// How runs, pointers and times look everywhere in the editor: icons with theme colours, relative
// times, Markdown tooltips. Names come from users' logs, so they are always escaped.
import * as vscode from 'vscode';
import { absoluteTime, duration, relativeTime } from '../core/format';
import type { PointerType, Run, RunStatus } from '../core/model';
import { shortId } from '../core/model';

export { absoluteTime, duration, plural, relativeTime } from '../core/format';

export type RunState = RunStatus | 'stale';

const STATUS_ICONS: Record<RunState, { icon: string; color: string }> = {
  running: { icon: 'sync~spin', color: 'charts.blue' },
  complete: { icon: 'pass', color: 'testing.iconPassed' },
  failed: { icon: 'error', color: 'testing.iconFailed' },
  stale: { icon: 'history', color: 'list.warningForeground' },
};

/** The state a run shows: stale wins over complete (a stale failed run still shows failed). */
export const runState = (run: Run, stale: boolean): RunState =>
  stale && run.status === 'complete' ? 'stale' : run.status;

export const runIcon = (state: RunState): vscode.ThemeIcon =>
  new vscode.ThemeIcon(STATUS_ICONS[state].icon, new vscode.ThemeColor(STATUS_ICONS[state].color));

/** Codicon syntax for labels that accept `$(icon)` (CodeLens titles, quick picks, status bar). */
export const runCodicon = (state: RunState): string => `$(${STATUS_ICONS[state].icon.replace('~spin', '')})`;

export const flaggedIcon = (): vscode.ThemeIcon =>
  new vscode.ThemeIcon('flag', new vscode.ThemeColor('list.errorForeground'));

const POINTER_ICONS: Record<PointerType, string> = {
  DATA: 'database',
  MODEL: 'beaker',
  ENDPOINT: 'globe',
  UNKNOWN: 'file',
};
export const pointerIcon = (type: PointerType, flagged: boolean): vscode.ThemeIcon =>
  flagged ? flaggedIcon() : new vscode.ThemeIcon(POINTER_ICONS[type]);

/** Escapes text for Markdown (component and file names come from users' logs). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\n/g, ' ')}${fence}`;
}

export const runTitle = (run: Run): string => `${run.component} (run ${shortId(run.id)})`;

/** A run's tooltip: status, times, source, inputs/outputs and staleness reasons. */
export function runTooltip(run: Run, staleReasons: string[]): vscode.MarkdownString {
  const state = runState(run, staleReasons.length > 0);
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendMarkdown(`${runCodicon(state)} **${md(run.component)}** — run ${code(shortId(run.id))}\n\n`);
  const when = `${absoluteTime(run.startTime)} (${relativeTime(run.startTime)})`;
  const took = duration(run);
  tip.appendMarkdown(`${md(run.status)}, started ${md(when)}${took ? `, took ${md(took)}` : ''}\n\n`);
  if (run.sourceFile)
    tip.appendMarkdown(
      `Source: ${code(`${run.sourceFile}${run.sourceLine ? `:${run.sourceLine}` : ''}`)}${run.gitHash ? ` at ${code(run.gitHash.slice(0, 10))}` : ''}\n\n`,
    );
  if (run.inputs.length) tip.appendMarkdown(`Reads: ${run.inputs.map(code).join(', ')}\n\n`);
  if (run.outputs.length) tip.appendMarkdown(`Writes: ${run.outputs.map(code).join(', ')}\n\n`);
  if (run.error) tip.appendMarkdown(`$(error) ${md(run.error)}\n\n`);
  if (staleReasons.length) {
    tip.appendMarkdown(`$(history) **May need re-running:**\n\n`);
    for (const reason of staleReasons) tip.appendMarkdown(`- ${md(reason)}\n`);
  }
  if (run.notes) tip.appendMarkdown(`\n**Notes:** ${md(run.notes)}\n`);
  return tip;
}
