// The run inspector, review and history bundles in headless Chromium, with fixture data.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { ViewData } from '../../src/shared/protocol';
import { historyData, inspectorData, reviewData, uuid, XSS } from './fixtures';
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

const THEMES = ['light', 'dark', 'high-contrast'] as const;

describe('run inspector, review and history webviews', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launch();
  });
  after(async () => browser?.close());

  it('inspector: shows the run card as text and posts its actions', async () => {
    const view = await openView(browser, 'inspector');
    const data = inspectorData();
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('h1');
    assert.equal(await view.page.locator('h1 .component').textContent(), XSS);
    assert.equal(await view.page.evaluate(() => document.querySelectorAll('img').length), 0);
    const text = (await view.page.locator('main').textContent()) ?? '';
    for (const expected of [
      'ml-team',
      'training',
      'pipeline.py:10',
      '3f2a9c1d0e5b',
      'data/features.csv',
      'models/model.pkl',
      'Retrained after the schema change.',
      'def train(features):',
      'fresher runs',
    ])
      assert.ok(text.includes(expected), expected);
    // Parameters and metrics (mltrace_params, mltrace_metrics): names and values as text.
    assert.deepEqual(
      await view.page
        .locator('table.values tbody tr')
        .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))),
      [
        ['parameter', 'lr', '0.01'],
        ['parameter', 'optimizer', XSS],
        ['metric', 'accuracy', '0.841235'],
      ],
    );
    // Each file's icon is its kind's, as in the trees and the graph (src/shared/icons.ts).
    const icons = await view.page
      .locator('tr', { hasText: 'https://feature-store/v1' })
      .locator('.codicon')
      .first()
      .getAttribute('class');
    assert.match(icons ?? '', /codicon-globe/);
    await view.page.locator('vscode-button', { hasText: 'Compare with Code at Run' }).click();
    await view.page.locator('tr.flagged vscode-button[title^="Unflag"]').click();
    await view.page.locator('.deps button.link').click();
    await view.page.locator('vscode-textarea').evaluate((element) => {
      (element as HTMLElement & { value: string }).value = 'Checked by hand.';
      element.dispatchEvent(new Event('input'));
    });
    await view.page.locator('vscode-button', { hasText: 'Add Note' }).click();
    assert.deepEqual(await view.posted(), [
      { type: 'compareCode', runId: data.run.id },
      { type: 'unflag', pointer: 'models/model.pkl' },
      { type: 'inspectRun', runId: data.dependencies[0].id },
      { type: 'saveNotes', runId: data.run.id, text: 'Checked by hand.' },
    ]);
    await view.send({ type: 'error', message: 'No run has an id starting with "zz".' });
    assert.equal(
      await view.page.locator('[role=alert]').textContent(),
      'No run has an id starting with "zz".',
    );
    assert.deepEqual(await cspViolations(view.page), []);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('inspector: offers no writes in an untrusted workspace', async () => {
    const view = await openView(browser, 'inspector');
    await view.send({ type: 'init', data: { ...inspectorData(), trusted: false } });
    await view.page.waitForSelector('h1');
    assert.equal(await view.page.locator('vscode-button[disabled]', { hasText: 'Add Note' }).count(), 1);
    await view.page.close();
  });

  it('review: lists flagged outputs, ranks runs in a table and a chart, highlights a run in the traces', async () => {
    const view = await openView(browser, 'review');
    const data = reviewData(3);
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('table.ranked');
    assert.equal(await view.page.locator('.flagged-list li').count(), 3);
    assert.equal(await view.page.locator('table.ranked tbody tr').count(), data.review.runs.length);
    assert.equal(await view.page.locator('.chart g.bar').count(), data.review.runs.length);
    assert.equal(await view.page.locator('.trace').count(), 3);
    const labels = await view.page.locator('.bar-label').allTextContents();
    assert.ok(labels.some((l) => l.startsWith('<img src=x')));
    assert.equal(await view.page.evaluate(() => document.querySelectorAll('img').length), 0);
    const top = data.review.runs[0].id;
    await view.page.locator(`table.ranked tr[data-run="${top}"]`).click();
    const chips = view.page.locator(`.chip[data-run="${top}"]`);
    const expected = data.traces.filter((t) => t.runIds.includes(top)).length;
    assert.equal(await view.page.locator('.chip.selected').count(), expected);
    assert.ok(expected > 0 && (await chips.count()) === expected);
    assert.ok((await view.page.locator('.chip.dimmed').count()) > 0);
    await view.page.locator('.flagged-list button[aria-label^="Unflag"]').first().click();
    await view.page.locator(`table.ranked tr[data-run="${top}"] button.link`).click();
    assert.deepEqual(await view.posted(), [
      { type: 'unflag', pointer: data.review.flagged[0] },
      { type: 'inspectRun', runId: top },
    ]);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('review of many flagged outputs: the first 20, their traces and 50 runs, then Show all, by keyboard', async () => {
    const view = await openView(browser, 'review');
    const data = reviewData(30);
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('table.ranked');
    assert.equal(await view.page.locator('.flagged-list li').count(), 20);
    assert.equal(await view.page.locator('.trace').count(), 20);
    const buttons = view.page.locator('button.show-all-flagged');
    assert.deepEqual(await buttons.allTextContents(), ['Show all 30 flagged outputs', 'Show all 30 traces']);
    await buttons.first().focus();
    await view.page.keyboard.press('Enter');
    assert.equal(await view.page.locator('.flagged-list li').count(), 30);
    assert.equal(await view.page.locator('.trace').count(), 30);
    assert.equal(await view.page.locator('button.show-all-flagged').count(), 0);
    // The focus is on the first flagged output that was not shown before.
    assert.equal(
      await view.page.evaluate(() => document.activeElement?.textContent),
      data.review.flagged[20],
    );
    // The ranked runs' Show all the same way: the focus on the 51st row.
    assert.ok(data.review.runs.length > 50);
    await view.page.locator('button.show-all-runs').focus();
    await view.page.keyboard.press('Enter');
    assert.equal(await view.page.locator('table.ranked tbody tr').count(), data.review.runs.length);
    assert.equal(
      await view.page.evaluate(() => document.activeElement?.getAttribute('data-run')),
      data.review.runs[50].id,
    );
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('history: one bar per run, stale marked, click to inspect', async () => {
    const view = await openView(browser, 'history');
    const data = historyData();
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('.run-row');
    assert.equal(await view.page.locator('.run-row').count(), 14);
    assert.equal(await view.page.locator('.run-row.stale').count(), 1);
    assert.equal(await view.page.locator('.run-row.state-failed').count(), 1);
    await view.page.locator(`.run-row[data-run="${data.runs[0].id}"] .bar`).click();
    await view.page.locator(`.run-row[data-run="${data.runs[1].id}"]`).focus();
    await view.page.keyboard.press('Enter');
    assert.deepEqual(await view.posted(), [
      { type: 'inspectRun', runId: data.runs[0].id },
      { type: 'inspectRun', runId: data.runs[1].id },
    ]);
    // Brushing the overview zooms the timeline to fewer runs.
    const box = (await view.page.locator('.overview svg').boundingBox())!;
    await view.page.mouse.move(box.x + box.width * 0.55, box.y + 12);
    await view.page.mouse.down();
    await view.page.mouse.move(box.x + box.width * 0.95, box.y + 12, { steps: 5 });
    await view.page.mouse.up();
    await view.page.waitForFunction(() => document.querySelectorAll('.run-row').length < 14);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('history: a run metric over the runs, chosen from a list, each point a run to inspect', async () => {
    const view = await openView(browser, 'history');
    const data = historyData();
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('.metric-point');
    assert.deepEqual(await view.page.locator('.metric-chart select option').allTextContents(), [
      'accuracy',
      'loss',
    ]);
    // Oldest first along the time axis; the failed run logged no metric.
    const oldestFirst = [...data.runs].reverse();
    const withAccuracy = oldestFirst.filter((r) => 'accuracy' in r.metrics);
    assert.equal(withAccuracy.length, 13);
    assert.deepEqual(
      await view.page
        .locator('.metric-point')
        .evaluateAll((points) => points.map((p) => p.getAttribute('data-run'))),
      withAccuracy.map((r) => r.id),
    );
    const ys = await view.page
      .locator('.metric-point')
      .evaluateAll((points) => points.map((p) => Number(p.getAttribute('cy'))));
    assert.ok(
      ys.every((y, i) => i === 0 || y < ys[i - 1]),
      'accuracy rises run by run, so each point stands higher than the one before',
    );
    await view.page.locator('.metric-chart select').selectOption('loss');
    await view.page.waitForFunction(() => document.querySelectorAll('.metric-point').length === 4);
    const withLoss = oldestFirst.filter((r) => 'loss' in r.metrics);
    assert.equal(
      await view.page.locator('.metric-point').first().getAttribute('aria-label'),
      `Run ${withLoss[0].id.slice(0, 8)}: loss ${Number((1 / 11).toPrecision(6))}`,
    );
    await view.page.locator('.metric-point').first().click();
    await view.page.locator('.metric-point').first().focus();
    await view.page.keyboard.press('ArrowRight');
    await view.page.keyboard.press('Enter');
    assert.deepEqual(await view.posted(), [
      { type: 'inspectRun', runId: withLoss[0].id },
      { type: 'inspectRun', runId: withLoss[1].id },
    ]);
    assert.deepEqual(await cspViolations(view.page), []);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  for (const theme of THEMES) {
    it(`takes every colour of every view from the ${theme} theme's variables, and shows them`, async () => {
      const contrast = theme === 'high-contrast';
      const views: Array<{
        name: 'inspector' | 'review' | 'history';
        data: ViewData;
        rows: ThemeRow[];
        /** Points inside an element (fractions of its box) and the opaque colour they show. */
        pixels: Array<{ what: string; selector: string; fx: number; fy: number; variable: string }>;
      }> = [
        {
          name: 'inspector',
          data: inspectorData(),
          rows: [
            ['body', 'background-color', '--vscode-editor-background'],
            ['body', 'color', '--vscode-foreground'],
            ['h1 .state-icon.state-stale', 'color', '--vscode-list-warningForeground'],
            ['dl.facts dt', 'color', '--vscode-descriptionForeground'],
            ['.badge', 'background-color', '--vscode-badge-background'],
            ['.badge', 'color', '--vscode-badge-foreground'],
            [
              'section h2',
              'border-bottom-color',
              contrast ? '--vscode-contrastBorder' : '--vscode-panel-border',
            ],
            ['tr.flagged td:first-child', 'color', '--vscode-list-errorForeground'],
            ['.deps button.link', 'color', '--vscode-textLink-foreground'],
            ['pre.code', 'background-color', '--vscode-textCodeBlock-background'],
            ['pre.code', 'border-top-color', contrast ? '--vscode-contrastBorder' : '--vscode-panel-border'],
          ],
          pixels: [
            { what: 'badge', selector: '.badge', fx: 0.97, fy: 0.5, variable: '--vscode-badge-background' },
          ],
        },
        {
          name: 'review',
          data: reviewData(3),
          rows: [
            ['body', 'background-color', '--vscode-editor-background'],
            ['.flagged-list .flag-icon', 'color', '--vscode-list-errorForeground'],
            ['.chip', 'background-color', '--vscode-editorWidget-background'],
            [
              '.chip',
              'border-top-color',
              contrast ? '--vscode-contrastBorder' : '--vscode-editorWidget-border',
            ],
            ['.chip', 'color', '--vscode-foreground'],
            ['.bar.state-complete .bar-count', 'fill', '--vscode-testing-iconPassed'],
            ['.bar-susp', 'fill', '--vscode-charts-orange'],
            ['.bar-label', 'fill', '--vscode-foreground'],
            ['.bar-value', 'fill', '--vscode-descriptionForeground'],
            ['table.data th', 'color', '--vscode-descriptionForeground'],
            [
              'section h2',
              'border-bottom-color',
              contrast ? '--vscode-contrastBorder' : '--vscode-panel-border',
            ],
          ],
          pixels: [
            {
              what: 'chip',
              selector: '.chip',
              fx: 0.97,
              fy: 0.5,
              variable: '--vscode-editorWidget-background',
            },
          ],
        },
        {
          name: 'history',
          data: historyData(),
          rows: [
            ['body', 'background-color', '--vscode-editor-background'],
            ['.run-row.state-complete .bar', 'fill', '--vscode-testing-iconPassed'],
            ['.run-row.state-failed .bar', 'fill', '--vscode-testing-iconFailed'],
            ['.run-row.state-running .bar', 'fill', '--vscode-charts-blue'],
            ['.run-row.stale .bar', 'fill', '--vscode-list-warningForeground'],
            ['.run-row.stale .bar', 'stroke', '--vscode-list-warningForeground'],
            ['.run-row.state-failed .bar-icon', 'fill', '--vscode-testing-iconFailed'],
            ['.row-label', 'fill', '--vscode-descriptionForeground'],
            ['.axis text', 'fill', '--vscode-descriptionForeground'],
            ['.tick.state-failed', 'fill', '--vscode-testing-iconFailed'],
            ['.legend .state-icon.state-failed', 'color', '--vscode-testing-iconFailed'],
          ],
          pixels: [
            {
              what: 'complete bar',
              selector: `.run-row[data-run="${uuid(5011)}"] .bar`,
              fx: 0.5,
              fy: 0.5,
              variable: '--vscode-testing-iconPassed',
            },
          ],
        },
      ];
      for (const { name, data, rows, pixels } of views) {
        const view = await openView(browser, name, { theme });
        await view.send({ type: 'init', data });
        await view.page.waitForSelector('h1');
        for (const { selector } of pixels) await view.page.locator(selector).first().scrollIntoViewIfNeeded();
        assert.deepEqual(await themeMismatches(view.page, theme, rows), [], name);
        const png = await view.screenshot(`${name}-${theme}`);
        const points = [
          // Near the top-right corner: right of the content, left of any scroll bar.
          { what: 'background', x: 1070, y: 4, variable: '--vscode-editor-background' },
          ...(await Promise.all(
            pixels.map(async ({ what, selector, fx, fy, variable }) => ({
              what,
              variable,
              ...(await insidePoint(view, selector, fx, fy)),
            })),
          )),
        ];
        assert.deepEqual(await pixelMismatches(view.page, png, theme, points), [], name);
        assert.deepEqual(view.problems, []);
        await view.page.close();
      }
    });
  }

  it("review: a selected run takes each theme's selection colours", async () => {
    for (const theme of THEMES) {
      const view = await openView(browser, 'review', { theme });
      const data = reviewData(3);
      await view.send({ type: 'init', data });
      await view.page.locator(`table.ranked tr[data-run="${data.review.runs[0].id}"]`).click();
      await view.page.mouse.move(0, 0); // no hover over the selected row
      const rows: ThemeRow[] = [
        ['table.ranked tr.selected td', 'background-color', '--vscode-list-activeSelectionBackground'],
        ['table.ranked tr.selected td', 'color', '--vscode-list-activeSelectionForeground'],
        ['.chip.selected', 'background-color', '--vscode-button-background'],
        ['.chip.selected', 'color', '--vscode-button-foreground'],
        ['.chip.selected', 'border-top-color', '--vscode-focusBorder'],
        ['.bar.selected .bar-count', 'stroke', '--vscode-focusBorder'],
      ];
      assert.deepEqual(await themeMismatches(view.page, theme, rows), [], theme);
      await view.page.close();
    }
  });
});
