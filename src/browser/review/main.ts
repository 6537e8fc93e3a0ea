/// <reference lib="dom" />
// The review of flagged outputs (docs/VSCODE.md): the flagged files, the ranked runs as a table and
// a bar chart (count, coverage, suspiciousness), and each flagged output's trace, in which the
// selected run is highlighted.
import { max, scaleBand, scaleLinear, select } from 'd3';
import type { ReviewedRun } from '../../core/model';
import type { ReviewData } from '../../shared/protocol';
import { clear, el, flagIcon, icon, stateIcon } from '../common/dom';
import { relativeTime, runLabel, shortId, visible } from '../../core/format';
import { runState } from '../../shared/icons';
import { truncate } from '../common/text';
import { connectView, post } from '../common/vscodeApi';

const root = el('main', { className: 'review' });
document.body.append(root);
let selected: string | null = null;
let current: ReviewData | undefined;

const percent = (x: number) => `${Math.round(x * 100)}%`;

function render(data: ReviewData): void {
  const started = performance.now();
  current = data;
  clear(root);
  const { flagged, runs } = data.review;
  root.append(el('h1', {}, [icon('checklist'), el('span', { text: ' Review of flagged outputs' })]));
  if (flagged.length === 0) {
    root.append(
      el('p', {
        className: 'muted',
        text: 'No output is flagged. Flag an erroneous output (right-click it in the Explorer → Flag as Erroneous Output) to see which runs the flagged outputs have in common.',
      }),
    );
    return;
  }
  root.append(
    el('p', {
      className: 'muted',
      text: `${runs.length} run${runs.length === 1 ? '' : 's'} appear in the traces of ${flagged.length} flagged output${flagged.length === 1 ? '' : 's'}. Count: in how many flagged traces a run is; suspiciousness (Ochiai) also counts the good outputs a run made.`,
    }),
  );

  // Flagged outputs (the first FLAGGED_SHOWN, and "Show all").
  const flaggedList = el('ul', { className: 'flagged-list' });
  for (const name of showAllFlagged ? flagged : flagged.slice(0, FLAGGED_SHOWN)) {
    const open = el('button', { className: 'link', text: name, title: `Open ${name}` });
    open.addEventListener('click', () => post({ type: 'openFile', pointer: name }));
    flaggedList.append(
      el('li', {}, [
        flagIcon('flagged'),
        open,
        iconButton('type-hierarchy', `Trace ${name}`, () =>
          post({ type: 'traceFrom', pointer: name, direction: 'upstream' }),
        ),
        iconButton(
          'circle-slash',
          `Unflag ${name}`,
          () => post({ type: 'unflag', pointer: name }),
          !data.trusted,
        ),
      ]),
    );
  }
  root.append(
    el('section', {}, [
      el('h2', { text: `Flagged outputs (${flagged.length})` }),
      flaggedList,
      ...showAllFlaggedButton(flagged.length, 'flagged outputs', '.flagged-list li'),
    ]),
  );

  // Ranked runs: chart and table.
  const chart = el('div', {
    className: 'chart',
    attrs: { role: 'img', 'aria-label': 'Bar chart of the ranked runs by count and suspiciousness' },
  });
  root.append(el('section', {}, [el('h2', { text: 'Runs in common' }), chart, rankedTable(runs)]));
  drawChart(chart, runs.slice(0, 30), flagged.length);

  // Traces of the flagged outputs.
  const byId = new Map(runs.map((r) => [r.id, r]));
  const traces = el('div', { className: 'traces' });
  for (const trace of showAllFlagged ? data.traces : data.traces.slice(0, FLAGGED_SHOWN)) {
    const chips = el('div', { className: 'chips' });
    for (const id of trace.runIds) {
      const run = byId.get(id);
      const chip = el('button', {
        className: 'chip',
        text: run ? truncate(run.component, 18) : shortId(id),
        title: run ? runLabel(run.component, id) : id,
        attrs: { 'data-run': id },
      });
      chip.addEventListener('click', () => select_(id));
      chips.append(chip);
    }
    const more = (trace.total ?? 0) - trace.runIds.length;
    if (more > 0)
      chips.append(el('span', { className: 'chip-more', text: `and ${more.toLocaleString('en')} more` }));
    traces.append(
      el('div', { className: 'trace' }, [
        el('div', { className: 'trace-name' }, [flagIcon(), el('span', { text: ` ${trace.pointer}` })]),
        chips,
      ]),
    );
  }
  root.append(
    el('section', {}, [
      el('h2', { text: 'Traces of the flagged outputs' }),
      traces,
      ...showAllFlaggedButton(data.traces.length, 'traces', '.trace'),
    ]),
  );
  applySelection();
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
}

