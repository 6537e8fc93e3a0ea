// The same extension-host suite through @vscode/test-electron's runTests. Where VS Code can be
// downloaded it runs in desktop VS Code (set VSCODE_EXECUTABLE_PATH to use a local one); with
// MLTRACE_VSCODE=code-server, or when offline, the executable is test/vscode/code-shim.mjs,
// which runs the suite in code-server (test/vscode/run.mjs). Prints `N passed, N failed`.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runTests } from '@vscode/test-electron';

const here = path.dirname(new URL(import.meta.url).pathname);
const repoRoot = path.resolve(here, '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-electron-'));
const folder = path.join(tmp, 'pipeline');
execFileSync(process.execPath, [path.join(repoRoot, 'out/example.js'), folder], { stdio: 'ignore' });
const resultFile = path.join(tmp, 'result.json');

let vscodeExecutablePath = process.env.VSCODE_EXECUTABLE_PATH;
if (!vscodeExecutablePath && process.env.MLTRACE_VSCODE === 'code-server')
  vscodeExecutablePath = path.join(here, 'code-shim.mjs');

const options = {
  extensionDevelopmentPath: repoRoot,
  extensionTestsPath: path.join(repoRoot, 'out/test/vscode/suite/index.js'),
  launchArgs: [folder, '--disable-extensions'],
  extensionTestsEnv: { MLTRACE_TEST_RESULT: resultFile },
  version: '1.100.3',
};
let failed = 0;
let passed = 0;
try {
  try {
    await runTests({ ...options, vscodeExecutablePath });
  } catch (error) {
    if (
      vscodeExecutablePath ||
      !/download|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|fetch failed|getaddrinfo/i.test(
        String(error?.message ?? error),
      )
    )
      throw error;
    console.log(
      `[test:vscode:electron] could not download VS Code (${error.message}); running the suite in code-server instead`,
    );
    await runTests({ ...options, vscodeExecutablePath: path.join(here, 'code-shim.mjs') });
  }
} catch (error) {
  console.error(`[test:vscode:electron] ${error.message ?? error}`);
  failed = 1;
}
// The suite (desktop VS Code) or run.mjs (through the shim) wrote the counts here.
if (fs.existsSync(resultFile)) ({ passed, failed } = JSON.parse(fs.readFileSync(resultFile, 'utf8')));
fs.rmSync(tmp, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
