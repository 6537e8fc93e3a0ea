/// <reference lib="dom" />
// A task's page: its figures now (the metrics registered for it, then the default ones), the
// chosen metric over a sliding window as a chart (with the feedback coverage) and as a table, and
// beside them the runs that logged its outputs (click or Enter: the run inspector). A registered
// metric the engine computes is a button: click or Enter charts it over its window. The host computes the series (src/core/tasks/series.ts); this page
// asks for another metric or window and draws what it gets.
import type { SeriesWindow, TaskData } from '../../shared/protocol';
import type { TaskSeriesPoint } from '../../core/tasks/model';
import { absoluteTime, plural, relativeTime, runLabel, shortId } from '../../core/format';
import { formatMetric } from '../../core/valueText';
import { chartOf, windowLabel } from '../../core/tasks/registeredChart';
import { RUN_STATE_ICONS, runState } from '../../shared/icons';
import { clear, el, icon, stateIcon } from '../common/dom';
import { connectView, post } from '../common/vscodeApi';
import { percent, seriesChart } from './seriesChart';

const root = el('main', { className: 'task' });
document.body.append(root);
let current: TaskData | undefined;

const WINDOW_KINDS: Array<{ kind: SeriesWindow['kind']; label: string; size: number }> = [
  { kind: 'all', label: 'All so far', size: 0 },
  { kind: 'count', label: 'Last N with feedback', size: 100 },
  { kind: 'seconds', label: 'Last N seconds', size: 86_400 },
];

function render(data: TaskData): void {
  current = data;
  clear(root);
  const t = data.task;
  root.append(
    el('h1', {}, [icon('graph-line'), el('span', { text: ` ${t.name}` })]),
    el('p', {
      className: 'muted summary',
      text: `${plural(t.outputs, 'output')}, ${plural(t.feedback, 'feedback value')}; ${t.joined} of the outputs have feedback (${percent(t.outputs ? t.joined / t.outputs : 0)}). Last logged ${relativeTime(t.lastTime)}.`,
    }),
    ...(data.registered.length ? [registeredTable(data)] : []),
    currentTable(data),
    controls(data),
  );
  const layout = el('div', { className: 'task-layout' });
  const chartSection = el('section', { className: 'series' }, [
    el('h2', { text: `${data.metric} over time` }),
  ]);
  const runsSection = el('section', { className: 'runs' }, [el('h2', { text: 'Runs that logged outputs' })]);
  layout.append(chartSection, runsSection);
  root.append(layout);
  runsSection.append(runList(data));
  if (data.series.length === 0) {
    chartSection.append(el('p', { className: 'muted', text: 'No output was logged yet.' }));
    return;
  }
  chartSection.append(legend());
  const width = Math.max(360, chartSection.clientWidth || Math.floor(root.clientWidth * 0.64));
  chartSection.append(seriesChart(data.series, data.metric, width), seriesTable(data.series, data.metric));
}

function currentTable(data: TaskData): HTMLElement {
  const rows = data.current.map((m) =>
    el('tr', {}, [
      el('th', { text: m.name, attrs: { scope: 'row' } }),
      el('td', { className: 'num', text: m.value === null ? '—' : formatMetric(m.value) }),
      el('td', { className: 'muted', text: m.error ?? '' }),
    ]),
  );
  return el(
    'table',
    { className: 'data current', attrs: { 'aria-label': 'Metrics over every output with feedback' } },
    [el('tbody', {}, rows)],
  );
}

/** The metrics registered for the task (Task.registerMetric), with their window and value now. */
function registeredTable(data: TaskData): HTMLElement {
  const rows = data.registered.map((m) => {
    const chart = chartOf(m);
    const name = chart
      ? el('button', {
          className: 'registered-metric',
          text: m.name,
          attrs: {
            'data-identifier': m.identifier,
            'aria-label': `Chart ${m.name} over ${windowLabel(m.windowSize)}`,
          },
        })
      : el('span', { text: m.name, attrs: { 'data-identifier': m.identifier } });
    if (chart) name.addEventListener('click', () => post({ type: 'setTaskSeries', ...chart }));
    return el('tr', {}, [
      el('th', { attrs: { scope: 'row' } }, [name]),
      el('td', { text: windowLabel(m.windowSize) }),
      el('td', { className: 'num', text: m.value === null ? '—' : formatMetric(m.value) }),
      el('td', { className: 'muted', text: m.error ?? '' }),
    ]);
  });
  return el(
    'table',
    { className: 'data current registered', attrs: { 'aria-label': 'Registered metrics' } },
    [
      el('thead', {}, [
        el('tr', {}, [
          el('th', { text: 'Registered metric' }),
          el('th', { text: 'Window' }),
          el('th', { className: 'num', text: 'Now' }),
          el('th', { text: '' }),
        ]),
      ]),
      el('tbody', {}, rows),
    ],
  );
}

