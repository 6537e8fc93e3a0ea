/// <reference lib="dom" />
// The run inspector's Data tab (docs/DRIFT.md): each input's data against what staleness compares
// it with — per column, status, PSI and null rates in a compact list, drifted columns first (the
// engine's order), and the selected column's two distributions drawn one over the other. A list
// of 100 columns stays a list: one chart per input, for the column chosen with the mouse or the
// arrow keys (a WAI-ARIA listbox).
import type { ColumnDrift } from '../../core/drift';
import { figure, formatPsi, percent } from '../../core/drift';
import type { DriftComparison, DriftSide, RunInputDrift } from '../../core/drift';
import { runLabel } from '../../core/format';
import { button, el, icon } from '../common/dom';
import { post } from '../common/vscodeApi';
import { chartKind, chartLegend, distributionChart } from './distributionChart';
import { chooseColumn, chosenColumn } from './viewState';

/** How many inputs drifted (the tab's badge). */
export const driftedInputs = (drift: RunInputDrift[]): number =>
  drift.filter((d) => d.comparison?.verdict === 'drifted').length;

export function dataTab(drift: RunInputDrift[]): HTMLElement[] {
  if (drift.length === 0) return [el('p', { className: 'muted', text: 'This run read no data files.' })];
  const notes = drift.filter((d) => d.comparison === null);
  const compared = drift.filter((d) => d.comparison !== null);
  const parts: HTMLElement[] = compared.map((d, i) => inputSection(d.comparison!, i));
  if (notes.length)
    parts.push(
      el(
        'ul',
        { className: 'drift-notes' },
        notes.map((d) =>
          el('li', { className: 'muted', attrs: { 'data-pointer': d.pointer }, text: d.note! }),
        ),
      ),
    );
  return parts;
}

const VERDICT_WORDS = { drifted: 'drifted', same: 'same distribution', 'no verdict': 'no verdict' } as const;

function inputSection(c: DriftComparison, index: number): HTMLElement {
  const section = el('section', { className: 'input-drift', attrs: { 'data-pointer': c.pointer } });
  section.append(
    el('h2', {}, [
      icon('database'),
      el('span', { className: 'mono', text: ` ${c.pointer} ` }),
      el('span', {
        className: `verdict verdict-${c.verdict.replace(' ', '-')}`,
        text: VERDICT_WORDS[c.verdict],
      }),
    ]),
    el('p', { className: 'sides' }, [
      el('span', { className: 'muted', text: 'Reference: ' }),
      el('span', { text: sideWords(c.reference) }),
      el('br'),
      el('span', { className: 'muted', text: 'Current: ' }),
      el('span', { text: sideWords(c.current) }),
    ]),
    el('p', { className: 'muted', text: ruleWords(c) }),
  );
  if (c.columns.length === 0) return section;
  const id = `input-${index}`;
  const detail = el('div', {
    className: 'column-detail',
    attrs: { id: `${id}-detail`, 'aria-live': 'polite' },
  });
  const list = el('div', {
    className: 'column-list',
    attrs: { role: 'listbox', 'aria-label': `Columns of ${c.pointer}`, 'aria-controls': `${id}-detail` },
  });
  const chosen = c.columns.find((col) => col.name === chosenColumn(c.pointer)) ?? c.columns[0];
  const options = c.columns.map((col, i) => {
    const option = el(
      'div',
      {
        className: `column-row status-${col.status.replace(' ', '-')}`,
        attrs: {
          role: 'option',
          id: `${id}-col-${i}`,
          'data-column': col.name,
          'aria-selected': String(col === chosen),
          tabindex: col === chosen ? '0' : '-1',
        },
      },
      [
        el('span', { className: 'col-status', text: statusWords(col) }),
        el('span', { className: 'col-name mono', text: col.name }),
        el('span', {
          className: 'col-psi mono',
          text: col.psi === null ? 'PSI —' : `PSI ${formatPsi(col.psi)}`,
        }),
        el('span', { className: 'col-nulls mono muted', text: nullWords(col) }),
      ],
    );
    option.addEventListener('click', () => choose(i, false));
    return option;
  });
  const choose = (i: number, focus: boolean) => {
    options.forEach((o, k) => {
      o.setAttribute('aria-selected', String(k === i));
      o.tabIndex = k === i ? 0 : -1;
    });
    chooseColumn(c.pointer, c.columns[i].name);
    showColumn(detail, c, c.columns[i]);
    if (focus) options[i].focus();
  };
  list.addEventListener('keydown', (event) => {
    const at = options.findIndex((o) => o.getAttribute('aria-selected') === 'true');
    const next =
      event.key === 'ArrowDown'
        ? Math.min(at + 1, options.length - 1)
        : event.key === 'ArrowUp'
          ? Math.max(at - 1, 0)
          : event.key === 'Home'
            ? 0
            : event.key === 'End'
              ? options.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    choose(next, true);
  });
  list.append(
    el('div', { className: 'column-head muted', attrs: { 'aria-hidden': 'true' } }, [
      el('span', { text: 'Status' }),
      el('span', { text: 'Column' }),
      el('span', { text: 'PSI' }),
      el('span', { text: 'Nulls' }),
    ]),
    ...options,
  );
  showColumn(detail, c, chosen);
  section.append(el('div', { className: 'drift-body' }, [list, detail]));
  return section;
}

