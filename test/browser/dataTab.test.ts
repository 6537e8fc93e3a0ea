// The run inspector's Data tab in headless Chromium: tabs by keyboard, each input's columns in the
// drift engine's order, the selected column's two distributions drawn one over the other, themed.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { columnSummary, driftSettings, formatPsi } from '../../src/core/drift';
import type { RunInputDrift } from '../../src/core/driftQuery';
import { comparison, currentColumns, inputDrift, referenceColumns, wideInputDrift } from './driftFixtures';
import { inspectorData, XSS } from './fixtures';
import { cspViolations, ensureBuilt, launch, openView, themeMismatches, ThemeRow } from './harness';

const THEMES = ['light', 'dark', 'high-contrast'] as const;

const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a ? (a.getAttribute('data-column') ?? a.id) : null;
  });

describe('run inspector: the Data tab', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launch();
  });
  after(async () => browser?.close());

  it('tabs follow the WAI-ARIA pattern: arrow keys move between Run and Data', async () => {
    const view = await openView(browser, 'inspector');
    await view.send({ type: 'init', data: { ...inspectorData(), drift: inputDrift() } });
    const tabs = view.page.locator('[role=tablist] [role=tab]');
    await tabs.first().waitFor();
    assert.deepEqual(await tabs.allTextContents(), ['Run', 'Data (1 input drifted)']);
    assert.equal(await tabs.first().getAttribute('aria-selected'), 'true');
    assert.equal(await view.page.locator('#panel-data').isHidden(), true);
    assert.equal(await view.page.locator('#panel-run').isVisible(), true);
    await tabs.first().focus();
    await view.page.keyboard.press('ArrowRight');
    assert.equal(await focused(view.page), 'tab-data');
    assert.equal(await tabs.nth(1).getAttribute('aria-selected'), 'true');
    assert.equal(await tabs.nth(1).getAttribute('tabindex'), '0');
    assert.equal(await tabs.first().getAttribute('tabindex'), '-1');
    assert.equal(await view.page.locator('#panel-data').isVisible(), true);
    assert.equal(await view.page.locator('#panel-run').isHidden(), true);
    // Wraps round, and Home/End go to the ends.
    await view.page.keyboard.press('ArrowRight');
    assert.equal(await focused(view.page), 'tab-run');
    await view.page.keyboard.press('End');
    assert.equal(await focused(view.page), 'tab-data');
    // The tab chosen stays chosen when the store changes and the page is drawn again.
    await view.send({ type: 'update', data: { ...inspectorData(), drift: inputDrift() } });
    assert.equal(await view.page.locator('#tab-data').getAttribute('aria-selected'), 'true');
    assert.equal(await view.page.locator('#panel-data').isVisible(), true);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('the tab and the column chosen are kept in the webview state: a page VS Code recreates shows them again', async () => {
    const drift = inputDrift();
    const columns = drift[0].comparison!.columns.map((c) => c.name);
    const view = await openView(browser, 'inspector');
    await view.send({ type: 'init', data: { ...inspectorData(), drift } });
    await view.page.locator('#tab-data').click();
    const rows = view.page.locator('section.input-drift[data-pointer="data/features.csv"] [role=option]');
    await rows.first().focus();
    await view.page.keyboard.press('End');
    const state = await view.page.evaluate(() => (window as unknown as { __state: unknown }).__state);
    assert.deepEqual(state, { tab: 'data', columns: { 'data/features.csv': columns.at(-1) } });
    await view.page.close();

    // A new page (a panel hidden and shown again) given that state.
    const again = await openView(browser, 'inspector', { state });
    await again.send({ type: 'init', data: { ...inspectorData(), drift } });
    await again.page.locator('#tab-data[aria-selected=true]').waitFor();
    assert.equal(await again.page.locator('#panel-data').isVisible(), true);
    const chosen = again.page.locator(
      'section.input-drift[data-pointer="data/features.csv"] [role=option][aria-selected=true]',
    );
    assert.equal(await chosen.getAttribute('data-column'), columns.at(-1));
    assert.deepEqual(again.problems, []);
    await again.page.close();
  });

  it('lists the columns drifted first, with PSI and null rates, and draws both distributions of the one chosen', async () => {
    const view = await openView(browser, 'inspector');
    const drift = inputDrift();
    const comparison = drift[0].comparison!;
    await view.send({ type: 'init', data: { ...inspectorData(), drift } });
    await view.page.locator('#tab-data').click();
    const section = view.page.locator('section.input-drift[data-pointer="data/features.csv"]');
    assert.equal(await section.locator('.verdict').textContent(), 'drifted');
    assert.equal(
      await section.locator('.sides').innerText(),
      'Reference: data/features.csv, the version train (run 00000002) read (2,000 rows)\n' +
        'Current: data/features.csv, the latest logged version, logged by featurize (run 00000003) (2,000 rows)',
    );
    // The engine's order: schema changes, then drifted columns by PSI, then the rest.
    const rows = section.locator('[role=listbox] [role=option]');
    const names = await rows.evaluateAll((os) => os.map((o) => o.getAttribute('data-column')));
    assert.deepEqual(
      names,
      comparison.columns.map((c) => c.name),
    );
    assert.deepEqual(await rows.locator('.col-status').allTextContents(), [
      'added',
      'removed',
      'drifted',
      'drifted',
      'same',
      'same',
    ]);
    const age = comparison.columns.find((c) => c.name === 'age')!;
    assert.ok(age.psi! > 0.5, `age moved far (PSI ${age.psi})`);
    assert.equal(
      await rows.filter({ hasText: 'age' }).locator('.col-psi').textContent(),
      `PSI ${formatPsi(age.psi!)}`,
    );
    assert.equal(await rows.filter({ hasText: 'age' }).locator('.col-nulls').textContent(), '0% → 0%');
    assert.equal(await rows.filter({ hasText: 'device' }).locator('.col-psi').textContent(), 'PSI —');
    // The first row is chosen at first: device, a new column, so its chart has the current side only.
    assert.equal(await rows.first().getAttribute('aria-selected'), 'true');
    const detail = section.locator('.column-detail');
    assert.equal(await detail.locator('svg.distribution').count(), 1);
    assert.deepEqual(
      await detail
        .locator('svg.distribution .series')
        .evaluateAll((g) => g.map((e) => e.getAttribute('data-series'))),
      ['current'],
    );
    // Choose age: a cumulative curve per side, one over the other, and the figures as text.
    await rows.filter({ hasText: 'age' }).click();
    assert.equal(await detail.locator('h3 .mono').textContent(), 'age');
    const chart = detail.locator('svg.distribution.chart-cdf');
    assert.deepEqual(
      await chart.locator('.series').evaluateAll((g) => g.map((e) => e.getAttribute('data-series'))),
      ['reference', 'current'],
    );
    assert.equal(await chart.locator('.series-reference path.curve').count(), 1);
    assert.equal(await chart.locator('.series-current path.curve').count(), 1);
    assert.equal(await chart.locator('.series-reference circle').count(), 21);
    assert.equal(await chart.locator('.series-current rect').count(), 21);
    // The current curve lies right of the reference (age moved up): compare their medians' x.
    const medianX = (series: string) =>
      chart
        .locator(`.series-${series} .marks > *`)
        .nth(10)
        .evaluate((m) => {
          const box = (m as SVGGraphicsElement).getBBox();
          return box.x + box.width / 2;
        });
    assert.ok(
      (await medianX('current')) > (await medianX('reference')) + 20,
      'the current median is drawn to the right',
    );
    const label = (await chart.getAttribute('aria-label')) ?? '';
    assert.equal(
      label,
      `Cumulative distributions of age; reference: ${columnSummary(age.reference)}; current: ${columnSummary(age.current)}`,
    );
    assert.match(label, /reference: median 40 \[.*\]; current: median 5[45] \[/);
    assert.match(
      (await detail.locator('.psi-line').textContent()) ?? '',
      new RegExp(`^PSI ${formatPsi(age.psi!)} over quantiles \\(threshold 0.2, .*\\): drifted\\.$`),
    );
    // City: paired bars per value, the reference's four values and each side's share.
    await rows.filter({ hasText: 'city' }).click();
    const bars = detail.locator('svg.distribution.chart-bars');
    assert.deepEqual(await bars.locator('.bar-labels text').allTextContents(), [
      'north',
      'south',
      'east',
      'west',
    ]);
    assert.equal(await bars.locator('.series-reference rect.bar').count(), 4);
    assert.equal(await bars.locator('.series-current rect.bar').count(), 4);
    const widths = (series: string) =>
      bars
        .locator(`.series-${series} rect.bar`)
        .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('width'))));
    const [ref, cur] = [await widths('reference'), await widths('current')];
    assert.ok(ref[0] > ref[3] && cur[0] < cur[3], `north fell and west rose: ${ref} / ${cur}`);
    // A column named with markup is text: no element is made from it.
    await rows.filter({ hasText: XSS }).click();
    assert.equal(await detail.locator('h3 .mono').textContent(), XSS);
    assert.ok((await detail.locator('.bar-labels title').allTextContents()).includes(XSS));
    assert.ok((await detail.locator('.bar-labels text').allTextContents()).includes(`${XSS.slice(0, 15)}…`));
    assert.equal(await view.page.evaluate(() => document.querySelectorAll('img').length), 0);
    // An input without a profile says so in one line.
    assert.deepEqual(await view.page.locator('.drift-notes li').allTextContents(), [
      'no profile recorded for https://feature-store/v1',
    ]);
    assert.deepEqual(await cspViolations(view.page), []);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('a column the settings ignore is listed last, as ignored, and the rule says so; a button ignores a column or counts it again', async () => {
    const view = await openView(browser, 'inspector');
    const drift: RunInputDrift[] = [
      {
        pointer: 'data/features.csv',
        comparison: comparison(
          referenceColumns(),
          currentColumns(),
          driftSettings({ ignoreColumns: ['age', 'dev*'] }),
        ),
        note: null,
      },
    ];
    await view.send({ type: 'init', data: { ...inspectorData(), drift } });
    await view.page.locator('#tab-data').click();
    const rows = view.page.locator('[role=option]');
    const names = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-column')));
    assert.deepEqual(names.slice(-2).sort(), ['age', 'device']);
    assert.deepEqual(await view.page.locator('.column-row.status-ignored .col-status').allTextContents(), [
      'ignored',
      'ignored',
    ]);
    assert.match(
      (await view.page.locator('#panel-data').textContent())!,
      /A column drifts from PSI 0\.2 or a null rate moved by 10 points; age, dev\* never \(mltrace\.drift\.ignoreColumns\)\./,
    );
    await view.page.locator('[role=option][data-column="age"]').click();
    assert.match(
      (await view.page.locator('.psi-line').textContent())!,
      /^PSI \d+\.\d\d over quantiles .*: ignored: the setting mltrace\.drift\.ignoreColumns names it, so it never counts as drift\.$/,
    );
    // The setting names age: the column can count again; device is matched by a pattern: no button;
    // a column that counts can be ignored.
    const action = view.page.locator('.column-detail .column-actions vscode-button');
    assert.equal(await action.textContent(), 'Count in Drift Again');
    await action.click();
    await view.page.locator('[role=option][data-column="device"]').click();
    assert.equal(await action.count(), 0);
    await view.page.locator('[role=option][data-column="city"]').click();
    assert.equal(await action.textContent(), 'Ignore in Drift');
    await action.focus();
    await view.page.keyboard.press('Enter');
    assert.deepEqual(await view.posted(), [
      { type: 'ignoreDriftColumn', column: 'age', ignore: false },
      { type: 'ignoreDriftColumn', column: 'city', ignore: true },
    ]);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('a hundred columns stay one list and one chart; the arrow keys walk the list', async () => {
    const view = await openView(browser, 'inspector');
    const drift = wideInputDrift(100);
    await view.send({ type: 'init', data: { ...inspectorData(), drift } });
    await view.page.locator('#tab-data').click();
    const rows = view.page.locator('[role=option]');
    assert.equal(await rows.count(), 100);
    assert.equal(await view.page.locator('svg.distribution').count(), 1);
    // The shifted column leads; the rest follow.
    assert.equal(await rows.first().getAttribute('data-column'), 'c099');
    assert.equal(await rows.first().locator('.col-status').textContent(), 'drifted');
    assert.equal(await view.page.locator('.column-row.status-drifted').count(), 1);
    const list = view.page.locator('[role=listbox]');
    const box = (await list.boundingBox())!;
    assert.ok(box.height <= 430, `the list scrolls instead of growing (${box.height}px)`);
    await rows.first().focus();
    await view.page.keyboard.press('ArrowDown');
    const second = drift[0].comparison!.columns[1].name;
    assert.equal(await focused(view.page), second);
    assert.equal(await view.page.locator('.column-detail h3 .mono').textContent(), second);
    await view.page.keyboard.press('End');
    const last = drift[0].comparison!.columns[99].name;
    assert.equal(await focused(view.page), last);
    assert.equal(
      await view.page.locator(`[role=option][data-column="${last}"]`).getAttribute('aria-selected'),
      'true',
    );
    assert.equal(await view.page.locator('[role=option][aria-selected=true]').count(), 1);
    await view.page.keyboard.press('Home');
    await view.page.keyboard.press('ArrowUp');
    assert.equal(await focused(view.page), 'c099');
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  for (const theme of THEMES) {
    it(`takes the Data tab's colours from the ${theme} theme, and tells the series apart by dashes and markers`, async () => {
      const view = await openView(browser, 'inspector', { theme });
      await view.send({ type: 'init', data: { ...inspectorData(), drift: inputDrift() } });
      await view.page.locator('#tab-data').click();
      await view.page.locator('[role=option][data-column="age"]').click();
      await view.page.mouse.move(0, 0);
      const rows: ThemeRow[] = [
        ['body', 'background-color', '--vscode-editor-background'],
        ['.tab[aria-selected=true]', 'border-bottom-color', '--vscode-focusBorder'],
        ['.tab[aria-selected=false]', 'color', '--vscode-descriptionForeground'],
        ['.series-reference .curve', 'stroke', '--vscode-charts-blue'],
        ['.series-current .curve', 'stroke', '--vscode-charts-orange'],
        ['.series-reference circle', 'fill', '--vscode-charts-blue'],
        ['.series-current rect', 'fill', '--vscode-charts-orange'],
        ['svg.distribution .axis text', 'fill', '--vscode-descriptionForeground'],
        ['.column-row[aria-selected=true]', 'background-color', '--vscode-list-activeSelectionBackground'],
        ['.column-row[aria-selected=true]', 'color', '--vscode-list-activeSelectionForeground'],
        [
          '.column-row.status-drifted:not([aria-selected=true]) .col-status',
          'color',
          '--vscode-list-warningForeground',
        ],
        ['.verdict-drifted', 'color', '--vscode-list-warningForeground'],
      ];
      if (theme === 'high-contrast')
        rows.push(['.column-list', 'border-top-color', '--vscode-contrastBorder']);
      assert.deepEqual(await themeMismatches(view.page, theme, rows), [], theme);
      const dashes = await view.page.evaluate(() =>
        ['reference', 'current'].map(
          (s) =>
            getComputedStyle(document.querySelector(`svg.distribution .series-${s} .curve`)!).strokeDasharray,
        ),
      );
      assert.deepEqual(dashes, ['none', '6px, 3px'], 'solid reference, dashed current');
      await view.page.locator('[role=option][data-column="city"]').click();
      const barDashes = await view.page.evaluate(() =>
        ['reference', 'current'].map((s) => {
          const style = getComputedStyle(document.querySelector(`svg.distribution .series-${s} .bar`)!);
          return [style.strokeDasharray, style.fillOpacity];
        }),
      );
      assert.deepEqual(
        barDashes,
        [
          ['none', '1'],
          ['4px, 2px', '0.25'],
        ],
        'filled reference bars, dashed faint current',
      );
      await view.page.locator('[role=option][data-column="age"]').click();
      await view.page.locator('section.input-drift').scrollIntoViewIfNeeded();
      await view.screenshot(`inspector-data-${theme}`);
      assert.deepEqual(view.problems, []);
      await view.page.close();
    });
  }
});
