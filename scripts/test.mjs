// `npm test`: every test layer of DESIGN.md §8 in turn (core, CLI and shims; webviews in Chromium;
// the extension inside a real VS Code; UI flows), streaming their output, then one closing line
// with the totals. Exits non-zero when any layer fails. `--only core,vscode` runs some layers.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const node = process.execPath;
const tsTests = (...globs) => [node, '--import', 'tsx', '--test', '--test-reporter=spec', ...globs];

const layers = [
  { name: 'build', command: [node, 'scripts/build.mjs'], counts: false },
  {
    name: 'core',
    command: tsTests(
      'test/core/*.test.ts',
      'test/cli/*.test.ts',
      'test/shim/*.test.ts',
      'test/team/*.test.ts',
    ),
  },
  {
    name: 'webview',
    command: tsTests('test/browser/*.test.ts'),
    when: () => existsSync(path.join(root, 'test/browser')),
  },
  { name: 'vscode', command: [node, 'test/vscode/build.mjs', '&&', node, 'test/vscode/run.mjs'] },
  { name: 'ui', command: [node, 'test/vscode/ui.mjs'] },
];

// A reader of a store that is not its folder's own keeps its index under $XDG_CACHE_HOME/mltrace
// (storeDir.ts readerSnapshotDir); tests make such stores by the hundred in temporary folders, so
// they get a cache of their own, removed at the end, instead of filling the user's ~/.cache.
const cache = mkdtempSync(path.join(os.tmpdir(), 'mltrace-test-cache-'));
process.on('exit', () => rmSync(cache, { recursive: true, force: true }));

const only = process.argv.includes('--only')
  ? process.argv[process.argv.indexOf('--only') + 1].split(',')
  : null;

/** Runs argv (with `&&` separating commands) and returns [exit code, output]. */
async function run(argv) {
  const commands = [[]];
  for (const arg of argv) {
    if (arg === '&&') commands.push([]);
    else commands.at(-1).push(arg);
  }
  let output = '';
  for (const [command, ...args] of commands) {
    const code = await new Promise((resolve) => {
      // Globs are expanded here: node 20's test runner does not expand them itself.
      const expanded = args.flatMap((a) => (a.includes('*') ? expand(a) : [a]));
      const child = spawn(command, expanded, {
        cwd: root,
        env: { ...process.env, XDG_CACHE_HOME: cache },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (d) => {
        output += d;
        process.stdout.write(d);
      });
      child.stderr.on('data', (d) => {
        output += d;
        process.stderr.write(d);
      });
      child.on('close', (c) => resolve(c ?? 1));
    });
    if (code !== 0) return [code, output];
  }
  return [0, output];
}

/** `dir/*.test.ts` → the matching files (one folder level, `*` only). */
function expand(glob) {
  const dir = path.dirname(glob);
  const pattern = new RegExp(`^${path.basename(glob).replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
  if (!existsSync(path.join(root, dir))) return [];
  return readdirSync(path.join(root, dir))
    .filter((f) => pattern.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

/** Passed and failed counts from node's test runner ("ℹ pass N") or our runners ("N passed, N failed"). */
function counts(output) {
  const node = { pass: /^ℹ pass (\d+)$/m.exec(output), fail: /^ℹ fail (\d+)$/m.exec(output) };
  if (node.pass) return { passed: Number(node.pass[1]), failed: Number(node.fail?.[1] ?? 0) };
  const ours = [...output.matchAll(/^(\d+) passed, (\d+) failed/gm)].at(-1);
  if (ours) return { passed: Number(ours[1]), failed: Number(ours[2]) };
  return null;
}

let passed = 0;
let failed = 0;
const failedLayers = [];
for (const layer of layers) {
  if (only && !only.includes(layer.name) && layer.name !== 'build') continue;
  if (layer.when && !layer.when()) continue;
  console.log(`\n=== ${layer.name} ===`);
  const started = Date.now();
  const [code, output] = await run(layer.command);
  const result = layer.counts === false ? null : counts(output);
  if (result) {
    passed += result.passed;
    failed += result.failed;
  }
  console.log(
    `=== ${layer.name}: ${code === 0 ? 'ok' : `exit ${code}`} in ${((Date.now() - started) / 1000).toFixed(0)} s${result ? ` (${result.passed} passed, ${result.failed} failed)` : ''}`,
  );
  if (code !== 0) {
    failedLayers.push(layer.name);
    if (layer.name === 'build') break;
    if (!result || result.failed === 0) failed += 1; // a layer that died without counting
  }
}
if (failedLayers.length) console.log(`\nFailed layers: ${failedLayers.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failedLayers.length ? 1 : 0);
