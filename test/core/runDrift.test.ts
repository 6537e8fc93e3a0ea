// A run's inputs as the inspector's Data tab shows them (driftQuery.ts forRun, queries.ts
// runDrift): the comparison staleness makes for that run — the version read against the latest
// logged one, or a model's training data against the data scored — and a line for the rest.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import { shortId } from '../../src/core/format';
import { appendEvents, Fixture, iso, tempFixture, uuid } from '../helpers/lineage';
import {
  Columns,
  MODEL_CONTENT,
  normal,
  pipeline,
  PIPELINE_RUNS,
  profiledRunEvent,
  sample,
  seeded,
} from '../helpers/profiles';

const { featurize1: FEATURIZE_1, train: TRAIN, featurize2: FEATURIZE_2 } = PIPELINE_RUNS;
const SCORE = uuid(4);

/** Ages around `mean` and a plan per customer. */
const customers = (seed: number, mean: number): Columns => {
  const random = seeded(seed);
  return {
    age: sample(4000, () => Math.round(normal(random, mean, 10))),
    plan: sample(4000, () => (random() < 0.7 ? 'basic' : 'pro')),
  };
};

/** score (SCORE) reads the model train fitted on features.csv v1, and data/live.csv. */
function scoring(fx: Fixture, live: Columns): void {
  pipeline(fx, customers(1, 40), undefined);
  const version = (content: string) => `sha256:${createHash('sha256').update(content).digest('hex')}`;
  appendEvents(fx, 'log.jsonl', [
    profiledRunEvent({
      runId: SCORE,
      job: 'score',
      start: iso(30),
      end: iso(35),
      inputs: [
        { name: 'models/model.pkl', version: version(MODEL_CONTENT) },
        { name: 'data/live.csv', version: version('live'), columns: live },
      ],
    }),
  ]);
}

describe("a run's inputs for the Data tab", () => {
  test('the version the run read against the latest logged version: the comparison `mltrace drift` makes', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, customers(1, 40), customers(2, 55));
    const store = await fx.open();
    const [entry, ...rest] = store.runDrift(TRAIN.slice(0, 8));
    assert.deepEqual(rest, []);
    assert.equal(entry.pointer, 'data/features.csv');
    assert.equal(entry.note, null);
    const c = entry.comparison!;
    assert.equal(c.verdict, 'drifted');
    assert.equal(c.reference.how, 'the version train (run 7106a157) read');
    assert.equal(c.reference.version, 'sha256:v1');
    assert.equal(c.current.how, 'the latest logged version');
    assert.deepEqual(c.current.run, { id: FEATURIZE_2, component: 'featurize' });
    assert.equal(c.sharedOnly, false);
    assert.deepEqual(
      c.columns.map((col) => [col.name, col.status]),
      [
        ['age', 'drifted'],
        ['plan', 'same'],
      ],
    );
    // The same figures as `mltrace drift` (whose default reference is what train read) and the stale reason.
    assert.deepEqual(c.columns, store.drift('data/features.csv').columns);
    assert.match(
      store.inspect(TRAIN).stale.join('\n'),
      new RegExp(`drifted: age PSI ${c.columns[0].psi!.toFixed(2)}`),
    );
    // The threshold is a setting here too.
    assert.equal(store.runDrift(TRAIN, { drift: { threshold: 100 } })[0].comparison!.verdict, 'same');
  });

  test('a run that scored a model: the data the model was fitted on against the data scored; the model is no data', async (t) => {
    const fx = tempFixture(t);
    scoring(fx, customers(5, 55));
    const store = await fx.open();
    const entries = store.runDrift(SCORE);
    assert.deepEqual(
      entries.map((e) => e.pointer),
      ['data/live.csv'],
    );
    const c = entries[0].comparison!;
    assert.equal(c.reference.pointer, 'data/features.csv');
    assert.equal(c.reference.how, 'what train (run 7106a157) fitted models/model.pkl on');
    assert.equal(c.current.pointer, 'data/live.csv');
    assert.equal(c.current.how, `what score (run ${shortId(SCORE)}) scored`);
    assert.equal(c.sharedOnly, true);
    assert.equal(c.verdict, 'drifted');
    assert.deepEqual(c.columns, store.drift('data/live.csv').columns);
  });

  test('inputs without a profile on a side get one line; a run that read nothing has no entry', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, customers(1, 40), undefined);
    const store = await fx.open();
    assert.deepEqual(store.runDrift(TRAIN), [
      {
        pointer: 'data/features.csv',
        comparison: null,
        note: 'no profile recorded for the latest logged version of data/features.csv',
      },
    ]);
    assert.deepEqual(store.runDrift(FEATURIZE_1), []);
  });
});
