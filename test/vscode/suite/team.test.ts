// The team store, live, in a real VS Code: a throw-away PostgreSQL cluster (test/helpers/postgres.ts,
// started from the extension host), the workspace's store a fresh copy of the example, and "another
// machine" that is a second store folder synced with `syncTeam` from here. Its runs must reach the
// Runs view through LISTEN/NOTIFY (the poll is set to an hour), this machine's runs must reach the
// server, a stopped server must show as offline and a restarted one bring the backlog.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Client } from 'pg';
import * as vscode from 'vscode';
import { storeLocation } from '../../../src/core/storeDir';
import { connect } from '../../../src/core/team/server';
import { syncTeam } from '../../../src/core/team/sync';
import { EventWriter } from '../../../src/core/writer';
import type { MltraceApi } from '../../../src/extension';
import { Commands, EXTENSION_ID, SETTINGS_SECTION, Settings } from '../../../src/vscode/constants';
import { splitPassword } from '../../../src/vscode/teamSync';
import { type PgCluster, startPostgres } from '../../helpers/postgres';
import { type Fixture, freshStore, keepPristineCopy, sleep, waitFor } from '../fixtures';

const settings = () => vscode.workspace.getConfiguration(SETTINGS_SECTION);

suite('mltrace team store', () => {
  let api: MltraceApi;
  let pg: PgCluster;
  let fixture: Fixture;
  let db: Client | undefined;
  let otherDir: string;

  /** One value from the server (reconnecting after the server was restarted). */
  async function scalar(sql: string): Promise<string> {
    db ??= await connect(pg.adminUri, { password: pg.adminPassword });
    try {
      const result = await db.query<{ v: string }>(sql);
      return String(result.rows[0]?.v ?? '');
    } catch (error) {
      await db.end().catch(() => undefined);
      db = undefined;
      throw error;
    }
  }

  const runsShown = () =>
    api.views.runs.getChildren().map((n) => {
      const label = n.treeItem().label;
      return typeof label === 'string' ? label : (label?.label ?? '');
    });

  /** A run logged on the other machine and pushed there (push only, as `mltrace sync` would). */
  async function pushFromOtherMachine(component: string): Promise<string> {
    const writer = new EventWriter(storeLocation(otherDir, {}), 'remote');
    const id = writer.logRun(
      { component, inputs: [{ name: 'data/features.csv' }] },
      { status: 'complete', outputs: [{ name: `models/${component}.pkl` }] },
    );
    writer.close();
    await syncTeam(otherDir, pg.adminUri, { password: pg.adminPassword, pull: false });
    return id;
  }

  function logLocally(component: string): { id: string; writer: string } {
    const writer = new EventWriter(storeLocation(path.join(fixture.root, '.mltrace'), {}), 'teamtest');
    const id = writer.logRun(
      { component },
      { status: 'complete', outputs: [{ name: `out/${component}.txt` }] },
    );
    writer.close();
    return { id, writer: path.basename(writer.file, '.jsonl') };
  }

  /** Events of a writer on the server (-1 while it cannot be asked). */
  const onServer = (writer: string) =>
    scalar(`SELECT count(*) AS v FROM mltrace_events WHERE writer = '${writer}'`).then(Number, () => -1);

  suiteSetup(async function () {
    this.timeout(120_000);
    const extension = vscode.extensions.getExtension<MltraceApi>(EXTENSION_ID)!;
    await waitFor('activation', () => extension.isActive, 30_000);
    api = extension.exports;
    assert.ok(await api.service.whenReady(), 'the store opened');
    keepPristineCopy();
    // The extension host's TMPDIR is code-server's private folder, which the `postgres` user that
    // runs the cluster cannot enter: make the cluster's folder under the system's.
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = '/tmp';
    try {
      pg = await startPostgres();
    } finally {
      if (tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmpdir;
    }
    otherDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-other-')), '.mltrace');
    fixture = await freshStore(api, 'team');
    // The poll must not be what brings other machines' runs: NOTIFY must.
    await settings().update(Settings.teamPollSeconds, 3600, vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async function () {
    this.timeout(60_000);
    await settings().update(Settings.teamUri, undefined, vscode.ConfigurationTarget.Workspace);
    await settings().update(Settings.teamUri, undefined, vscode.ConfigurationTarget.Global);
    await settings().update(Settings.teamPollSeconds, undefined, vscode.ConfigurationTarget.Global);
    await waitFor('sync stopped', () => api.team.state.kind === 'off');
    await db?.end().catch(() => undefined);
    await fixture?.dispose();
    pg?.remove();
    if (otherDir) fs.rmSync(path.dirname(otherDir), { recursive: true, force: true });
  });

  test('connected in user settings: this store is pushed, another machine’s run appears via NOTIFY', async function () {
    this.timeout(60_000);
    await api.team.save(pg.adminUri, pg.adminPassword, 'user');
    await waitFor(
      () => `synced and listening (state: ${JSON.stringify(api.team.state)})`,
      () => api.team.state.kind === 'synced' && api.team.state.listening,
      20_000,
    );
    assert.equal(api.teamStatusBar.item.text, '$(cloud) synced');
    assert.ok(Number(await scalar('SELECT count(*) AS v FROM mltrace_events')) > 0, 'the example was pushed');

    const pushed = Date.now();
    const id = await pushFromOtherMachine('remote_train');
    await waitFor('the other machine’s run in the store', () =>
      api.service.store?.recent({ limit: 100 }).items.some((r) => r.id === id),
    );
    const latency = Date.now() - pushed;
    console.log(`      (another machine's run arrived ${latency} ms after its push; the poll is 1 hour)`);
    assert.ok(latency < 5000, `arrived after ${latency} ms`);
    await waitFor('the run in the Runs view', () => runsShown().includes('remote_train'));
  });

  test('a run logged on this machine is pushed within seconds', async function () {
    this.timeout(30_000);
    const { writer } = logLocally('local_step');
    await waitFor('the local run on the server', async () => (await onServer(writer)) === 2, 10_000);
  });

  test('server down: offline and retrying; back up: synced and the backlog arrives', async function () {
    this.timeout(120_000);
    // The suite shares the extension's API object: every dialog shown meanwhile is seen here.
    const window = vscode.window as {
      -readonly [K in keyof typeof vscode.window]: (typeof vscode.window)[K];
    };
    const { showErrorMessage, showWarningMessage } = window;
    const dialogs: string[] = [];
    window.showErrorMessage = (message: string) => (dialogs.push(message), Promise.resolve(undefined));
    window.showWarningMessage = (message: string) => (dialogs.push(message), Promise.resolve(undefined));
    try {
      await offlineThenBack();
      // That the stubs see the extension's dialogs: a command that warns.
      await vscode.commands.executeCommand(Commands.inspect, 'no-such-run');
    } finally {
      window.showErrorMessage = showErrorMessage;
      window.showWarningMessage = showWarningMessage;
    }
    assert.equal(dialogs.length, 1, `no dialog while the server was down: ${dialogs.join(' | ')}`);
    assert.match(dialogs[0], /no-such-run/);
  });

  async function offlineThenBack(): Promise<void> {
    pg.stop();
    await db?.end().catch(() => undefined); // the test's own connection went down with it
    db = undefined;
    await waitFor(
      () => `offline (state: ${JSON.stringify(api.team.state)})`,
      () => api.team.state.kind === 'offline',
      20_000,
    );
    assert.match(api.teamStatusBar.item.text, /^\$\(cloud-offline\) offline, retrying in \d+s$/);
    const tooltip = (api.teamStatusBar.item.tooltip as vscode.MarkdownString).value;
    assert.ok(tooltip.includes('127\\.0\\.0\\.1'), tooltip);
    assert.ok(!tooltip.includes(pg.adminPassword), 'no password in the tooltip');
    assert.ok(!(api.team.state.error ?? '').includes(pg.adminPassword), 'no password in the error');
    // Logged while offline: the local log is the outbox.
    const local = logLocally('while_offline');
    await sleep(1500);
    pg.start();
    // Pushed by the other machine before this one reconnects: its NOTIFY is missed, the reconnect pulls it.
    const id = await pushFromOtherMachine('remote_backlog');
    await waitFor(
      () => `synced again (state: ${JSON.stringify(api.team.state)})`,
      () => api.team.state.kind === 'synced' && api.team.state.listening,
      70_000,
    );
    await waitFor(
      'the backlog pulled',
      () => api.service.store?.recent({ limit: 100 }).items.some((r) => r.id === id),
      10_000,
    );
    await waitFor('the offline run pushed', async () => (await onServer(local.writer)) === 2, 10_000);
  }

  test('a password pasted in the URI is split off (it goes to SecretStorage, not settings)', () => {
    assert.deepEqual(
      splitPassword(' postgresql://alice:s%40cret@db.example.com:5432/lineage?sslmode=require '),
      {
        uri: 'postgresql://alice@db.example.com:5432/lineage?sslmode=require',
        password: 's@cret',
      },
    );
    assert.deepEqual(splitPassword('postgres://alice@db/lineage'), { uri: 'postgres://alice@db/lineage' });
    assert.equal(splitPassword('mysql://alice@db/lineage'), undefined);
    assert.equal(splitPassword('db.example.com'), undefined);
  });

  test('a URI from workspace settings is used only once confirmed', async function () {
    this.timeout(60_000);
    // Same server (so the stored password fits), another URI: as a cloned repository would name it.
    const named = `${pg.adminUri}?application_name=from-workspace`;
    await settings().update(Settings.teamUri, named, vscode.ConfigurationTarget.Workspace);
    await waitFor('awaiting confirmation', () => api.team.state.why === 'unconfirmed', 10_000);
    assert.deepEqual(api.team.configured(), { uri: named, source: 'workspace' });
    assert.equal(api.teamStatusBar.item.text, '$(cloud) team store?');
    const { writer } = logLocally('before_confirming');
    await sleep(2500); // longer than the push's debounce
    assert.equal(api.team.state.kind, 'off');
    assert.equal(await onServer(writer), 0, 'nothing was pushed before confirming');

    await api.team.confirm(named);
    await waitFor('synced after confirming', () => api.team.state.kind === 'synced', 20_000);
    assert.equal(await onServer(writer), 2);
    assert.equal(api.team.isConfirmed(named), true);
  });
  test('a URI the pipeline recorded with set_db_uri() is used only once confirmed, and the dialog says where it came from', async function () {
    this.timeout(60_000);
    await settings().update(Settings.teamUri, undefined, vscode.ConfigurationTarget.Workspace);
    await settings().update(Settings.teamUri, undefined, vscode.ConfigurationTarget.Global);
    await waitFor('no team store', () => api.team.state.why === 'unset', 10_000);
    // What the Python shim writes for set_db_uri (python/mltrace/_team.py), in a configuration
    // folder of this test's own: the extension host and this suite share process.env.
    const named = `${pg.adminUri}?application_name=from-set-db-uri`;
    const config = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-config-'));
    const storeDir = fs.realpathSync(path.join(fixture.root, '.mltrace'));
    fs.writeFileSync(path.join(config, 'team-stores.json'), JSON.stringify({ [storeDir]: named }));
    const window = vscode.window as {
      -readonly [K in keyof typeof vscode.window]: (typeof vscode.window)[K];
    };
    const { showInformationMessage } = window;
    const asked: string[] = [];
    window.showInformationMessage = (message: string) => (asked.push(message), Promise.resolve(undefined));
    const previous = process.env.MLTRACE_CONFIG_DIR;
    process.env.MLTRACE_CONFIG_DIR = config;
    try {
      // A new run in the store is what tells the extension to look again (a pipeline just ran).
      const { writer } = logLocally('after_set_db_uri');
      await waitFor('awaiting confirmation', () => api.team.state.why === 'unconfirmed', 15_000);
      assert.deepEqual(api.team.configured(), { uri: named, source: 'recorded' });
      assert.equal(asked.length, 1, asked.join(' | '));
      assert.match(
        asked[0],
        /pipeline named a team store with set_db_uri\(\), mltrace_admin@127\.0\.0\.1:\d+\/lineage/,
      );
      await sleep(2500); // longer than the push's debounce
      assert.equal(await onServer(writer), 0, 'nothing was pushed before confirming');

      await api.team.confirm(named);
      await waitFor('synced after confirming', () => api.team.state.kind === 'synced', 20_000);
      assert.equal(await onServer(writer), 2);

      // Disconnecting takes the consent back (the pipeline's record stays the pipeline's).
      assert.equal(await api.team.disconnect(), true);
      await waitFor('awaiting confirmation again', () => api.team.state.why === 'unconfirmed', 10_000);
      assert.equal(api.team.isConfirmed(named), false);
      assert.equal(asked.length, 1, 'and not asked again in this window');
    } finally {
      window.showInformationMessage = showInformationMessage;
      if (previous === undefined) delete process.env.MLTRACE_CONFIG_DIR;
      else process.env.MLTRACE_CONFIG_DIR = previous;
      fs.rmSync(config, { recursive: true, force: true });
    }
  });
});
