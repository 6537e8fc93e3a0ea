// Human output of `mltrace drift`: the two versions compared, then per column the PSI, the null
// rates and a summary of each side, drifted columns first. Names come from logs: visible().
import type { ColumnDrift } from '../core/drift';
import { columnSummary, formatPsi, percent } from '../core/drift';
import type { DriftComparison, DriftSide } from '../core/driftQuery';
import { visible } from '../core/format';
import { bold, dim, table } from './tables';

const side = (s: DriftSide): string =>
  `${visible(s.pointer)} ${dim(visible(s.version.slice(0, 19)))}  ${s.rows.toLocaleString('en-US')} rows${s.sampled ? ` (sampled of ~${s.fileRows.toLocaleString('en-US')})` : ''}${s.cutShort ? ', cut short' : ''} — ${visible(s.how)}`;

const ignoring = (columns: readonly string[]): string =>
  columns.length ? `; ignoring ${columns.map((c) => visible(c)).join(', ')}` : '';

function statusText(c: ColumnDrift): string {
  if (c.status === 'retyped') return `retyped ${c.reference!.type} → ${c.current!.type}`;
  if (c.status === 'added') return 'new column';
  if (c.status === 'removed') return 'removed';
  return c.status;
}

export function driftTable(result: DriftComparison): string {
  const verdict =
    result.verdict === 'drifted'
      ? bold('drifted')
      : result.verdict === 'same'
        ? 'same distribution'
        : `no verdict: ${result.why}`;
  const head = [
    `${bold(visible(result.pointer))}: ${verdict} (PSI threshold ${result.settings.threshold}${result.sharedOnly ? '; shared columns only' : ''}${ignoring(result.settings.ignoreColumns)})`,
    `  current    ${side(result.current)}`,
    `  reference  ${side(result.reference)}`,
  ];
  if (result.columns.length === 0) return head.join('\n');
  const rows = result.columns.map((c) => [
    visible(c.name),
    visible(c.current?.type ?? c.reference!.type),
    c.psi === null ? '—' : formatPsi(c.psi),
    c.nullRate ? `${percent(c.nullRate.reference)} → ${percent(c.nullRate.current)}` : '—',
    columnSummary(c.reference),
    columnSummary(c.current),
    statusText(c),
  ]);
  return [
    ...head,
    '',
    table(['COLUMN', 'TYPE', 'PSI', 'NULLS', 'REFERENCE', 'CURRENT', 'VERDICT'], rows),
  ].join('\n');
}
