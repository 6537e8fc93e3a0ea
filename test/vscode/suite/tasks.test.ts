// Tasks in the editor: the Tasks view lists a task that a real Python process logged with
// mltrace's unchanged API (Task, log_output, log_feedback, registerMetric), with its coverage, its
// registered metrics and its metrics; its panel charts the metric over time beside the run that
// logged the outputs, or a registered metric over its window.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MltraceApi } from '../../../src/extension';
import { Commands, EXTENSION_ID } from '../../../src/vscode/constants';
import type { LineageNode } from '../../../src/vscode/views/treeBase';
import { activatedApi, freshStore, keepPristineCopy, waitFor } from '../fixtures';

const labelOf = (node: LineageNode) => {
  const label = node.treeItem().label;
  return typeof label === 'string' ? label : (label?.label ?? '');
};

/** Outputs logged inside a decorated run, feedback later, from outside any run; two metrics registered. */
// Feedback comes later than the outputs (the pauses: times are in milliseconds, and a fast
// machine logs all of this within one).
const SCRIPT = `
import time
from mltrace import Metric, Task, log_feedback, register

@register("score_users", input_vars=[], output_vars=[])
def score_users():
    Task("churn").logOutputs([1, 0, 1, 1], ["u1", "u2", "u3", "u4"])

score_users()
time.sleep(0.02)
log_feedback("churn", "u1", 1)
time.sleep(0.02)
Task("churn").logFeedbacks([0, 0], ["u2", "u3"])
Task("churn").registerMetric(Metric("accuracy", window_size=2))
Task("churn").registerMetric(Metric("hits", fn=lambda y_true, y_pred: sum(y_true)))
`;

suite('mltrace tasks in the editor', () => {
  let api: MltraceApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    api = await activatedApi();
    keepPristineCopy();
  });

  test('the Tasks view lists a task logged by python3; its panel has the metric over time and the run that logged outputs', async function () {
    this.timeout(90_000);
    const fixture = await freshStore(api, 'tasks');
    try {
      const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
      fs.writeFileSync(path.join(fixture.root, 'score_users.py'), SCRIPT);
      const result = spawnSync('python3', ['score_users.py'], {
        cwd: fixture.root,
        encoding: 'utf8',
        env: {
          ...process.env,
          PYTHONPATH: path.join(extension.extensionPath, 'python'),
          MLTRACE_DIR: path.join(fixture.root, '.mltrace'),
        },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stderr, '', 'the shim logged without a warning');

      const task = await waitFor('the Tasks view lists churn', () =>
        api.views.tasks.getChildren().find((n) => labelOf(n) === 'churn'),
      );
      const item = task.treeItem();
      assert.equal(item.description, '4 outputs · 75% with feedback');
      assert.deepEqual(item.command?.command, Commands.openTask);
      assert.deepEqual(item.command?.arguments, ['churn']);
      // u1 right, u2 right, u3 wrong (predicted 1, was 0); u4 has no feedback yet. The registered
      // metrics first: accuracy over the last 2 (u2, u3), and one only its Python process computes.
      const children = task.children!();
      assert.deepEqual(
        children.map((m) => [labelOf(m), m.treeItem().description]),
        [
          ['accuracy', 'last 2 · 0.5'],
          ['hits', 'all · —'],
          ['accuracy', '0.666667'],
          ['precision', '0.5'],
          ['recall', '1'],
          ['f1', '0.666667'],
        ],
      );

      const own = children[1].treeItem();
      assert.equal(own.command, undefined, 'a metric only Python computes has no chart');
      assert.match(
        (own.tooltip as vscode.MarkdownString).value,
        /lambda.*only the Python process that registers it computes it/s,
      );
      const registered = children[0].treeItem().command!;
      assert.deepEqual(registered.arguments, [
        'churn',
        { metric: 'accuracy', window: { kind: 'count', size: 2 } },
      ]);
      await vscode.commands.executeCommand(registered.command, ...registered.arguments!);
      const chartPanel = api.webviews.openTask('churn');
      const charted = await chartPanel.currentData();
      assert.deepEqual([charted.metric, charted.window], ['accuracy', { kind: 'count', size: 2 }]);
      assert.equal(charted.series.at(-1)!.value, 0.5, "the chart's last point is the registered value");
      assert.deepEqual(
        charted.registered.map((m) => [m.identifier, m.value]),
        [
          ['accuracy_window2', 0.5],
          ['hits_windowNone', null],
        ],
      );
      chartPanel.dispose();

      await vscode.commands.executeCommand(Commands.openTask, 'churn');
      const panel = api.webviews.openTask('churn');
      const data = await panel.currentData();
      assert.equal(data.task.name, 'churn');
      assert.deepEqual(
        data.runs.map((r) => [r.component, r.status]),
        [['score_users', 'complete']],
        'the run that logged the outputs (not the feedback, logged outside any run)',
      );
      const last = data.series.at(-1)!;
      assert.equal(last.value, 2 / 3);
      assert.deepEqual([last.outputs, last.withFeedback, last.coverage], [4, 3, 0.75]);
      assert.equal(data.series[0].value, null, 'before any feedback: no value');
      const posted = await waitFor('the panel received its data', () =>
        panel.lastPosted?.type === 'init' ? panel.lastPosted : undefined,
      );
      assert.equal(posted.type === 'init' && posted.data.view, 'task');
      panel.dispose();
    } finally {
      await fixture.dispose();
    }
  });
});
