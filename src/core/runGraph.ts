// The dependency table as adjacency lists in typed arrays (compressed rows, both ways), for walks
// of lineages too large for a recursive query (queries.ts walkInMemory): two Int32Arrays per
// direction instead of a Map entry and an array per run, which at 50,000 runs cost more than
// reading the table.

/** Each run's neighbours one way: `targets[start[id] .. end[id])`, each once, in table order. */
interface Adjacency {
  start: Int32Array;
  end: Int32Array;
  targets: Int32Array;
}

export class RunGraph {
  private constructor(
    private readonly up: Adjacency,
    private readonly down: Adjacency,
  ) {}

  /**
   * The graph of `count` edges: run `runIds[i]` depends on run `depIds[i]` (row ids of the runs
   * table: small, dense integers, which index the arrays). A run that read two outputs of one
   * dependency has two rows for it: it is listed once.
   */
  static fromEdges(runIds: Int32Array, depIds: Int32Array, count: number): RunGraph {
    let maxId = 0;
    for (let i = 0; i < count; i++) maxId = Math.max(maxId, runIds[i], depIds[i]);
    return new RunGraph(adjacency(runIds, depIds, count, maxId), adjacency(depIds, runIds, count, maxId));
  }

  /**
   * The runs reached from `seeds` (included) one way: in breadth-first order, and as a mask by id
   * (for `next`).
   */
  reach(
    seeds: readonly number[],
    direction: 'upstream' | 'downstream',
  ): { order: number[]; reached: Uint8Array } {
    const { start, end, targets } = this[direction === 'upstream' ? 'up' : 'down'];
    let size = start.length;
    for (const id of seeds) size = Math.max(size, id + 1);
    const reached = new Uint8Array(size);
    const queue: number[] = [];
    for (const id of seeds) {
      if (reached[id]) continue;
      reached[id] = 1;
      queue.push(id);
    }
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head];
      if (id >= start.length) continue;
      for (let k = start[id]; k < end[id]; k++) {
        const next = targets[k];
        if (!reached[next]) {
          reached[next] = 1;
          queue.push(next);
        }
      }
    }
    return { order: queue, reached };
  }

  /**
   * A run's dependencies (`upstream`) or the runs that depend on it, each once; with `among`,
   * only those it marks (a walk's runs, from `reach`).
   */
  next(id: number, direction: 'upstream' | 'downstream', among?: Uint8Array): number[] {
    const { start, end, targets } = this[direction === 'upstream' ? 'up' : 'down'];
    const list: number[] = [];
    if (id >= start.length) return list;
    for (let k = start[id]; k < end[id]; k++) if (!among || among[targets[k]]) list.push(targets[k]);
    return list;
  }
}

/** Rows `from[i] → to[i]` grouped by `from` (a counting sort), duplicates left out. */
function adjacency(from: Int32Array, to: Int32Array, count: number, maxId: number): Adjacency {
  const start = new Int32Array(maxId + 2);
  for (let i = 0; i < count; i++) start[from[i] + 1]++;
  for (let id = 1; id < start.length; id++) start[id] += start[id - 1];
  const end = start.slice();
  const targets = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const source = from[i];
    const target = to[i];
    let k = start[source];
    while (k < end[source] && targets[k] !== target) k++;
    if (k === end[source]) targets[end[source]++] = target;
  }
  return { start, end, targets };
}
