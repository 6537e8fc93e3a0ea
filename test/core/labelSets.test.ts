// The label derivation (src/core/labels/graph.ts, sets.ts) against a naive model: random
// pipelines whose runs read, write and attach labels, each answer checked against label sets
// copied per run in plain JavaScript; and the storage of the interned sets in the worst shapes
// docs/LABELS.md names (a long chain carrying many labels, a fan-in adding one label per run).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LineageEvent } from '../../src/core/events';
import { retractionEvent } from '../../src/core/labels/events';
import { EMPTY, LabelSets } from '../../src/core/labels/sets';
import { appendEvents, at, MemoryWriter, shuffled, tempFixture, uuid } from '../helpers/lineage';
import { random } from '../helpers/seeded';

interface Step {
  start: number;
  inputs: Array<{ name: string; labels: string[]; content?: number }>;
  outputs: string[];
}

const RAW = ['raw/a.csv', 'raw/b.csv', 'raw/c.csv'];
const DERIVED = ['d/1', 'd/2', 'd/3', 'd/4', 'd/5', 'd/6', 'd/7'];
const LABELS = ['Alice', 'Bob', 'Carol', 'Dan', 'Eve', 'Fay'];

/** A random pipeline: raw files (whose content changes now and then) and derived pointers. */
function randomSteps(seed: number, count: number): Step[] {
  const next = random(seed);
  const content = new Map(RAW.map((r) => [r, 0]));
  const steps: Step[] = [];
  for (let i = 0; i < count; i++) {
    if (next(4) === 0) {
      const raw = RAW[next(RAW.length)];
      content.set(raw, content.get(raw)! + 1);
    }
    const inputs: Step['inputs'] = [];
    for (let k = next(4); k > 0; k--) {
      const raw = next(3) === 0;
      const name = raw ? RAW[next(RAW.length)] : DERIVED[next(DERIVED.length)];
      if (inputs.some((x) => x.name === name)) continue;
      const labels =
        next(3) === 0 ? [...new Set([LABELS[next(LABELS.length)], LABELS[next(LABELS.length)]])] : [];
      inputs.push({ name, labels, content: raw ? content.get(name) : undefined });
    }
    const outputs = [...new Set(Array.from({ length: next(3) }, () => DERIVED[next(DERIVED.length)]))];
    steps.push({ start: 10 * (i + 1), inputs, outputs });
  }
  return steps;
}

/**
 * The answers by definition, copying sets: a run reads the version its latest earlier writer
 * wrote (else the content it read); a version holds its writer's labels and those attached to
 * it; a run holds the labels of every version it read; a pointer carries its latest version's.
 */
function naive(steps: Step[]) {
  const runSets: Array<Set<string>> = [];
  const attached = new Map<string, Set<string>>();
  const versionOf = (i: number, name: string, content?: number): string => {
    for (let w = i - 1; w >= 0; w--) if (steps[w].outputs.includes(name)) return `${name}@w${w}`;
    return `${name}@c${content ?? ''}`;
  };
  steps.forEach((s, i) => {
    for (const input of s.inputs) {
      const v = versionOf(i, input.name, input.content);
      if (!attached.has(v)) attached.set(v, new Set());
      for (const l of input.labels) attached.get(v)!.add(l);
    }
  });
  const versionSet = (v: string): Set<string> => {
    const writer = /@w(\d+)$/.exec(v);
    return new Set([...(writer ? runSets[Number(writer[1])] : []), ...(attached.get(v) ?? [])]);
  };
  steps.forEach((s, i) => {
    runSets.push(
      new Set(s.inputs.flatMap((input) => [...versionSet(versionOf(i, input.name, input.content))])),
    );
  });
  const latest = new Map<string, { version: string; writer: number | null }>();
  steps.forEach((s, i) => {
    for (const input of s.inputs) {
      const v = versionOf(i, input.name, input.content);
      if (!/@w/.test(v) && (latest.get(input.name)?.writer ?? null) === null)
        latest.set(input.name, { version: v, writer: null });
    }
    for (const name of s.outputs) latest.set(name, { version: `${name}@w${i}`, writer: i });
  });
  const carried = new Map([...latest].map(([name, l]) => [name, versionSet(l.version)]));
  return {
    ofPointer: (name: string) => [...(carried.get(name) ?? [])].sort(),
    carriers: (label: string) =>
      [...carried]
        .filter(([, set]) => set.has(label))
        .map(([name]) => [
          name,
          latest.get(name)!.writer === null ? null : uuid(latest.get(name)!.writer! + 1),
        ])
        .sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    runs: (label: string) => runSets.filter((set) => set.has(label)).length,
  };
}

