// The runs that log a task's values: the Python shim names the decorated run in progress in the
// mltrace_task facet (runId), and the engine lists the runs that logged outputs (task_runs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pyWorkspace, withStore } from '../helpers/pythonProcess';

describe('python shim: the runs that log task values', () => {
  test('values logged inside a decorated run name it; outside any run, none', async (t) => {
    const ws = pyWorkspace(t, ['task_runs.py']);
    const out = ws.run('task_runs.py');
    assert.equal(out.stdout.trim(), 'ok');
    assert.equal(out.stderr, '');
    const events = ws.events();
    const runIds = (component: string) =>
      events
        .filter((e) => e.eventType === 'START' && (e.job as { name: string }).name.endsWith(component))
        .map((e) => (e.run as { runId: string }).runId);
    const facets = events
      .filter((e) => 'dataset' in e)
      .map(
        (e) =>
          (e.dataset as { facets: { mltrace_task: { role: string; runId?: string } } }).facets.mltrace_task,
      );
    const [first, second] = runIds('score_users');
    assert.deepEqual(
      facets.map((f) => [f.role, f.runId ?? null]),
      [
        ['output', first],
        ['output', second],
        ['feedback', runIds('label_feedback')[0]],
        ['feedback', null],
      ],
    );
    await withStore(ws.storeDir, (store) => {
      assert.deepEqual(
        store.taskRuns('churn').map((r) => [r.component, r.id]),
        [
          ['score_users', second],
          ['score_users', first],
        ],
        'newest first; the run that logged feedback is not listed',
      );
    });
  });
});
