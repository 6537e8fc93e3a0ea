// A task's metric over time for the editor's chart (src/core/tasks/series.ts): the sliding window
// (all, a count, seconds), feedback coverage at each point, the same series whatever order the
// events arrive in; and the runs that logged a task's outputs (the facet's runId, task_runs).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { taskSeries, TaskOutcome } from '../../src/core/tasks/series';
import { appendEvents, at, BASE_MS, MemoryWriter, shuffled, tempFixture, uuid } from '../helpers/lineage';
import { taskEvent } from '../helpers/tasks';

const churn = (role: string, seconds: number, values: Array<[string, number]>, runId?: string) =>
  taskEvent('churn', role, seconds, values, runId);

/**
 * Outputs a, b at 10 s, c at 20 s, d at 40 s; feedback for a (right) at 15 s, b (wrong) and c
 * (right) at 30 s, d (wrong) at 50 s. e's feedback (60 s) came before its output (70 s).
 */
const EVENTS = [
  churn('output', 10, [
    ['a', 1],
    ['b', 1],
  ]),
  churn('feedback', 15, [['a', 1]]),
  churn('output', 20, [['c', 0]]),
  churn('feedback', 30, [
    ['b', 0],
    ['c', 0],
  ]),
  churn('output', 40, [['d', 1]]),
  churn('feedback', 50, [['d', 0]]),
  churn('feedback', 60, [['e', 1]]),
  churn('output', 70, [['e', 1]]),
];

const seconds = (iso: string): number => (Date.parse(iso) - BASE_MS) / 1000;

