// The label derivation's tables (src/core/labels/runTable.ts, versions.ts) against plain maps:
// rows of runs put, changed (larger, smaller: a new range, the old one, the pools packed again)
// and read back (their attachments are not kept); versions of pointers with several writers and fingerprints.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RunRows, RunTable } from '../../src/core/labels/runTable';
import { AttachedVersions } from '../../src/core/labels/versions';
import { random } from '../helpers/seeded';

function randomRows(next: (n: number) => number, id: number): RunRows {
  const reads: number[] = [];
  const prints: unknown[] = [];
  for (let k = next(5); k > 0; k--) {
    const writer = next(2) ? 1 + next(id) : 0;
    reads.push(1 + next(50), writer);
    prints.push(writer ? null : next(3) ? `sha-${next(4)}` : null);
  }
  const attached: unknown[] = [];
  for (let k = next(3); k > 0; k--)
    attached.push(1 + next(9), 1 + next(50), next(2) ? id : 0, next(2) ? 'p' : null);
  return {
    id,
    start: 1000 + next(100),
    seq: id,
    uuid: `run-${id}-${next(1000)}`,
    component: `c${next(4)}`,
    reads,
    prints,
    writes: Array.from({ length: next(4) }, () => 1 + next(50)),
    attached: attached.length ? attached : null,
  };
}

/** What the table gives back of a run, as plain arrays (fingerprints of reads with a writer: null). */
function plain(rows: RunRows) {
  const prints = Array.from({ length: rows.reads.length / 2 }, (_, i) =>
    rows.reads[2 * i + 1] ? null : (rows.prints?.[i] ?? null),
  );
  return {
    start: rows.start,
    seq: rows.seq,
    uuid: rows.uuid,
    component: rows.component,
    reads: Array.from(rows.reads),
    prints: prints.some((p) => p !== null) ? prints : null,
    writes: Array.from(rows.writes),
  };
}

describe('label run table', () => {
  test('rows put, changed many times and read back as they were last put', () => {
    const next = random(7);
    const table = new RunTable();
    const expected = new Map<number, RunRows>();
    for (let round = 0; round < 40; round++) {
      // Runs added, and known ones changed (their rows grow and shrink: ranges reused, moved, packed).
      for (let k = 0; k < 200; k++) {
        const id = 1 + next(round === 0 ? 500 : 600);
        const rows = randomRows(next, id);
        const known = table.has(id);
        const moved = table.put(rows);
        assert.equal(moved, known && expected.get(id)!.start !== rows.start, `moved ${id}`);
        expected.set(id, rows);
      }
    }
    assert.equal(table.size, expected.size);
    for (const [id, rows] of expected) {
      assert.deepEqual(plain(table.rows(id)), plain(rows), `run ${id}`);
      assert.equal(table.startIsoOf(id), new Date(rows.start).toISOString());
    }
  });

  test('versions: each pointer with several writers and fingerprints keeps each one its node', () => {
    const next = random(9);
    const versions = new AttachedVersions();
    const expected = new Map<string, number>();
    for (let i = 0; i < 3000; i++) {
      const pointer = 1 + next(300);
      const writer = next(3) ? 0 : 1 + next(4);
      const print = writer ? null : [null, 'a', 'b'][next(3)];
      const node = 1 + next(1000);
      versions.set(pointer, writer, print, node);
      expected.set(`${pointer}/${writer}/${print}`, node);
    }
    for (let pointer = 1; pointer <= 310; pointer++)
      for (const writer of [0, 1, 2, 3, 4, 5])
        for (const print of writer ? [null] : [null, 'a', 'b', 'c']) {
          assert.equal(
            versions.nodeOf(pointer, writer, print),
            expected.get(`${pointer}/${writer}/${print}`) ?? 0,
            `${pointer}/${writer}/${print}`,
          );
        }
  });
});
