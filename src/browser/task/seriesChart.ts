/// <reference lib="dom" />
// A task's metric over time (src/core/tasks/series.ts): the metric over the sliding window as a
// line with a focusable point per time, and feedback coverage (share of outputs with feedback) as
// a band on its own 0–100 % axis behind it. Scales, axes and styling shared with history/metricChart.ts.
import { area, axisRight, line, scaleLinear, select } from 'd3';
import type { TaskSeriesPoint } from '../../core/tasks/model';
import { absoluteTime } from '../../core/format';
import { formatMetric } from '../../core/valueText';
import { drawAxes, timeScale, valueScale } from '../common/chart';
import { el } from '../common/dom';

const HEIGHT = 240;
const MARGIN = { left: 56, right: 52, top: 12, bottom: 24 };

export const percent = (share: number): string => `${Math.round(share * 100)}%`;

/** What a point says, to a screen reader and in its tooltip. */
export function pointText(p: TaskSeriesPoint, metric: string): string {
  const value = p.value === null ? 'no value' : formatMetric(p.value);
  return `${absoluteTime(p.time)}: ${metric} ${value} over ${p.count} joined; feedback on ${p.withFeedback} of ${p.outputs} outputs (${percent(p.coverage)})`;
}

export function seriesChart(series: readonly TaskSeriesPoint[], metric: string, width: number): HTMLElement {
  const box = el('div', { className: 'series-plot' });
  const points = series.map((p) => ({ ...p, date: new Date(p.time) }));
  const frame = { width, height: HEIGHT, margin: MARGIN };
  const x = timeScale(
    points.map((p) => p.date),
    frame,
  );
  const y = valueScale(
    points.flatMap((p) => (p.value === null ? [] : [p.value])),
    frame,
  );
  const yCoverage = scaleLinear()
    .domain([0, 1])
    .range([HEIGHT - MARGIN.bottom, MARGIN.top]);
  const svg = select(box)
    .append('svg')
    .attr('width', width)
    .attr('height', HEIGHT)
    .attr('role', 'list')
    .attr('aria-label', `${metric} over time, ${points.length} points, with feedback coverage`);
  svg
    .append('path')
    .attr('class', 'coverage-area')
    .attr('aria-hidden', 'true')
    .attr(
      'd',
      area<(typeof points)[number]>()
        .x((p) => x(p.date))
        .y0(yCoverage(0))
        .y1((p) => yCoverage(p.coverage))(points),
    );
  drawAxes(svg, x, y, frame);
  svg
    .append('g')
    .attr('class', 'axis axis-coverage')
    .attr('transform', `translate(${width - MARGIN.right},0)`)
    .call(
      axisRight(yCoverage)
        .tickValues([0, 0.25, 0.5, 0.75, 1])
        .tickFormat((v) => percent(Number(v))),
    );
  svg
    .append('path')
    .attr('class', 'metric-line')
    .attr('aria-hidden', 'true')
    .attr(
      'd',
      line<(typeof points)[number]>()
        .defined((p) => p.value !== null)
        .x((p) => x(p.date))
        .y((p) => y(p.value ?? 0))(points),
    );
  const point = svg
    .append('g')
    .selectAll('circle')
    .data(points.filter((p) => p.value !== null))
    .join('circle')
    .attr('class', 'metric-point')
    .attr('data-time', (p) => p.time)
    .attr('cx', (p) => x(p.date))
    .attr('cy', (p) => y(p.value!))
    .attr('r', 4)
    .attr('role', 'listitem')
    .attr('tabindex', (_p, i) => (i === 0 ? 0 : -1))
    .attr('aria-label', (p) => pointText(p, metric));
  point.append('title').text((p) => pointText(p, metric));
  // One tab stop; arrows, Home and End move along the points.
  point.on('keydown', (event: KeyboardEvent) => {
    const target = event.currentTarget as SVGCircleElement;
    const all = [...target.parentElement!.children] as SVGCircleElement[];
    const at = all.indexOf(target);
    const next =
      event.key === 'ArrowRight'
        ? all[at + 1]
        : event.key === 'ArrowLeft'
          ? all[at - 1]
          : event.key === 'Home'
            ? all[0]
            : event.key === 'End'
              ? all[all.length - 1]
              : undefined;
    if (!next) return;
    event.preventDefault();
    target.setAttribute('tabindex', '-1');
    next.setAttribute('tabindex', '0');
    next.focus();
  });
  return box;
}
