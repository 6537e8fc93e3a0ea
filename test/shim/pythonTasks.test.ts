// The Python shim beyond lineage: run parameters and metrics, tasks and production metrics, and
// the smaller pieces of mltrace's main branch (save/load, get_tags, get_components, __all__),
// each exercised by real python3 processes and read back by the engine.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { metricsReport } from '../../src/cli/tasks';
import { METRICS } from '../../src/core/tasks/metrics';
import { PY_FIXTURES, PYTHON, pyWorkspace, withStore } from '../helpers/pythonProcess';

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

/** A folder whose only program is python3: a host without Node. */
function pythonOnlyPath(t: TestContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-pyonly-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const python = execFileSync(PYTHON, ['-c', 'import sys; print(sys.executable)'], {
    encoding: 'utf8',
  }).trim();
  fs.symlinkSync(python, path.join(dir, 'python3'));
  return dir;
}

describe('python shim: tasks and production metrics', () => {
  test('outputs and feedback from separate processes, in any order, join by identifier; metrics need only Python', async (t) => {
    const ws = pyWorkspace(t, ['tasks.py']);
    ws.run('tasks.py', { args: ['feedback-first'] });
    const outputs = ws.run('tasks.py', { args: ['outputs'] });
    assert.equal(outputs.stderr.match(/nan for 'u7' was skipped/g)?.length, 1);
    const onlyPython = pythonOnlyPath(t);
    const result = ws.run('tasks.py', {
      args: ['metrics'],
      python: path.join(onlyPython, 'python3'),
      env: { PATH: onlyPython },
    });
    assert.match(
      result.stderr,
      /one-argument fn: The function must take at least 2 arguments: y_true, y_pred\./,
    );
    // (y_true = feedback, y_pred = output): u1 (1, 1), u2 (0, 1), u3 (0, 0), u4 (1, 1), u5 (1, 0), u6 (0, 1)
    assert.deepEqual(JSON.parse(result.stdout), {
      accuracy: 0.5,
      f1: 4 / 7,
      mean_squared_error: 0.5,
      pairs: [
        [0, 0],
        [0, 1],
        [0, 1],
        [1, 0],
        [1, 1],
        [1, 1],
      ],
      registered: { accuracy_windowNone: 0.5, recall_window2: 1, count_windowNone: 6 },
      outputs: [
        ['u6', 1],
        ['u5', 0],
      ],
      feedback_count: 6,
      empty_window: 0,
    });
    const events = ws.events().filter((e) => 'dataset' in e);
    assert.equal(
      events.length,
      10,
      'one event per call (a list is one event); none for the skipped NaN; one per registered metric',
    );
    await withStore(ws.storeDir, (store) => {
      const report = metricsReport(store, 'churn');
      assert.deepEqual(
        report.metrics.map((m) => [m.name, m.value]),
        [
          ['accuracy', 0.5],
          ['precision', 0.5],
          ['recall', 2 / 3],
          ['f1', 4 / 7],
        ],
        'the CLI agrees with compute_metric',
      );
      assert.deepEqual([report.outputs, report.feedback, report.joined], [6, 6, 6]);
    });
  });

  test('the named metrics agree with the values computed by hand (and with scikit-learn when it can run)', (t) => {
    const ws = pyWorkspace(t, ['tasks.py']);
    const { ours, sklearn, supported } = JSON.parse(ws.run('tasks.py', { args: ['agreement'] }).stdout) as {
      ours: Record<string, number>;
      sklearn: Record<string, number> | null;
      supported: string[];
    };
    const hand = {
      accuracy: 4 / 6,
      precision: 3 / 4,
      recall: 3 / 4,
      f1: 6 / 8,
      mean_absolute_error: 0.5,
      mean_squared_error: 0.375,
      median_absolute_error: 0.5,
      r2: 1 - 1.5 / 29.1875,
      explained_variance: 1 - 0.3125 / (29.1875 / 4),
    };
    for (const [name, value] of Object.entries(hand)) {
      assert.ok(Math.abs(ours[name] - value) < 1e-12, `${name}: ${ours[name]} vs ${value} by hand`);
      // The engine's versions (the CLI's) give the same.
      assert.ok(Math.abs(ours[name] - engineMetric(name)) < 1e-12, `${name}: the engine agrees`);
    }
    if (sklearn === null) {
      // scikit-learn is not installed on this machine (and PyPI is unreachable): it could not be
      // run, so the standard-library metrics are checked against the hand-computed values only.
      assert.deepEqual(supported, Object.keys(hand).sort());
    } else {
      for (const name of Object.keys(hand)) assert.ok(Math.abs(ours[name] - sklearn[name]) < 1e-12, name);
      assert.ok(supported.includes('roc_auc'), 'with scikit-learn, all of mltrace names');
    }
  });
});

