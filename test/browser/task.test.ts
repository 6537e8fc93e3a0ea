// The task page (metric over time, coverage, the runs that logged outputs) and the lineage
// graph's label highlight, in headless Chromium with data posted as the host would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { TaskData } from '../../src/shared/protocol';
import type { TaskSeriesPoint } from '../../src/core/tasks/series';
import { pipelineGraph, run, uuid, XSS } from './fixtures';
import {
  cspViolations,
  ensureBuilt,
  insidePoint,
  launch,
  openView,
  pixelMismatches,
  themeMismatches,
  ThemeRow,
} from './harness';

const T0 = Date.parse('2026-11-20T00:00:00Z');
const HOUR = 3_600_000;

/** 12 points an hour apart; the first has no joined value yet; accuracy rises, coverage too. */
function taskData(): TaskData {
  const series: TaskSeriesPoint[] = Array.from({ length: 12 }, (_, i) => ({
    time: new Date(T0 + i * HOUR).toISOString(),
    value: i === 0 ? null : 0.5 + i * 0.04,
    count: i * 3,
    outputs: 10 + i * 5,
    withFeedback: i * 3,
    coverage: (i * 3) / (10 + i * 5),
  }));
  return {
    view: 'task',
    task: { name: `churn ${XSS}`, outputs: 65, feedback: 40, joined: 33, lastTime: series[11].time },
    metricNames: ['accuracy', 'precision', 'recall', 'f1'],
    metric: 'accuracy',
    window: { kind: 'count', size: 30 },
    series,
    current: [
      { name: 'accuracy', value: 0.94 },
      { name: 'f1', value: null, error: 'no output has feedback yet' },
    ],
    registered: [
      {
        identifier: 'accuracy_window50',
        name: 'accuracy',
        windowSize: 50,
        function: 'accuracy',
        callable: null,
        registeredTime: series[0].time,
        computable: true,
        value: 0.9,
      },
      {
        identifier: `mine_windowNone`,
        name: `mine ${XSS}`,
        windowSize: null,
        function: null,
        callable: '<lambda>',
        registeredTime: series[0].time,
        computable: false,
        value: null,
        error: 'a function of its own (<lambda>): only the Python process that registers it computes it',
      },
    ],
    runs: [
      run({ id: uuid(7001), component: 'score', startTime: new Date(T0 + 11 * HOUR).toISOString() }),
      run({
        id: uuid(7002),
        component: XSS,
        startTime: new Date(T0 + 2 * HOUR).toISOString(),
        status: 'failed',
      }),
    ],
  };
}

