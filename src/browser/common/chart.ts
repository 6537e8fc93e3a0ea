/// <reference lib="dom" />
// What the line charts share (history/metricChart.ts: a run metric over runs; task/seriesChart.ts:
// a task's metric over time): the scales, padded when every point is at one time or value, and
// the axes. Their look is base.css's (.axis, .metric-line, .metric-point).
import { axisBottom, axisLeft, extent, scaleLinear, scaleTime, ScaleLinear, ScaleTime, Selection } from 'd3';

export interface ChartBox {
  width: number;
  height: number;
  margin: { left: number; right: number; top: number; bottom: number };
}

/** Time along the width; a single time gets a minute either side. */
export function timeScale(times: readonly Date[], box: ChartBox): ScaleTime<number, number> {
  const [t0, t1] = extent(times) as [Date, Date];
  return scaleTime()
    .domain(
      t0.getTime() === t1.getTime()
        ? [new Date(t0.getTime() - 60_000), new Date(t1.getTime() + 60_000)]
        : [t0, t1],
    )
    .range([box.margin.left, box.width - box.margin.right]);
}

/** Values up the height, rounded outwards; equal values get a tenth of their size either side. */
export function valueScale(values: readonly number[], box: ChartBox): ScaleLinear<number, number> {
  const [v0, v1] = values.length ? (extent(values) as [number, number]) : [0, 1];
  const pad = v0 === v1 ? Math.abs(v0) * 0.1 || 1 : 0;
  return scaleLinear()
    .domain([v0 - pad, v1 + pad])
    .nice()
    .range([box.height - box.margin.bottom, box.margin.top]);
}

/** The time axis below and the value axis on the left. */
export function drawAxes(
  svg: Selection<SVGSVGElement, unknown, null, undefined>,
  x: ScaleTime<number, number>,
  y: ScaleLinear<number, number>,
  box: ChartBox,
): void {
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${box.height - box.margin.bottom})`)
    .call(axisBottom(x).ticks(6));
  svg
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(${box.margin.left},0)`)
    .call(axisLeft(y).ticks(5));
}
