// Makes `npm test` (and the demo) work straight after cloning: installs the npm packages when
// node_modules is missing or older than package-lock.json. Uses only Node's standard library.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const lock = path.join(root, 'package-lock.json');
const installed = path.join(root, 'node_modules', '.package-lock.json');

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log('Installing npm packages (npm ci)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, npm_config_yes: 'true' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

// With --vscode: also the real VS Code (code-server, pinned) and Debian's Chromium that the
// extension and webview tests run in. The install script is idempotent and offline-safe.
if (process.argv.includes('--vscode')) {
  const codeServer = path.join(root, '.vscode-test', 'code-server', 'node_modules', '.bin', 'code-server');
  if (!existsSync(codeServer) || !existsSync('/usr/bin/chromium')) {
    console.log(
      'Installing code-server and Chromium for the VS Code tests (scripts/install-code-server.sh)…',
    );
    const result = spawnSync(
      'bash',
      [path.join(root, 'scripts', 'install-code-server.sh'), '--with-chromium'],
      { cwd: root, stdio: 'inherit' },
    );
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}

// With --vscode (that is, for `npm test`): also Debian's PostgreSQL server, which the team-store
// tests start as a throw-away cluster (test/helpers/postgres.ts).
if (process.argv.includes('--vscode')) {
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql') : [];
  if (!versions.some((v) => existsSync(path.join('/usr/lib/postgresql', v, 'bin', 'initdb')))) {
    if (process.getuid?.() !== 0) {
      console.error(
        'The team-store tests need PostgreSQL: run `sudo apt-get install postgresql`, then npm test.',
      );
      process.exit(1);
    }
    console.log('Installing PostgreSQL for the team-store tests (apt-get install postgresql)…');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    for (const args of [
      ['update', '-qq'],
      ['install', '-y', '-qq', '--no-install-recommends', 'postgresql'],
    ]) {
      const result = spawnSync('apt-get', args, { stdio: 'inherit', env });
      if (result.status !== 0) process.exit(result.status ?? 1);
    }
  }
}
