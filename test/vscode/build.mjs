// Compiles the extension-host suite with esbuild: test/vscode/suite/*.ts → out/test/vscode/suite/*.js
// (`vscode` comes from the extension host, mocha from node_modules).
import { build } from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const suite = path.join(root, 'test/vscode/suite');
const out = path.join(root, 'out/test/vscode/suite');
fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: fs
    .readdirSync(suite)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(suite, f)),
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['vscode', 'mocha', 'sql.js/dist/sql-wasm.wasm'],
});
