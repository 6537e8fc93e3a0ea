// A label's spread as the lineage graph marks it (LabelQueries.spread): the runs that read its
// data, directly or downstream, the pointers whose latest version carries it, and where it was
// attached; the same walk as `mltrace label` (src/core/labels/queries.ts), in any event order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { appendEvents, at, MemoryWriter, shuffled, tempFixture, uuid } from '../helpers/lineage';
import type { Fixture } from '../helpers/lineage';

function pipeline(fx: Fixture) {
  const w = new MemoryWriter(fx.location);
  const run = (n: number, component: string, inputs: Array<string | [string, string[]]>, outputs: string[]) =>
    w.logRun(
      {
        component,
        runId: uuid(n),
        startTime: at(n * 10),
        inputs: inputs.map((i) => (typeof i === 'string' ? { name: i } : { name: i[0], labels: i[1] })),
      },
      { status: 'complete', endTime: at(n * 10 + 1), outputs: outputs.map((name) => ({ name })) },
    );
  run(1, 'ingest', [['raw/alice.csv', ['Alice']]], ['data/a.csv']);
  run(2, 'ingest', [['raw/bob.csv', ['Bob']]], ['data/b.csv']);
  run(3, 'merge', ['data/a.csv', 'data/b.csv'], ['data/merged.csv']);
  run(4, 'train', ['data/merged.csv'], ['models/topic.joblib']);
  // Merged again without Alice's rows: the new version of merged.csv does not carry her label.
  run(5, 'merge', ['data/b.csv'], ['data/merged.csv']);
  return w.events;
}

describe('label spread', () => {
  test('the runs a label reaches, the files that carry it now, and where it was attached', async (t) => {
    const answers = new Set<string>();
    for (const seed of [0, 5, 13]) {
      const fx = tempFixture(t);
      const events = pipeline(fx);
      (seed === 0 ? events : shuffled(events, seed)).forEach((e, i) => appendEvents(fx, `w${i}.jsonl`, [e]));
      const store = await fx.open();
      const alice = store.labels.spread('Alice');
      assert.deepEqual(alice.runIds, [uuid(1), uuid(3), uuid(4)].sort(), `seed ${seed}`);
      assert.deepEqual(
        alice.pointers,
        ['data/a.csv', 'models/topic.joblib', 'raw/alice.csv'],
        'merged.csv was rewritten without her data: the run that wrote the old version is reached, the file is not marked',
      );
      assert.deepEqual(alice.sources, ['raw/alice.csv']);
      assert.equal(
        alice.pointers.length,
        store.labels.label('Alice').carriers.length,
        'as `mltrace label` counts',
      );
      const bob = store.labels.spread('Bob');
      assert.deepEqual(bob.runIds, [uuid(2), uuid(3), uuid(4), uuid(5)].sort());
      assert.throws(() => store.labels.spread('Carol'), /No label "Carol"/);
      answers.add(JSON.stringify([alice, bob]));
    }
    assert.equal(answers.size, 1);
  });
});
