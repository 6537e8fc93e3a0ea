// Tasks (facet mltrace_task): outputs and feedback joined by identifier, whatever the order the
// events arrive in; the named metrics against values computed by hand; windows and series.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { computeMetric, JoinedValue, metricSeries, withinSeconds } from '../../src/core/tasks';
import { METRICS } from '../../src/core/tasks/metrics';
import { appendEvents, BASE_MS, shuffled, tempFixture } from '../helpers/lineage';
import { taskEvent } from '../helpers/tasks';

/** Outputs a-d, feedback for a, b, d and an unknown id; a's output corrected later. */
const EVENTS = [
  taskEvent('churn', 'output', 10, [
    ['a', 0],
    ['b', 1],
    ['c', 1],
    ['d', 1],
  ]),
  taskEvent('churn', 'feedback', 20, [
    ['a', 1],
    ['b', 1],
  ]),
  taskEvent('churn', 'output', 30, [['a', 1]]),
  taskEvent('churn', 'feedback', 40, [
    ['d', 0],
    ['zz', 1],
  ]),
  taskEvent('other', 'output', 5, [['a', 3.5]]),
];

describe('tasks', () => {
  test('outputs and feedback join by identifier, the latest value of each wins, in any arrival order', async (t) => {
    const answers = new Set<string>();
    for (const seed of [0, 3, 11, 29]) {
      const fx = tempFixture(t);
      const events = seed === 0 ? EVENTS : shuffled(EVENTS, seed);
      events.forEach((event, i) => appendEvents(fx, `w${i}.jsonl`, [event]));
      const store = await fx.open();
      assert.deepEqual(store.problems(), []);
      const joined = store.taskValues('churn');
      assert.deepEqual(
        joined.map((v) => [v.identifier, v.yTrue, v.yPred, v.feedbackMs - BASE_MS]),
        [
          ['a', 1, 1, 20_000],
          ['b', 1, 1, 20_000],
          ['d', 0, 1, 40_000],
        ],
        `seed ${seed}: a's output of 30 s wins over the one of 10 s; c has no feedback, zz no output`,
      );
      assert.deepEqual(
        store.tasks().map((s) => [s.name, s.outputs, s.feedback, s.joined]),
        [
          ['churn', 4, 4, 3],
          ['other', 1, 0, 0],
        ],
      );
      answers.add(JSON.stringify(joined));
    }
    assert.equal(answers.size, 1);
  });

  test('bad task values are reported with their line and skipped; an unknown task is a clear error', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'w.jsonl', [
      taskEvent('churn', 'output', 1, [
        ['a', 1],
        ['b', 'high'],
      ]),
      taskEvent('churn', 'guess', 2, [['a', 1]]),
    ]);
    const store = await fx.open();
    assert.deepEqual(
      store.problems().map((p) => [p.line, p.reason]),
      [
        [1, 'a value of facet mltrace_task ignored: it needs a string "identifier" and a finite "value"'],
        [
          2,
          'facet mltrace_task ignored: it needs "role" (output or feedback) and a "values" array, or "role" metric and a "metric" object',
        ],
      ],
    );
    assert.deepEqual(
      store.tasks().map((s) => [s.name, s.outputs]),
      [['churn', 1]],
    );
    assert.throws(() => store.taskValues('nope'), /No task is named "nope"/);
  });

  test("the named metrics give the values computed by hand (scikit-learn's defaults)", () => {
    const yTrue = [1, 0, 1, 1, 0, 1];
    const yPred = [1, 1, 1, 0, 0, 1];
    // tp = 3 (0, 2, 5), fp = 1 (1), fn = 1 (3), tn = 1 (4)
    assert.equal(METRICS.accuracy(yTrue, yPred), 4 / 6);
    assert.equal(METRICS.precision(yTrue, yPred), 3 / 4);
    assert.equal(METRICS.recall(yTrue, yPred), 3 / 4);
    assert.equal(METRICS.f1(yTrue, yPred), 6 / 8);
    assert.equal(METRICS.precision([0, 0], [0, 0]), 0, 'zero division counts as 0');
    assert.throws(() => METRICS.f1([0, 1, 2], [0, 1, 2]), /more than two labels/);
    const t = [3, -0.5, 2, 7];
    const p = [2.5, 0, 2, 8];
    // errors 0.5, -0.5, 0, -1; mean of t = 2.875; sum (t - mean)^2 = 0.015625 + 11.390625 + 0.765625 + 17.015625 = 29.1875
    assert.equal(METRICS.mean_absolute_error(t, p), 0.5);
    assert.equal(METRICS.mean_squared_error(t, p), 0.375);
    assert.equal(METRICS.median_absolute_error(t, p), 0.5);
    assert.ok(Math.abs(METRICS.r2(t, p) - (1 - 1.5 / 29.1875)) < 1e-12);
    // errors' mean -0.25, their variance (0.5625 + 0.0625 + 0.0625 + 0.5625) / 4 = 0.3125; t's 29.1875 / 4
    assert.ok(Math.abs(METRICS.explained_variance(t, p) - (1 - 0.3125 / (29.1875 / 4))) < 1e-12);
    assert.equal(METRICS.r2([1, 1], [1, 1]), 1, 'a constant target predicted exactly');
    assert.equal(METRICS.r2([1, 1], [1, 2]), 0);
    assert.ok(Number.isNaN(METRICS.r2([1], [1])), 'one sample: not defined');
    assert.deepEqual(computeMetric('accuracy', []), { value: null, error: 'no output has feedback yet' });
  });

  test('a window in seconds keeps values whose output and feedback both fall in it; the series slides it', () => {
    const v = (
      id: string,
      outputS: number,
      feedbackS: number,
      yTrue: number,
      yPred: number,
    ): JoinedValue => ({
      identifier: id,
      yTrue,
      yPred,
      outputMs: outputS * 1000,
      feedbackMs: feedbackS * 1000,
    });
    const values = [v('a', 0, 10, 1, 1), v('b', 15, 20, 1, 0), v('c', 5, 30, 0, 0), v('d', 25, 40, 1, 1)];
    assert.deepEqual(
      withinSeconds(values, 25, 40_000).map((x) => x.identifier),
      ['b', 'd'],
      'a and c were output more than 25 s before "now"',
    );
    assert.deepEqual(
      metricSeries('accuracy', values, 25).map((p) => [p.time.slice(17, 19), p.value, p.count]),
      [
        ['10', 1, 1],
        ['20', 0.5, 2],
        ['30', 0.5, 2],
        ['40', 0.5, 2],
      ],
      'at 30 s a is out (output at 0 s), c is in (output at exactly 30 - 25 s); at 40 s c is out',
    );
    assert.deepEqual(
      metricSeries('accuracy', values).map((p) => p.value),
      [1, 0.5, 2 / 3, 0.75],
      'without a window: everything so far',
    );
  });
});
