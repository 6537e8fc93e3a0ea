// The Python shim beyond lineage: run parameters and metrics, tasks and production metrics, and
// the smaller pieces of mltrace's main branch (save/load, get_tags, get_components, __all__),
// each exercised by real python3 processes and read back by the engine.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pyWorkspace, withStore } from '../helpers/pythonProcess';

describe('python shim: run parameters and metrics', () => {
  test('register, Component.run and ComponentRun record params and metrics on the run', async (t) => {
    const ws = pyWorkspace(t, ['values.py']);
    const out = ws.run('values.py');
    assert.match(out.stdout, /^broken: Variable missing not in current stack frame\.$/m);
    assert.match(out.stdout, /^params=\['epochs', 'model'\] metrics=\{'loss': 0\.125\}$/m);
    assert.equal(
      out.stderr.match(/metric 'note' = 'not a number' was skipped/g)?.length,
      1,
      'one warning for the metric that is not a number, though train ran twice',
    );
    const completes = ws.events().filter((e) => e.eventType === 'COMPLETE');
    assert.ok(completes.length >= 4);
    await withStore(ws.storeDir, (store) => {
      assert.deepEqual(
        store.history('train').map((r) => [r.params, r.metrics]),
        [
          [{ lr: 0.2, layers: '[64, 32]' }, { accuracy: 0.95 }],
          [{ lr: 0.1, layers: '[64, 32]' }, { accuracy: 0.85 }],
        ],
        'values at return: accuracy after its last assignment; a list recorded as its repr',
      );
      assert.deepEqual(
        store.history('evaluate').map((r) => [r.params, r.metrics]),
        [[{ threshold: 0.5 }, { f1: 0.75 }]],
      );
      const [manual] = store.history('manual');
      assert.deepEqual(store.inspect(manual.id).params, { epochs: 12, model: "<class 'object'>" });
      assert.deepEqual(store.inspect(manual.id).metrics, { loss: 0.125 });
      const [broken] = store.history('broken');
      assert.equal(
        broken.status,
        'failed',
        'a params variable missing at return fails the run, as output_vars does',
      );
    });
  });
});