/** The events of these steps, their runs numbered from `first` on. */
function events(fx: ReturnType<typeof tempFixture>, steps: Step[], first = 1): LineageEvent[] {
  const w = new MemoryWriter(fx.location);
  steps.forEach((s, i) => {
    for (const input of s.inputs) {
      if (input.content !== undefined)
        fx.writeFile(input.name, `v${input.content}\n${'x'.repeat(input.content)}`);
    }
    w.logRun(
      {
        component: `step${i % 5}`,
        runId: uuid(first + i),
        startTime: at(s.start),
        inputs: s.inputs.map((x) => ({ name: x.name, labels: x.labels.length ? x.labels : undefined })),
      },
      { status: 'complete', endTime: at(s.start + 1), outputs: s.outputs.map((name) => ({ name })) },
    );
  });
  return w.events;
}

describe('label derivation', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    test(`matches label sets copied per run, random pipeline ${seed} (events in any order)`, async (t) => {
      const fx = tempFixture(t);
      const steps = randomSteps(seed, 60);
      const expected = naive(steps);
      const retracted = LABELS[seed % LABELS.length];
      appendEvents(
        fx,
        'log.jsonl',
        shuffled([...events(fx, steps), retractionEvent([retracted], at(5000))], seed),
      );
      const store = await fx.open();
      const labels = store.labels.list();
      for (const l of labels) {
        const detail = store.labels.label(l.label);
        assert.deepEqual(
          detail.carriers.map((c) => [c.pointer, c.runId]),
          expected.carriers(l.label),
          `carriers of ${l.label}`,
        );
        assert.equal(detail.runs, expected.runs(l.label), `runs that read ${l.label}`);
        assert.equal(l.pointers, expected.carriers(l.label).length, `count of ${l.label}`);
      }
      for (const name of [...RAW, ...DERIVED]) {
        const known = steps.some((s) => s.outputs.includes(name) || s.inputs.some((x) => x.name === name));
        if (!known) continue;
        assert.deepEqual(
          store.labels
            .ofPointer(name)
            .map((l) => l.label)
            .sort(),
          expected.ofPointer(name),
          `labels of ${name}`,
        );
      }
      assert.deepEqual(
        store.labels.retractedCarriers().map((c) => c.pointer),
        expected.carriers(retracted).map(([name]) => name),
      );
    });
  }

  for (const seed of [21, 22, 23, 24]) {
    test(`kept up to date by what each ingest changed, as if derived afresh, random pipeline ${seed}`, async (t) => {
      const fx = tempFixture(t);
      const steps = randomSteps(seed, 60);
      const all = shuffled(
        [...events(fx, steps), retractionEvent([LABELS[seed % LABELS.length]], at(5000))],
        seed,
      );
      const store = await fx.open();
      const answers = (s: typeof store) => {
        const labels = s.labels.list();
        const known = [...RAW, ...DERIVED].filter((name) => {
          try {
            return s.labels.ofPointer(name) !== undefined;
          } catch {
            return false;
          }
        });
        return JSON.stringify({
          labels,
          details: labels.map((l) => s.labels.label(l.label)),
          pointers: known.map((name) => [name, s.labels.ofPointer(name)]),
          retracted: s.labels.retractedCarriers(),
        });
      };
      answers(store);
      // Events arrive in five ingests, out of order: late writers move the reads of runs already known.
      const chunk = Math.ceil(all.length / 5);
      for (let i = 0; i < all.length; i += chunk) {
        appendEvents(fx, `log-${i}.jsonl`, all.slice(i, i + chunk));
        store.ingest();
        const kept = answers(store);
        const fresh = await fx.open();
        assert.equal(kept, answers(fresh), `after events ${i}–${i + chunk}`);
        fresh.close({ save: false });
      }
    });
  }

  for (const seed of [31, 32, 33, 34, 35, 36]) {
    test(`extended run by run, with the editor's marks, as if derived afresh, random pipeline ${seed}`, async (t) => {
      const fx = tempFixture(t);
      const next = random(seed);
      const steps = randomSteps(seed, 50);
      // Runs arrive in log order a few at a time (the editor ingesting as a pipeline runs), with
      // retractions now and then: new runs, their new versions and attachments, new retractions.
      const log = events(fx, steps);
      const store = await fx.open();
      const answers = (s: typeof store) => {
        const labels = s.labels.list();
        return JSON.stringify({
          retracted: s.labels.retractedCarriers(),
          labels,
          details: labels.map((l) => s.labels.label(l.label)),
        });
      };
      let asked = 0;
      for (let i = 0; i < log.length;) {
        const chunk = log.slice(i, (i += 1 + next(6)));
        if (next(4) === 0) chunk.push(retractionEvent([LABELS[next(LABELS.length)]], at(10 * i)));
        appendEvents(fx, `log-${i}.jsonl`, chunk);
        store.ingest();
        // The marks alone after some ingests: what changed accumulates until they are asked.
        const kept = next(3) === 0 ? JSON.stringify(store.labels.retractedCarriers()) : answers(store);
        asked++;
        const fresh = await fx.open();
        const expected = kept.startsWith('[')
          ? JSON.stringify(fresh.labels.retractedCarriers())
          : answers(fresh);
        assert.equal(kept, expected, `after events up to ${i}`);
        fresh.close({ save: false });
      }
      const { full, extended, wholeMarks } = store.labels.derivations();
      // Both paths are taken: an attachment to a version runs read before derives everything again.
      assert.ok(
        extended >= asked / 4 && full > 1,
        `extended ${extended} times, derived ${full} times in full`,
      );
      assert.ok(asked - wholeMarks >= asked / 4, `marks made whole ${wholeMarks} of ${asked} times`);
    });
  }

  test('a chain of 2,000 runs carrying the same 300 labels holds one set', async (t) => {
    const fx = tempFixture(t);
    const labels = Array.from({ length: 300 }, (_, i) => `customer-${i}`);
    const steps: Step[] = Array.from({ length: 2000 }, (_, i) => ({
      start: 10 * (i + 1),
      inputs: [i ? { name: `ckpt/${i - 1}`, labels: [] } : { name: 'raw/customers.csv', labels }],
      outputs: [`ckpt/${i}`],
    }));
    appendEvents(fx, 'log.jsonl', events(fx, steps));
    const store = await fx.open();
    assert.equal(store.labels.ofPointer('ckpt/1999').length, 300);
    assert.equal(store.labels.label('customer-7').carriers.length, 2001);
    assert.equal(store.labels.setCount(), 1, 'one set, shared by every version');
  });

  test('2,400 carriers stay in byte order as new pointers are put among them, a few at a time', async (t) => {
    const fx = tempFixture(t);
    const next = random(41);
    // Names in no order, so that each new one falls among the others (2,000 and more: picked out
    // of the order of all names kept in memory, pointerNames.ts).
    const name = () => `ckpt/${next(1e9).toString(36)}`;
    let previous = 'raw/customers.csv';
    const step = (i: number): Step => {
      const output = name();
      const input = { name: previous, labels: i ? [] : ['Alice'] };
      previous = output;
      return { start: 10 * (i + 1), inputs: [input], outputs: [output] };
    };
    const steps = Array.from({ length: 2400 }, (_, i) => step(i));
    appendEvents(fx, 'log.jsonl', events(fx, steps));
    appendEvents(fx, 'retract.jsonl', [retractionEvent(['Alice'], at(1e6))]);
    const store = await fx.open();
    const carriers = (s: typeof store) => s.labels.label('Alice').carriers.map((c) => c.pointer);
    const sorted = (names: string[]) => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    assert.equal(carriers(store).length, 2401);
    for (const batch of [1, 3, 40]) {
      const more = Array.from({ length: batch }, (_, i) => step(steps.length + i));
      appendEvents(fx, `log-${steps.length}.jsonl`, events(fx, more, steps.length + 1));
      steps.push(...more);
      store.ingest();
      const names = carriers(store);
      assert.equal(names.length, steps.length + 1);
      assert.deepEqual(names, sorted(names), `in byte order after ${batch} more`);
      assert.deepEqual(
        store.labels.retractedCarriers().map((c) => c.pointer),
        names,
        'the marks, in the same order',
      );
    }
  });

  test('a fan-in adding one customer per run stores one set per run, not one label per run per version', async (t) => {
    const fx = tempFixture(t);
    const n = 2000;
    const steps: Step[] = Array.from({ length: n }, (_, i) => ({
      start: 10 * (i + 1),
      inputs: [
        ...(i ? [{ name: `merged/${i - 1}.parquet`, labels: [] }] : []),
        { name: `customers/${i}.csv`, labels: [`customer-${i}`] },
      ],
      outputs: [`merged/${i}.parquet`],
    }));
    appendEvents(fx, 'log.jsonl', events(fx, steps));
    const store = await fx.open();
    assert.equal(store.labels.ofPointer(`merged/${n - 1}.parquet`).length, n);
    assert.ok(store.labels.setCount() <= 2 * n, `${store.labels.setCount()} sets for ${n} runs`);
    const list = store.labels.list();
    // customer-i is in its own file and in merged/i … merged/n-1.
    const byName = new Map(list.map((l) => [l.label, l.pointers]));
    for (const i of [0, 1, 999, n - 1]) assert.equal(byName.get(`customer-${i}`), 1 + n - i, `customer-${i}`);
    const last = store.labels.label(`customer-${n - 1}`);
    assert.deepEqual(
      last.carriers.map((c) => c.pointer),
      [`customers/${n - 1}.csv`, `merged/${n - 1}.parquet`],
    );
    assert.equal(last.runs, 1);
  });
});