function sideWords(s: DriftSide): string {
  const rows = `${s.rows.toLocaleString('en-US')} rows${s.sampled ? ` sampled of ~${s.fileRows.toLocaleString('en-US')}` : ''}${s.cutShort ? ', cut short' : ''}`;
  // The run, unless the words already name it ("the version train (run 1a2b3c4d) read").
  const run = s.run ? runLabel(s.run.component, s.run.id) : '';
  return `${s.pointer}, ${s.how}${run && !s.how.includes(run) ? `, logged by ${run}` : ''} (${rows})`;
}

function ruleWords(c: DriftComparison): string {
  const largest = c.largestPsi === null ? '' : `Largest PSI ${formatPsi(c.largestPsi)}. `;
  const why = c.why ? `${c.why.charAt(0).toUpperCase()}${c.why.slice(1)}. ` : '';
  const ignored = c.settings.ignoreColumns.length
    ? `; ${c.settings.ignoreColumns.join(', ')} never (mltrace.drift.ignoreColumns)`
    : '';
  return `${why}${largest}A column drifts from PSI ${c.settings.threshold} or a null rate moved by ${c.settings.nullRatePoints} points${c.sharedOnly ? '; only the columns both sides have count' : ''}${ignored}.`;
}

function statusWords(c: ColumnDrift): string {
  if (c.status === 'retyped') return `retyped ${c.reference!.type} → ${c.current!.type}`;
  if (c.status === 'added') return 'added';
  return c.status;
}

const nullWords = (c: ColumnDrift): string =>
  c.nullRate ? `${percent(c.nullRate.reference)} → ${percent(c.nullRate.current)}` : '—';

function showColumn(detail: HTMLElement, c: DriftComparison, col: ColumnDrift): void {
  const chart = distributionChart(col);
  const kind = chartKind(col);
  detail.replaceChildren(
    el('h3', {}, [
      el('span', { className: 'mono', text: col.name }),
      el('span', { className: 'muted', text: ` · ${col.current?.type ?? col.reference?.type ?? ''}` }),
    ]),
    ...(chart && kind
      ? [chartLegend(kind, { reference: 'reference', current: 'current' }), chart]
      : [el('p', { className: 'muted', text: 'No values to draw on either side.' })]),
    figuresTable(c, col),
    ...ignoreButton(c, col),
  );
}

/**
 * Ignore in Drift on a column that counts (a row id or a timestamp moves by design), Count in
 * Drift Again on one the setting names; none on one a pattern of the setting matches.
 */
function ignoreButton(c: DriftComparison, col: ColumnDrift): HTMLElement[] {
  const ignored = col.status === 'ignored';
  if (ignored && !c.settings.ignoreColumns.includes(col.name)) return [];
  const label = ignored ? 'Count in Drift Again' : 'Ignore in Drift';
  const title = ignored
    ? `Take ${col.name} out of mltrace.drift.ignoreColumns`
    : `Never count ${col.name} as drift: add it to mltrace.drift.ignoreColumns`;
  return [
    el('p', { className: 'column-actions' }, [
      button(label, () => post({ type: 'ignoreDriftColumn', column: col.name, ignore: !ignored }), {
        secondary: true,
        title,
      }),
    ]),
  ];
}

/** The figures, also the chart's text alternative in full. */
function figuresTable(c: DriftComparison, col: ColumnDrift): HTMLElement {
  const side = (s: ColumnDrift['reference']) => {
    if (!s) return '—';
    if (s.count === 0) return 'all null';
    if (s.quantiles && chartKind(col) !== 'bars') {
      const q = s.quantiles;
      return `median ${figure(q[10])}, quartiles ${figure(q[5])} – ${figure(q[15])}, range ${figure(q[0])} – ${figure(q[20])}`;
    }
    if (s.top) {
      const total = s.top.values.reduce((n, [, k]) => n + k, 0) + s.top.other;
      return s.top.values
        .slice(0, 5)
        .map(([v, k]) => `${v} ${percent(k / total)}`)
        .join(', ');
    }
    return `${s.distinctCount} distinct`;
  };
  const rows: Array<[string, string, string]> = [
    ['distribution', side(col.reference), side(col.current)],
    [
      'null rate',
      col.nullRate ? percent(col.nullRate.reference) : '—',
      col.nullRate ? percent(col.nullRate.current) : '—',
    ],
    ['rows', c.reference.rows.toLocaleString('en-US'), c.current.rows.toLocaleString('en-US')],
  ];
  const table = el('table', { className: 'data figures' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        ['', 'Reference', 'Current'].map((h) => el('th', { text: h })),
      ),
    ]),
    el(
      'tbody',
      {},
      rows.map(([what, r, cur]) =>
        el('tr', {}, [
          el('th', { className: 'muted', text: what }),
          el('td', { text: r }),
          el('td', { text: cur }),
        ]),
      ),
    ),
  ]);
  const ignored = 'ignored: the setting mltrace.drift.ignoreColumns names it, so it never counts as drift';
  const psi =
    col.psi === null
      ? col.status === 'ignored'
        ? `No PSI; ${ignored}.`
        : 'No PSI: '.concat(
            col.status === 'no verdict'
              ? 'too few rows or no values.'
              : 'the column is not on both sides as one kind.',
          )
      : `PSI ${formatPsi(col.psi)} over ${col.bins} (threshold ${c.settings.threshold}, resampling noise up to ${formatPsi(col.noise ?? 0)}): ${col.status === 'ignored' ? ignored : col.status}.`;
  return el('div', { className: 'figures-box' }, [el('p', { className: 'psi-line', text: psi }), table]);
}