function controls(data: TaskData): HTMLElement {
  const metric = el('select', { attrs: { 'aria-label': 'Metric' } });
  for (const name of data.metricNames) metric.append(el('option', { text: name, attrs: { value: name } }));
  metric.value = data.metric;
  const kind = el('select', { attrs: { 'aria-label': 'Window' } });
  for (const k of WINDOW_KINDS) kind.append(el('option', { text: k.label, attrs: { value: k.kind } }));
  kind.value = data.window.kind;
  const size = el('input', {
    attrs: { type: 'number', min: '1', step: '1', 'aria-label': 'Window size' },
  });
  size.value = data.window.kind === 'all' ? '' : String(data.window.size);
  size.disabled = data.window.kind === 'all';
  const send = (): void => {
    const k = kind.value as SeriesWindow['kind'];
    const window: SeriesWindow =
      k === 'all'
        ? { kind: 'all' }
        : { kind: k, size: Number(size.value) || WINDOW_KINDS.find((w) => w.kind === k)!.size };
    post({ type: 'setTaskSeries', metric: metric.value, window });
  };
  metric.addEventListener('change', send);
  kind.addEventListener('change', send);
  size.addEventListener('change', send);
  return el('div', { className: 'controls' }, [
    el('label', {}, [el('span', { text: 'Metric ' }), metric]),
    el('label', {}, [el('span', { text: 'Window ' }), kind]),
    el('label', {}, [el('span', { text: 'N ' }), size]),
  ]);
}

function legend(): HTMLElement {
  return el('div', { className: 'legend', attrs: { 'aria-hidden': 'true' } }, [
    el('span', {}, [
      el('span', { className: 'swatch swatch-metric' }),
      el('span', { text: ' metric over the window' }),
    ]),
    el('span', {}, [
      el('span', { className: 'swatch swatch-coverage' }),
      el('span', { text: ' outputs with feedback (right axis)' }),
    ]),
  ]);
}

/** The chart's points as a table: the same figures, for reading and for screen readers. */
function seriesTable(series: readonly TaskSeriesPoint[], metric: string): HTMLElement {
  const head = el('tr', {}, [
    el('th', { text: 'Time' }),
    el('th', { className: 'num', text: metric }),
    el('th', { className: 'num', text: 'Joined in window' }),
    el('th', { className: 'num', text: 'With feedback' }),
  ]);
  const rows = [...series]
    .reverse()
    .map((p) =>
      el('tr', { attrs: { 'data-time': p.time } }, [
        el('td', { text: absoluteTime(p.time) }),
        el('td', { className: 'num', text: p.value === null ? '—' : formatMetric(p.value) }),
        el('td', { className: 'num', text: String(p.count) }),
        el('td', { className: 'num', text: `${p.withFeedback} of ${p.outputs} (${percent(p.coverage)})` }),
      ]),
    );
  const details = el('details', { className: 'series-table' }, [
    el('summary', { text: `Table of the ${plural(series.length, 'point')}` }),
    el('table', { className: 'data' }, [el('thead', {}, [head]), el('tbody', {}, rows)]),
  ]);
  return details;
}

function runList(data: TaskData): HTMLElement {
  if (data.runs.length === 0)
    return el('p', {
      className: 'muted',
      text: 'No run is known to have logged these outputs: outputs logged inside a decorated function (@register, Component.run) name the run that logged them.',
    });
  const list = el('ul', {
    className: 'run-list',
    attrs: { 'aria-label': 'Runs that logged outputs, newest first' },
  });
  for (const run of data.runs) {
    const state = run.stale.length ? 'stale' : runState(run);
    const item = el(
      'button',
      {
        className: 'run-item',
        attrs: {
          'data-run': run.id,
          'aria-label': `${runLabel(run.component, run.id)}, ${RUN_STATE_ICONS[runState(run)].label}${run.stale.length ? ', stale' : ''}, started ${relativeTime(run.startTime)}`,
        },
        title: [
          `${runLabel(run.component, run.id)}, ${absoluteTime(run.startTime)}`,
          ...run.stale.map((s) => `• ${s}`),
        ].join('\n'),
      },
      [
        stateIcon(state),
        el('span', { className: 'run-component', text: run.component }),
        el('span', { className: 'mono muted', text: shortId(run.id) }),
        el('span', { className: 'muted', text: relativeTime(run.startTime) }),
      ],
    );
    item.addEventListener('click', () => post({ type: 'inspectRun', runId: run.id }));
    list.append(el('li', {}, [item]));
  }
  return list;
}

connectView('task', (data) => render(data));

window.addEventListener('resize', () => {
  if (current) render(current);
});
