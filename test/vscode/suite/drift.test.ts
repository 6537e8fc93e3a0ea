// A drift reason reaches the editor: the stale warning in Problems, on the run's source line,
// names the drifted column and its PSI (the engine's side is test/core/driftStaleness.test.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MltraceApi } from '../../../src/extension';
import { Commands } from '../../../src/vscode/constants';
import { activatedWithFreshStore, type Fixture, waitFor } from '../fixtures';
import { normal, profiledRunEvent, sample, seeded } from '../../helpers/profiles';

function ages(seed: number, mean: number): number[] {
  const random = seeded(seed);
  return sample(5000, () => Math.round(normal(random, mean, 12)));
}

suite('drift in the editor', () => {
  let api: MltraceApi;
  let fixture: Fixture;

  suiteSetup(async function () {
    this.timeout(60_000);
    ({ api, fixture } = await activatedWithFreshStore('drift'));
    fs.writeFileSync(
      path.join(fixture.root, 'drifty.py'),
      'def featurize():\n    pass\n\n\ndef fit():\n    pass\n',
    );
    fs.mkdirSync(path.join(fixture.root, 'data'), { recursive: true });
    fs.writeFileSync(path.join(fixture.root, 'data', 'drifty.csv'), 'age\n41\n');
    const t0 = Date.now() - 3 * 3600_000;
    const iso = (hours: number) => new Date(t0 + hours * 3600_000).toISOString();
    const events = [
      profiledRunEvent({
        runId: '0d0d0d01-0000-4000-8000-000000000001',
        job: 'featurize_drifty',
        start: iso(0),
        end: iso(0.1),
        outputs: [{ name: 'data/drifty.csv', version: 'sha256:d1', columns: { age: ages(1, 40) } }],
      }),
      profiledRunEvent({
        runId: '0d0d0d02-0000-4000-8000-000000000002',
        job: 'fit_drifty',
        start: iso(1),
        end: iso(1.1),
        inputs: [{ name: 'data/drifty.csv', version: 'sha256:d1' }],
        source: { path: 'drifty.py', line: 5 },
      }),
      profiledRunEvent({
        runId: '0d0d0d03-0000-4000-8000-000000000003',
        job: 'featurize_drifty',
        start: iso(2),
        end: iso(2.1),
        outputs: [{ name: 'data/drifty.csv', version: 'sha256:d2', columns: { age: ages(2, 55) } }],
      }),
    ];
    fs.writeFileSync(
      path.join(fixture.root, '.mltrace', 'events', 'drift-test.jsonl'),
      events.map((e) => JSON.stringify(e) + '\n').join(''),
    );
    api.service.refresh();
    assert.ok(api.service.store!.hasPointer('data/drifty.csv'), 'the events were read');
  });

  suiteTeardown(async () => {
    await fixture?.dispose();
  });

  test('Problems: the stale warning of the run says the input drifted, with the column and its PSI', async () => {
    const source = fixture.uri('drifty.py');
    const stale = await waitFor('the drift warning', () =>
      vscode.languages
        .getDiagnostics(source)
        .find((d) => d.source === 'mltrace' && d.message.includes('drifted')),
    );
    assert.match(
      stale.message,
      /Input data\/drifty\.csv .*changed since this run read it and drifted: age PSI \d+\.\d\d\./,
    );
    assert.equal(stale.range.start.line, 4, 'on the line of fit()');
  });

  test("Ignore a Column in Drift, the Data tab's button: the column drifts no more, the warning says so; and back", async () => {
    const source = fixture.uri('drifty.py');
    const warning = (text: string) => () =>
      vscode.languages.getDiagnostics(source).find((d) => d.source === 'mltrace' && d.message.includes(text));
    const ignored = () => vscode.workspace.getConfiguration('mltrace').get<string[]>('drift.ignoreColumns');
    try {
      await vscode.commands.executeCommand(Commands.ignoreDriftColumn, 'age', true);
      assert.deepEqual(ignored(), ['age'], 'in the workspace settings');
      const same = await waitFor('the warning with age ignored', warning('same distribution'));
      assert.match(
        same.message,
        /Input data\/drifty\.csv .*changed since this run read it; same distribution\.$/,
      );
      await vscode.commands.executeCommand(Commands.ignoreDriftColumn, 'age', false);
      assert.deepEqual(ignored(), []);
      await waitFor('the drift warning again', warning('drifted'));
    } finally {
      await vscode.workspace
        .getConfiguration('mltrace')
        .update('drift.ignoreColumns', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
