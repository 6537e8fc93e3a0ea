// Loads the real webview bundles in headless Chromium, with the HTML and CSP the extension uses,
// a fake `acquireVsCodeApi` that records what the view posts, and VS Code's theme variables; and
// checks that a page's computed colours and its screenshot's pixels are the theme's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Browser, chromium, Page } from 'playwright-core';
import { webviewHtml } from '../../src/vscode/webviews/panelHtml';
import type { HostMessage, ViewMessage } from '../../src/shared/protocol';
import { THEMES, ThemeName } from './themes';

const root = path.resolve(__dirname, '../..');
export const DIST = path.join(root, 'dist', 'webview');
export const RESULTS = path.join(root, 'test-results', 'webview');
const ORIGIN = 'https://webview.test';

let built: Promise<void> | undefined;
/** Builds dist/webview once per process (only the webviews, not the rest of the extension). */
export function ensureBuilt(): Promise<void> {
  built ??= (async () => {
    const { buildWebviews } = (await import(path.join(root, 'scripts', 'buildWebviews.mjs'))) as {
      buildWebviews: (o?: { production?: boolean }) => Promise<void>;
    };
    await buildWebviews({ production: true });
  })();
  return built;
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}

export interface ViewPage {
  page: Page;
  /**
   * What the view posted before the host first answered: its `ready`, said again every 500 ms
   * until then, so one or more of them depending on how fast the test sends.
   */
  handshake(): Promise<ViewMessage[]>;
  /** Messages the view posted since the host first answered, in order. */
  posted(): Promise<ViewMessage[]>;
  send(message: HostMessage): Promise<void>;
  /** Page errors, dialogs (alert) and CSP violations seen so far. */
  problems: string[];
  /** Saves test-results/webview/NAME.png for people to look at, and returns the PNG. */
  screenshot(name: string): Promise<Buffer>;
}

export async function openView(
  browser: Browser,
  view: 'graph' | 'inspector' | 'review' | 'history' | 'task',
  options: { theme?: ThemeName; state?: unknown; width?: number; height?: number } = {},
): Promise<ViewPage> {
  const page = await browser.newPage({
    viewport: { width: options.width ?? 1100, height: options.height ?? 720 },
  });
  page.setDefaultTimeout(5000);
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  const theme = THEMES[options.theme ?? 'dark'];
  // tsx compiles the functions below with esbuild's `keepNames`, which calls a `__name` helper.
  await page.addInitScript('window.__name = (f) => f;');
  await page.addInitScript(
    ({ state, vars, bodyClass }) => {
      const w = window as unknown as Record<string, unknown>;
      w.__posted = [];
      w.__answeredAt = undefined;
      w.__state = state;
      w.__csp = [];
      w.acquireVsCodeApi = () => ({
        postMessage: (m: unknown) => (w.__posted as unknown[]).push(m),
        getState: () => w.__state,
        setState: (s: unknown) => (w.__state = s),
      });
      document.addEventListener('securitypolicyviolation', (e) =>
        (w.__csp as string[]).push(`${e.violatedDirective} ${e.blockedURI}`),
      );
      // As VS Code does: variables on <html>, a theme class on <body>.
      document.addEventListener('DOMContentLoaded', () => {
        for (const [name, value] of Object.entries(vars))
          document.documentElement.style.setProperty(name, value);
        document.body.classList.add(bodyClass);
      });
    },
    { state: options.state, vars: theme.vars, bodyClass: theme.bodyClass },
  );
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') {
      const html = webviewHtml({
        cspSource: ORIGIN,
        baseUri: `${ORIGIN}/dist`,
        view,
        nonce: 'test-nonce-123',
        title: view,
      });
      return route.fulfill({ body: html, contentType: 'text/html' });
    }
    const file = path.join(DIST, decodeURIComponent(url.pathname.replace(/^\/dist\//, '')));
    if (!file.startsWith(DIST) || !fs.existsSync(file)) return route.fulfill({ status: 404, body: '' });
    const type = file.endsWith('.js')
      ? 'text/javascript'
      : file.endsWith('.css')
        ? 'text/css'
        : file.endsWith('.ttf')
          ? 'font/ttf'
          : 'application/octet-stream';
    return route.fulfill({ body: fs.readFileSync(file), contentType: type });
  });
  await page.goto(`${ORIGIN}/index.html`);
  await page
    .waitForFunction(
      () => ((window as unknown as { __posted: unknown[] }).__posted ?? []).length > 0,
      undefined,
      { timeout: 5000 },
    )
    .catch((error: Error) => {
      throw new Error(`${error.message}\n${problems.join('\n')}`);
    });
  return {
    page,
    problems,
    handshake: () =>
      page.evaluate(() => {
        const w = window as unknown as Posted;
        return w.__posted.slice(0, w.__answeredAt ?? w.__posted.length);
      }),
    posted: () =>
      page.evaluate(() => {
        const w = window as unknown as Posted;
        return w.__posted.slice(w.__answeredAt ?? 0);
      }),
    send: async (message) => {
      // The mark and the dispatch in one turn of the page: no `ready` can fall between them.
      await page.evaluate((m) => {
        const w = window as unknown as Posted;
        w.__answeredAt ??= w.__posted.length;
        window.dispatchEvent(new MessageEvent('message', { data: m }));
      }, message);
    },
    screenshot: async (name) => {
      fs.mkdirSync(RESULTS, { recursive: true });
      const file = path.join(RESULTS, `${name}.png`);
      await page.evaluate(() => document.fonts.ready);
      return page.screenshot({ path: file });
    },
  };
}

