/// <reference lib="dom" />
// One column's two distributions drawn one over the other (the Data tab): numbers as the
// cumulative curves their 21 quantiles describe, categories as paired bars of their most frequent
// values plus "other". The reference is a solid line or a filled bar, the current side a dashed
// line or a dashed outline, so that the two differ without colour (high contrast). The figures
// come from the profiles as the drift engine compared them (src/core/drift.ts); nothing here
// computes a PSI. Names are set with .text() / attributes only (names come from users' data).
import { Axis, axisBottom, axisLeft, line, max, NumberValue, scaleBand, scaleLinear, select } from 'd3';
import type { ColumnDrift, ColumnSummary } from '../../core/drift';
import { columnSummary, figure, percent } from '../../core/drift';
import { visible } from '../../core/format';

const WIDTH = 460;
const MARGIN = { left: 44, right: 16, top: 10, bottom: 28 };
/** Categories drawn at most; the rest join "other". */
const MAX_BARS = 10;

export type Series = 'reference' | 'current';
const SERIES: Series[] = ['reference', 'current'];

/** How a column is drawn: by the bins the engine used, else by what its sides carry. */
export function chartKind(c: ColumnDrift): 'cdf' | 'bars' | null {
  if (c.bins === 'quantiles') return 'cdf';
  if (c.bins === 'top values') return 'bars';
  const sides = [c.reference, c.current].filter((s): s is ColumnSummary => s !== null && s.count > 0);
  if (sides.length === 0) return null;
  if (sides.every((s) => s.top && (s.type !== 'integer' || !s.quantiles || s.distinctCount <= 20)))
    return 'bars';
  if (sides.every((s) => s.quantiles)) return 'cdf';
  return null;
}

/** The words a screen reader gets for the chart: each side's summary, as the CLI prints it. */
export function chartSummary(c: ColumnDrift): string {
  const parts = [`${visible(c.name)}`];
  if (c.reference) parts.push(`reference: ${columnSummary(c.reference)}`);
  if (c.current) parts.push(`current: ${columnSummary(c.current)}`);
  return parts.join('; ');
}

/** The chart of a column, or null when neither side has values to draw. */
export function distributionChart(c: ColumnDrift): SVGSVGElement | null {
  const kind = chartKind(c);
  if (!kind) return null;
  const svg = kind === 'cdf' ? cdfChart(c) : barChart(c);
  svg.setAttribute('role', 'img');
  svg.setAttribute(
    'aria-label',
    `${kind === 'cdf' ? 'Cumulative distributions' : 'Shares of values'} of ${chartSummary(c)}`,
  );
  svg.classList.add('distribution', `chart-${kind}`);
  return svg;
}

/** An svg of the chart's size with its bottom axis (decoration: the figures are in words beside it). */
function chartFrame(height: number, bottom: Axis<NumberValue>) {
  const svg = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
    .attr('width', WIDTH)
    .attr('height', height)
    .attr('viewBox', `0 0 ${WIDTH} ${height}`);
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('aria-hidden', 'true')
    .attr('transform', `translate(0,${height - MARGIN.bottom})`)
    .call(bottom);
  return svg;
}

/** Cumulative curves: quantile i/20 at height i/20, reference solid with circles, current dashed with squares. */
function cdfChart(c: ColumnDrift): SVGSVGElement {
  const height = 180;
  const sides = SERIES.flatMap((series) => {
    const q = c[series]?.quantiles;
    return q && c[series]!.count > 0
      ? [{ series, points: Array.from(q, (v, i) => [v, i / (q.length - 1)] as const) }]
      : [];
  });
  const values = sides.flatMap((s) => s.points.map((p) => p[0]));
  let [lo, hi] = [Math.min(...values), Math.max(...values)];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const x = scaleLinear()
    .domain([lo, hi])
    .nice()
    .range([MARGIN.left, WIDTH - MARGIN.right]);
  const y = scaleLinear()
    .domain([0, 1])
    .range([height - MARGIN.bottom, MARGIN.top]);
  const svg = chartFrame(
    height,
    axisBottom(x)
      .ticks(6)
      .tickFormat((v) => figure(Number(v))),
  );
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('aria-hidden', 'true')
    .attr('transform', `translate(${MARGIN.left},0)`)
    .call(
      axisLeft(y)
        .ticks(4)
        .tickFormat((v) => percent(Number(v))),
    );
  for (const { series, points } of sides) {
    const g = svg.append('g').attr('class', `series series-${series}`).attr('data-series', series);
    g.append('path')
      .attr('class', 'curve')
      .attr(
        'd',
        line<(typeof points)[number]>()
          .x((p) => x(p[0]))
          .y((p) => y(p[1]))(points),
      );
    // Markers at the quantiles: circles for the reference, squares for the current side.
    const marks = g.append('g').attr('class', 'marks');
    for (const [v, p] of points) {
      if (series === 'reference') marks.append('circle').attr('cx', x(v)).attr('cy', y(p)).attr('r', 2.5);
      else
        marks
          .append('rect')
          .attr('x', x(v) - 2.5)
          .attr('y', y(p) - 2.5)
          .attr('width', 5)
          .attr('height', 5);
    }
  }
  return svg.node()!;
}

