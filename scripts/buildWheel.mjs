// The Python shim's wheel, next to the .vsix (`npm run package`): built by the shim's own
// standard-library build backend (python/_build/backend.py), so no network and no build tools.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const python = process.env.PYTHON || 'python3';
const code =
  'import sys; sys.path.insert(0, sys.argv[1]); import backend; print(backend.build_wheel(sys.argv[2]))';
const result = spawnSync(python, ['-c', code, path.join(root, 'python', '_build'), root], {
  encoding: 'utf8',
});
if (result.status !== 0) {
  process.stderr.write(result.stderr);
  process.exit(result.status ?? 1);
}
console.log(`wrote ${result.stdout.trim()}`);
