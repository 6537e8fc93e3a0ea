// The `mltrace.namespace` setting names the job namespace as MLTRACE_NAMESPACE does: for what the
// extension writes, and for pipelines started in its terminals. Empty: the git remote, else the
// folder's name (the example workspace has no repository).
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MltraceApi } from '../../../src/extension';
import { SETTINGS_SECTION, Settings } from '../../../src/vscode/constants';
import { activatedApi, folder, waitFor } from '../fixtures';

suite('mltrace.namespace', () => {
  let api: MltraceApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activatedApi();
  });

  test('the setting overrides the namespace of the store and of terminals; cleared, the folder name is back', async () => {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    assert.equal(api.service.location?.namespace, path.basename(folder()));
    assert.equal(api.terminal.collection.get('MLTRACE_NAMESPACE'), undefined);
    await config.update(
      Settings.namespace,
      'git.example.com/team/pipeline',
      vscode.ConfigurationTarget.Workspace,
    );
    try {
      await waitFor(
        'the namespace from the setting',
        () => api.service.location?.namespace === 'git.example.com/team/pipeline',
      );
      await waitFor(
        'terminals told',
        () => api.terminal.collection.get('MLTRACE_NAMESPACE')?.value === 'git.example.com/team/pipeline',
      );
    } finally {
      await config.update(Settings.namespace, undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the folder name again', () => api.service.location?.namespace === path.basename(folder()));
    await waitFor('terminals untold', () => api.terminal.collection.get('MLTRACE_NAMESPACE') === undefined);
    assert.ok(await api.service.whenReady(), 'the store is open again');
  });
});
