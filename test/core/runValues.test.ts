// Run parameters and metrics (facets mltrace_params, mltrace_metrics): ingested order-tolerant,
// latest value per name, shown by inspect and history.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ourFacet } from '../../src/core/events';
import {
  appendEvents,
  at,
  foreignRunEvent,
  queryState,
  shuffled,
  tempFixture,
  uuid,
} from '../helpers/lineage';

const params = (values: Record<string, unknown>) => ({
  mltrace_params: ourFacet('mltrace_params', { params: values }),
});
const metrics = (values: Record<string, unknown>) => ({
  mltrace_metrics: ourFacet('mltrace_metrics', { metrics: values }),
});

/** Two runs of `train`; the second gets a corrected metric later, in an OTHER event. */
function events(): Array<Record<string, unknown>> {
  const run = (
    n: number,
    time: number,
    eventType: 'START' | 'COMPLETE' | 'OTHER',
    runFacets: Record<string, unknown> = {},
  ) => foreignRunEvent({ eventType, runId: uuid(n), job: 'train', time: at(time), runFacets });
  return [
    run(1, 0, 'START'),
    run(1, 10, 'COMPLETE', {
      ...params({ lr: 0.1, layers: [64, 64], optimizer: 'adam' }),
      ...metrics({ accuracy: 0.8 }),
    }),
    run(2, 20, 'START'),
    run(2, 30, 'COMPLETE', { ...params({ lr: 0.01 }), ...metrics({ accuracy: 0.9, loss: 0.2 }) }),
    run(2, 40, 'OTHER', metrics({ accuracy: 0.91 })),
  ];
}

describe('run parameters and metrics', () => {
  test('inspect and history show the latest value of each name, whatever order the files are read in', async (t) => {
    const states: string[] = [];
    for (const seed of [0, 1, 7, 42]) {
      const fx = tempFixture(t);
      const list = seed === 0 ? events() : shuffled(events(), seed);
      // One event per file: files are read in name order, so a shuffle is a different arrival order.
      list.forEach((event, i) => appendEvents(fx, `w${i}.jsonl`, [event]));
      const store = await fx.open();
      assert.deepEqual(store.problems(), []);
      const [second, firstRun] = store.history('train');
      assert.deepEqual(
        { params: firstRun.params, metrics: firstRun.metrics },
        { params: { lr: 0.1, layers: [64, 64], optimizer: 'adam' }, metrics: { accuracy: 0.8 } },
      );
      assert.deepEqual(
        { params: second.params, metrics: second.metrics },
        { params: { lr: 0.01 }, metrics: { accuracy: 0.91, loss: 0.2 } },
        `seed ${seed}: the OTHER event at 40 s wins over the COMPLETE at 30 s`,
      );
      const detail = store.inspect(second.id);
      assert.deepEqual(detail.metrics, { accuracy: 0.91, loss: 0.2 });
      states.push(queryState(store));
    }
    assert.ok(
      states.every((s) => s === states[0]),
      'every arrival order gives the same store',
    );
  });

  test('a run without values has empty ones; a metric that is not a finite number is reported and skipped', async (t) => {
    const fx = tempFixture(t);
    appendEvents(fx, 'w.jsonl', [
      foreignRunEvent({ eventType: 'COMPLETE', runId: uuid(1), job: 'plain', time: at(1) }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(2),
        job: 'odd',
        time: at(2),
        runFacets: { ...metrics({ ok: 1, text: 'high', missing: null }), ...params({ p: null }) },
      }),
      foreignRunEvent({
        eventType: 'COMPLETE',
        runId: uuid(3),
        job: 'odd',
        time: at(3),
        runFacets: { mltrace_params: ourFacet('mltrace_params', { params: [1, 2] }) },
      }),
    ]);
    const store = await fx.open();
    assert.deepEqual(
      store.history('plain').map((r) => [r.params, r.metrics]),
      [[{}, {}]],
    );
    const odd = store.history('odd');
    assert.deepEqual(
      odd.map((r) => [r.params, r.metrics]),
      [
        [{}, {}],
        [{ p: null }, { ok: 1 }],
      ],
    );
    assert.deepEqual(
      store.problems().map((p) => [p.line, p.severity, p.reason]),
      [
        [2, 'warning', 'metric "missing" of facet mltrace_metrics ignored: not a finite number'],
        [2, 'warning', 'metric "text" of facet mltrace_metrics ignored: not a finite number'],
        [3, 'warning', 'facet mltrace_params ignored: "params" must be an object'],
      ],
    );
  });
});
