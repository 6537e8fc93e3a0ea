// Labels in the editor (docs/LABELS.md): the Labels view (retracted first, each expanding to the
// files that carry it), and on every file that holds data of a retracted label a badge and a
// Problems entry, with the threshold of the shim's guard (the staleness setting).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { retractionEvent } from '../../../src/core/labels/events';
import { storeLocation } from '../../../src/core/storeDir';
import { EventWriter } from '../../../src/core/writer';
import type { MltraceApi } from '../../../src/extension';
import { SETTINGS_SECTION, Settings } from '../../../src/vscode/constants';
import { RETRACTED_BADGE, RETRACTED_LABEL_CODE } from '../../../src/vscode/labels/retractedLabels';
import type { LineageNode } from '../../../src/vscode/views/treeBase';
import { activatedApi, freshStore, keepPristineCopy, waitFor } from '../fixtures';

const DAY_MS = 86400e3;
const labelOf = (node: LineageNode) => {
  const label = node.treeItem().label;
  return typeof label === 'string' ? label : (label?.label ?? '');
};

suite('mltrace labels in the editor', () => {
  let api: MltraceApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activatedApi();
    keepPristineCopy();
  });

  test('Labels view, badges and Problems for the files that hold data of a retracted label', async function () {
    this.timeout(60_000);
    const fixture = await freshStore(api, 'labels');
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    try {
      fs.writeFileSync(path.join(fixture.root, 'data', 'customers.csv'), 'id\nalice\n');
      const writer = new EventWriter(storeLocation(path.join(fixture.root, '.mltrace')), 'labels-test');
      const now = Date.now();
      const run = (component: string, ago: number, input: string, labels: string[], output: string) =>
        writer.logRun(
          { component, startTime: new Date(now - ago), inputs: [{ name: input, labels }] },
          { status: 'complete', endTime: new Date(now - ago + 1000), outputs: [{ name: output }] },
        );
      run('ingest_customers', 5 * DAY_MS, 'data/customers.csv', ['Alice'], 'data/alice.csv');
      run('train_topic', 4 * DAY_MS, 'data/alice.csv', [], 'models/topic.joblib');
      run('ingest_bob', 4 * DAY_MS, 'data/bob.csv', ['Bob'], 'data/bob-ingested.csv');
      writer.append(retractionEvent(['Alice'], new Date(now - 3 * DAY_MS - 60_000)));
      writer.close();

      // The example's own labels (acme, globex: src/example/extras.ts) aside.
      const roots = await waitFor('the Labels view lists both labels', () => {
        const nodes = api.views.labels.getChildren().filter((n) => ['Alice', 'Bob'].includes(labelOf(n)));
        return nodes.length === 2 ? nodes : undefined;
      });
      assert.deepEqual(roots.map(labelOf), ['Alice', 'Bob'], 'retracted first');
      assert.match(String(roots[0].treeItem().description), /^retracted \d{4}-\d\d-\d\d · 3 files$/);
      assert.equal(roots[1].treeItem().description, '2 files');
      assert.deepEqual(roots[0].children!().map(labelOf), [
        'data/alice.csv',
        'data/customers.csv',
        'models/topic.joblib',
      ]);

      const model = fixture.uri('models/topic.joblib');
      const problems = () =>
        vscode.languages.getDiagnostics(model).filter((d) => d.code === RETRACTED_LABEL_CODE);
      const [problem] = await waitFor('a Problems entry on the model', () =>
        problems().length ? problems() : undefined,
      );
      assert.equal(
        problem.message,
        'models/topic.joblib holds data of label Alice, retracted 3 days ago: retrain within 27 days',
      );
      assert.equal(problem.severity, vscode.DiagnosticSeverity.Warning);
      assert.equal(problem.source, 'mltrace');
      assert.equal(api.retractedLabels.provideFileDecoration(model)?.badge, RETRACTED_BADGE);
      assert.equal(api.retractedLabels.provideFileDecoration(fixture.uri('data/customers.csv'))?.badge, 'R');
      assert.equal(
        api.retractedLabels.provideFileDecoration(fixture.uri('data/bob-ingested.csv')),
        undefined,
      );
      assert.equal(vscode.languages.getDiagnostics(fixture.uri('data/bob-ingested.csv')).length, 0);

      // Past the threshold, as the shim's guard sees it: an error.
      await config.update(Settings.stalenessThresholdDays, 2, vscode.ConfigurationTarget.Workspace);
      const [overdue] = await waitFor('the entry turns into an error', () =>
        problems()[0]?.severity === vscode.DiagnosticSeverity.Error ? problems() : undefined,
      );
      assert.match(
        overdue.message,
        /retracted 3 days ago: past the 2-day threshold, runs that read it now stop/,
      );

      // Later runs: only the files whose labels changed are marked again, or unmarked.
      const fired: string[][] = [];
      const listening = api.retractedLabels.onDidChangeFileDecorations((uris) =>
        fired.push(uris ? uris.map((u) => path.relative(fixture.root, u.fsPath)) : ['everything']),
      );
      try {
        const later = new EventWriter(
          storeLocation(path.join(fixture.root, '.mltrace')),
          'labels-test-later',
        );
        const logRun = (component: string, ago: number, input: string, output: string) => {
          later.logRun(
            { component, startTime: new Date(now - ago), inputs: [{ name: input }] },
            { status: 'complete', endTime: new Date(now - ago + 1000), outputs: [{ name: output }] },
          );
          later.close();
        };
        logRun('score', 2 * DAY_MS, 'models/topic.joblib', 'data/scores.csv');
        const scores = fixture.uri('data/scores.csv');
        await waitFor('the scores made from the model are marked', () =>
          api.retractedLabels.provideFileDecoration(scores)?.badge === RETRACTED_BADGE ? true : undefined,
        );
        assert.deepEqual(fired, [[path.join('data', 'scores.csv')]], 'only the new file');
        assert.equal(
          vscode.languages.getDiagnostics(scores).filter((d) => d.code === RETRACTED_LABEL_CODE).length,
          1,
        );
        assert.equal(problems()[0]?.severity, vscode.DiagnosticSeverity.Error, "the model's entry stays");
        fired.length = 0;
        // Retrained without Alice's data: the model's new version carries nothing.
        logRun('train_topic', DAY_MS, 'data/bob-ingested.csv', 'models/topic.joblib');
        await waitFor('the retrained model is unmarked', () => (problems().length === 0 ? true : undefined));
        assert.equal(api.retractedLabels.provideFileDecoration(model), undefined);
        assert.deepEqual(fired, [[path.join('models', 'topic.joblib')]], 'only the retrained model');
        assert.equal(api.retractedLabels.provideFileDecoration(scores)?.badge, RETRACTED_BADGE);
      } finally {
        listening.dispose();
      }
    } finally {
      await config.update(Settings.stalenessThresholdDays, undefined, vscode.ConfigurationTarget.Workspace);
      await fixture.dispose();
    }
  });
});
