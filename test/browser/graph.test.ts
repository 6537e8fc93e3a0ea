// The lineage graph bundle in headless Chromium, with fixture data posted as the host would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { GraphData } from '../../src/shared/protocol';
import { deepChainWindow, pipelineGraph, syntheticGraph, XSS } from './fixtures';
import {
  cspViolations,
  ensureBuilt,
  insidePoint,
  launch,
  openView,
  pixelMismatches,
  themeMismatches,
  ThemeRow,
  ViewPage,
} from './harness';

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

  it('shows control and bidi characters in names as escapes, and exports well-formed SVG', async () => {
    const hostile = 'clean\x1b[2J\x1b]0;t\x07\u202emoc.exe\nrow\u0001';
    const data = pipelineGraph();
    for (const r of data.runs) if (r.component === 'clean') r.component = hostile;
    const view = await open(data);
    const seen = await view.page.evaluate(() => {
      const texts: string[] = [];
      const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      while (walker.nextNode()) texts.push(walker.currentNode.textContent ?? '');
      for (const e of document.querySelectorAll('*'))
        for (const a of e.getAttributeNames()) texts.push(e.getAttribute(a) ?? '');
      return texts;
    });
    // eslint-disable-next-line no-control-regex
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
    assert.deepEqual(
      seen.filter((t) => raw.test(t)),
      [],
      'no raw control or bidi character in the page',
    );
    const labels = await view.page.locator('.node.run .label').allTextContents();
    assert.ok(
      labels.some((l) => l.startsWith('clean\\x1b[2J')),
      labels.join(', '),
    );
    await view.page.locator('vscode-button', { hasText: 'Export SVG' }).click();
    const last = (await view.posted()).at(-1);
    assert.equal(last?.type, 'exportSvg');
    if (last?.type !== 'exportSvg') return;
    const parseError = await view.page.evaluate(
      (svg) =>
        new DOMParser().parseFromString(svg, 'image/svg+xml').querySelector('parsererror')?.textContent ??
        null,
      last.svg,
    );
    assert.equal(parseError, null, 'the exported SVG is well-formed XML');
    assert.ok(!raw.test(last.svg), 'no raw control character in the SVG');
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

  it('draws a window of a 50,000-deep lineage run by run, with a "more upstream" node that expands', async () => {
    const data = deepChainWindow();
    const view = await open(data);
    assert.equal(await count(view, '.node.run'), 200, 'runs one by one, not grouped');
    assert.equal(await count(view, '.node.component'), 0);
    const more = view.page.locator('.node.more');
    assert.equal(await more.count(), 1);
    assert.equal(await more.locator('.label').textContent(), '49,800 more upstream…');
    // Beside the run where the window stopped, upstream of it (to its left).
    const boxes = await view.page.evaluate((lastRun) => {
      const box = (selector: string) => document.querySelector(selector)!.getBoundingClientRect().x;
      return { more: box('.node.more'), last: box(`.node.run[data-id="r:${lastRun}"]`) };
    }, data.runs[199].id);
    assert.ok(boxes.more < boxes.last, `more at ${boxes.more}, last run at ${boxes.last}`);
    assert.match((await view.page.locator('#notice').textContent()) ?? '', /nearest 200 runs \(49,800 more/);
    await more.focus();
    await view.page.keyboard.press('Enter');
    assert.deepEqual((await view.posted()).at(-1), {
      type: 'expand',
      root: { kind: 'run', id: data.runs[199].id, direction: 'upstream' },
    });
    assert.deepEqual(view.problems, []);
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
    it(`takes every colour from the ${theme} theme's variables, and shows them`, async () => {
      const data = pipelineGraph();
      const view = await open(data, theme);
      const { page } = view;
      const raw = '.node[data-id="p:data/raw.csv"]';
      const failed = `.node[data-id="r:${data.runs[3].id}"]`;
      const featurize = `.node[data-id="r:${data.runs[2].id}"]`;
      // What the screenshot shows where nothing is hovered: the page, a file, a failed run.
      const still = await page.screenshot();
      const before = [
        { what: 'background', ...(await backgroundPoint(view)), variable: '--vscode-editor-background' },
        { what: 'file', ...(await insidePoint(view, raw)), variable: '--vscode-input-background' },
        {
          what: 'failed run',
          ...(await insidePoint(view, failed)),
          variable: '--vscode-editorWidget-background',
        },
      ];
      assert.deepEqual(await pixelMismatches(page, still, theme, before), []);

      await page.locator(featurize).hover();
      await page.locator('.tooltip:not([hidden])').waitFor();
      const rows: ThemeRow[] = [
        ['body', 'background-color', '--vscode-editor-background'],
        ['body', 'color', '--vscode-foreground'],
        ['.toolbar', 'border-bottom-color', '--vscode-panel-border'],
        [`${raw} .body`, 'fill', '--vscode-input-background'],
        [`${raw} .body`, 'stroke', '--vscode-editorWidget-border'],
        [`${raw} .label`, 'fill', '--vscode-foreground'],
        ['.node.pointer.root .body', 'stroke', '--vscode-focusBorder'],
        ['.node.pointer.flagged .glyph', 'fill', '--vscode-list-errorForeground'],
        [`.node[data-id="r:${data.runs[1].id}"] .body`, 'stroke', '--vscode-testing-iconPassed'],
        [`.node[data-id="r:${data.runs[1].id}"] .glyph`, 'fill', '--vscode-testing-iconPassed'],
        [`${failed} .body`, 'fill', '--vscode-editorWidget-background'],
        [`${failed} .body`, 'stroke', '--vscode-testing-iconFailed'],
        [`${failed} .glyph`, 'fill', '--vscode-testing-iconFailed'],
        [`${failed} .sub`, 'fill', '--vscode-descriptionForeground'],
        [`${featurize} .body`, 'fill', '--vscode-list-hoverBackground'],
        [`${featurize} .body`, 'stroke', '--vscode-list-warningForeground'],
        [`${featurize} .mark-stale`, 'fill', '--vscode-list-warningForeground'],
        ['path.edge.write', 'stroke', '--vscode-charts-blue'],
        ['path.edge.read', 'stroke', '--vscode-descriptionForeground'],
        ['.arrow-head', 'fill', '--vscode-descriptionForeground'],
        ['.tooltip', 'background-color', '--vscode-editorHoverWidget-background'],
        ['.tooltip', 'color', '--vscode-editorHoverWidget-foreground'],
        ['.tooltip', 'border-top-color', '--vscode-editorHoverWidget-border'],
        ['.tooltip-reason', 'color', '--vscode-list-warningForeground'],
      ];
      if (theme === 'high-contrast')
        rows.push(
          // High contrast: files, the toolbar and the tooltip are outlined in the contrast border.
          [`${raw} .body`, 'stroke', '--vscode-contrastBorder'],
          ['.toolbar', 'border-bottom-color', '--vscode-contrastBorder'],
          ['.tooltip', 'border-top-color', '--vscode-contrastBorder'],
        );
      assert.deepEqual(await themeMismatches(page, theme, rows), []);
      const hovered = await view.screenshot(`graph-${theme}`);
      const after = [
        {
          what: 'hovered run',
          ...(await insidePoint(view, featurize)),
          variable: '--vscode-list-hoverBackground',
        },
        {
          what: 'tooltip',
          ...(await insidePoint(view, '.tooltip')),
          variable: '--vscode-editorHoverWidget-background',
        },
      ];
      assert.deepEqual(await pixelMismatches(page, hovered, theme, after), []);
      assert.deepEqual(view.problems, []);
      await page.close();
    });
  }

  it('draws a 300-node lineage: each node once, none overlapping, edges between their nodes, all in view', async () => {
    const data = syntheticGraph(300);
    const view = await open(data);
    assert.equal(await view.page.evaluate(() => document.body.dataset.layout), 'layered');
    await view.screenshot('graph-300');
    const drawn = await view.page.evaluate(() => {
      const box = (element: Element) => {
        const { left, top, right, bottom } = element.getBoundingClientRect();
        return { left, top, right, bottom };
      };
      const nodes = [...document.querySelectorAll<SVGGElement>('.node')].map((node) => ({
        id: node.dataset.id!,
        ...box(node.querySelector('.body')!),
      }));
      const edges = [...document.querySelectorAll<SVGPathElement>('path.edge')].map((path) => {
        // d3 keeps each path's edge in `__data__`.
        const edge = (path as unknown as { __data__: { source: string; target: string } }).__data__;
        const toScreen = path.getScreenCTM()!;
        const at = (length: number) => {
          const { x, y } = path.getPointAtLength(length).matrixTransform(toScreen);
          return { x, y };
        };
        return {
          source: edge.source,
          target: edge.target,
          start: at(0),
          end: at(path.getTotalLength()),
        };
      });
      return { svg: box(document.querySelector('svg.graph')!), nodes, edges };
    });

    const pointers = new Set([
      ...data.pointers.map((p) => p.name),
      ...data.runs.flatMap((r) => [...r.inputs, ...r.outputs]),
    ]);
    const expectedNodes = [...data.runs.map((r) => `r:${r.id}`), ...[...pointers].map((p) => `p:${p}`)];
    assert.ok(expectedNodes.length >= 290, `${expectedNodes.length} nodes`);
    assert.deepEqual(drawn.nodes.map((n) => n.id).sort(), expectedNodes.sort(), 'each run and file once');
    const expectedEdges = data.runs.flatMap((r) => [
      ...r.inputs.map((i) => `p:${i} > r:${r.id}`),
      ...r.outputs.map((o) => `r:${r.id} > p:${o}`),
    ]);
    assert.deepEqual(
      drawn.edges.map((e) => `${e.source} > ${e.target}`).sort(),
      expectedEdges.sort(),
      'an edge per read and write',
    );

    // No two nodes overlap: a sweep along x, comparing only boxes whose x ranges meet.
    const byLeft = [...drawn.nodes].sort((a, b) => a.left - b.left);
    const overlapping: string[] = [];
    byLeft.forEach((a, i) => {
      for (let j = i + 1; j < byLeft.length && byLeft[j].left < a.right; j++) {
        const b = byLeft[j];
        if (a.top < b.bottom && b.top < a.bottom) overlapping.push(`${a.id} and ${b.id}`);
      }
    });
    assert.deepEqual(overlapping, []);

    // Every edge starts at its source's box and ends at its target's.
    const boxes = new Map(drawn.nodes.map((n) => [n.id, n]));
    const near = (p: { x: number; y: number }, id: string, slack = 2) => {
      const b = boxes.get(id)!;
      return (
        p.x >= b.left - slack && p.x <= b.right + slack && p.y >= b.top - slack && p.y <= b.bottom + slack
      );
    };
    const loose = drawn.edges
      .filter((e) => !near(e.start, e.source) || !near(e.end, e.target))
      .map((e) => `${e.source} > ${e.target}`);
    assert.deepEqual(loose, []);

    // The view fits the graph: all of it inside, and it fills the width or the height.
    const { svg } = drawn;
    const outside = drawn.nodes.filter(
      (n) => n.left < svg.left || n.right > svg.right || n.top < svg.top || n.bottom > svg.bottom,
    );
    assert.deepEqual(
      outside.map((n) => n.id),
      [],
    );
    const spanX = Math.max(...drawn.nodes.map((n) => n.right)) - Math.min(...drawn.nodes.map((n) => n.left));
    const spanY = Math.max(...drawn.nodes.map((n) => n.bottom)) - Math.min(...drawn.nodes.map((n) => n.top));
    assert.ok(
      spanX >= 0.8 * (svg.right - svg.left) || spanY >= 0.8 * (svg.bottom - svg.top),
      `the graph spans ${Math.round(spanX)} × ${Math.round(spanY)} of ${svg.right - svg.left} × ${svg.bottom - svg.top}`,
    );
    assert.deepEqual(view.problems, []);
    await view.page.close();
  });
});

/** A point of the graph's background with nothing drawn within 6 px of it. */
async function backgroundPoint(view: ViewPage): Promise<{ x: number; y: number }> {
  return view.page.evaluate(() => {
    const svg = document.querySelector('svg.graph')!;
    const { left, top, right, bottom } = svg.getBoundingClientRect();
    for (let y = top + 10; y < bottom - 10; y += 20)
      for (let x = left + 10; x < right - 10; x += 20) {
        const clear = [-6, 0, 6].every((dx) =>
          [-6, 0, 6].every((dy) => document.elementFromPoint(x + dx, y + dy) === svg),
        );
        if (clear) return { x, y };
      }
    throw new Error('no empty point in the graph');
  });
}
