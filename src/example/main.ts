// `node out/example.js <folder>`: writes the example pipeline workspace (for `npm run demo` and
// the extension-host tests) and prints what it logged, as JSON.
import * as path from 'node:path';
import { createExamplePipeline } from './pipeline';

const folder = process.argv[2];
if (!folder) {
  console.error('usage: node out/example.js <folder>');
  process.exit(2);
}
console.log(JSON.stringify(createExamplePipeline(path.resolve(folder))));
