// "Compare with Code at Run" and rule 4 explained with git, in a real VS Code: a run logged at a
// commit of a real repository, and a later commit to its source file. The command opens the diff
// editor between the file at the run's commit (a read-only mltrace-code: document) and the file
// now; without a known commit it shows the code the log recorded; Problems name the commit.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { storeLocation } from '../../../src/core/storeDir';
import { EventWriter } from '../../../src/core/writer';
import type { MltraceApi } from '../../../src/extension';
import { CODE_AT_RUN_SCHEME } from '../../../src/vscode/codeAtRun';
import { Commands } from '../../../src/vscode/constants';
import { git } from '../../helpers/git';
import { activatedApi, type Fixture, freshStore, keepPristineCopy, nextChange, waitFor } from '../fixtures';

const FIRST = 'def scale(x):\n    return x * 2\n';
const SECOND = 'def scale(x):\n    return x * 3\n';
const SNAPSHOT = 'def scale(x):\n    return x * 2';

/** The diff tab the command opened: its two sides. */
function diffTab(): vscode.TabInputTextDiff | undefined {
  for (const group of vscode.window.tabGroups.all)
    for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputTextDiff) return tab.input;
  return undefined;
}

async function closeDiffs(): Promise<void> {
  for (const group of vscode.window.tabGroups.all)
    for (const tab of group.tabs)
      if (tab.input instanceof vscode.TabInputTextDiff) await vscode.window.tabGroups.close(tab);
}

suite('Compare with Code at Run', () => {
  let api: MltraceApi;
  let fixture: Fixture;
  let first: string;
  let atCommit: string;
  let unknownCommit: string;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activatedApi();
    keepPristineCopy();
    fixture = await freshStore(api, 'compare-code');
    const root = fixture.root;
    fs.writeFileSync(path.join(root, 'scale.py'), FIRST);
    git(root, 'init', '-q');
    git(root, 'add', 'scale.py');
    git(root, 'commit', '-q', '-m', 'first scale');
    first = git(root, 'rev-parse', 'HEAD');
    // Changed and committed before the runs are logged, so that the index sees them stale at once.
    fs.writeFileSync(path.join(root, 'scale.py'), SECOND);
    git(root, 'commit', '-q', '-am', 'triple it');

    const changed = nextChange(api);
    const writer = new EventWriter(storeLocation(path.join(root, '.mltrace'), {}), 'comparetest');
    const source = (gitHash: string) => ({
      sourceFile: 'scale.py',
      sourceLine: 1,
      gitHash,
      code: { language: 'python', source: SNAPSHOT },
    });
    // A component whose commit is not in this repository (another clone, a rebase): the fallback.
    unknownCommit = writer.logRun(
      { component: 'rescale', source: source('0123456789abcdef0123456789abcdef01234567') },
      { status: 'complete' },
    );
    atCommit = writer.logRun({ component: 'scale', source: source(first) }, { status: 'complete' });
    writer.close();
    await changed;
  });

  suiteTeardown(async () => {
    await closeDiffs();
    await fixture?.dispose();
  });

  teardown(closeDiffs);

  test('opens the diff editor: the file at the run commit on the left, the working copy on the right', async () => {
    await vscode.commands.executeCommand(Commands.compareCode, atCommit);
    const diff = await waitFor('a diff editor', diffTab);
    assert.equal(diff.original.scheme, CODE_AT_RUN_SCHEME);
    assert.equal(diff.modified.toString(), fixture.uri('scale.py').toString());
    const left = await vscode.workspace.openTextDocument(diff.original);
    assert.equal(left.getText(), FIRST, 'the whole file as committed at the run');
    assert.equal(left.languageId, 'python');
    const right = await vscode.workspace.openTextDocument(diff.modified);
    assert.equal(right.getText(), SECOND);
  });

  test('without a commit git knows, the left side is the code the log recorded', async () => {
    await vscode.commands.executeCommand(Commands.compareCode, unknownCommit);
    const diff = await waitFor('a diff editor', diffTab);
    assert.equal(diff.original.scheme, CODE_AT_RUN_SCHEME);
    const left = await vscode.workspace.openTextDocument(diff.original);
    assert.equal(left.getText(), SNAPSHOT);
  });

  test('the Problems entry names the commit that changed the code since the run', async () => {
    const uri = fixture.uri('scale.py');
    await vscode.workspace.openTextDocument(uri);
    const short = git(fixture.root, 'rev-parse', '--short=7', 'HEAD');
    const message = await waitFor(
      'a stale-code problem explained with git',
      () =>
        vscode.languages
          .getDiagnostics(uri)
          .map((d) => d.message)
          .find((m) => m.startsWith('scale:') && m.includes('1 commit since this run')),
      15_000,
    );
    assert.match(message, new RegExp(`1 commit since this run: ${short} "triple it"`));
  });
});
