// `mltrace tasks`, `mltrace metrics`, and run parameters and metrics in `history` and `inspect`:
// the built bundle in a real node process, over events written as the Python shim writes them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { ourFacet } from '../../src/core/events';
import { appendEvents, at, foreignRunEvent, tempFixture, uuid } from '../helpers/lineage';
import { taskMetricEvent } from '../helpers/tasks';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

function cli(root: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  return spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', env, timeout: 30000 });
}

const taskEvent = (role: string, seconds: number, values: Array<[string, number]>) => ({
  eventTime: new Date(Date.now() - (100 - seconds) * 1000).toISOString(),
  producer: 'https://example.com/test',
  schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent',
  dataset: {
    namespace: 'mltrace-task',
    name: 'churn',
    facets: {
      mltrace_task: ourFacet('mltrace_task', {
        role,
        values: values.map(([identifier, value]) => ({ identifier, value })),
      }),
    },
  },
});

describe('mltrace tasks and metrics', () => {
  test('metrics joins outputs with feedback; --metric and --window choose; --json has the series', (t) => {
    const fx = tempFixture(t);
    // Outputs 90 s ago (a, b) and 10 s ago (c, d); feedback for all but d; 'zz' has no output.
    appendEvents(fx, 'w.jsonl', [
      taskEvent('output', 10, [
        ['a', 1],
        ['b', 0],
      ]),
      taskEvent('output', 90, [
        ['c', 1],
        ['d', 1],
      ]),
      taskEvent('feedback', 91, [
        ['a', 1],
        ['b', 1],
        ['c', 0],
        ['zz', 1],
      ]),
    ]);
    const tasks = cli(fx.root, 'tasks');
    assert.equal(tasks.status, 0, tasks.stderr);
    assert.match(tasks.stdout, /^churn\s+4\s+4\s+3\s+75%/m);

    const human = cli(fx.root, 'metrics', 'churn');
    assert.equal(human.status, 0, human.stderr);
    assert.match(
      human.stdout,
      /4 outputs, 4 feedback; 75% of outputs have feedback\. Over all time: 3 joined\./,
    );
    // (y_true, y_pred): a (1, 1), b (1, 0), c (0, 1): accuracy 1/3, precision 1/2, recall 1/2, f1 1/2
    assert.match(human.stdout, /^accuracy\s+0\.333333$/m);
    assert.match(human.stdout, /^f1\s+0\.5$/m);

    const windowed = JSON.parse(
      cli(fx.root, 'metrics', 'churn', '--metric', 'accuracy', '--window', '30', '--json').stdout,
    );
    assert.deepEqual(
      { joined: windowed.joined, metrics: windowed.metrics, windowSeconds: windowed.windowSeconds },
      { joined: 1, metrics: [{ name: 'accuracy', value: 0 }], windowSeconds: 30 },
      'only c was output within the last 30 s',
    );
    assert.deepEqual(
      windowed.series.map((p: { value: number; count: number }) => [p.value, p.count]),
      [
        [null, 0],
        [null, 0],
        [0, 1],
      ],
      'one point per joined value, in feedback order (a, b, c): a and b were output 81 s before their feedback',
    );

    const bad = cli(fx.root, 'metrics', 'churn', '--metric', 'auc');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--metric must be one of accuracy, precision, recall, f1,/);
    const unknown = cli(fx.root, 'metrics', 'nope');
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /No task is named "nope"\. List them with: mltrace tasks/);
  });

  test('metrics lists the metrics registered for the task, each over its own window', (t) => {
    const fx = tempFixture(t);
    // Joined in feedback order: a (1, 1), b (1, 0), c (0, 1).
    appendEvents(fx, 'w.jsonl', [
      taskEvent('output', 10, [
        ['a', 1],
        ['b', 0],
        ['c', 1],
      ]),
      taskEvent('feedback', 20, [['a', 1]]),
      taskEvent('feedback', 30, [
        ['b', 1],
        ['c', 0],
      ]),
      taskMetricEvent('churn', 40, {
        name: 'accuracy',
        identifier: 'accuracy_window2',
        windowSize: 2,
        function: 'accuracy',
      }),
      taskMetricEvent('churn', 41, {
        name: 'mine',
        identifier: 'mine_windowNone',
        windowSize: null,
        function: null,
        callable: 'mine',
      }),
    ]);
    const human = cli(fx.root, 'metrics', 'churn');
    assert.equal(human.status, 0, human.stderr);
    assert.match(human.stdout, /^REGISTERED\s+WINDOW\s+VALUE/m);
    assert.match(human.stdout, /^accuracy_window2\s+last 2\s+0\s*$/m, 'b and c: both wrong');
    assert.match(human.stdout, /^mine_windowNone\s+all\s+—\s+a function of its own \(mine\)/m);
    const json = JSON.parse(cli(fx.root, 'metrics', 'churn', '--json').stdout);
    assert.deepEqual(
      json.registered.map((m: { identifier: string; value: number | null; computable: boolean }) => [
        m.identifier,
        m.value,
        m.computable,
      ]),
      [
        ['accuracy_window2', 0, true],
        ['mine_windowNone', null, false],
      ],
    );
  });

  test('history has a column per parameter and metric; inspect lists them', (t) => {
    const fx = tempFixture(t);
    const facets = (lr: number, accuracy: number) => ({
      mltrace_params: ourFacet('mltrace_params', { params: { lr, optimizer: 'adam' } }),
      mltrace_metrics: ourFacet('mltrace_metrics', { metrics: { accuracy } }),
    });
    appendEvents(fx, 'w.jsonl', [
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(1),
        job: 'train',
        time: at(1),
        runFacets: facets(0.1, 0.84),
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(2),
        job: 'train',
        time: at(2),
        runFacets: facets(0.01, 0.9),
      }),
    ]);
    const history = cli(fx.root, 'history', 'train');
    assert.equal(history.status, 0, history.stderr);
    const [header, newest, oldest] = history.stdout.trim().split('\n');
    assert.match(header, /^ID\s+STARTED\s+DURATION\s+STATUS\s+lr\s+optimizer\s+accuracy\s+INPUTS → OUTPUTS$/);
    assert.match(newest, /complete\s+0\.01\s+adam\s+0\.9\s/);
    assert.match(oldest, /complete\s+0\.1\s+adam\s+0\.84\s/);
    const inspect = cli(fx.root, 'inspect', uuid(1).slice(0, 8));
    assert.match(inspect.stdout, /^Params\s+lr=0\.1 {2}optimizer=adam$/m);
    assert.match(inspect.stdout, /^Metrics\s+accuracy=0\.84$/m);
  });
});
