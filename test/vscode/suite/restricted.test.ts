// Restricted Mode: the same workspace, untrusted. The views still show the lineage, but nothing
// is written to the workspace (no flags, notes or snapshot) and terminals are left alone.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MltraceApi } from '../../../src/extension';
import { Commands, EXTENSION_ID } from '../../../src/vscode/constants';

const folder = () => vscode.workspace.workspaceFolders![0].uri.fsPath;
const eventFiles = () => fs.readdirSync(path.join(folder(), '.mltrace', 'events')).sort();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    assert.ok(api.views.runs.getChildren().length >= 13);
    assert.equal(api.views.flagged.getChildren().length, 1);
  });

  test('flag, notes and unflag all write nothing', async () => {
    const before = eventFiles();
    const uri = vscode.Uri.file(path.join(folder(), 'data', 'raw.csv'));
    await vscode.commands.executeCommand(Commands.flag, uri);
    const run = api.service.store!.recent({ limit: 1 }).items[0];
    await vscode.commands.executeCommand(Commands.addNotes, run.id, 'should not be written');
    await vscode.commands.executeCommand(Commands.unflagAll);
    assert.deepEqual(eventFiles(), before, 'no event file was written');
    assert.deepEqual(
      api.views.flagged.getChildren().map((n) => n.treeItem().label),
      ['data/predictions.csv'],
    );
  });

  test('no snapshot is saved and terminals get no environment', async () => {
    await vscode.commands.executeCommand(Commands.refresh);
    await sleep(2500); // longer than the snapshot's save delay
    assert.equal(fs.existsSync(path.join(folder(), '.mltrace', 'lineage.sqlite')), false);
    assert.equal(api.terminal.collection.get('MLTRACE_DIR'), undefined);
    assert.equal(api.terminal.collection.get('PYTHONPATH'), undefined);
  });
});
