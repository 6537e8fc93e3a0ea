// Runs the mocha suite INSIDE the extension host of a real VS Code: code-server (from npm, see
// scripts/install-code-server.sh) opened by headless Chromium with the extension under
// development and the suite as its extensionTestsPath. Installs nothing.
//
// usage: node test/vscode/run.mjs [--dev <extensionDevelopmentPath>] [--tests <index.js>] [--folder <workspace>]
//                                 [--trusted | --restricted]   (default: both, one code-server each)
// Without --folder, the example pipeline workspace is generated in a temp folder (out/example.js).
// Prints `N passed, N failed` on a line of its own; exits non-zero on any failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import {
  enableDevelopmentPayload,
  launchBrowser,
  repoRoot,
  startCodeServer,
  withTimeout,
  workbenchUrl,
} from '../../scripts/codeServer.mjs';

const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS || 240_000);
const VERBOSE = !!process.env.VERBOSE;
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? path.resolve(process.argv[i + 1]) : undefined;
};
const devPath = arg('--dev') ?? repoRoot;
const testsPath = arg('--tests') ?? path.join(repoRoot, 'out/test/vscode/suite/index.js');
const t0 = Date.now();
const log = (m) => console.log(`[test:vscode ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

for (const [what, file] of [
  ['the extension bundle', path.join(devPath, 'dist/extension.js')],
  ['the compiled suite', testsPath],
]) {
  if (!fs.existsSync(file)) {
    console.error(`${what} is missing (${file}): run "npm run pretest:vscode" first.`);
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
}

/**
 * One run of the suite in a fresh code-server. `restricted`: workspace trust on and the folder
 * untrusted (Restricted Mode); the suite then runs its restricted-mode tests only.
 */
async function runSuite(restricted) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-ext-test-'));
  let folder = arg('--folder');
  if (!folder) {
    folder = path.join(tmp, 'pipeline');
    execFileSync(process.execPath, [path.join(repoRoot, 'out/example.js'), folder], {
      stdio: VERBOSE ? 'inherit' : 'ignore',
    });
  }
  const resultFile = path.join(tmp, 'result.json');
  const mode = restricted ? 'restricted' : 'trusted';
  let server;
  let browser;
  let result = { passed: 0, failed: 1, error: 'the suite did not report' };
  try {
    server = await startCodeServer({
      stateDir: path.join(tmp, 'cs'),
      trust: restricted,
      settings: restricted
        ? {
            'security.workspace.trust.enabled': true,
            'security.workspace.trust.startupPrompt': 'never',
            'security.workspace.trust.banner': 'never',
          }
        : {},
      // The extension host inherits the server's environment: the suite writes its counts here.
      env: { MLTRACE_TEST_RESULT: resultFile, MLTRACE_TEST_MODE: mode },
      onLine: (line) => {
        const m = /\[ExtensionHostConnection\] <\d+>(<stderr>)? ?(.*)$/.exec(line);
        if (m && !/Launched Extension Host Process|New connection/.test(m[2]))
          console.log(m[1] ? `  !! ${m[2]}` : `  ${m[2]}`);
        else if (VERBOSE) console.log(`  [code-server] ${line}`);
      },
    });
    log(`${mode}: code-server up on port ${server.port} (pid ${server.pid})`);
    browser = await withTimeout(launchBrowser(path.join(tmp, 'profile')), 60_000, 'starting Chromium');
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await browser.exposeFunction('codeAutomationExit', (code) => resolveExit(code));
    await enableDevelopmentPayload(browser);
    const page = browser.pages()[0] ?? (await browser.newPage());
    // The extension host's console (mocha's reporter) reaches the page console as ('%c INFO', style, text...).
    let chain = Promise.resolve();
    page.on('console', (message) => {
      chain = chain.then(async () => {
        let args;
        try {
          args = await Promise.all(message.args().map((a) => a.jsonValue()));
        } catch {
          args = [message.text()];
        }
        const tagged = typeof args[0] === 'string' && /^%c\s*(INFO|WARN|ERR|DEBUG|TRACE)/.test(args[0]);
        const level = tagged ? args[0].replace(/^%c\s*/, '').trim() : message.type();
        const text = util.format(...(tagged ? args.slice(2) : args));
        if (VERBOSE) return console.log(`  [browser ${level}] ${text}`);
        if (
          tagged &&
          level === 'INFO' &&
          !/^(Resolving|Resolved|Creating a socket|\[Service Worker\]|Updating additional|ChatSessionStore)/.test(
            text,
          )
        )
          console.log(text);
        else if (/^ERR/.test(level) && /mltrace|extension-test|Error: .*test/i.test(text))
          console.log(`  [browser ${level}] ${text}`);
      });
    });
    const url = workbenchUrl(server, folder, {
      extensionDevelopmentPath: devPath,
      extensionTestsPath: testsPath,
    });
    log(`opening ${url}`);
    await withTimeout(page.goto(url, { waitUntil: 'domcontentloaded' }), 60_000, 'loading the workbench');
    const code = await withTimeout(exited, TIMEOUT_MS, `the ${mode} extension-host suite`);
    await chain.catch(() => undefined);
    log(`${mode}: extension host exited with code ${code}`);
    if (fs.existsSync(resultFile)) result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    else result = { passed: 0, failed: 1, error: `the suite wrote no result (exit code ${code})` };
    if (code !== 0 && result.failed === 0) result.failed = 1;
  } catch (error) {
    result = { passed: result.passed ?? 0, failed: Math.max(1, result.failed ?? 1), error: error.message };
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
  }
  if (result.error) console.error(`[test:vscode] ${mode}: ${result.error}`);
  return result;
}

const modes = process.argv.includes('--restricted')
  ? [true]
  : process.argv.includes('--trusted')
    ? [false]
    : [false, true];
const result = { passed: 0, failed: 0 };
for (const restricted of modes) {
  const one = await runSuite(restricted);
  result.passed += one.passed;
  result.failed += one.failed;
}
log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
// Called through code-shim.mjs by @vscode/test-electron: hand the counts to its runner too.
if (process.env.MLTRACE_TEST_RESULT)
  fs.writeFileSync(
    process.env.MLTRACE_TEST_RESULT,
    JSON.stringify({ passed: result.passed, failed: result.failed }),
  );
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed > 0 ? 1 : 0);
