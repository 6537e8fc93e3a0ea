// Bundles the CLI (and later the extension host and webviews) with esbuild, and copies
// sql.js's wasm beside the bundles so nothing needs node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');

mkdirSync(dist, { recursive: true });
copyFileSync(require.resolve('sql.js/dist/sql-wasm.wasm'), path.join(dist, 'sql-wasm.wasm'));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  // Only used when running from source; bundles load the wasm copied beside them.
  external: ['sql.js/dist/sql-wasm.wasm'],
};

await build({
  ...common,
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(dist, 'cli.js'),
  banner: { js: '#!/usr/bin/env node' },
});
chmodSync(path.join(dist, 'cli.js'), 0o755);

await build({
  ...common,
  entryPoints: [path.join(root, 'src/shim/node.ts')],
  outfile: path.join(dist, 'mltrace-node.js'),
});
