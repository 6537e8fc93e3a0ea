// How runs, pointers and times look everywhere in the editor: icons with theme colours, relative
// times, Markdown tooltips. Names come from users' logs, so they are always escaped: `visible()`
// for plain text (labels, messages, titles), `md()` and `code()` for Markdown. Only what is shown
// is escaped, never what identifies (command arguments, tree item ids, store lookups).
import * as os from 'node:os';
import * as vscode from 'vscode';
import { absoluteTime, duration, relativeTime, runLabel, shortId, visible } from '../core/format';
import type { PointerType, Run } from '../core/model';
import { FLAGGED_ICON, POINTER_ICONS, RUN_STATE_ICONS, RunState, runState } from '../shared/icons';

export { absoluteTime, duration, plural, relativeTime, visible } from '../core/format';
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

/**
 * Text for Markdown, on one line: control and bidirectional characters as visible escapes (a
 * newline too: in Markdown it can start a list or a heading), then Markdown's punctuation.
 */
export function md(text: string): string {
  return visible(text).replace(/[\\`*_{}[\]()#+\-.!|<>~=]/g, '\\$&');
}

/** Multi-line text (notes) for Markdown: each line escaped as by `md`, joined by line breaks. */
export function mdLines(text: string): string {
  // Trimmed: an indented line after a blank one would be a code block.
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => md(line.trim()))
    .join('  \n');
}

/** Inline code, on one line, with controls escaped; its fence is longer than any backticks in it. */
export function code(text: string): string {
  const shown = visible(text);
  const longest = Math.max(0, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${shown}${pad}${fence}`;
}

/** "featurize (run 1a2b3c4d)", escaped for display. */
export const runTitle = (run: { component: string; id: string }): string =>
  visible(runLabel(run.component, run.id));

/** The 8-character prefix of a run id people see, escaped for display (ids come from logs too). */
export const shortRunId = (id: string): string => visible(shortId(id));

/** A run's tooltip: status, times, source, inputs/outputs and staleness reasons. */
/** "by ana on gpu01" (each part when the events say), or undefined: who ran it, where. */
export function origin(run: Run): string | undefined {
  const parts = [run.user ? `by ${visible(run.user)}` : '', run.host ? `on ${visible(run.host)}` : ''];
  const text = parts.filter(Boolean).join(' ');
  return text || undefined;
}

/** `ana@gpu01` for a run logged on another machine than this one, else undefined. */
export function elsewhere(run: Run): string | undefined {
  if (!run.host || run.host === os.hostname()) return undefined;
  return visible(run.user ? `${run.user}@${run.host}` : run.host);
}

export function runTooltip(run: Run, staleReasons: string[]): vscode.MarkdownString {
  const state = runState(run, staleReasons.length > 0);
  const tip = new vscode.MarkdownString(undefined, true);
  tip.appendMarkdown(`${runCodicon(state)} **${md(run.component)}** — run ${code(shortId(run.id))}\n\n`);
  const when = `${absoluteTime(run.startTime)} (${relativeTime(run.startTime)})`;
  const took = duration(run);
  tip.appendMarkdown(`${md(run.status)}, started ${md(when)}${took ? `, took ${md(took)}` : ''}\n\n`);
  const by = origin(run);
  if (by) tip.appendMarkdown(`Ran ${md(by)}\n\n`);
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
  if (run.notes) tip.appendMarkdown(`\n**Notes:** ${mdLines(run.notes)}\n`);
  return tip;
}
