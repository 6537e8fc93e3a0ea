// Metrics registered for a task (facet mltrace_task, role "metric"; Task.registerMetric): indexed
// one per identifier, the latest registration winning in any arrival order; malformed ones
// reported with their file and line; read back with their values where the engine can compute them.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { registeredMetricValues } from '../../src/core/tasks/registered';
import { appendEvents, BASE_MS, shuffled, tempFixture } from '../helpers/lineage';
import { taskEvent, taskMetricEvent } from '../helpers/tasks';

const accuracy = (windowSize: number | null) => ({
  name: 'accuracy',
  identifier: `accuracy_window${windowSize ?? 'None'}`,
  windowSize,
  function: 'accuracy',
});

/** Outputs a-d, feedback a-d (feedback of d last); three metrics, one registered twice. */
const EVENTS = [
  taskEvent('churn', 'output', 10, [
    ['a', 1],
    ['b', 1],
    ['c', 0],
    ['d', 1],
  ]),
  taskEvent('churn', 'feedback', 20, [
    ['a', 1],
    ['b', 0],
    ['c', 0],
  ]),
  taskEvent('churn', 'feedback', 30, [['d', 0]]),
  taskMetricEvent('churn', 1, accuracy(null)),
  taskMetricEvent('churn', 2, accuracy(2)),
  taskMetricEvent('churn', 3, {
    name: 'count',
    identifier: 'count_windowNone',
    windowSize: null,
    function: null,
    callable: '<lambda>',
  }),
  // The same registration again, from another process: changes nothing but its time.
  taskMetricEvent('churn', 4, accuracy(null)),
  taskMetricEvent('churn', 5, {
    name: 'auc',
    identifier: 'auc_windowNone',
    windowSize: null,
    function: 'roc_auc',
  }),
  // A task with a registered metric and no values yet.
  taskMetricEvent('fraud', 6, {
    name: 'recall',
    identifier: 'recall_window10',
    windowSize: 10,
    function: 'recall',
  }),
];

describe('registered task metrics', () => {
  test('one per identifier, the latest registration wins, in any arrival order; values where the engine can compute them', async (t) => {
    const answers = new Set<string>();
    for (const seed of [0, 5, 17]) {
      const fx = tempFixture(t);
      const events = seed === 0 ? EVENTS : shuffled(EVENTS, seed);
      events.forEach((event, i) => appendEvents(fx, `w${i}.jsonl`, [event]));
      const store = await fx.open();
      assert.deepEqual(store.problems(), []);
      const registered = store.taskMetrics('churn');
      assert.deepEqual(
        registered.map((m) => [
          m.identifier,
          m.windowSize,
          m.function,
          m.callable,
          Date.parse(m.registeredTime) - BASE_MS,
        ]),
        [
          ['accuracy_window2', 2, 'accuracy', null, 2000],
          ['count_windowNone', null, null, '<lambda>', 3000],
          ['accuracy_windowNone', null, 'accuracy', null, 4000],
          ['auc_windowNone', null, 'roc_auc', null, 5000],
        ],
        `seed ${seed}: by latest registration; accuracy_windowNone once, at its second registration`,
      );
      // (y_true, y_pred) by feedback time: a (1, 1), b (0, 1), c (0, 0), then d (0, 1).
      const values = registeredMetricValues(registered, store.taskValues('churn'));
      assert.deepEqual(
        values.map((v) => [v.identifier, v.computable, v.value]),
        [
          ['accuracy_window2', true, 0.5],
          ['count_windowNone', false, null],
          ['accuracy_windowNone', true, 0.5],
          ['auc_windowNone', false, null],
        ],
        'the window of 2 reads c and d, the most recent by feedback time',
      );
      assert.match(
        values[1].error!,
        /function of its own \(<lambda>\): only the Python process that registers it/,
      );
      assert.match(values[3].error!, /roc_auc is computed by Python with scikit-learn only/);
      assert.deepEqual(
        store.tasks().map((s) => [s.name, s.outputs, s.feedback, s.joined, s.lastTime]),
        [
          ['churn', 4, 4, 4, new Date(BASE_MS + 30_000).toISOString()],
          ['fraud', 0, 0, 0, null],
        ],
        'a task that only registered a metric is listed, with nothing logged',
      );
      assert.deepEqual(store.taskValues('fraud'), []);
      assert.deepEqual(
        store.taskMetrics('fraud').map((m) => m.identifier),
        ['recall_window10'],
      );
      answers.add(JSON.stringify(values));
    }
    assert.equal(answers.size, 1);
  });

  test('a registration that is not one is reported with its file and line and skipped; the others stay', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'w.jsonl', [
      taskMetricEvent('churn', 1, accuracy(3)),
      taskMetricEvent('churn', 2, { name: 'accuracy', identifier: 'accuracy_window0', windowSize: 0 }),
      taskMetricEvent('churn', 3, 'accuracy'),
      taskMetricEvent('churn', 4, { identifier: 'x_windowNone', function: 'accuracy' }),
      taskMetricEvent('churn', 5, { name: 'x', identifier: 'x_windowNone', function: 7 }),
    ]);
    const store = await fx.open();
    const reason =
      'facet mltrace_task ignored: role "metric" needs "metric": { "name", "identifier" (strings), ' +
      '"windowSize" (a positive whole number or null), "function" (a metric\'s name or null) }';
    assert.deepEqual(
      store.problems().map((p) => [path.basename(p.file), p.line, p.reason]),
      [2, 3, 4, 5].map((line) => ['w.jsonl', line, reason]),
    );
    assert.deepEqual(
      store.taskMetrics('churn').map((m) => m.identifier),
      ['accuracy_window3'],
    );
  });
});
