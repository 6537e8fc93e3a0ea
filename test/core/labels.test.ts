// Labels (docs/LABELS.md): attached to the version of a pointer a run read, carried from every
// input of a run to every output, run after run; a version written without the labelled data does
// not carry the label; retractions keep their earliest time. Answers do not depend on event order.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import type { LineageEvent } from '../../src/core/events';
import { retractionEvent } from '../../src/core/labels/events';
import { appendEvents, at, Fixture, MemoryWriter, shuffled, tempFixture, uuid } from '../helpers/lineage';

interface Step {
  component: string;
  start: number;
  /** name, or [name, labels attached by this read]. */
  inputs?: Array<string | [string, string[]]>;
  outputs?: string[];
}

/** The events of each step (START + COMPLETE), written by a writer of the fixture (fingerprints of real files). */
function logSteps(fx: Fixture, steps: Step[], first = 1): LineageEvent[] {
  const w = new MemoryWriter(fx.location);
  steps.forEach((s, i) =>
    w.logRun(
      {
        component: s.component,
        runId: uuid(first + i),
        startTime: at(s.start),
        inputs: (s.inputs ?? []).map((input) =>
          typeof input === 'string' ? { name: input } : { name: input[0], labels: input[1] },
        ),
      },
      { status: 'complete', endTime: at(s.start + 1), outputs: (s.outputs ?? []).map((name) => ({ name })) },
    ),
  );
  return w.events;
}

async function open(t: TestContext, fx: Fixture, events: LineageEvent[]) {
  appendEvents(fx, 'log.jsonl', events);
  void t;
  return fx.open();
}

const names = (list: ReadonlyArray<{ label: string }>) => list.map((l) => l.label);
const pointers = (list: Array<{ pointer: string }>) => list.map((c) => c.pointer);

/** ingest reads raw files with labels; merge; train; infer. */
const PIPELINE: Step[] = [
  { component: 'ingest', start: 10, inputs: [['raw/alice.csv', ['Alice']]], outputs: ['data/a.csv'] },
  { component: 'ingest', start: 20, inputs: [['raw/bob.csv', ['Bob']]], outputs: ['data/b.csv'] },
  { component: 'merge', start: 30, inputs: ['data/a.csv', 'data/b.csv'], outputs: ['data/merged.csv'] },
  { component: 'train', start: 40, inputs: ['data/merged.csv'], outputs: ['models/topic.joblib'] },
  { component: 'train', start: 50, inputs: ['data/b.csv'], outputs: ['models/spam.joblib'] },
  { component: 'infer', start: 60, inputs: ['models/topic.joblib', 'live.csv'], outputs: ['out/topics.csv'] },
];