function engineMetric(name: string): number {
  const classification = name in { accuracy: 1, precision: 1, recall: 1, f1: 1 };
  return classification
    ? METRICS[name]([1, 0, 1, 1, 0, 1], [1, 1, 1, 0, 0, 1])
    : METRICS[name]([3, -0.5, 2, 7], [2.5, 0, 2, 8]);
}

/** Every public name of the `__init__` of mltrace's main branch (loglabs/mltrace 9a66fad). */
const MLTRACE_MAIN_NAMES = [
  'clean_db',
  'create_component',
  'register',
  'backtrace',
  'get_history',
  'tag_component',
  'log_component_run',
  'create_random_ids',
  'get_component_information',
  'get_component_run_information',
  'web_trace',
  'get_recent_run_ids',
  'get_io_pointer',
  'set_db_uri',
  'get_db_uri',
  'get_git_hash',
  'get_git_tags',
  'set_address',
  'add_notes_to_component_run',
  'flag_output_id',
  'unflag_output_id',
  'review_flagged_outputs',
  'get_tags',
  'get_components',
  'unflag_all',
  'Component',
  'Test',
  'ComponentRun',
  'IOPointer',
  'load',
  'save',
  'log_output',
  'log_feedback',
  'compute_metric',
  'Task',
  'supported_sklearn_metrics',
  'Metric',
  'get_labels',
  'retract_label',
  'retract_labels',
  'retrieve_retracted_labels',
  'retrieve_io_pointers_for_label',
];

const EXAMPLES = path.join(PY_FIXTURES, 'mltrace-examples');

