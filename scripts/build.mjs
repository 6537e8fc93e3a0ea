// Bundles the CLI (and later the extension host and webviews) with esbuild, and copies
// sql.js's wasm beside the bundles so nothing needs node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildWebviews } from './buildWebviews.mjs';

const require = createRequire(import.meta.url);
const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const dist = path.join(root, 'dist');
const production = process.argv.includes('--production');

// A clean folder each time: nothing stale (old source maps, say) ends up in the .vsix.
rmSync(dist, { recursive: true, force: true });
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
  // Only used when running from source: bundles load the wasm copied beside them, and start the
  // parsing worker from dist/ingestWorker.js, not through tsx. pg's optional native binding and
  // its Cloudflare socket are never used (pure JS over node:net).
  external: ['sql.js/dist/sql-wasm.wasm', 'tsx/cjs', 'pg-native', 'pg-cloudflare'],
};

/**
 * esbuild gives each `import * as fs from 'node:fs'` a namespace object of its own (`__toESM`: a
 * getter per export, made when the importing module loads): 54 of them in the CLI, 26 copies of
 * fs's hundred exports, about 20 ms of every command. A built-in module's own object serves as
 * that namespace, so the bundle takes it as it is; nothing may read `.default` of it (checked:
 * the build fails if something does).
 */
function useBuiltinsAsTheyAre(file) {
  const names = [];
  const code = readFileSync(file, 'utf8').replace(
    /\b([\w$]+) = __toESM\(require\("(node:[\w/]+)"\)\)/g,
    (_, name, id) => {
      names.push(name);
      return `${name} = require("${id}")`;
    },
  );
  const reads = names.find((name) =>
    new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}\\.default\\b`).test(code),
  );
  if (reads) throw new Error(`${path.basename(file)}: ${reads}.default is read; keep its __toESM`);
  writeFileSync(file, code);
}

/**
 * V8 keeps a source with any character past ASCII as two bytes a character: the CLI's 0.5 MB
 * bundle took 1 MB, and longer to read, for a few arrows in the comments esbuild keeps (it writes
 * strings, templates and regular expressions escaped, so what is left is comment text, which
 * escaping does not change).
 */
function onlyAscii(file) {
  const code = readFileSync(file, 'utf8');
  writeFileSync(
    file,
    code.replace(/[^\p{ASCII}]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`),
  );
}

/**
 * Packages that only some commands need (src/core/vendor.ts, which loads each when first used):
 * the CLI takes each from a bundle of its own in dist/vendor/ instead of carrying it. Over half of
 * the CLI's code, which every command would otherwise read and compile at start-up (about 25 ms).
 */
const VENDOR = [
  'yaml',
  'csv-parse/sync',
  'simple-git',
  'pg',
  'pg-copy-streams',
  'pg-connection-string',
  'pgpass',
];
const vendorFile = (name) => `${name.replace(/\//g, '-')}.js`;
const fromVendor = {
  name: 'vendor',
  setup(esbuild) {
    const names = new RegExp(`^(${VENDOR.map((n) => n.replace(/[/-]/g, '\\$&')).join('|')})$`);
    esbuild.onResolve({ filter: names }, (args) => ({
      path: `./vendor/${vendorFile(args.path)}`,
      external: true,
    }));
  },
};
for (const name of VENDOR) {
  const outfile = path.join(dist, 'vendor', vendorFile(name));
  await build({
    ...common,
    stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root },
    outfile,
  });
  useBuiltinsAsTheyAre(outfile);
}

// The CLI: a small entry (src/cli/launch.ts) that runs the bundle from a V8 code cache.
await build({
  ...common,
  entryPoints: [path.join(root, 'src/cli/main.ts')],
  outfile: path.join(dist, 'cli-main.js'),
  plugins: [fromVendor],
});
useBuiltinsAsTheyAre(path.join(dist, 'cli-main.js'));
onlyAscii(path.join(dist, 'cli-main.js'));
await build({
  ...common,
  entryPoints: [path.join(root, 'src/cli/launch.ts')],
  outfile: path.join(dist, 'cli.js'),
  banner: { js: '#!/usr/bin/env node' },
});
useBuiltinsAsTheyAre(path.join(dist, 'cli.js'));
chmodSync(path.join(dist, 'cli.js'), 0o755);

// The worker that parses large logs while the index applies them (src/core/ingest/worker/host.ts).
await build({
  ...common,
  entryPoints: [path.join(root, 'src/core/ingest/worker/entry.ts')],
  outfile: path.join(dist, 'ingestWorker.js'),
});
useBuiltinsAsTheyAre(path.join(dist, 'ingestWorker.js'));

await build({
  ...common,
  entryPoints: [path.join(root, 'src/shim/node.ts')],
  outfile: path.join(dist, 'mltrace-node.js'),
});
useBuiltinsAsTheyAre(path.join(dist, 'mltrace-node.js'));

// The VS Code extension: `vscode` is provided by the extension host.
await build({
  ...common,
  entryPoints: [path.join(root, 'src/extension.ts')],
  outfile: path.join(dist, 'extension.js'),
  external: [...common.external, 'vscode'],
});
useBuiltinsAsTheyAre(path.join(dist, 'extension.js'));

// `mltrace` on PATH in VS Code's terminals (the extension prepends dist/bin).
mkdirSync(path.join(dist, 'bin'), { recursive: true });
const launcher = '#!/bin/sh\nexec node "$(dirname "$0")/../cli.js" "$@"\n';
writeFileSync(path.join(dist, 'bin', 'mltrace'), launcher, { mode: 0o755 });
chmodSync(path.join(dist, 'bin', 'mltrace'), 0o755);

// Development tool (not shipped): writes the example pipeline workspace for the demo and tests.
await build({
  ...common,
  entryPoints: [path.join(root, 'src/example/main.ts')],
  outfile: path.join(root, 'out', 'example.js'),
});

// `npm run bench` runs the engine bundled, as the CLI and the extension run it (not through tsx,
// whose loader would add its own memory to the figures), with its parsing worker beside it.
await build({
  ...common,
  entryPoints: {
    'engine.bench': path.join(root, 'bench/engine.bench.ts'),
    ingestWorker: path.join(root, 'src/core/ingest/worker/entry.ts'),
  },
  outdir: path.join(root, 'out', 'bench'),
});
for (const file of ['engine.bench.js', 'ingestWorker.js'])
  useBuiltinsAsTheyAre(path.join(root, 'out', 'bench', file));

// The webviews (lineage graph, run inspector, review, history): see scripts/buildWebviews.mjs.
await buildWebviews({ production });