describe('labels', () => {
  test('propagate along a chain and through a merge, to every output downstream', async (t) => {
    const fx = tempFixture(t);
    const store = await open(t, fx, logSteps(fx, PIPELINE));
    assert.deepEqual(names(store.labels.ofPointer('models/topic.joblib')), ['Alice', 'Bob']);
    assert.deepEqual(names(store.labels.ofPointer('out/topics.csv')), ['Alice', 'Bob']);
    assert.deepEqual(names(store.labels.ofPointer('models/spam.joblib')), ['Bob']);
    assert.deepEqual(names(store.labels.ofPointer('data/a.csv')), ['Alice']);
    assert.deepEqual(names(store.labels.ofPointer('raw/alice.csv')), ['Alice']);
    assert.deepEqual(names(store.labels.ofPointer('live.csv')), []);
    const alice = store.labels.label('Alice');
    assert.deepEqual(pointers(alice.carriers), [
      'data/a.csv',
      'data/merged.csv',
      'models/topic.joblib',
      'out/topics.csv',
      'raw/alice.csv',
    ]);
    assert.equal(alice.runs, 4, 'ingest, merge, train, infer read data of Alice');
    const topic = alice.carriers.find((c) => c.pointer === 'models/topic.joblib')!;
    assert.equal(topic.component, 'train');
    assert.equal(topic.runId, uuid(4));
    assert.equal(alice.carriers.find((c) => c.pointer === 'raw/alice.csv')!.runId, null);
    assert.deepEqual(
      store.labels.list().map((l) => [l.label, l.pointers, l.retractedAt]),
      [
        ['Alice', 5, null],
        ['Bob', 6, null],
      ],
    );
  });

  test('a label attaches to a version: retrained without the data, the new model no longer carries it', async (t) => {
    const fx = tempFixture(t);
    fx.writeFile('raw/alice.csv', 'id\nalice-1\n');
    const before = logSteps(fx, PIPELINE);
    // Alice's rows are deleted from the raw file; everything is run again.
    fx.writeFile('raw/alice.csv', 'id\n');
    const after = logSteps(
      fx,
      PIPELINE.map((s) => ({
        ...s,
        start: s.start + 1000,
        inputs: s.inputs?.map((i) => (typeof i === 'string' ? i : i[0] === 'raw/bob.csv' ? i : i[0])),
      })),
      100,
    );
    const store = await open(t, fx, [...before, ...after]);
    assert.deepEqual(names(store.labels.ofPointer('models/topic.joblib')), ['Bob']);
    assert.deepEqual(names(store.labels.ofPointer('raw/alice.csv')), []);
    const alice = store.labels.label('Alice');
    assert.deepEqual(pointers(alice.carriers), [], 'no latest version holds data of Alice');
    assert.equal(alice.runs, 4, 'the runs of the first pass still read it');
    assert.deepEqual(pointers(store.labels.label('Bob').carriers).length, 6);
  });

  test('another run reading the same version carries the label without attaching it', async (t) => {
    const fx = tempFixture(t);
    const store = await open(
      t,
      fx,
      logSteps(fx, [
        { component: 'ingest', start: 10, inputs: [['raw/alice.csv', ['Alice']]], outputs: ['data/a.csv'] },
        { component: 'audit', start: 20, inputs: ['raw/alice.csv'], outputs: ['audit.txt'] },
        { component: 'copy', start: 30, inputs: ['data/a.csv'], outputs: ['data/copy.csv'] },
        // A later rewrite of data/a.csv from unlabelled data: its new version carries nothing.
        { component: 'ingest', start: 40, inputs: ['raw/other.csv'], outputs: ['data/a.csv'] },
      ]),
    );
    assert.deepEqual(names(store.labels.ofPointer('audit.txt')), ['Alice']);
    assert.deepEqual(names(store.labels.ofPointer('data/copy.csv')), ['Alice']);
    assert.deepEqual(names(store.labels.ofPointer('data/a.csv')), []);
    assert.deepEqual(pointers(store.labels.label('Alice').carriers), [
      'audit.txt',
      'data/copy.csv',
      'raw/alice.csv',
    ]);
  });

  test('retractions: the earliest wins in any order; retracted labels first; the files that carry them', async (t) => {
    const fx = tempFixture(t);
    const events = [
      ...logSteps(fx, PIPELINE),
      retractionEvent(['Alice'], at(500)),
      retractionEvent(['Alice', 'Carol'], at(400)),
    ];
    const store = await open(t, fx, shuffled(events, 7));
    assert.deepEqual(
      store.labels.list().map((l) => [l.label, l.retractedAt, l.pointers]),
      [
        ['Alice', at(400).toISOString(), 5],
        ['Carol', at(400).toISOString(), 0],
        ['Bob', null, 6],
      ],
    );
    assert.deepEqual(store.labels.ofPointer('models/topic.joblib'), [
      { label: 'Alice', retractedAt: at(400).toISOString() },
      { label: 'Bob', retractedAt: null },
    ]);
    assert.deepEqual(
      store.labels.retractedCarriers().map((c) => [c.pointer, names(c.labels)]),
      [
        ['data/a.csv', ['Alice']],
        ['data/merged.csv', ['Alice']],
        ['models/topic.joblib', ['Alice']],
        ['out/topics.csv', ['Alice']],
        ['raw/alice.csv', ['Alice']],
      ],
    );
  });

  test('the same answers whatever order the events are read in', async (t) => {
    const fx = tempFixture(t);
    const events = logSteps(fx, PIPELINE);
    const inOrder = await open(t, fx, events);
    const expected = JSON.stringify([inOrder.labels.list(), inOrder.labels.label('Alice')]);
    for (const seed of [1, 2, 3]) {
      const other = tempFixture(t);
      const store = await open(t, other, shuffled(events, seed));
      assert.equal(JSON.stringify([store.labels.list(), store.labels.label('Alice')]), expected);
    }
  });

  test('a labels facet of the wrong shape is reported and the run still ingests', async (t) => {
    const fx = tempFixture(t);
    const [start, complete] = logSteps(fx, [
      { component: 'ingest', start: 10, inputs: [['raw.csv', ['x']]] },
    ]);
    const bad = structuredClone(complete) as { inputs: Array<{ inputFacets: Record<string, unknown> }> };
    bad.inputs[0].inputFacets.mltrace_labels = { labels: 'Alice' };
    const store = await open(t, fx, [start, bad as unknown as LineageEvent]);
    const report = await store.ingest();
    void report;
    assert.deepEqual(store.labels.list(), [{ label: 'x', retractedAt: null, pointers: 1 }]);
    const problems = store.problems();
    assert.ok(
      problems.some((p) => /mltrace_labels of input raw.csv ignored/.test(p.reason)),
      JSON.stringify(problems),
    );
  });

  test('an unknown label is a clear error', async (t) => {
    const fx = tempFixture(t);
    const store = await open(t, fx, logSteps(fx, PIPELINE));
    assert.throws(() => store.labels.label('Zed'), /No label "Zed"/);
  });
});
