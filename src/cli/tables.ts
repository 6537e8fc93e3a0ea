// Human output for terminals: aligned columns, relative times, short ids. Every string that comes
// from a log goes through `visible()` (names are anyone's to write: no escape sequence, bidi
// override or newline in one reaches the terminal as such); --json output keeps them exact.
import {
  duration as formatDuration,
  relativeTime as formatRelative,
  shortId as fullShortId,
  visible,
} from '../core/format';
import { Component, Review, Run, RunDetail, Trace } from '../core/model';
import { valueLines } from './valueFormat';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => (useColor ? `\x1b[${code}m${text}\x1b[0m` : text);
export const dim = paint('2');
export const bold = paint('1');
const red = paint('31');
const yellow = paint('33');
const green = paint('32');

/** "3 min ago", compact for columns. */
export const relativeTime = (iso: string | null): string => visible(formatRelative(iso, { compact: true }));

export const duration = (run: Run): string => formatDuration(run) ?? '—';

/** A short run id, as the terminal may show it (ids come from logs too). */
const shortId = (id: string): string => visible(fullShortId(id));

export function status(run: Run): string {
  const text = run.stale.length ? `${run.status}, stale` : run.status;
  if (run.status === 'failed') return red(text);
  if (run.stale.length) return yellow(text);
  if (run.status === 'running') return yellow(text);
  return green(text);
}

// eslint-disable-next-line no-control-regex
const visibleLength = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '').length;

/** Columns padded to the widest cell; the last column is not padded. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ''))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i] - visibleLength(c))))
      .join('  ')
      .trimEnd();
  return [bold(line(header)), ...rows.map(line)].join('\n');
}

/** Names joined by commas, the first `max` of them and a count of the rest; escaped. */
export const list = (names: string[], max = 3) =>
  names.length === 0
    ? '—'
    : names.length <= max
      ? names.map((n) => visible(n)).join(', ')
      : `${names
          .slice(0, max)
          .map((n) => visible(n))
          .join(', ')} +${names.length - max}`;

export function runsTable(runs: Run[]): string {
  if (runs.length === 0) return dim('No runs.');
  return table(
    ['ID', 'COMPONENT', 'STARTED', 'DURATION', 'STATUS', 'INPUTS → OUTPUTS'],
    runs.map((r) => [
      shortId(r.id),
      visible(r.component),
      relativeTime(r.startTime),
      duration(r),
      status(r),
      `${list(r.inputs)} → ${list(r.outputs)}`,
    ]),
  );
}

const pointerLines = (pointers: Array<{ name: string; flagged: boolean }>): string =>
  pointers.map((p) => visible(p.name) + (p.flagged ? red(' [flagged]') : '')).join('\n') || '—';

export function runCard(run: RunDetail): string {
  const lines: Array<[string, string]> = [
    ['Run', visible(run.id)],
    ['Component', visible(run.component) + (run.description ? dim(` — ${visible(run.description)}`) : '')],
    ['Owner', visible(run.owner) || '—'],
    ['Tags', list(run.tags, Infinity)],
    ['Status', status(run)],
    ['Started', `${visible(run.startTime)} (${relativeTime(run.startTime)})`],
    ['Ended', run.endTime ? `${visible(run.endTime)} (${duration(run)})` : '—'],
    [
      'Git',
      run.gitHash
        ? `${visible(run.gitHash)}${run.gitTags.length ? ` (${list(run.gitTags, Infinity)})` : ''}`
        : '—',
    ],
    [
      'Source',
      run.sourceFile ? `${visible(run.sourceFile)}${run.sourceLine ? `:${run.sourceLine}` : ''}` : '—',
    ],
    ['Inputs', pointerLines(run.inputPointers)],
    ['Outputs', pointerLines(run.outputPointers)],
    ['Depends on', run.dependencies.map(shortId).join(', ') || '—'],
  ];
  lines.push(...valueLines(run));
  if (run.error) lines.push(['Error', red(visible(run.error))]);
  if (run.stale.length) lines.push(['Stale', run.stale.map((s) => yellow(visible(s))).join('\n')]);
  if (run.notes) lines.push(['Notes', visible(run.notes, { lines: true })]);
  const width = Math.max(...lines.map(([k]) => k.length));
  const out = lines.map(([key, value]) => {
    const [firstLine, ...rest] = value.split('\n');
    return [
      `${bold(key.padEnd(width))}  ${firstLine}`,
      ...rest.map((l) => `${' '.repeat(width)}  ${l}`),
    ].join('\n');
  });
  if (run.codeSnapshot) out.push('', bold('Code'), dim(visible(run.codeSnapshot, { lines: true })));
  return out.join('\n');
}

/** How deep the trace tree indents. */
const MAX_INDENT = 24;

/** The first line of a trace: what it is of, or that no run wrote (or read) the pointer. */
export function traceHead(trace: Pick<Trace, 'pointer' | 'direction'>, runs: number): string {
  if (runs === 0) {
    return dim(
      trace.direction === 'upstream'
        ? `No logged run wrote ${visible(trace.pointer)}.`
        : `No logged run read ${visible(trace.pointer)}.`,
    );
  }
  return trace.direction === 'upstream'
    ? `${bold(visible(trace.pointer))} was produced by:`
    : `${bold(visible(trace.pointer))} was read by:`;
}

/** A trace's runs as lines of its tree (any run of it: a page at a time prints the same). */
export function traceRows(runs: Trace['runs'], direction: Trace['direction']): string[] {
  return runs.map((r) => {
    // The indent stops at MAX_INDENT levels (a chain thousands deep would print gigabytes of
    // spaces); deeper runs say their depth.
    const deep = r.depth > MAX_INDENT;
    const indent = '  '.repeat(Math.min(r.depth, MAX_INDENT) + 1);
    const at = deep ? `${dim(`[depth ${r.depth}]`)} ` : '';
    const io = direction === 'upstream' ? `reads ${list(r.inputs)}` : `writes ${list(r.outputs)}`;
    const stale = r.stale.length
      ? `\n${indent}  ${r.stale.map((s) => yellow(`! ${visible(s)}`)).join(`\n${indent}  `)}`
      : '';
    return `${indent}${at}${visible(r.component)} ${dim(shortId(r.id))}  ${relativeTime(r.startTime)}  ${status(r)}  ${dim(io)}${stale}`;
  });
}

export function reviewTable(review: Review): string {
  if (review.flagged.length === 0)
    return dim('No outputs are flagged. Flag one with: mltrace flag <pointer>');
  const head = `${review.flagged.length} flagged output${review.flagged.length === 1 ? '' : 's'}: ${list(review.flagged, Infinity)}`;
  return [
    head,
    '',
    table(
      ['ID', 'COMPONENT', 'STARTED', 'IN TRACES', 'COVERAGE', 'SUSPICIOUSNESS'],
      review.runs.map((r) => [
        shortId(r.id),
        visible(r.component),
        relativeTime(r.startTime),
        `${r.count}/${review.flagged.length}`,
        `${Math.round(r.coverage * 100)}%`,
        r.suspiciousness.toFixed(2),
      ]),
    ),
  ].join('\n');
}

export function componentsTable(components: Component[]): string {
  if (components.length === 0) return dim('No components.');
  return table(
    ['COMPONENT', 'OWNER', 'TAGS', 'RUNS', 'LAST RUN', 'DESCRIPTION'],
    components.map((c) => [
      visible(c.name),
      visible(c.owner) || '—',
      list(c.tags, Infinity),
      String(c.runCount),
      relativeTime(c.lastRunTime),
      visible(c.description),
    ]),
  );
}
