/// <reference lib="dom" />
// A run metric over a component's runs (facet mltrace_metrics): choose a metric, see it move run
// by run; a point is a run (click it, or focus it and press Enter, to inspect it).
import { line, select } from 'd3';
import type { HistoryRun } from '../../core/model';
import { absoluteTime, shortId } from '../../core/format';
import { formatMetric, valueNames } from '../../core/valueText';
import { drawAxes, timeScale, valueScale } from '../common/chart';
import { el } from '../common/dom';

const HEIGHT = 180;
const MARGIN = { left: 56, right: 20, top: 10, bottom: 24 };

/** The metric shown, kept across renders of the same view. */
let chosen: string | null = null;

/** The chart with its metric picker, or null when no run has a metric. */
export function metricChart(
  runs: readonly HistoryRun[],
  width: number,
  onInspect: (runId: string) => void,
): HTMLElement | null {
  const names = valueNames(runs).metrics;
  if (names.length === 0) return null;
  if (chosen === null || !names.includes(chosen)) chosen = names[0];
  const box = el('section', { className: 'metric-chart' });
  const picker = el('select', { attrs: { 'aria-label': 'Metric' } });
  for (const name of names) picker.append(el('option', { text: name, attrs: { value: name } }));
  picker.value = chosen;
  const plot = el('div', { className: 'metric-plot' });
  picker.addEventListener('change', () => {
    chosen = picker.value;
    draw(plot, runs, chosen, width, onInspect);
  });
  box.append(el('label', { className: 'metric-picker' }, [el('span', { text: 'Metric ' }), picker]), plot);
  draw(plot, runs, chosen, width, onInspect);
  return box;
}

function draw(
  plot: HTMLElement,
  runs: readonly HistoryRun[],
  metric: string,
  width: number,
  onInspect: (runId: string) => void,
): void {
  plot.replaceChildren();
  const points = runs
    .filter((r) => metric in r.metrics)
    .map((r) => ({ run: r, time: new Date(r.startTime), value: r.metrics[metric] }))
    .sort((a, b) => a.time.getTime() - b.time.getTime());
  const box = { width, height: HEIGHT, margin: MARGIN };
  const x = timeScale(
    points.map((p) => p.time),
    box,
  );
  const y = valueScale(
    points.map((p) => p.value),
    box,
  );
  const svg = select(plot)
    .append('svg')
    .attr('width', width)
    .attr('height', HEIGHT)
    .attr('role', 'list')
    .attr('aria-label', `${metric} over ${points.length} runs`);
  drawAxes(svg, x, y, box);
  svg
    .append('path')
    .attr('class', 'metric-line')
    .attr(
      'd',
      line<(typeof points)[number]>()
        .x((p) => x(p.time))
        .y((p) => y(p.value))(points),
    );
  const point = svg
    .append('g')
    .selectAll('circle')
    .data(points)
    .join('circle')
    .attr('class', 'metric-point')
    .attr('data-run', (p) => p.run.id)
    .attr('cx', (p) => x(p.time))
    .attr('cy', (p) => y(p.value))
    .attr('r', 5)
    .attr('role', 'listitem')
    .attr('tabindex', 0)
    .attr('aria-label', (p) => `Run ${shortId(p.run.id)}: ${metric} ${formatMetric(p.value)}`);
  point
    .append('title')
    .text((p) => `${shortId(p.run.id)}, ${absoluteTime(p.run.startTime)}: ${formatMetric(p.value)}`);
  point.on('click', (_event: MouseEvent, p) => onInspect(p.run.id));
  point.on('keydown', (event: KeyboardEvent, p) => {
    if (event.key === 'Enter' || event.key === ' ') onInspect(p.run.id);
    const target = event.currentTarget as SVGCircleElement;
    if (event.key === 'ArrowRight') (target.nextElementSibling as SVGCircleElement | null)?.focus();
    if (event.key === 'ArrowLeft') (target.previousElementSibling as SVGCircleElement | null)?.focus();
  });
}