describe('task webview and label highlight', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launch();
  });
  after(async () => browser?.close());

  it('task: a focusable point per value, coverage as a band, a table of the same figures, names as text', async () => {
    const view = await openView(browser, 'task');
    const data = taskData();
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('.metric-point');
    assert.equal(await view.page.locator('h1').textContent(), ` churn ${XSS}`);
    assert.equal(await view.page.locator('img').count(), 0, 'names are text, never HTML');
    const labels = await view.page
      .locator('.metric-point')
      .evaluateAll((ps) => ps.map((p) => p.getAttribute('aria-label')));
    assert.equal(labels.length, 11, 'the point with no value is not drawn');
    assert.match(labels[0]!, /accuracy 0\.54 over 3 joined; feedback on 3 of 15 outputs \(20%\)$/);
    const ys = await view.page
      .locator('.metric-point')
      .evaluateAll((ps) => ps.map((p) => Number(p.getAttribute('cy'))));
    assert.ok(
      ys.every((y, i) => i === 0 || y < ys[i - 1]),
      'accuracy rises, each point higher',
    );
    // The coverage band: its top edge rises with the coverage, to 33 of 65 (51%) at the end.
    const band = await view.page.locator('.coverage-area').getAttribute('d');
    assert.ok(band && band.length > 20, 'the band is drawn');
    assert.deepEqual(await view.page.locator('.axis-coverage .tick text').allTextContents(), [
      '0%',
      '25%',
      '50%',
      '75%',
      '100%',
    ]);
    // The table: newest first, every point (the one without a value too).
    const rows = await view.page
      .locator('.series-table tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.textContent)),
      );
    assert.equal(rows.length, 12);
    assert.deepEqual(rows[0], ['0.94', '33', '33 of 65 (51%)']);
    assert.deepEqual(rows[11], ['—', '0', '0 of 10 (0%)']);
    assert.deepEqual(await view.page.locator('table.current td.num').allTextContents(), [
      '0.9',
      '—',
      '0.94',
      '—',
    ]);
    // Registered metrics: name, window, value; one computed only by Python, its name as text.
    assert.deepEqual(
      await view.page
        .locator('table.registered tbody tr')
        .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent))),
      [
        ['accuracy', 'last 50', '0.9', ''],
        [
          `mine ${XSS}`,
          'all',
          '—',
          'a function of its own (<lambda>): only the Python process that registers it computes it',
        ],
      ],
    );
    assert.equal(
      await view.page.locator('table.registered button').count(),
      1,
      'only the computable one charts',
    );
    assert.equal(await view.page.locator('.controls select[aria-label="Window"]').inputValue(), 'count');
    assert.equal(await view.page.locator('.controls input[aria-label="Window size"]').inputValue(), '30');
    assert.deepEqual(await cspViolations(view.page), []);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('task: one tab stop in the chart, arrows move along it; runs open the inspector; controls ask the host', async () => {
    const view = await openView(browser, 'task');
    const data = taskData();
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('.metric-point');
    assert.deepEqual(
      await view.page.locator('.metric-point').evaluateAll((ps) => ps.map((p) => p.getAttribute('tabindex'))),
      ['0', ...Array(10).fill('-1')],
    );
    await view.page.locator('.metric-point').first().focus();
    await view.page.keyboard.press('ArrowRight');
    await view.page.keyboard.press('ArrowRight');
    const focused = () => view.page.evaluate(() => document.activeElement?.getAttribute('data-time'));
    assert.equal(await focused(), data.series[3].time);
    await view.page.keyboard.press('End');
    assert.equal(await focused(), data.series[11].time);
    await view.page.keyboard.press('Home');
    assert.equal(await focused(), data.series[1].time);
    // Runs: newest first, each a button.
    assert.deepEqual(
      await view.page.locator('.run-item').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-run'))),
      [uuid(7001), uuid(7002)],
    );
    await view.page.locator('.run-item').nth(1).focus();
    await view.page.keyboard.press('Enter');
    await view.page.locator('.run-item').first().click();
    await view.page.locator('.controls select[aria-label="Metric"]').selectOption('f1');
    await view.page.locator('.controls select[aria-label="Window"]').selectOption('seconds');
    // A registered metric charts over its own window, by keyboard.
    await view.page.locator('.registered-metric').focus();
    await view.page.keyboard.press('Enter');
    assert.deepEqual(await view.posted(), [
      { type: 'inspectRun', runId: uuid(7002) },
      { type: 'inspectRun', runId: uuid(7001) },
      { type: 'setTaskSeries', metric: 'f1', window: { kind: 'count', size: 30 } },
      { type: 'setTaskSeries', metric: 'f1', window: { kind: 'seconds', size: 30 } },
      { type: 'setTaskSeries', metric: 'accuracy', window: { kind: 'count', size: 50 } },
    ]);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`task: colours from the ${theme} theme`, async () => {
      const view = await openView(browser, 'task', { theme });
      await view.send({ type: 'init', data: taskData() });
      await view.page.waitForSelector('.metric-point');
      const rows: ThemeRow[] = [
        ['body', 'background-color', '--vscode-editor-background'],
        ['.metric-line', 'stroke', '--vscode-charts-blue'],
        ['.metric-point', 'fill', '--vscode-charts-blue'],
        ['.coverage-area', 'fill', '--vscode-charts-green'],
        ['.axis text', 'fill', '--vscode-descriptionForeground'],
        ['.run-item', 'color', '--vscode-foreground'],
        ['.state-icon.state-failed', 'color', '--vscode-testing-iconFailed'],
        ['table.data th', 'color', '--vscode-descriptionForeground'],
        ['.registered-metric', 'color', '--vscode-textLink-foreground'],
      ];
      assert.deepEqual(await themeMismatches(view.page, theme, rows), []);
      const png = await view.screenshot(`task-${theme}`);
      const point = await insidePoint(view, '.metric-point', 0.5, 0.5);
      assert.deepEqual(
        await pixelMismatches(view.page, png, theme, [
          { what: 'background', x: 1070, y: 4, variable: '--vscode-editor-background' },
          { what: 'point', ...point, variable: '--vscode-charts-blue' },
        ]),
        [],
      );
      assert.deepEqual(view.problems, []);
      await view.page.close();
    });
  }

  it('graph: a highlighted label marks the runs and files it reaches, dims the rest, says so, and clears', async () => {
    const view = await openView(browser, 'graph', { width: 2600, height: 640 });
    const data = pipelineGraph();
    const [predict, train, featurize] = data.runs;
    data.labelSpread = {
      label: `Alice ${XSS}`,
      retractedAt: '2026-11-27T10:00:00.000Z',
      pointers: ['data/features.csv', 'models/model.pkl', 'data/elsewhere.csv'],
      runIds: [featurize.id, train.id, predict.id, uuid(9999)],
      sources: ['data/clean.csv'],
    };
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('.node.label-reached');
    const marked = await view.page
      .locator('.node.label-reached')
      .evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id')).sort());
    assert.deepEqual(
      marked,
      [
        'p:data/features.csv',
        'p:models/model.pkl',
        `r:${featurize.id}`,
        `r:${predict.id}`,
        `r:${train.id}`,
      ].sort(),
    );
    assert.equal(
      await view.page.locator('.node.label-outside').count(),
      11 - 5,
      'every other node is dimmed',
    );
    assert.equal(
      await view.page.locator('.node.label-reached').first().getAttribute('aria-description'),
      'reached by the highlighted label',
    );
    const legend = view.page.locator('#label-legend');
    assert.equal(await legend.isVisible(), true);
    assert.match(
      (await legend.textContent())!,
      /^Label “Alice <img src=x onerror=alert\(1\)>” \(retracted 2026-11-27\) reaches 4 runs and 3 files whose latest version carries it; marked here: 3 runs, 2 files\./,
    );
    assert.equal(await view.page.locator('img').count(), 0);
    assert.deepEqual(
      await themeMismatches(view.page, 'dark', [
        ['.node.label-reached .body', 'stroke', '--vscode-charts-purple'],
        ['.label-legend', 'background-color', '--vscode-editorWidget-background'],
        ['.label-legend', 'color', '--vscode-foreground'],
      ]),
      [],
    );
    assert.equal(
      await view.page
        .locator('.node.label-outside')
        .first()
        .evaluate((n) => getComputedStyle(n).opacity),
      '0.3',
    );
    await view.screenshot('graph-label-highlight-dark');
    await legend.locator('vscode-button').click();
    await view.page.locator('vscode-button', { hasText: 'Highlight Label…' }).click();
    assert.deepEqual(await view.posted(), [{ type: 'clearLabel' }, { type: 'pickLabel' }]);
    // The host answers the clear with data that has no label: nothing marked, no legend.
    delete data.labelSpread;
    await view.send({ type: 'update', data });
    await view.page.waitForFunction(
      () => document.querySelectorAll('.node.label-reached, .node.label-outside').length === 0,
    );
    assert.equal(await legend.isVisible(), false);
    assert.deepEqual(await cspViolations(view.page), []);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });
});
