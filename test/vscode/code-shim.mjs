#!/usr/bin/env node
// A stand-in "VS Code executable" for @vscode/test-electron's runTests({ vscodeExecutablePath }):
// turns the desktop command line (--extensionDevelopmentPath=, --extensionTestsPath=, folder)
// into test/vscode/run.mjs, i.e. code-server + headless Chromium. The remaining desktop flags
// (--no-sandbox, --user-data-dir=...) are not needed: run.mjs uses throw-away state.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);
let dev;
let tests;
let folder;
for (const a of process.argv.slice(2)) {
  if (a.startsWith('--extensionDevelopmentPath=')) dev ??= a.slice(a.indexOf('=') + 1);
  else if (a.startsWith('--extensionTestsPath=')) tests = a.slice(a.indexOf('=') + 1);
  else if (!a.startsWith('-')) folder ??= a;
}
if (!dev || !tests) {
  console.error('code-shim: needs --extensionDevelopmentPath and --extensionTestsPath');
  process.exit(2);
}
const args = [path.join(here, 'run.mjs'), '--dev', dev, '--tests', tests];
if (folder) args.push('--folder', folder);
const result = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(result.status ?? 1);
