// Registered metrics persist across processes: Task.registerMetric logs the metric (facet
// mltrace_task, role "metric"), and Task(name).computeMetrics() in another python3 process computes
// every metric registered for the task that it can; one registered with a function of its own is
// listed there and skipped, with one warning. The engine indexes the same registrations.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pyWorkspace, withStore } from '../helpers/pythonProcess';

type Facet = { role: string; metric?: Record<string, unknown> };
const metricFacets = (events: Array<Record<string, unknown>>): Facet[] =>
  events
    .filter((e) => 'dataset' in e)
    .map((e) => (e.dataset as { facets: { mltrace_task: Facet } }).facets.mltrace_task)
    .filter((f) => f.role === 'metric');

// (y_true = feedback, y_pred = output), by feedback time: u1 (1, 1), u2 (0, 1), u3 (0, 0), u4 (0, 1).
const SHARED = { accuracy_windowNone: 0.5, recall_window2: 0 };

describe('python shim: registered metrics across processes', () => {
  test('process A registers, process B computes them; registering twice logs once; a function of its own is skipped in B with one warning', async (t) => {
    const ws = pyWorkspace(t, ['task_metrics.py']);
    const a = ws.run('task_metrics.py', { args: ['register'] });
    assert.deepEqual(JSON.parse(a.stdout), { metrics: 3, values: { ...SHARED, count_windowNone: 4 } });
    assert.equal(a.stderr, '');
    assert.deepEqual(
      metricFacets(ws.events()).map((f) => f.metric),
      [
        { name: 'accuracy', identifier: 'accuracy_windowNone', windowSize: null, function: 'accuracy' },
        { name: 'recall', identifier: 'recall_window2', windowSize: 2, function: 'recall' },
        {
          name: 'count',
          identifier: 'count_windowNone',
          windowSize: null,
          function: null,
          callable: '<lambda>',
        },
      ],
      'accuracy registered three times in one process is logged once',
    );

    const b = ws.run('task_metrics.py', { args: ['compute'] });
    const [listed, first, second] = b.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(listed, [
      ['accuracy_windowNone', null, 'accuracy', null],
      ['recall_window2', 2, 'recall', null],
      ['count_windowNone', null, null, '<lambda>'],
    ]);
    assert.deepEqual(first, SHARED, 'B computes what A registered, without registering anything');
    assert.deepEqual(second, SHARED);
    const warnings = b.stderr.match(
      /computeMetrics skips the metric count_windowNone of task 'churn'[^\n]*/g,
    );
    assert.deepEqual(
      warnings,
      [
        "computeMetrics skips the metric count_windowNone of task 'churn' in this process: it was registered " +
          'with a function of its own (<lambda>), which only a process that registers it can call.',
      ],
      'one warning, though computeMetrics ran twice',
    );

    // Registered again from a third process: one more event, and the same metrics everywhere.
    ws.run('task_metrics.py', { args: ['again'] });
    assert.equal(metricFacets(ws.events()).length, 4);
    const b2 = ws.run('task_metrics.py', { args: ['compute'] });
    assert.deepEqual(
      b2.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as unknown),
      [
        [
          ['recall_window2', 2, 'recall', null],
          ['count_windowNone', null, null, '<lambda>'],
          ['accuracy_windowNone', null, 'accuracy', null],
        ],
        SHARED,
        SHARED,
      ],
      'by latest registration; accuracy listed once',
    );

    // A process that registers the function computes it (and its registration now names it).
    const own = ws.run('task_metrics.py', { args: ['own'] });
    assert.deepEqual(JSON.parse(own.stdout), { ...SHARED, count_windowNone: 4 });
    assert.equal(own.stderr, '');

    await withStore(ws.storeDir, (store) => {
      assert.deepEqual(
        store.taskMetrics('churn').map((m) => [m.identifier, m.windowSize, m.function, m.callable]),
        [
          ['recall_window2', 2, 'recall', null],
          ['accuracy_windowNone', null, 'accuracy', null],
          ['count_windowNone', null, null, 'count'],
        ],
        'the engine indexes the same registrations, the latest of each',
      );
    });
  });

  test('a registration that cannot be logged warns once; the pipeline goes on with its metrics', (t) => {
    const ws = pyWorkspace(t, ['task_metrics.py']);
    const blocker = path.join(ws.root, 'not-a-folder');
    fs.writeFileSync(blocker, 'a file where the store should be\n');
    const out = ws.run('task_metrics.py', {
      args: ['unwritable'],
      env: { MLTRACE_DIR: path.join(blocker, '.mltrace') },
    });
    assert.deepEqual(JSON.parse(out.stdout), ['accuracy_windowNone', 'recall_windowNone']);
    assert.equal(out.stderr.match(/cannot write to its store/g)?.length, 1, out.stderr);
  });
});
