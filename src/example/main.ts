// `node out/example.js <folder> [--run <python shim folder>]`: writes the example pipeline
// workspace (for `npm run demo` and the extension-host tests), optionally runs its pipeline.py
// with the shim, and prints what it did, as JSON.
import * as path from 'node:path';
import { createExamplePipeline, runExamplePipeline } from './pipeline';

const [folder, flag, shimDir] = process.argv.slice(2);
if (!folder || (flag !== undefined && (flag !== '--run' || !shimDir))) {
  console.error('usage: node out/example.js <folder> [--run <python shim folder>]');
  process.exit(2);
}
const root = path.resolve(folder);
const summary = createExamplePipeline(root);
void (async () => {
  const pythonError = shimDir ? await runExamplePipeline(root, path.resolve(shimDir)) : undefined;
  console.log(JSON.stringify({ ...summary, ...(shimDir ? { pythonError } : {}) }));
})();