/** In the page: what the fake API recorded, and where the host's first message fell in it. */
interface Posted {
  __posted: ViewMessage[];
  __answeredAt?: number;
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** A themed style to check: the first element matching `selector` shows `variable` as `property`. */
export type ThemeRow = [selector: string, property: string, variable: string];

/**
 * The rows whose computed colour is not the theme variable's value, as readable lines (so an
 * empty list means the page takes each of these colours from the theme). Both sides go through
 * the browser's own colour parsing, so `#ffffffb3` and `rgba(255, 255, 255, 0.7)` compare equal.
 */
export function themeMismatches(page: Page, theme: ThemeName, rows: ThemeRow[]): Promise<string[]> {
  return page.evaluate(
    ({ rows, vars }) => {
      const probe = document.createElement('div');
      document.body.append(probe);
      const colour = (value: string): string | undefined => {
        if (!CSS.supports('color', value)) return undefined;
        probe.style.color = value;
        return getComputedStyle(probe).color;
      };
      const mismatches: string[] = [];
      for (const [selector, property, variable] of rows) {
        const element = document.querySelector(selector);
        const value = vars[variable];
        const shown = element && getComputedStyle(element).getPropertyValue(property);
        if (!element) mismatches.push(`${selector}: not drawn`);
        else if (value === undefined) mismatches.push(`${variable}: not set by the theme`);
        else if (colour(shown!) !== colour(value))
          mismatches.push(`${selector} ${property} is ${shown}, not ${variable} (${colour(value)})`);
      }
      probe.remove();
      return mismatches;
    },
    { rows, vars: THEMES[theme].vars },
  );
}

/** A point of a screenshot (CSS pixels) and the opaque theme colour it should show. */
export interface PixelRow {
  what: string;
  x: number;
  y: number;
  variable: string;
}

/**
 * The points of a screenshot whose colour is more than `tolerance` per channel from the theme
 * variable's. The PNG is decoded with a canvas in a blank page of the same browser (the
 * webview's CSP would refuse the data URL).
 */
export async function pixelMismatches(
  page: Page,
  png: Buffer,
  theme: ThemeName,
  rows: PixelRow[],
  tolerance = 3,
): Promise<string[]> {
  const scratch = await page.context().browser()!.newPage();
  await scratch.evaluate('window.__name = (f) => f;'); // as in openView
  try {
    return await scratch.evaluate(
      async ({ base64, rows, vars, tolerance }) => {
        const image = new Image();
        image.src = `data:image/png;base64,${base64}`;
        await image.decode();
        const canvas = document.createElement('canvas');
        canvas.width = image.width;
        canvas.height = image.height;
        const context = canvas.getContext('2d', { willReadFrequently: true })!;
        const rgb = (x: number, y: number) => [...context.getImageData(x, y, 1, 1).data.slice(0, 3)];
        const mismatches: string[] = [];
        for (const { what, x, y, variable } of rows) {
          // The expected colour drawn by the same canvas: hex, rgb() and names all parse alike.
          context.fillStyle = vars[variable] ?? 'transparent';
          context.fillRect(0, 0, 1, 1);
          const expected = rgb(0, 0);
          context.drawImage(image, 0, 0);
          const shown = rgb(Math.round(x), Math.round(y));
          if (x < 0 || y < 0 || x >= image.width || y >= image.height)
            mismatches.push(
              `${what} at (${x}, ${y}) is outside the ${image.width} × ${image.height} screenshot`,
            );
          else if (shown.some((c, i) => Math.abs(c - expected[i]) > tolerance))
            mismatches.push(`${what} at (${x}, ${y}) is rgb(${shown}), not ${variable} rgb(${expected})`);
        }
        return mismatches;
      },
      { base64: png.toString('base64'), rows, vars: THEMES[theme].vars, tolerance },
    );
  } finally {
    await scratch.close();
  }
}

/** A point inside the element's box, by default near its bottom-right corner (away from text). */
export async function insidePoint(
  view: ViewPage,
  selector: string,
  fx = 0.95,
  fy = 0.85,
): Promise<{ x: number; y: number }> {
  const box = (await view.page.locator(selector).first().boundingBox())!;
  return { x: Math.floor(box.x + box.width * fx), y: Math.floor(box.y + box.height * fy) };
}
