// `--json` written a page at a time must be the very text one JSON.stringify(value, null, 2) gives:
// scripts parse it, and people diff it.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeJsonArray } from '../../src/cli/jsonOutput';

function paged(head: Record<string, unknown>, key: string, pages: unknown[][]): string {
  let out = '';
  writeJsonArray(head, key, pages, (text) => (out += text));
  return out;
}

const run = (i: number) => ({
  id: `run-${i}`,
  inputs: i % 2 ? [] : [`data/in-${i}.csv`, 'line\nbreak "quoted" \u202e'],
  nested: { empty: {}, list: [[], [1, { a: null }]], n: i / 3 },
  stale: [],
  depth: i,
});

test('pages of items give the text of one JSON.stringify(value, null, 2)', () => {
  const items = Array.from({ length: 7 }, (_, i) => run(i));
  const expected = JSON.stringify({ pointer: 'models/m.pkl', runs: items }, null, 2) + '\n';
  for (const pages of [[items], [items.slice(0, 3), items.slice(3)], items.map((i) => [i])])
    assert.equal(paged({ pointer: 'models/m.pkl' }, 'runs', pages), expected);
});

test('empty pages, an empty array and a head of several fields (undefined ones left out, as JSON does)', () => {
  const head = { pointer: 'a\nb', direction: 'upstream', total: 0, skipped: undefined, extra: { x: [1, 2] } };
  assert.equal(paged(head, 'runs', []), JSON.stringify({ ...head, runs: [] }, null, 2) + '\n');
  assert.equal(paged(head, 'runs', [[], []]), JSON.stringify({ ...head, runs: [] }, null, 2) + '\n');
  const items = [run(1), run(2)];
  assert.equal(
    paged(head, 'runs', [[], [items[0]], [], [items[1]]]),
    JSON.stringify({ ...head, runs: items }, null, 2) + '\n',
  );
  assert.equal(paged({}, 'runs', [items]), JSON.stringify({ runs: items }, null, 2) + '\n');
  assert.equal(paged({}, 'runs', []), JSON.stringify({ runs: [] }, null, 2) + '\n');
});
