// Restricted Mode: the same workspace, untrusted. The views still show the lineage, but nothing
// is written to the workspace (no flags, notes or snapshot) and terminals are left alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { storeLocation } from '../../../src/core/storeDir';
import { EventWriter } from '../../../src/core/writer';
import type { MltraceApi } from '../../../src/extension';
import { CODE_AT_RUN_SCHEME } from '../../../src/vscode/codeAtRun';
import { EXAMPLE_FOLDER } from '../../../src/example/pipeline';
import {
  type CommandId,
  Commands,
  EXTENSION_ID,
  SETTINGS_SECTION,
  Settings,
} from '../../../src/vscode/constants';
import { git as gitIn } from '../../helpers/git';
import { folder, sleep, waitFor } from '../fixtures';

const fileUri = (rel: string) => vscode.Uri.file(path.join(folder(), ...rel.split('/')));
const eventFiles = () => fs.readdirSync(path.join(folder(), '.mltrace', 'events')).sort();

suite('mltrace in Restricted Mode', () => {
  let api: MltraceApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    const extension = vscode.extensions.getExtension<MltraceApi>(EXTENSION_ID)!;
    api = extension.isActive ? extension.exports : await extension.activate();
    assert.ok(await api.service.whenReady(), 'the store opened');
  });

  test('the workspace is untrusted and the extension declares limited support', () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      capabilities: { untrustedWorkspaces: { supported: string } };
    };
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
  });

  test('the views are read-only but show the lineage', () => {
    assert.equal(api.views.components.getChildren().length, 3);
    assert.equal(api.views.runs.getChildren().length, 13);
    assert.equal(api.views.flagged.getChildren().length, 1);
  });

  test('every command that needs trust refuses at once and writes nothing', async () => {
    const run = api.service.store!.recent({ limit: 1 }).items[0];
    const shimFolder = fs.mkdtempSync(path.join(folder(), 'ci-jobs-'));
    // Arguments with which each command would write straight away (or ask first) if it ran.
    const writingArguments: Partial<Record<CommandId, unknown[]>> = {
      [Commands.flag]: [fileUri('data/raw.csv')],
      [Commands.unflag]: [fileUri('data/predictions.csv')],
      [Commands.unflagAll]: [],
      [Commands.addNotes]: [run.id, 'should not be written'],
      [Commands.createExample]: [],
      [Commands.writePythonShim]: [vscode.Uri.file(shimFolder)],
      [Commands.connectTeamStore]: [],
      [Commands.syncNow]: [],
      [Commands.disconnectTeamStore]: [],
      [Commands.ignoreDriftColumn]: ['age', true],
    };
    const needTrust = [...api.commandNeeds].filter(([, needs]) => needs.trust).map(([id]) => id);
    assert.deepEqual(needTrust.sort(), Object.keys(writingArguments).sort(), 'each is tried here');
    const before = eventFiles();
    try {
      for (const id of needTrust) {
        const outcome = await Promise.race([
          vscode.commands.executeCommand(id, ...writingArguments[id]!).then(() => 'refused'),
          sleep(3000).then(() => 'still running (asking the user?)'),
        ]);
        assert.equal(outcome, 'refused', id);
      }
      assert.deepEqual(eventFiles(), before, 'no event file was written');
      assert.deepEqual(
        api.views.flagged.getChildren().map((n) => n.treeItem().label),
        ['data/predictions.csv'],
      );
      assert.deepEqual(fs.readdirSync(shimFolder), [], 'no shim was written');
      assert.equal(fs.existsSync(path.join(folder(), EXAMPLE_FOLDER)), false, 'no example was created');
      assert.deepEqual(
        vscode.workspace.getConfiguration(SETTINGS_SECTION).get(Settings.driftIgnoreColumns),
        [],
        'no setting was written',
      );
    } finally {
      fs.rmSync(shimFolder, { recursive: true, force: true });
    }
  });

  test('no snapshot is saved and terminals get no environment', async () => {
    await vscode.commands.executeCommand(Commands.refresh);
    await sleep(2500); // longer than the snapshot's save delay
    assert.equal(fs.existsSync(path.join(folder(), '.mltrace', 'lineage.sqlite')), false);
    assert.equal(api.terminal.collection.get('MLTRACE_DIR'), undefined);
    assert.equal(api.terminal.collection.get('PYTHONPATH'), undefined);
    assert.equal(api.terminal.collection.get('MLTRACE_PROFILE_BUDGET_MS'), undefined);
  });

  test('no team store is used, not even one from user settings', async () => {
    // Nothing listens on port 9: a connection attempt would show as syncing, then offline.
    const uri = 'postgresql://nobody@127.0.0.1:9/lineage';
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    await config.update(Settings.teamUri, uri, vscode.ConfigurationTarget.Global);
    try {
      await waitFor(
        'the team store refused',
        () => api.team.state.why === 'restricted' && api.team.state.uri === uri,
      );
      await sleep(1500);
      assert.equal(api.team.state.kind, 'off');
      assert.equal(api.team.state.why, 'restricted');
      assert.equal(
        fs.existsSync(path.join(folder(), '.mltrace', 'team')),
        false,
        'no sync state was written',
      );
    } finally {
      await config.update(Settings.teamUri, undefined, vscode.ConfigurationTarget.Global);
    }
  });

  // Last: it makes the workspace a git repository and logs a run into its store.
  test('git is never run: Compare with Code at Run shows the recorded code, reasons stay unexplained', async () => {
    const root = folder();
    const git = (...args: string[]) => gitIn(root, ...args);
    fs.writeFileSync(path.join(root, 'restricted.py'), 'def doubled(x):\n    return x * 2\n');
    git('init', '-q');
    git('add', 'restricted.py');
    git('commit', '-q', '-m', 'first');
    const first = git('rev-parse', 'HEAD');
    fs.writeFileSync(path.join(root, 'restricted.py'), 'def doubled(x):\n    return x + x\n');
    git('commit', '-q', '-am', 'second');
    assert.equal(api.runCode.history(), undefined, 'no git history in Restricted Mode');

    const recorded = 'def doubled(x):\n    return x * 2';
    const writer = new EventWriter(storeLocation(path.join(root, '.mltrace'), {}), 'restrictedtest');
    const id = writer.logRun(
      {
        component: 'doubled',
        source: {
          sourceFile: 'restricted.py',
          sourceLine: 1,
          gitHash: first,
          code: { language: 'python', source: recorded },
        },
      },
      { status: 'complete' },
    );
    writer.close();
    await waitFor('the run ingested', () =>
      api.service.store!.recent({ limit: 50 }).items.some((r) => r.id === id),
    );

    const run = api.service.store!.inspect(id);
    const explained = { ...run, stale: [...run.stale] };
    assert.equal(explained.stale.length, 1, 'its code changed');
    await api.runCode.explain([explained]);
    assert.deepEqual(explained.stale, run.stale, 'nothing added: git did not run');

    await vscode.commands.executeCommand(Commands.compareCode, id);
    const diff = await waitFor('a diff editor', () => {
      for (const group of vscode.window.tabGroups.all)
        for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputTextDiff) return tab.input;
      return undefined;
    });
    assert.equal(diff.original.scheme, CODE_AT_RUN_SCHEME);
    assert.equal((await vscode.workspace.openTextDocument(diff.original)).getText(), recorded);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
