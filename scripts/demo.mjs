/* global setInterval */
// `npm run demo`: installs and builds what is missing, creates demo-workspace/ (a small pipeline
// with three days of logged runs, one of them stale, one output flagged) and opens it in a real
// VS Code with the extension installed: the local `code` when there is one, else code-server on
// 127.0.0.1 (installed on first use), whose URL it prints. Ctrl+C stops it.
//
// Options: --no-open (prepare everything, start nothing), --port N, --code-server (even when
// `code` is present).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { codeServerPath, installExtension, repoRoot, startCodeServer } from './codeServer.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const workspace = path.join(repoRoot, 'demo-workspace');
const say = (message) => console.log(`\x1b[1m[demo]\x1b[0m ${message}`);
const run = (command, commandArgs, options = {}) => {
  const result = spawnSync(command, commandArgs, { cwd: repoRoot, stdio: 'inherit', ...options });
  if (result.status !== 0) {
    console.error(
      `[demo] "${command} ${commandArgs.join(' ')}" failed (exit ${result.status}). Fix the error above, then run "npm run demo" again.`,
    );
    process.exit(1);
  }
};

// 1. Packages and the build.
run(process.execPath, [path.join(repoRoot, 'scripts/ensure-deps.mjs')]);
say('building the extension, the CLI and the shims');
run(process.execPath, [path.join(repoRoot, 'scripts/build.mjs')]);

// 2. The workspace: recreated each time, so that "2 hours ago" stays true.
fs.rmSync(workspace, { recursive: true, force: true });
const summary = JSON.parse(
  execFileSync(
    process.execPath,
    [path.join(repoRoot, 'out/example.js'), workspace, '--run', path.join(repoRoot, 'python')],
    { encoding: 'utf8', timeout: 90_000 },
  ),
);
say(`created ${path.relative(process.cwd(), workspace) || workspace}/ with ${summary.runs} logged runs`);
// The pipeline itself ran through mltrace's Python shim, when python3 is here: the newest runs are real.
if (summary.pythonError === null) say('ran pipeline.py with the Python shim: its 5 runs are the newest');
else say(`python3 pipeline.py did not run (${summary.pythonError}): the demo shows the generated runs only`);
say(`stale: ${summary.stale} (data/clean.csv was edited after it ran); flagged: ${summary.flagged}`);
if (flag('--no-open')) process.exit(0);

// 3. A real VS Code on it.
const code = spawnSync('sh', ['-c', 'command -v code'], { encoding: 'utf8' }).stdout.trim();
if (code && !flag('--code-server')) {
  say(`opening it in VS Code (${code}) with the extension under development`);
  run(code, ['--new-window', `--extensionDevelopmentPath=${repoRoot}`, workspace]);
  process.exit(0);
}

try {
  codeServerPath();
} catch {
  say(
    'installing code-server 4.100.3 (VS Code 1.100.3) from npm into .vscode-test/ — once, about 1–3 minutes',
  );
  run('bash', [path.join(repoRoot, 'scripts/install-code-server.sh')]);
}
say('packaging the extension (.vsix) and installing it into a fresh extensions folder');
const stateDir = path.join(repoRoot, '.vscode-test/demo');
fs.rmSync(stateDir, { recursive: true, force: true });
fs.mkdirSync(stateDir, { recursive: true });
installExtension(stateDir, path.join(stateDir, 'ext'));
const server = await startCodeServer({
  stateDir,
  extensionsDir: path.join(stateDir, 'ext'),
  port: option('--port') ? Number(option('--port')) : undefined,
  trust: false,
});
const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;
say('code-server (VS Code 1.100.3) is running with the extension installed. Open:');
console.log(`\n    ${url}\n`);
say('Ctrl+C stops it.');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Keep running while the server does.
setInterval(() => {
  try {
    process.kill(server.pid, 0);
  } catch {
    say('code-server stopped.');
    process.exit(1);
  }
}, 2000);
