// RunGraph (src/core/runGraph.ts): the dependency table in typed arrays, which walks of lineages
// past the size walked in SQL go through (the deep tests check whole traces through it).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { RunGraph } from '../../src/core/runGraph';

/** Edges [run, dependency], as rows of the deps table. */
function graph(edges: Array<[number, number]>): RunGraph {
  const runIds = Int32Array.from(edges.map(([run]) => run));
  const depIds = Int32Array.from(edges.map(([, dep]) => dep));
  return RunGraph.fromEdges(runIds, depIds, edges.length);
}

test('each run once, both ways, breadth-first from the seeds', () => {
  // 5 read 4 and 3; 4 and 3 read 2 (4 through two pointers: two rows); 2 read 1; 7 read 6.
  const g = graph([
    [2, 1],
    [3, 2],
    [4, 2],
    [4, 2],
    [5, 4],
    [5, 3],
    [7, 6],
  ]);
  assert.deepEqual(g.reach([5], 'upstream').order, [5, 4, 3, 2, 1]);
  assert.deepEqual(g.reach([1], 'downstream').order, [1, 2, 3, 4, 5]);
  assert.deepEqual(g.reach([4, 6, 4], 'upstream').order, [4, 6, 2, 1]);
  assert.deepEqual(g.next(4, 'upstream'), [2], 'a dependency read through two pointers, once');
  assert.deepEqual(g.next(2, 'downstream'), [3, 4]);
  assert.deepEqual(g.next(5, 'upstream'), [4, 3]);
  assert.deepEqual(g.next(1, 'upstream'), []);
});

test('the edges among the runs of a walk: `next` keeps the runs `reach` marked', () => {
  const g = graph([
    [2, 1],
    [3, 2],
    [3, 9],
    [4, 2],
  ]);
  const { reached } = g.reach([3], 'upstream');
  assert.deepEqual(
    [...reached.keys()].filter((id) => reached[id]),
    [1, 2, 3, 9],
  );
  assert.deepEqual(g.next(2, 'downstream', reached), [3], 'run 4 depends on 2 but is not upstream of 3');
  assert.deepEqual(g.next(2, 'downstream'), [3, 4]);
  assert.deepEqual(g.next(3, 'upstream', reached), [2, 9]);
});

test('runs the table does not name (no dependencies either way) and an empty table', () => {
  const g = graph([[2, 1]]);
  assert.deepEqual(g.reach([9], 'upstream').order, [9]);
  assert.deepEqual(g.next(9, 'downstream'), []);
  const empty = graph([]);
  assert.deepEqual(empty.reach([3, 1], 'downstream').order, [3, 1]);
  assert.deepEqual(empty.next(3, 'upstream'), []);
});