describe('task series', () => {
  test('at each time something was logged: the metric over all joined so far, and the coverage then', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'w.jsonl', EVENTS);
    const store = await fx.open();
    const series = taskSeries('accuracy', store.taskOutcomes('churn'));
    assert.deepEqual(
      series.map((p) => [seconds(p.time), p.value, p.count, p.withFeedback, p.outputs]),
      [
        [10, null, 0, 0, 2], // nothing joined yet: no value
        [15, 1, 1, 1, 2], // a right
        [20, 1, 1, 1, 3],
        [30, 2 / 3, 3, 3, 3], // b wrong, c right
        [40, 2 / 3, 3, 3, 4],
        [50, 2 / 4, 4, 4, 4], // d wrong
        [60, 2 / 4, 4, 4, 4], // e's feedback alone joins nothing
        [70, 3 / 5, 5, 5, 5], // e joined when its output came
      ],
    );
    assert.deepEqual(
      series.map((p) => p.coverage),
      [0, 1 / 2, 1 / 3, 1, 3 / 4, 1, 1, 1],
    );
  });

  test('a window of a count keeps the most recent joined values; a window of seconds, those logged in it', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'w.jsonl', EVENTS);
    const store = await fx.open();
    const outcomes = store.taskOutcomes('churn');
    assert.deepEqual(
      taskSeries('accuracy', outcomes, { kind: 'count', size: 2 }).map((p) => [
        seconds(p.time),
        p.value,
        p.count,
      ]),
      [
        [10, null, 0],
        [15, 1, 1],
        [20, 1, 1],
        [30, 1 / 2, 2], // b and c, joined at 30 s (a tie: by identifier)
        [40, 1 / 2, 2],
        [50, 1 / 2, 2], // c and d
        [60, 1 / 2, 2],
        [70, 1 / 2, 2], // d and e
      ],
    );
    // Window [s - 25, s]: joined values whose output and feedback both fall in it; outputs logged in it.
    const bySeconds = taskSeries('accuracy', outcomes, { kind: 'seconds', size: 25 });
    assert.deepEqual(
      bySeconds.map((p) => [seconds(p.time), p.value, p.count, p.withFeedback, p.outputs]),
      [
        [10, null, 0, 0, 2],
        [15, 1, 1, 1, 2],
        [20, 1, 1, 1, 3],
        [30, 2 / 3, 3, 3, 3], // from 5 s: a, b, c
        [40, 1, 1, 1, 2], // from 15 s: c (a's and b's outputs, at 10 s, are out); outputs c, d
        [50, 0, 1, 1, 1], // from 25 s: d (wrong); c's output (20 s) is out
        [60, 0, 1, 1, 1],
        [70, 1, 1, 1, 1], // from 45 s: e (feedback 60 s, output 70 s); d's output (40 s) is out
      ],
    );
  });

  test('the same events read in any order give the same series', async (t) => {
    const answers = new Set<string>();
    for (const seed of [0, 2, 7, 19, 42]) {
      const fx = tempFixture(t);
      (seed === 0 ? EVENTS : shuffled(EVENTS, seed)).forEach((e, i) => appendEvents(fx, `w${i}.jsonl`, [e]));
      const store = await fx.open();
      const outcomes = store.taskOutcomes('churn');
      answers.add(
        JSON.stringify([
          taskSeries('accuracy', outcomes),
          taskSeries('accuracy', outcomes, { kind: 'count', size: 2 }),
          taskSeries('f1', outcomes, { kind: 'seconds', size: 25 }),
        ]),
      );
      // Outcomes given in another order make the same series too.
      assert.deepEqual(
        taskSeries('accuracy', shuffled(outcomes, seed + 1), { kind: 'count', size: 2 }),
        taskSeries('accuracy', outcomes, { kind: 'count', size: 2 }),
      );
    }
    assert.equal(answers.size, 1);
  });

  test('at most 200 points, evenly spread, ending at the last; a bad window is refused', () => {
    const outcomes: TaskOutcome[] = Array.from({ length: 1000 }, (_, i) => ({
      identifier: `u${i}`,
      yPred: i % 2,
      outputMs: BASE_MS + i * 1000,
      yTrue: i % 3 === 0 ? null : 1,
      feedbackMs: i % 3 === 0 ? null : BASE_MS + i * 1000 + 500,
    }));
    const series = taskSeries('accuracy', outcomes);
    // 1,666 times (1,000 outputs, 666 feedback): every 9th, counted back from the last.
    assert.equal(series.length, Math.ceil(1666 / 9));
    assert.equal(series[0].time, new Date(BASE_MS).toISOString(), 'thinned, not cut: from the first output');
    assert.equal(series.at(-1)!.time, new Date(BASE_MS + 999_000).toISOString(), 'the last output');
    assert.equal(series.at(-1)!.outputs, 1000);
    assert.equal(series.at(-1)!.withFeedback, 666);
    assert.throws(() => taskSeries('accuracy', outcomes, { kind: 'count', size: 0 }), /positive number/);
    assert.throws(() => taskSeries('accuracy', outcomes, { kind: 'count', size: 2.5 }), /whole number/);
    assert.throws(() => taskSeries('accuracy', outcomes, { kind: 'seconds', size: NaN }), /positive number/);
  });

  test('the runs that logged outputs are those the events name, whichever is read first', async (t) => {
    for (const order of ['runs first', 'task values first']) {
      const fx = tempFixture(t);
      const w = new MemoryWriter(fx.location);
      w.logRun(
        { component: 'score', runId: uuid(1), startTime: at(5) },
        { status: 'complete', endTime: at(12) },
      );
      w.logRun(
        { component: 'score', runId: uuid(2), startTime: at(35) },
        { status: 'complete', endTime: at(42) },
      );
      w.logRun(
        { component: 'label', runId: uuid(3), startTime: at(45) },
        { status: 'complete', endTime: at(52) },
      );
      const values = [
        churn('output', 10, [['a', 1]], uuid(1)),
        churn('output', 40, [['d', 1]], uuid(2)),
        churn('feedback', 50, [['d', 0]], uuid(3)),
        churn('output', 70, [['e', 1]]),
      ];
      appendEvents(
        fx,
        'w.jsonl',
        order === 'runs first' ? [...w.events, ...values] : [...values, ...w.events],
      );
      const store = await fx.open();
      assert.deepEqual(store.problems(), []);
      assert.deepEqual(
        store.taskRuns('churn').map((r) => [r.component, r.id]),
        [
          ['score', uuid(2)],
          ['score', uuid(1)],
        ],
        `${order}: newest first; the run that logged feedback is not one that produced outputs`,
      );
    }
  });
});
