// Loads the real webview bundles in headless Chromium, with the HTML and CSP the extension uses,
// a fake `acquireVsCodeApi` that records what the view posts, and VS Code's theme variables.
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
  screenshot(name: string): Promise<string>;
}

export async function openView(
  browser: Browser,
  view: 'graph' | 'inspector' | 'review' | 'history',
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
      await page.screenshot({ path: file });
      return file;
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