/** Plain icon buttons: a hundred flagged outputs make two hundred of them. */
function iconButton(name: string, label: string, onClick: () => void, disabled = false): HTMLButtonElement {
  const b = el('button', { className: 'icon-button', title: label, attrs: { 'aria-label': label } }, [
    icon(name),
  ]);
  b.disabled = disabled;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Flagged outputs, and their traces, shown before "Show all": a hundred of each were most of the
 * review's 2,800 elements, and of the browser's first layout of it.
 */
const FLAGGED_SHOWN = 20;
let showAllFlagged = false;

/** "Show all 100 traces", when some flagged outputs and traces are not shown. */
function showAllFlaggedButton(total: number, what: string, items: string): HTMLElement[] {
  if (showAllFlagged || total <= FLAGGED_SHOWN) return [];
  return [
    showAllButton(`Show all ${total} ${what}`, 'show-all-flagged', items, FLAGGED_SHOWN, () => {
      showAllFlagged = true;
    }),
  ];
}

/**
 * A "Show all" button: `show` widens what is shown, the review is drawn again, and the focus moves
 * to the first item that was not shown (`items`: a selector of one element per item; the item
 * itself when it takes the focus, else its first button).
 */
function showAllButton(
  text: string,
  className: string,
  items: string,
  shown: number,
  show: () => void,
): HTMLElement {
  const more = el('button', { className: `link ${className}`, text });
  more.addEventListener('click', () => {
    show();
    if (!current) return;
    render(current);
    const item = document.querySelectorAll<HTMLElement>(items)[shown];
    (item?.tabIndex === 0 ? item : item?.querySelector<HTMLElement>('button'))?.focus();
  });
  return el('p', {}, [more]);
}

/** Rows shown before "Show all". */
const TABLE_ROWS = 50;
let showAllRows = false;

function rankedTable(runs: ReviewedRun[]): HTMLElement {
  const body = el('tbody');
  const shown = showAllRows ? runs : runs.slice(0, TABLE_ROWS);
  shown.forEach((run, i) => {
    const state = runState(run);
    const inspect = el('button', {
      className: 'link',
      text: 'Inspect',
      attrs: { 'aria-label': `Inspect ${run.component} run ${shortId(run.id)}` },
    });
    inspect.addEventListener('click', (event) => {
      event.stopPropagation();
      post({ type: 'inspectRun', runId: run.id });
    });
    const row = el(
      'tr',
      {
        attrs: {
          'data-run': run.id,
          tabindex: '0',
          'aria-label': `${run.component} run ${shortId(run.id)}: in ${run.count} flagged traces`,
        },
      },
      [
        el('td', { className: 'num', text: String(i + 1) }),
        el('td', {}, [stateIcon(state, { labelled: true }), el('span', { text: ` ${run.component}` })]),
        el('td', { className: 'mono', text: shortId(run.id) }),
        el('td', { className: 'muted', text: relativeTime(run.startTime) }),
        el('td', { className: 'num', text: String(run.count) }),
        el('td', { className: 'num', text: percent(run.coverage) }),
        el('td', { className: 'num', text: run.suspiciousness.toFixed(2) }),
        el('td', {}, [inspect]),
      ],
    );
    row.addEventListener('click', () => select_(run.id));
    row.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        select_(run.id);
        event.preventDefault();
      }
    });
    body.append(row);
  });
  const table = el('table', { className: 'data ranked' }, [
    el('thead', {}, [
      el('tr', {}, [
        el('th', { className: 'num', text: '#' }),
        el('th', { text: 'Component' }),
        el('th', { text: 'Run' }),
        el('th', { text: 'Started' }),
        el('th', { className: 'num', text: 'Count' }),
        el('th', { className: 'num', text: 'Coverage' }),
        el('th', { className: 'num', text: 'Suspiciousness' }),
        el('th', { text: '' }),
      ]),
    ]),
    body,
  ]);
  if (shown.length === runs.length) return table;
  const more = showAllButton(
    `Show all ${runs.length} runs`,
    'show-all-runs',
    'table.ranked tbody tr',
    TABLE_ROWS,
    () => {
      showAllRows = true;
    },
  );
  return el('div', {}, [table, more]);
}

