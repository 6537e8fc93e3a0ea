/// <reference lib="dom" />
// A component's runs over time: one bar per run from start to end (status by colour and icon,
// stale runs marked), an overview strip to brush a time range, click a run to inspect it.
import { axisBottom, brushX, D3BrushEvent, scaleTime, select } from 'd3';
import type { Run } from '../../core/model';
import type { HistoryData } from '../../shared/protocol';
import { clear, el, icon, stateIcon } from '../common/dom';
import {
  absoluteTime,
  duration,
  plural,
  relativeTime,
  runLabel,
  shortId,
  visible as escaped,
} from '../../core/format';
import { RUN_STATE_ICONS, runState } from '../../shared/icons';
import { connectView, post } from '../common/vscodeApi';
import { metricChart } from './metricChart';

const root = el('main', { className: 'history' });
document.body.append(root);
let current: HistoryData | undefined;
let range: [Date, Date] | null = null;

const ROW = 22;
const MARGIN = { left: 110, right: 20 };
/** Shortest bar drawn, so that instant runs stay visible and clickable. */
const MIN_BAR = 4;

const startOf = (r: Run) => new Date(r.startTime);
const endOf = (r: Run) =>
  r.endTime ? new Date(r.endTime) : new Date(Math.max(Date.now(), Date.parse(r.startTime)));

