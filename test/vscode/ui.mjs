// UI flows through Chromium on a real VS Code (code-server) with the extension installed from its
// .vsix: activity bar → trees → trace → CodeLens → explorer context menu → the inspector's Data
// tab → Connect Team Store… (a
// throw-away PostgreSQL, test/helpers/postgres.ts: a wrong password, then the right one), then an empty folder →
// welcome view → "Create Example Pipeline", then a large store's progress notification, then back
// in the example: the Labels view (a retracted label) and the Tasks view → a task's metric chart.
// Saves a screenshot per step under test-results/ui/.
// Prints `N passed, N failed`; exits non-zero on failure.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';
import {
  installExtension,
  launchBrowser,
  repoRoot,
  startCodeServer,
  withTimeout,
} from '../../scripts/codeServer.mjs';

const SHOTS = path.resolve(process.env.SHOTS || path.join(repoRoot, 'test-results/ui'));
const STEP_TIMEOUT_MS = 45_000;
const t0 = Date.now();
const log = (m) => console.log(`[test:ui ${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

if (!fs.existsSync(path.join(repoRoot, 'dist/extension.js'))) {
  console.error('dist/extension.js is missing: run "npm run build" first.');
  console.log('0 passed, 1 failed');
  process.exit(1);
}
fs.mkdirSync(SHOTS, { recursive: true });
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-ui-'));
const folder = path.join(tmp, 'pipeline');
execFileSync(process.execPath, [path.join(repoRoot, 'out/example.js'), folder], { stdio: 'ignore' });
const emptyFolder = path.join(tmp, 'empty');
fs.mkdirSync(emptyFolder);
// The example with 50,000 older runs (about 120 MB of events): opening it takes seconds.
const bigFolder = path.join(tmp, 'big');
execFileSync(process.execPath, [path.join(repoRoot, 'out/example.js'), bigFolder, '--history', '50000'], {
  stdio: 'ignore',
});

let passed = 0;
let failed = 0;
let pg;
let server;
let browser;
let page;
const shot = async (name) => {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  console.log(`    screenshot ${path.relative(repoRoot, file)}`);
};

/** One step of the flow: passes or fails on its own; later steps still run. */
async function step(name, body) {
  const started = Date.now();
  try {
    await withTimeout(body(), STEP_TIMEOUT_MS, name);
    passed++;
    console.log(`  ✔ ${name} (${Date.now() - started} ms)`);
  } catch (error) {
    failed++;
    console.log(`  ✖ ${name}: ${error.message.split('\n')[0]}`);
    await shot(`failed-${name.replace(/\W+/g, '-')}`).catch(() => undefined);
  }
}

const quickInput = () =>
  page.locator('.quick-input-widget input[type="text"], .quick-input-widget input.input').first();
async function runCommand(title) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('F1');
  await quickInput().waitFor();
  await quickInput().fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

/** Collapses every pane of the mltrace container but `keep` (expanded), to give it room. */
async function onlyPane(keep) {
  for (const name of ['Components', 'Runs', 'Flagged Outputs', 'Labels', 'Tasks']) {
    const header = page.locator('.pane-header', { hasText: new RegExp(`^${name}`) }).first();
    const expanded = (await header.getAttribute('aria-expanded')) === 'true';
    if (expanded !== (name === keep)) await header.click();
  }
}
/** The text of the tree row whose label is `name`, within the pane `pane`. */
const row = (pane, name) =>
  page
    .locator('.pane', { has: page.locator('.pane-header', { hasText: new RegExp(`^${pane}`) }) })
    .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: name }) })
    .first();

try {
  const stateDir = path.join(tmp, 'cs');
  fs.mkdirSync(stateDir);
  installExtension(stateDir, path.join(stateDir, 'ext'));
  log('packaged the extension and installed the .vsix');
  server = await startCodeServer({ stateDir, extensionsDir: path.join(stateDir, 'ext') });
  log(`code-server up on port ${server.port}`);
  browser = await withTimeout(launchBrowser(path.join(tmp, 'profile')), 60_000, 'starting Chromium');
  const { startPostgres } = await tsImport('../helpers/postgres.ts', import.meta.url);
  pg = await startPostgres();
  log(`PostgreSQL up on port ${pg.port}`);
  page = browser.pages()[0] ?? (await browser.newPage());
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}`;

  await step('workbench loads with the mltrace activity bar entry', async () => {
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    await page.locator('.monaco-workbench').waitFor();
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /mltrace/ })
      .waitFor();
  });

  await step('activity bar → Components tree grouped by tag', async () => {
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /mltrace/ })
      .click();
    for (const name of ['etl', 'ml', 'featurize', 'train'])
      await page
        .getByRole('treeitem', { name: new RegExp(`^${name}\\b`) })
        .first()
        .waitFor();
    await shot('01-components');
  });

  await step('Runs tree: a stale run expands to its reasons', async () => {
    // Give the Runs view room: collapse the other views.
    await onlyPane('Runs');
    const stale = page.getByRole('treeitem', { name: /featurize run .* stale/ }).first();
    await stale.waitFor();
    await stale.click();
    await page.keyboard.press('ArrowRight');
    await page.getByRole('treeitem', { name: /May need re-running/ }).waitFor();
    await page.getByRole('treeitem', { name: /changed since this run read it/ }).waitFor();
    await shot('02-runs-stale-expanded');
  });

  // A webview is two nested iframes: the workbench's host frame, then the page itself.
  const graph = () => page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');

  await step('command palette → Trace Lineage → pick a file → lineage graph', async () => {
    await runCommand('mltrace: Trace Lineage');
    await quickInput().fill('predictions');
    await page
      .locator('.quick-input-list .monaco-list-row', { hasText: 'data/predictions.csv' })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    await graph().locator('.node.run', { hasText: 'featurize' }).first().waitFor();
    await graph().locator('.node.pointer.flagged', { hasText: 'predictions.csv' }).first().waitFor();
    await page.waitForTimeout(500); // the graph fits itself to the view
    await shot('03-lineage-graph');
  });

  await step('pipeline.py shows CodeLens above each component', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await quickInput().waitFor();
    await quickInput().fill('pipeline.py');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'pipeline.py' }).first().waitFor();
    await page.keyboard.press('Enter');
    await page.locator('.monaco-editor .view-lines', { hasText: 'def featurize' }).waitFor();
    await page.locator('.monaco-editor .codelens-decoration', { hasText: 'stale' }).first().waitFor();
    await page
      .locator('.monaco-editor .codelens-decoration', { hasText: 'Trace data/features.csv' })
      .first()
      .waitFor();
    // Scroll so that the stale featurize lens is in view.
    await page.locator('.monaco-editor .view-lines', { hasText: 'def featurize' }).first().click();
    await shot('04-codelens');
  });

  await step('explorer context menu on a logged file offers Trace Lineage and Unflag', async () => {
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /Explorer/ })
      .click();
    const data = page.getByRole('treeitem', { name: /^data$/ }).first();
    await data.waitFor();
    if ((await data.getAttribute('aria-expanded')) !== 'true') await data.click();
    const file = page.getByRole('treeitem', { name: /predictions\.csv/ }).first();
    await file.waitFor();
    await file.click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.getByText('Trace Lineage').waitFor();
    await menu.getByText('Unflag Output').waitFor();
    await page.waitForTimeout(400); // the menu fades in
    await shot('05-explorer-context-menu');
    await menu.getByText('Trace Lineage').click();
    // The graph of that file is open already: it comes to the front.
    await page.locator('.tab.active', { hasText: 'Lineage: predictions.csv' }).waitFor();
    await graph().locator('.node.run', { hasText: 'predict' }).first().waitFor();
  });

  await step(
    'Inspect Run → the first train run → Data tab: its input drifted, both distributions drawn',
    async () => {
      await runCommand('View: Close All Editors');
      await runCommand('mltrace: Inspect Run');
      await quickInput().fill('train');
      const rows = page.locator('.quick-input-list .monaco-list-row', { hasText: 'train' });
      await rows.nth(3).waitFor(); // day 1, day 2 (failed, then complete), today: the oldest is last
      await rows.last().click();
      const view = graph();
      await view.locator('#tab-data').click();
      const section = view.locator('section.input-drift', { hasText: 'data/features.csv' });
      await section.waitFor();
      const verdict = await section.locator('.verdict').textContent();
      if (verdict !== 'drifted') throw new Error(`features.csv is "${verdict}", not drifted`);
      const statuses = await section.locator('[role=option] .col-status').allTextContents();
      if (statuses.join() !== 'drifted,drifted,same')
        throw new Error(`the columns' statuses, in order: ${statuses.join(', ')}`);
      // The sensors' readings (and their square) moved: choose the reading column.
      await section.locator('[role=option][data-column="reading"]').click();
      const row = await section.locator('[role=option][aria-selected="true"]').innerText();
      if (!/drifted\s+reading\s+PSI 0\.\d\d/.test(row)) throw new Error(`the reading row: ${row}`);
      const series = await section
        .locator('svg.distribution .series')
        .evaluateAll((g) => g.map((e) => e.getAttribute('data-series')));
      if (series.join() !== 'reference,current') throw new Error(`the chart draws ${series.join()}`);
      const label = (await section.locator('svg.distribution').getAttribute('aria-label')) ?? '';
      if (!/reading; reference: median 31 \[14 … 43\]; current: median 36 \[21 … 51\]/.test(label))
        throw new Error(`the chart's text alternative: ${label}`);
      await shot('06-inspector-data');
    },
  );

  /** Runs Connect Team Store… through its three steps, typing what a user types. */
  async function connectTeamStore(password) {
    await runCommand('mltrace: Connect Team Store');
    await page.locator('.quick-input-widget', { hasText: 'Connect Team Store (1/3)' }).waitFor();
    await quickInput().fill(pg.adminUri);
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget', { hasText: 'Connect Team Store (2/3)' }).waitFor();
    await quickInput().fill(password);
    await page.keyboard.press('Enter');
  }

  await step(
    'Connect Team Store… with a wrong password: one error naming the server, not the password; nothing saved',
    async () => {
      await page.keyboard.press('Escape');
      await connectTeamStore('not-the-password');
      const toast = page.locator('.notification-toast', { hasText: /password authentication failed/ });
      await toast.waitFor();
      const text = await toast.innerText();
      if (!text.includes(`127.0.0.1:${pg.port}/lineage`)) throw new Error(`the server is not named: ${text}`);
      if (text.includes('not-the-password')) throw new Error('the password is shown');
      if (!/Nothing was saved/.test(text)) throw new Error(`no "Nothing was saved": ${text}`);
      await page.waitForTimeout(400); // the toast slides in
      await shot('07-team-wrong-password');
      await toast
        .locator('.codicon-notifications-clear')
        .click()
        .catch(() => page.keyboard.press('Escape'));
    },
  );

  await step(
    'Connect Team Store… tests the connection, saves it for me, and the status bar says synced',
    async () => {
      await connectTeamStore(pg.adminPassword);
      const scope = page.locator('.quick-input-widget', {
        hasText: /Connect Team Store \(3\/3\): connected to/,
      });
      await scope.waitFor();
      await page.waitForTimeout(300);
      await shot('08-team-save-where');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'For me' }).first().click();
      await page
        .locator('.statusbar-item', { hasText: /synced/ })
        .first()
        .waitFor({ timeout: 30_000 });
      const events = Number(pg.sql('SELECT count(*) FROM mltrace_events').trim());
      if (!(events > 0)) throw new Error('nothing reached the server');
      await shot('09-team-synced');
      // Saved "for me", it would sync every folder opened next: the steps below are about one
      // machine's store.
      await runCommand('mltrace: Disconnect Team Store');
      await page.locator('.notification-toast', { hasText: /stopped syncing with/ }).waitFor();
    },
  );

  await step('empty folder: the welcome view offers the example pipeline', async () => {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(emptyFolder)}`, {
      waitUntil: 'domcontentloaded',
    });
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /mltrace/ })
      .click();
    await page.getByText(/No runs are logged here yet/).waitFor();
    await page.waitForTimeout(300);
    await shot('10-welcome');
  });

  await step('"Create Example Pipeline" creates the workspace and opens it with its runs', async () => {
    await page
      .locator('.welcome-view-content .monaco-button', { hasText: 'Create Example Pipeline' })
      .first()
      .click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.getByText(/Create an example pipeline/).waitFor();
    await page.waitForTimeout(300);
    await shot('11-create-example-dialog');
    await dialog.locator('.monaco-button', { hasText: 'Create in mltrace-example/ and Open' }).click();
    await page.waitForURL(/mltrace-example/);
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /mltrace/ })
      .click();
    // The Components tree (tags), the Runs tree and the Flagged tree all filled.
    for (const name of [/^etl\b/, /^featurize\b/, /^data\/predictions\.csv\b/]) {
      await page.getByRole('treeitem', { name }).first().waitFor();
    }
    if (!fs.existsSync(path.join(emptyFolder, 'mltrace-example', '.mltrace', 'events')))
      throw new Error('no event log was written');
    await shot('12-example-opened');
  });
  await step('a large store opens behind a progress notification, then shows its runs', async () => {
    await page.goto(`${server.url}/?folder=${encodeURIComponent(bigFolder)}`, {
      waitUntil: 'domcontentloaded',
    });
    const toast = page.locator('.notification-toast', {
      hasText: /mltrace: indexing \d+ MB of lineage events/,
    });
    await toast.waitFor();
    await page.waitForTimeout(400); // the toast slides in
    await shot('13-indexing-progress');
    await toast.waitFor({ state: 'hidden' });
    await page
      .locator('.activitybar')
      .getByRole('tab', { name: /mltrace/ })
      .click();
    await page
      .getByRole('treeitem', { name: /^featurize\b/ })
      .first()
      .waitFor();
  });

  await step(
    'Labels view: a retracted label no file carries now, and the files another reaches',
    async () => {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await page.locator('.monaco-workbench').waitFor();
      await page
        .locator('.activitybar')
        .getByRole('tab', { name: /mltrace/ })
        .click();
      await onlyPane('Labels');
      const acme = row('Labels', 'acme');
      await acme.waitFor();
      const acmeText = await acme.innerText();
      if (!/retracted \d{4}-\d\d-\d\d · 0 files/.test(acmeText))
        throw new Error(`acme is not shown retracted, carried by no file: ${acmeText}`);
      const globex = row('Labels', 'globex');
      if (!/5 files/.test(await globex.innerText())) throw new Error(`globex: ${await globex.innerText()}`);
      // Retracted labels come first.
      const names = await page
        .locator('.pane', { has: page.locator('.pane-header', { hasText: /^Labels/ }) })
        .locator('.monaco-list-row .label-name')
        .allInnerTexts();
      if (names.slice(0, 2).join() !== 'acme,globex') throw new Error(`order: ${names.join(', ')}`);
      await globex.click();
      await page.keyboard.press('ArrowRight');
      for (const file of [
        'data/raw.csv',
        'data/clean.csv',
        'data/features.csv',
        'models/model.pkl',
        'data/predictions.csv',
      ])
        await row('Labels', file).waitFor();
      await page.waitForTimeout(300);
      await shot('14-labels-view');
    },
  );

  await step(
    'Tasks view → a task → its metric over time, coverage, and the runs that logged it',
    async () => {
      await onlyPane('Tasks');
      const task = row('Tasks', 'sensor-alerts');
      await task.waitFor();
      const text = await task.innerText();
      if (!/72 outputs · 83% with feedback/.test(text)) throw new Error(`the task row says: ${text}`);
      await task.click();
      await page.locator('.tab.active', { hasText: 'Task: sensor-alerts' }).waitFor();
      const view = page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
      await view.locator('h2', { hasText: 'accuracy over time' }).waitFor();
      await view.locator('.coverage-area').waitFor();
      const points = await view.locator('.metric-point').count();
      if (points < 20) throw new Error(`only ${points} points`);
      const runs = await view.locator('.run-item').allInnerTexts();
      if (runs.length !== 3 || !runs.every((r) => r.includes('predict')))
        throw new Error(`the runs that logged outputs: ${runs.join(' | ')}`);
      // The last row of the table (newest first): every output logged, 60 of 72 with feedback.
      const newest = await view.locator('.series-table tbody tr').first().locator('td').last().textContent();
      if (newest !== '60 of 72 (83%)') throw new Error(`the newest point's coverage: ${newest}`);
      // The metric the example registered (recall over the last 24 joined outputs), with its value now.
      const registered = await view
        .locator('table.registered tbody tr')
        .first()
        .locator('th, td')
        .allInnerTexts();
      if (registered.slice(0, 3).join(' | ') !== 'recall | last 24 | 0.444444')
        throw new Error(`the registered metrics table says: ${registered.join(' | ')}`);
      await page.waitForTimeout(500);
      await shot('15-task-metrics');
    },
  );
} catch (error) {
  failed++;
  console.log(`  ✖ ${error.message}`);
} finally {
  await browser?.close().catch(() => undefined);
  await server?.stop();
  pg?.remove();
  fs.rmSync(tmp, { recursive: true, force: true });
}
log(`done; screenshots in ${path.relative(repoRoot, SHOTS)}/`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