describe('interned label sets', () => {
  test('identical unions are one node; contents and containment against plain sets', () => {
    const next = random(11);
    const sets = new LabelSets();
    const plain = new Map<number, Set<number>>([[EMPTY, new Set()]]);
    const nodes = [EMPTY];
    for (let i = 0; i < 400; i++) {
      let node: number;
      let expected: Set<number>;
      if (next(3) === 0) {
        const labels = Array.from({ length: 1 + next(3) }, () => next(20));
        node = sets.attached(labels);
        expected = new Set(labels);
      } else {
        const a = nodes[next(nodes.length)];
        const b = nodes[next(nodes.length)];
        node = sets.union(a, b);
        expected = new Set([...plain.get(a)!, ...plain.get(b)!]);
        assert.equal(sets.union(b, a), node, 'a union is one node whatever the order');
      }
      if (plain.has(node)) assert.deepEqual([...plain.get(node)!].sort(), [...expected].sort());
      plain.set(node, expected);
      nodes.push(node);
    }
    for (const [node, expected] of plain) {
      assert.deepEqual(
        [...sets.labelsOf(node)].sort((a, b) => a - b),
        [...expected].sort((a, b) => a - b),
      );
    }
    for (let label = 0; label < 20; label++) {
      const holding = [...plain].filter(([, s]) => s.has(label)).map(([n]) => n);
      assert.deepEqual(
        [...sets.above(sets.nodesOf(label))].sort((a, b) => a - b),
        holding.sort((a, b) => a - b),
      );
      const weight = (n: number) => (n % 3) + 1;
      const sum = sets.sumsAbove(weight);
      for (const node of sets.nodesOf(label)) {
        const expectedSum = [...sets.above([node])].reduce((total, n) => total + weight(n), 0);
        assert.equal(sum(node), expectedSum, `sum above node ${node}`);
      }
    }
  });
});