describe('python shim: the smaller pieces of mltrace main', () => {
  test('every public name of mltrace main imports, and __all__ and import * list them', (t) => {
    const ws = pyWorkspace(t, ['smaller.py']);
    const result = JSON.parse(ws.run('smaller.py', { args: ['names', ...MLTRACE_MAIN_NAMES] }).stdout) as {
      missing: string[];
      all: string[];
      star: string[];
    };
    assert.deepEqual(result.missing, []);
    for (const name of MLTRACE_MAIN_NAMES) assert.ok(result.all.includes(name), `__all__ lists ${name}`);
    assert.deepEqual(result.star, result.all, 'import * gives exactly __all__');
  });

  test('save and load inside a run log the file as an output or input; outside a run they only save and load', async (t) => {
    const ws = pyWorkspace(t, ['smaller.py']);
    const lines = ws
      .run('smaller.py', { args: ['save-load'] })
      .stdout.trim()
      .split('\n');
    const inside = JSON.parse(lines[0]) as { path: string; anonymous: string; score: number };
    assert.equal(inside.path, 'models/model.pkl');
    assert.match(inside.anonymous, /^mltrace-artifacts\/train\/_[a-z]{5}\d{14}\.mlt$/);
    assert.equal(inside.score, 0.75);
    assert.deepEqual(JSON.parse(lines[1]), { outside: { k: 1 } });
    assert.ok(fs.existsSync(path.join(ws.root, 'plain.pkl')));
    await withStore(ws.storeDir, (store) => {
      const [train] = store.history('train');
      assert.deepEqual(train.outputs, [inside.anonymous, 'models/model.pkl'].sort());
      const [score] = store.history('score');
      assert.deepEqual(score.inputs, ['models/model.pkl']);
      assert.deepEqual(
        score.dependencies,
        [train.id],
        'the run that loaded the model depends on the one that saved it',
      );
      assert.equal(store.inspect(score.id).inputPointers[0].type, 'MODEL');
      assert.ok(store.inspect(score.id).inputPointers[0].fingerprint?.startsWith('sha256:'));
      assert.equal(
        store.pointers().some((p) => p.name === 'plain.pkl'),
        false,
        'outside a run nothing is logged',
      );
    });
  });

  test('get_components(tag, owner) and get_tags() answer from the log, as the extension derives components', async (t) => {
    const ws = pyWorkspace(t, ['smaller.py']);
    const result = JSON.parse(ws.run('smaller.py', { args: ['components'] }).stdout) as Record<
      string,
      unknown
    >;
    const clean = ['clean', 'cleans the data, twice', 'bo', ['daily', 'etl', 'pii']];
    assert.deepEqual(result, {
      all: [clean, ['report', 'weekly report', 'bo', ['daily']], ['train', '', '', []]],
      daily: [clean, ['report', 'weekly report', 'bo', ['daily']]],
      bo: [clean, ['report', 'weekly report', 'bo', ['daily']]],
      bo_daily: ['clean', 'report'],
      legacy: ['clean'],
      tags: ['daily', 'etl', 'pii'],
    });
    await withStore(ws.storeDir, (store) => {
      assert.deepEqual(
        store.components().map((c) => [c.name, c.description, c.owner, [...c.tags].sort()]),
        result.all,
        'the engine agrees',
      );
    });
  });

  test("mltrace's examples/tiny.py, research_ml.py and stale.py run unchanged and log their lineage", async (t) => {
    const ws = pyWorkspace(t, [
      [path.join(EXAMPLES, 'tiny.py'), 'tiny.py'],
      [path.join(EXAMPLES, 'research_ml.py'), 'research_ml.py'],
      [path.join(EXAMPLES, 'stale.py'), 'stale.py'],
      'pinned_clock.py',
    ]);
    ws.run('tiny.py');
    ws.run('research_ml.py');
    // stale.py computes now.replace(month=now.month - 2): pinned_clock.py keeps it from raising in January and February.
    const stale = ws.run('pinned_clock.py', { args: ['stale.py'] });
    const identifier = stale.stdout.trim();
    assert.match(identifier, /^[a-z]{10}$/);
    await withStore(ws.storeDir, (store) => {
      const tiny = store.history('tiny');
      assert.equal(tiny.length, 10);
      const last = tiny[0].outputs[0];
      assert.match(last, /^[a-z]{10}_10$/);
      assert.equal(store.trace(last).runs.length, 10, 'the last output depends on the 9 runs before its own');

      const research = store.history('research_model_development', { limit: 100 });
      assert.equal(research.length, 27);
      assert.ok(research.every((r) => r.inputs.length === 3 && /_accuracy$/.test(r.outputs[0])));
      assert.deepEqual(
        store.components().find((c) => c.name === 'research_model_development'),
        {
          name: 'research_model_development',
          description: 'Example of training a model for research.',
          owner: 'neurips_queen',
          tags: ['example'],
          runCount: 27,
          lastRunTime: research[0].startTime,
        },
      );

      const [inference] = store.history('inference');
      assert.deepEqual(inference.outputs, [identifier]);
      assert.deepEqual(inference.inputs, ['model_0', 'model_1']);
      const reasons = inference.stale.join('\n');
      assert.match(
        reasons,
        /^some_old_component \(run [0-9a-f]{8}\) started \d+ days before this run \(threshold: 30 days\)\.$/m,
      );
      // The second training run is fresher than the one inference read when it began before
      // inference did: times have millisecond precision, and a fast machine can start both in one.
      const [secondTraining] = store.history('training');
      const fresher = Date.parse(secondTraining.startTime) < Date.parse(inference.startTime);
      assert.equal(inference.stale.length, fresher ? 2 : 1, reasons);
      if (fresher)
        assert.match(
          reasons,
          /^training \(run [0-9a-f]{8}\) has 1 fresher run that began before this run started\.$/m,
        );
    });
  });
});