function render(data: HistoryData): void {
  current = data;
  clear(root);
  const runs = [...data.runs].sort((a, b) => a.startTime.localeCompare(b.startTime));
  root.append(
    el('h1', {}, [icon('list-ordered'), el('span', { text: ` ${data.component}` })]),
    el('p', {
      className: 'muted',
      text: `${plural(runs.length, 'run')}${runs.length ? `, from ${absoluteTime(runs[0].startTime)} to ${absoluteTime(runs[runs.length - 1].startTime)}` : ''}. Brush the strip to zoom; click a run to inspect it.`,
    }),
  );
  if (runs.length === 0) return;
  const legend = el('div', { className: 'legend' });
  for (const state of ['complete', 'failed', 'running', 'stale'] as const)
    legend.append(el('span', {}, [stateIcon(state), el('span', { text: ` ${state}` })]));
  const overview = el('div', { className: 'overview' });
  const timeline = el('div', { className: 'timeline' });
  const resetButton = el('button', { className: 'link', text: 'Show all' });
  resetButton.addEventListener('click', () => {
    range = null;
    render(data);
  });
  root.append(legend, overview, el('div', { className: 'range-bar' }, [resetButton]), timeline);

  const width = Math.max(480, root.clientWidth - 24);
  const chart = metricChart(runs, width, (runId) => post({ type: 'inspectRun', runId }));
  if (chart) root.insertBefore(chart, legend);
  const full: [Date, Date] = [startOf(runs[0]), new Date(Math.max(...runs.map((r) => endOf(r).getTime())))];
  if (full[1].getTime() - full[0].getTime() < 60_000) full[1] = new Date(full[0].getTime() + 60_000);
  const domain = range ?? full;

  // Overview strip with a brush.
  const ox = scaleTime()
    .domain(full)
    .range([MARGIN.left, width - MARGIN.right]);
  const osvg = select(overview)
    .append('svg')
    .attr('width', width)
    .attr('height', 44)
    .attr('aria-label', 'Time range: drag to zoom')
    .attr('role', 'img');
  osvg
    .append('g')
    .selectAll('rect')
    .data(runs)
    .join('rect')
    .attr('class', (r) => `tick state-${runState(r)}`)
    .attr('x', (r) => ox(startOf(r)))
    .attr('y', 6)
    .attr('width', 2)
    .attr('height', 16);
  osvg.append('g').attr('class', 'axis').attr('transform', 'translate(0,24)').call(axisBottom(ox).ticks(6));
  const brush = brushX<unknown>()
    .extent([
      [MARGIN.left, 2],
      [width - MARGIN.right, 24],
    ])
    .on('end', (event: D3BrushEvent<unknown>) => {
      if (!event.sourceEvent) return;
      const selection = event.selection as [number, number] | null;
      range = selection ? [ox.invert(selection[0]), ox.invert(selection[1])] : null;
      render(data);
    });
  const brushGroup = osvg.append('g').attr('class', 'brush').call(brush);
  if (range) brushGroup.call(brush.move, [ox(range[0]), ox(range[1])]);

  // The timeline itself.
  const visible = runs.filter((r) => endOf(r) >= domain[0] && startOf(r) <= domain[1]);
  const x = scaleTime()
    .domain(domain)
    .range([MARGIN.left, width - MARGIN.right]);
  const height = visible.length * ROW + 30;
  const svg = select(timeline)
    .append('svg')
    .attr('width', width)
    .attr('height', height)
    .attr('role', 'list')
    .attr('aria-label', `${plural(visible.length, 'run')} of ${escaped(data.component)}`);
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${height - 24})`)
    .call(axisBottom(x).ticks(8));
  const row = svg
    .append('g')
    .selectAll('g')
    .data(visible)
    .join('g')
    .attr('class', (r) => `run-row state-${runState(r)}${r.stale.length ? ' stale' : ''}`)
    .attr('data-run', (r) => r.id)
    .attr('role', 'listitem')
    .attr('tabindex', 0)
    .attr(
      'aria-label',
      (r) =>
        `Run ${shortId(r.id)}, ${RUN_STATE_ICONS[runState(r)].label}, started ${relativeTime(r.startTime)}${duration(r) ? `, took ${duration(r)}` : ''}`,
    )
    .attr('transform', (_r, i) => `translate(0,${i * ROW + 2})`);
  row
    .append('title')
    .text((r) =>
      [
        runLabel(data.component, r.id),
        `${r.status}, ${absoluteTime(r.startTime)}${duration(r) ? `, took ${duration(r)}` : ''}`,
        ...r.stale.map((s) => `• ${s}`),
      ]
        .map((line) => escaped(line))
        .join('\n'),
    );
  row
    .append('rect')
    .attr('class', 'row-bg')
    .attr('x', 0)
    .attr('width', width)
    .attr('height', ROW - 2);
  row
    .append('text')
    .attr('class', 'row-label mono')
    .attr('x', 6)
    .attr('y', ROW / 2 + 3)
    .text((r) => shortId(r.id));
  row
    .append('rect')
    .attr('class', 'bar')
    .attr('x', (r) => Math.max(MARGIN.left, x(startOf(r))))
    .attr('y', 3)
    .attr('height', ROW - 8)
    .attr('rx', 2)
    .attr('width', (r) =>
      Math.max(MIN_BAR, Math.min(width - MARGIN.right, x(endOf(r))) - Math.max(MARGIN.left, x(startOf(r)))),
    );
  row
    .append('text')
    .attr('class', 'bar-icon')
    .attr(
      'x',
      (r) => Math.max(MARGIN.left, x(startOf(r))) + Math.max(MIN_BAR, x(endOf(r)) - x(startOf(r))) + 4,
    )
    .attr('y', ROW / 2 + 4)
    .text((r) => RUN_STATE_ICONS[runState(r)].glyph);
  row.on('click', (_event: MouseEvent, r: Run) => post({ type: 'inspectRun', runId: r.id }));
  row.on('keydown', (event: KeyboardEvent, r: Run) => {
    if (event.key === 'Enter' || event.key === ' ') post({ type: 'inspectRun', runId: r.id });
    const target = event.currentTarget as SVGGElement;
    if (event.key === 'ArrowDown') (target.nextElementSibling as SVGGElement | null)?.focus();
    if (event.key === 'ArrowUp') (target.previousElementSibling as SVGGElement | null)?.focus();
  });
}

connectView('history', (data) => {
  if (current?.component !== data.component) range = null;
  render(data);
});

window.addEventListener('resize', () => {
  if (current) render(current);
});