interface Bar {
  value: string;
  /** The row of every value not drawn (labelled "(other)", apart from a value "other"). */
  other?: boolean;
  reference: number | null;
  current: number | null;
}

/** The values drawn: the reference's most frequent first, then the current side's new ones, then "other". */
export function barRows(c: ColumnDrift): Bar[] {
  const total = (s: ColumnSummary | null) =>
    s?.top ? s.top.values.reduce((n, [, k]) => n + k, 0) + s.top.other : 0;
  const share = (s: ColumnSummary | null, value: string): number | null => {
    if (!s?.top) return null;
    const t = total(s);
    const found = s.top.values.find(([v]) => v === value);
    return t > 0 ? (found ? found[1] : 0) / t : 0;
  };
  const names: string[] = [];
  for (const s of [c.reference, c.current])
    for (const [v] of s?.top?.values ?? []) if (!names.includes(v) && names.length < MAX_BARS) names.push(v);
  const rows: Bar[] = names.map((value) => ({
    value,
    reference: share(c.reference, value),
    current: share(c.current, value),
  }));
  const rest = (series: Series): number | null => {
    const s = c[series];
    if (!s?.top) return null;
    return Math.max(0, 1 - rows.reduce((n, r) => n + (r[series] ?? 0), 0));
  };
  const other = { value: '(other)', other: true, reference: rest('reference'), current: rest('current') };
  if ((other.reference ?? 0) > 1e-9 || (other.current ?? 0) > 1e-9) rows.push(other);
  return rows;
}

/** Paired horizontal bars: per value, the reference's share (filled) over the current's (dashed outline). */
function barChart(c: ColumnDrift): SVGSVGElement {
  const rows = barRows(c);
  const band = 22;
  const height = MARGIN.top + MARGIN.bottom + rows.length * band;
  const left = 110;
  const x = scaleLinear()
    .domain([0, Math.max(0.05, max(rows, (r) => Math.max(r.reference ?? 0, r.current ?? 0)) ?? 0)])
    .nice()
    .range([left, WIDTH - MARGIN.right]);
  const y = scaleBand<string>()
    .domain(rows.map((_, i) => String(i)))
    .range([MARGIN.top, height - MARGIN.bottom])
    .paddingInner(0.2);
  const svg = chartFrame(
    height,
    axisBottom(x)
      .ticks(5)
      .tickFormat((v) => percent(Number(v))),
  );
  const labels = svg.append('g').attr('class', 'bar-labels').attr('aria-hidden', 'true');
  rows.forEach((r, i) => {
    const label = visible(r.value);
    // The whole value in a tooltip beside the text (not inside it: the text is the label alone).
    const g = labels.append('g');
    g.append('title').text(label);
    g.append('text')
      .attr('x', left - 6)
      .attr('y', y(String(i))! + y.bandwidth() / 2)
      .attr('dy', '0.35em')
      .attr('text-anchor', 'end')
      .attr('class', r.other ? 'other' : null)
      .text(label.length > 16 ? `${label.slice(0, 15)}…` : label);
  });
  const half = y.bandwidth() / 2;
  for (const [k, series] of SERIES.entries()) {
    if (!c[series]?.top) continue;
    const g = svg.append('g').attr('class', `series series-${series}`).attr('data-series', series);
    rows.forEach((r, i) => {
      const share = r[series] ?? 0;
      g.append('rect')
        .attr('class', 'bar')
        .attr('x', left)
        .attr('y', y(String(i))! + k * half)
        .attr('width', Math.max(0, x(share) - left))
        .attr('height', Math.max(1, half - 1))
        .append('title')
        .text(`${visible(r.value)}, ${series}: ${percent(share)}`);
    });
  }
  return svg.node()!;
}

/** The legend: a line sample (solid / dashed) and a marker per series, with each side's words. */
export function chartLegend(kind: 'cdf' | 'bars', words: Record<Series, string>): HTMLElement {
  const box = document.createElement('div');
  box.className = 'legend';
  for (const series of SERIES) {
    const item = document.createElement('span');
    item.className = `legend-item series-${series}`;
    const sample = select(document.createElementNS('http://www.w3.org/2000/svg', 'svg'))
      .attr('width', 28)
      .attr('height', 12)
      .attr('aria-hidden', 'true');
    if (kind === 'cdf') {
      sample.append('path').attr('class', 'curve').attr('d', 'M2,6H26');
      if (series === 'reference') sample.append('circle').attr('cx', 14).attr('cy', 6).attr('r', 2.5);
      else sample.append('rect').attr('x', 11.5).attr('y', 3.5).attr('width', 5).attr('height', 5);
    } else
      sample
        .append('rect')
        .attr('class', 'bar')
        .attr('x', 2)
        .attr('y', 2)
        .attr('width', 24)
        .attr('height', 8);
    const text = document.createElement('span');
    text.textContent = visible(words[series]);
    item.append(sample.node()!, text);
    box.append(item);
  }
  return box;
}
