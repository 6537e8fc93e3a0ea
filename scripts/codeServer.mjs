// Starting and stopping a real VS Code (code-server from npm, installed by
// scripts/install-code-server.sh) and headless Chromium, for the extension-host tests, the UI
// flows and the demo. Every server gets its own port and throw-away state, runs in its own
// process group, and is killed with that group.
/* global setTimeout, clearTimeout, fetch, Element */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const repoRoot = path.dirname(path.dirname(new URL(import.meta.url).pathname));
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** The code-server binary: $CODE_SERVER, else the one scripts/install-code-server.sh installs. */
export function codeServerPath() {
  const candidate =
    process.env.CODE_SERVER || path.join(repoRoot, '.vscode-test/code-server/node_modules/.bin/code-server');
  if (!fs.existsSync(candidate)) {
    throw new Error(
      `code-server was not found at ${candidate}. Install it with "bash scripts/install-code-server.sh" (or set CODE_SERVER).`,
    );
  }
  return candidate;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Rejects with a message naming the step when `promise` takes longer than `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)),
        ms,
      );
    }),
  ]);
}

const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'window.commandCenter': false,
};

/**
 * Starts code-server on 127.0.0.1 with throw-away state under `stateDir`.
 * Options: port, env (extra environment for the server and its extension host), onLine(line),
 * extensionsDir, settings (extra user settings), trust (workspace trust on: default off).
 */
export async function startCodeServer(options = {}) {
  const bin = codeServerPath();
  const stateDir = options.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cs-'));
  for (const d of ['ud/User', 'ext', 'home']) fs.mkdirSync(path.join(stateDir, d), { recursive: true });
  fs.writeFileSync(
    path.join(stateDir, 'ud/User/settings.json'),
    JSON.stringify({ ...USER_SETTINGS, ...(options.settings ?? {}) }, null, 2),
  );
  const port = options.port ?? (await freePort());
  const home = path.join(stateDir, 'home');
  const args = [
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--auth',
    'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    path.join(stateDir, 'ud'),
    '--extensions-dir',
    options.extensionsDir ?? path.join(stateDir, 'ext'),
  ];
  if (!options.trust) args.push('--disable-workspace-trust');
  const child = spawn(bin, args, {
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_DATA_HOME: path.join(home, '.local/share'),
      TMPDIR: stateDir,
      ...(options.env ?? {}),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: stop() kills the server and its extension hosts
  });
  const onData = (buf) => {
    for (const line of buf.toString().split('\n')) if (line.trim()) options.onLine?.(line);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = () => {
    if (exited) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.on('exit', stop);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited)
      throw new Error(`code-server exited at start (port ${port}); run with VERBOSE=1 to see its output.`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      stop();
      throw new Error(`code-server did not answer on ${url} within 60 s.`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    pid: child.pid,
    stateDir,
    async stop() {
      stop();
      await new Promise((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
          resolve();
        }, 5000);
        child.on('exit', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}

/**
 * Packages the built extension (dist/ must be current) as a .vsix and installs it into
 * `extensionsDir` with code-server's own installer, the way a user installs it.
 */
export function installExtension(stateDir, extensionsDir) {
  const vsix = path.join(stateDir, 'mltrace-vscode.vsix');
  const vsce = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, 'node_modules/@vscode/vsce/vsce'),
      'package',
      '--no-dependencies',
      '--allow-missing-repository',
      '--skip-license',
      '--baseContentUrl',
      'https://github.com/mltrace-vscode/mltrace-vscode/blob/main',
      '--out',
      vsix,
    ],
    { cwd: repoRoot, encoding: 'utf8', timeout: 120_000 },
  );
  if (vsce.status !== 0) throw new Error(`vsce package failed: ${vsce.stderr || vsce.stdout}`);
  const home = path.join(stateDir, 'home');
  fs.mkdirSync(home, { recursive: true });
  const install = spawnSync(
    codeServerPath(),
    [
      '--user-data-dir',
      path.join(stateDir, 'ud'),
      '--extensions-dir',
      extensionsDir,
      '--install-extension',
      vsix,
    ],
    {
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: path.join(home, '.config'),
        XDG_DATA_HOME: path.join(home, '.local/share'),
      },
    },
  );
  if (install.status !== 0)
    throw new Error(`code-server --install-extension failed: ${install.stderr || install.stdout}`);
  return vsix;
}

/** Headless Chromium with a fresh profile. */
export async function launchBrowser(profileDir, viewport = { width: 1400, height: 900 }) {
  const { chromium } = await import('playwright-core');
  if (!fs.existsSync(CHROMIUM))
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. Install it with "apt-get install chromium" (or set CHROMIUM).`,
    );
  return chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Turns on the dev/test `payload` (extensionDevelopmentPath, extensionTestsPath) of code-server's
 * built workbench, which newer VS Code versions only honour with enableSmokeTestDriver.
 */
export async function enableDevelopmentPayload(context) {
  await context.addInitScript(() => {
    const original = Element.prototype.getAttribute;
    Element.prototype.getAttribute = function (name) {
      const value = original.call(this, name);
      if (name === 'data-settings' && this.id === 'vscode-workbench-web-configuration' && value) {
        const config = JSON.parse(value);
        config.developmentOptions = { ...(config.developmentOptions || {}), enableSmokeTestDriver: true };
        return JSON.stringify(config);
      }
      return value;
    };
  });
}

/** The workbench URL for a folder, with an extension under development and (optionally) tests. */
export function workbenchUrl(server, folder, { extensionDevelopmentPath, extensionTestsPath } = {}) {
  const authority = `127.0.0.1:${server.port}`;
  const payload = [];
  if (extensionDevelopmentPath)
    payload.push(['extensionDevelopmentPath', `vscode-remote://${authority}${extensionDevelopmentPath}`]);
  if (extensionTestsPath)
    payload.push(['extensionTestsPath', `vscode-remote://${authority}${extensionTestsPath}`]);
  const query = `folder=${encodeURIComponent(folder)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
  return `${server.url}/?${query}`;
}