function drawChart(container: HTMLElement, runs: ReviewedRun[], total: number): void {
  const rowHeight = 20;
  const labelWidth = 170;
  const width = 560;
  const height = runs.length * rowHeight + 24;
  const svg = select(container)
    .append('svg')
    .attr('viewBox', `0 0 ${width} ${height}`)
    .attr('width', width)
    .attr('height', height);
  const y = scaleBand<string>()
    .domain(runs.map((r) => r.id))
    .range([20, height - 4])
    .padding(0.2);
  const x = scaleLinear()
    .domain([0, Math.max(1, total, max(runs, (r) => r.count) ?? 1)])
    .range([0, width - labelWidth - 60]);
  svg
    .append('text')
    .attr('class', 'axis-note')
    .attr('x', labelWidth)
    .attr('y', 12)
    .text(`count of ${total} flagged · ◆ suspiciousness`);
  const row = svg
    .selectAll('g.bar')
    .data(runs)
    .join('g')
    .attr('class', (r) => `bar state-${runState(r)}`)
    .attr('data-run', (r) => r.id)
    .attr('transform', (r) => `translate(0,${y(r.id) ?? 0})`);
  row
    .append('text')
    .attr('class', 'bar-label')
    .attr('x', labelWidth - 6)
    .attr('y', y.bandwidth() / 2 + 4)
    .attr('text-anchor', 'end')
    .text((r) => `${truncate(visible(r.component), 16)} ${visible(shortId(r.id))}`);
  row
    .append('rect')
    .attr('class', 'bar-count')
    .attr('x', labelWidth)
    .attr('height', y.bandwidth())
    .attr('width', (r) => x(r.count));
  row
    .append('path')
    .attr('class', 'bar-susp')
    .attr('d', (r) => {
      const cx = labelWidth + x(r.suspiciousness * total);
      const cy = y.bandwidth() / 2;
      return `M${cx},${cy - 5}L${cx + 5},${cy}L${cx},${cy + 5}L${cx - 5},${cy}Z`;
    });
  row
    .append('text')
    .attr('class', 'bar-value')
    .attr('x', (r) => labelWidth + Math.max(x(r.count), x(r.suspiciousness * total)) + 12)
    .attr('y', y.bandwidth() / 2 + 4)
    .text((r) => `${r.count} · ${percent(r.coverage)} · ${r.suspiciousness.toFixed(2)}`);
  row.on('click', (_event: MouseEvent, r: ReviewedRun) => select_(r.id));
}

function select_(id: string): void {
  selected = selected === id ? null : id;
  applySelection();
}

function applySelection(): void {
  document.querySelectorAll('[data-run]').forEach((element) => {
    const on = element.getAttribute('data-run') === selected;
    element.classList.toggle('selected', on);
    element.classList.toggle('dimmed', selected !== null && !on && element.classList.contains('chip'));
  });
  const status = selected && current ? current.review.runs.find((r) => r.id === selected) : undefined;
  document.body.dataset.selected = status ? status.id : '';
}

connectView('review', render, (message) => {
  if (message.type !== 'highlight') return;
  selected = message.runId;
  applySelection();
});
