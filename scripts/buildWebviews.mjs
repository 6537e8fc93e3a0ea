// The webviews (lineage graph, run inspector, review, history): browser bundles (iife) plus their
// CSS and the codicon font, all in dist/webview, so that a webview loads nothing else. Used by
// scripts/build.mjs and by the webview tests and benchmark (which build only this).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
export const WEBVIEWS = ['graph', 'inspector', 'review', 'history', 'task'];
export const webviewDist = path.join(root, 'dist', 'webview');

export async function buildWebviews({ production = false } = {}) {
  mkdirSync(webviewDist, { recursive: true });
  await build({
    bundle: true,
    platform: 'browser',
    target: 'chrome120',
    format: 'iife',
    sourcemap: !production,
    minify: production,
    logLevel: 'warning',
    legalComments: 'none',
    entryPoints: Object.fromEntries(WEBVIEWS.map((v) => [v, path.join(root, 'src/browser', v, 'main.ts')])),
    outdir: webviewDist,
  });
  for (const v of WEBVIEWS)
    copyFileSync(path.join(root, 'src/browser', v, `${v}.css`), path.join(webviewDist, `${v}.css`));
  copyFileSync(path.join(root, 'src/browser/common/base.css'), path.join(webviewDist, 'base.css'));
  for (const file of ['codicon.css', 'codicon.ttf'])
    copyFileSync(require.resolve(`@vscode/codicons/dist/${file}`), path.join(webviewDist, file));
}
