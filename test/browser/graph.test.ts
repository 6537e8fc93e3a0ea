// The lineage graph bundle in headless Chromium, with fixture data posted as the host would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { GraphData } from '../../src/shared/protocol';
import { pipelineGraph, syntheticGraph, XSS } from './fixtures';
import { cspViolations, ensureBuilt, launch, openView, ViewPage } from './harness';

describe('lineage graph webview', () => {
  let browser: Browser;
  before(async () => {
    await ensureBuilt();
    browser = await launch();
  });
  after(async () => browser?.close());

  const open = async (
    data: GraphData = pipelineGraph(),
    theme?: 'light' | 'dark' | 'high-contrast',
  ): Promise<ViewPage> => {
    // Wide enough for the whole fixture chain at a legible scale.
    const view = await openView(browser, 'graph', { theme, width: 2600, height: 640 });
    await view.send({ type: 'init', data });
    await view.page.waitForSelector('.node');
    return view;
  };
  const count = (view: ViewPage, selector: string) => view.page.locator(selector).count();

  it('says ready, then draws a node per run and file and an edge per read and write', async () => {
    const view = await open();
    const handshake = await view.handshake();
    assert.ok(handshake.length > 0, 'it says ready before the host sends data');
    assert.deepEqual(new Set(handshake.map((m) => m.type)), new Set(['ready']));
    assert.deepEqual(await view.posted(), [], 'and nothing, not even ready, once the host answered');
    assert.equal(await count(view, '.node.run'), 5);
    assert.equal(await count(view, '.node.pointer'), 6);
    assert.equal(await count(view, 'path.edge'), 11);
    assert.equal(await count(view, 'path.edge.write'), 5);
    assert.equal(await count(view, '.node.stale'), 1, 'featurize is stale');
    assert.equal(
      await count(view, '.node.stale .mark-stale'),
      1,
      'stale is marked by an icon, not only colour',
    );
    assert.equal(await count(view, '.node.flagged .mark-flag'), 1);
    assert.equal(await count(view, '.node.root'), 1);
    assert.deepEqual(await cspViolations(view.page), []);
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });

  it('shows a component named like markup as text', async () => {
    const view = await open();
    const labels = await view.page.locator('.node.run .label').allTextContents();
    assert.ok(
      labels.some((l) => l.startsWith('<img src=x')),
      labels.join(', '),
    );
    const aria = await view.page
      .locator('.node.run')
      .evaluateAll((nodes) => nodes.map((n) => n.getAttribute('aria-label') ?? ''));
    assert.ok(aria.some((a) => a.includes(XSS)));
    assert.equal(await view.page.evaluate(() => document.querySelectorAll('img').length), 0);
    await view.page.locator('.node.run', { hasText: '<img' }).hover();
    assert.equal(await view.page.locator('.tooltip .tooltip-title').textContent(), `${XSS} (run 00000068)`);
    assert.deepEqual(view.problems, [], 'no alert, no error');
    await view.page.close();
  });

  it('posts openFile, inspectRun and expand on clicks, and follows the keyboard', async () => {
    const view = await open();
    const data = pipelineGraph();
    await view.page.locator('.node.pointer[data-id="p:data/raw.csv"] .body').click();
    await view.page.locator(`.node.run[data-id="r:${data.runs[0].id}"] .body`).click();
    await view.page.locator(`.node.run[data-id="r:${data.runs[3].id}"]`).hover();
    await view.page.locator(`.node.run[data-id="r:${data.runs[3].id}"] .handle-downstream circle`).click();
    let posted = await view.posted();
    assert.deepEqual(posted, [
      { type: 'openFile', pointer: 'data/raw.csv' },
      { type: 'inspectRun', runId: data.runs[0].id },
      { type: 'expand', root: { kind: 'run', id: data.runs[3].id, direction: 'downstream' } },
    ]);
    // Keyboard: one tab stop (the root), arrows along the edges, Enter opens.
    assert.equal(await count(view, '.node[tabindex="0"]'), 1);
    await view.page.locator('.node.root').focus();
    await view.page.keyboard.press('ArrowLeft');
    assert.equal(
      await view.page.evaluate(() => document.activeElement?.getAttribute('data-id')),
      `r:${data.runs[0].id}`,
    );
    await view.page.keyboard.press('Enter');
    await view.page.keyboard.press('ArrowLeft');
    await view.page.keyboard.press('Enter');
    posted = (await view.posted()).slice(3);
    assert.deepEqual(posted, [
      { type: 'inspectRun', runId: data.runs[0].id },
      { type: 'openFile', pointer: 'models/model.pkl' },
    ]);
    // Context menus: each node says what it is.
    const context = await view.page.locator('.node.pointer.flagged').getAttribute('data-vscode-context');
    assert.deepEqual(JSON.parse(context!), {
      webviewSection: 'pointerFlagged',
      mltracePointer: 'data/predictions.csv',
      preventDefaultContextMenuItems: true,
    });
    await view.page.close();
  });

  it('collapses and expands a node, searches, and saves its state', async () => {
    const view = await open();
    const data = pipelineGraph();
    const featurize = `r:${data.runs[2].id}`;
    await view.page.locator(`.node[data-id="${featurize}"]`).hover();
    await view.page.locator(`.node[data-id="${featurize}"] .handle-collapse circle`).click();
    assert.equal(await count(view, '.node'), 6, 'what is reachable only through featurize is hidden');
    assert.equal(await count(view, '.node.collapsed'), 1);
    await view.page.locator(`.node[data-id="${featurize}"] .handle-collapse circle`).click();
    assert.equal(await count(view, '.node'), 11);
    await view.page.locator('vscode-textfield.search').click();
    await view.page.keyboard.type('clean');
    assert.equal(await count(view, '.node.match'), 2);
    await view.page.keyboard.press('Enter');
    assert.match((await view.page.locator('.search-status').textContent()) ?? '', /1 of 2 matches/);
    await view.page.waitForTimeout(250);
    const state = await view.page.evaluate(
      () => (window as unknown as { __state: { roots: unknown[]; transform: unknown } }).__state,
    );
    assert.deepEqual(state.roots, data.roots);
    assert.ok(state.transform);
    await view.page.close();
  });

  it('replaces its data on update and restores its state after a reload', async () => {
    const view = await open();
    const data = pipelineGraph();
    data.runs = data.runs.slice(0, 2);
    await view.send({ type: 'update', data });
    await view.page.waitForFunction(() => document.querySelectorAll('.node').length === 5);
    assert.equal(await count(view, '.node.run'), 2);
    await view.page.close();

    const restored = await openView(browser, 'graph', {
      state: { roots: data.roots, collapsed: [], transform: { x: 10, y: 20, k: 0.5 }, selected: null },
    });
    await restored.send({ type: 'init', data: pipelineGraph() });
    await restored.page.waitForSelector('.node');
    assert.equal(
      await restored.page.locator('.viewport').getAttribute('transform'),
      'translate(10,20) scale(0.5)',
    );
    await restored.page.close();
  });

  it('groups runs by component above 2,000 nodes, and says so', async () => {
    const view = await open(syntheticGraph(2200));
    assert.equal(await count(view, '.node.component'), 6);
    const notice = await view.page.locator('#notice').textContent();
    assert.match(notice ?? '', /runs are grouped by component/);
    await view.page.locator('.node.component', { hasText: 'stage2' }).locator('.body').click();
    const posted = await view.posted();
    assert.deepEqual(posted[posted.length - 1], { type: 'showHistory', component: 'stage2' });
    await view.page.close();
  });

  it('shows errors from the host, and exports SVG', async () => {
    const view = await open();
    await view.send({ type: 'error', message: 'No logged run read or wrote "x.csv".' });
    assert.equal(
      await view.page.locator('[role=alert]').textContent(),
      'No logged run read or wrote "x.csv".',
    );
    await view.page.locator('vscode-button', { hasText: 'Export SVG' }).click();
    const posted = await view.posted();
    const last = posted[posted.length - 1];
    assert.equal(last.type, 'exportSvg');
    if (last.type === 'exportSvg') {
      assert.match(last.svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      assert.ok(last.svg.includes('&lt;img src=x'), 'names stay text in the SVG');
      assert.equal(last.fileName, 'lineage-data_predictions.csv.svg');
    }
    await view.page.close();
  });

  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    it(`renders in the ${theme} theme (screenshot)`, async () => {
      const view = await open(pipelineGraph(), theme);
      const data = pipelineGraph();
      await view.page.locator(`.node[data-id="r:${data.runs[2].id}"]`).hover();
      await view.screenshot(`graph-${theme}`);
      assert.deepEqual(view.problems, []);
      await view.page.close();
    });
  }

  it('draws a 300-node lineage (screenshot)', async () => {
    const view = await open(syntheticGraph(300));
    assert.equal(await view.page.evaluate(() => document.body.dataset.layout), 'layered');
    await view.screenshot('graph-300');
    await view.page.close();
  });
});
