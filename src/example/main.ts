// `node out/example.js <folder> [--run <python shim folder>] [--history <runs>]`: writes the
// example pipeline workspace (for `npm run demo` and the tests), optionally runs its pipeline.py
// with the shim, or logs that many older runs first (a large store), and prints what it did, as
// JSON.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createExamplePipeline, runExamplePipeline } from './pipeline';

const usage = 'usage: node out/example.js <folder> [--run <python shim folder>] [--history <runs>]';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { run: { type: 'string' }, history: { type: 'string' } },
  });
} catch {
  parsed = undefined;
}
const history = Number(parsed?.values.history ?? 0);
if (!parsed || parsed.positionals.length !== 1 || !Number.isInteger(history) || history < 0) {
  console.error(usage);
  process.exit(2);
}
const shimDir = parsed.values.run;
const root = path.resolve(parsed.positionals[0]);
const summary = createExamplePipeline(root, new Date(), history);
void (async () => {
  const pythonError = shimDir ? await runExamplePipeline(root, path.resolve(shimDir)) : undefined;
  console.log(JSON.stringify({ ...summary, ...(shimDir ? { pythonError } : {}) }));
})();
