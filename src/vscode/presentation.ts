// How runs, pointers and times look everywhere in the editor: icons with theme colours, relative
// times, Markdown tooltips. Names come from users' logs, so they are always escaped.
import * as vscode from 'vscode';
import { absoluteTime, duration, relativeTime, runLabel, shortId } from '../core/format';
import type { PointerType, Run } from '../core/model';
import { FLAGGED_ICON, POINTER_ICONS, RUN_STATE_ICONS, RunState, runState } from '../shared/icons';

export { absoluteTime, duration, plural, relativeTime } from '../core/format';
export { runState, type RunState } from '../shared/icons';

/** A tree item's icon: the state's codicon in its theme colour (a running run's spins). */
export function runIcon(state: RunState): vscode.ThemeIcon {
  const { name, color } = RUN_STATE_ICONS[state];
  return new vscode.ThemeIcon(state === 'running' ? `${name}~spin` : name, new vscode.ThemeColor(color));
}

/** Codicon syntax for labels that accept `$(icon)` (CodeLens titles, quick picks, status bar). */
export const runCodicon = (state: RunState): string => `$(${RUN_STATE_ICONS[state].name})`;

export const flaggedIcon = (): vscode.ThemeIcon =>
  new vscode.ThemeIcon(FLAGGED_ICON.name, new vscode.ThemeColor('list.errorForeground'));

export const pointerIcon = (type: PointerType, flagged: boolean): vscode.ThemeIcon =>
  flagged ? flaggedIcon() : new vscode.ThemeIcon((POINTER_ICONS[type] ?? POINTER_ICONS.UNKNOWN).name);

/** Escapes text for Markdown (component and file names come from users' logs). */
export function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, '\\$&');
}

/** Inline code that survives backticks in the text. */
export function code(text: string): string {
  const fence = text.includes('`') ? '``' : '`';
  return `${fence}${text.replace(/\n/g, ' ')}${fence}`;
}

export const runTitle = (run: Run): string => runLabel(run.component, run.id);

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
