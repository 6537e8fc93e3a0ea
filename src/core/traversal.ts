// Walks over the run graph, in plain JavaScript over integer ids: iterative (an explicit stack or
// queue, never a call per level, so a chain 50,000 runs deep is as safe as a 5-run one) and
// linear in the nodes and edges visited. No SQL here: queries.ts loads the ids and edges once.

/** A run as the walks see it: its row id and the order key (newest first = larger first). */
export interface WalkNode {
  id: number;
  startMs: number;
  seq: number;
}

/** Newest first: later start, then later in the log. */
export const newestFirst = (a: WalkNode, b: WalkNode): number => b.startMs - a.startMs || b.seq - a.seq;

/**
 * Depth-first preorder from the roots, each node once, at the depth of the path that reached it
 * first; `children` must already be in visiting order. What a recursive visit gives, without the
 * recursion: children are pushed in reverse so that the first is popped first.
 */
export function depthFirst(
  roots: number[],
  children: (id: number) => readonly number[],
): Array<[number, number]> {
  const order: Array<[number, number]> = [];
  const seen = new Set<number>();
  // Two plain stacks of numbers rather than a pair per entry: a walk of 50,000 runs allocates
  // only the pairs it returns.
  const ids: number[] = [];
  const depths: number[] = [];
  for (let i = roots.length - 1; i >= 0; i--) {
    ids.push(roots[i]);
    depths.push(0);
  }
  while (ids.length) {
    const id = ids.pop()!;
    const depth = depths.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push([id, depth]);
    const list = children(id);
    for (let i = list.length - 1; i >= 0; i--)
      if (!seen.has(list[i])) {
        ids.push(list[i]);
        depths.push(depth + 1);
      }
  }
  return order;
}

/** Breadth-first from seeds given with their depths: each node at its smallest depth. */
export function breadthFirst(
  seeds: ReadonlyArray<[number, number]>,
  neighbours: (id: number) => readonly number[],
): Map<number, number> {
  const depth = new Map<number, number>();
  // Seeds may come at different depths (a run at 0, the readers of its outputs at 1): each joins
  // the level of its depth, so the walk stays breadth-first.
  const pending = [...seeds].sort((a, b) => a[1] - b[1]);
  let next = 0;
  let level: number[] = [];
  for (let d = pending[0]?.[1] ?? 0; level.length || next < pending.length; d++) {
    for (; next < pending.length && pending[next][1] <= d; next++) {
      const id = pending[next][0];
      if (!depth.has(id)) {
        depth.set(id, d);
        level.push(id);
      }
    }
    const below: number[] = [];
    for (const id of level) {
      for (const n of neighbours(id)) {
        if (!depth.has(n)) {
          depth.set(n, d + 1);
          below.push(n);
        }
      }
    }
    level = below;
  }
  return depth;
}

/**
 * For each node, how many distinct marked items are reachable from it (its own and those of its
 * descendants), counted in two classes. Review (DESIGN.md §6) asks exactly this: for a run, the
 * flagged outputs and the unflagged final outputs whose traces contain it, that is, whose writers
 * are downstream of it.
 *
 * Children are done before their parents (reverse topological order) and a node's item set is the
 * union of its children's: the set of a child whose last parent is being done is taken over, not
 * copied, so a chain costs one step per node. Sets are JS Sets while small, bitsets once large.
 * Nodes on a cycle (lineage has none, but input is input) are counted by a walk of their own.
 */
export function reachableCounts(
  nodes: readonly number[],
  children: (id: number) => readonly number[],
  items: (id: number) => readonly number[],
  classes: { firstOfSecond: number; total: number },
): Map<number, [number, number]> {
  const inSet = new Set(nodes);
  const parents = new Map<number, number>();
  for (const id of nodes)
    for (const c of children(id)) if (inSet.has(c)) parents.set(c, (parents.get(c) ?? 0) + 1);
  // Kahn's order from the sources, then done backwards.
  const indegree = new Map(parents);
  const order: number[] = nodes.filter((id) => !indegree.get(id));
  for (let head = 0; head < order.length; head++) {
    for (const c of children(order[head])) {
      if (!inSet.has(c)) continue;
      const left = indegree.get(c)! - 1;
      indegree.set(c, left);
      if (left === 0) order.push(c);
    }
  }
  const result = new Map<number, [number, number]>();
  const sets = new Map<number, ItemSet>();
  const pending = new Map(parents);
  for (let k = order.length - 1; k >= 0; k--) {
    const id = order[k];
    const kids = children(id).filter((c) => inSet.has(c));
    let base: ItemSet | undefined;
    let baseKid = -1;
    for (const c of kids) {
      const set = sets.get(c)!;
      if (pending.get(c) === 1 && (!base || set.size > base.size)) {
        base = set;
        baseKid = c;
      }
    }
    const set = base ?? new ItemSet(classes);
    for (const c of kids) if (c !== baseKid) set.addAll(sets.get(c)!);
    for (const item of items(id)) set.add(item);
    for (const c of kids) {
      const left = pending.get(c)! - 1;
      pending.set(c, left);
      if (left === 0 && c !== baseKid) sets.delete(c);
    }
    if (baseKid >= 0) sets.delete(baseKid);
    result.set(id, [set.first, set.size - set.first]);
    if (parents.get(id)) sets.set(id, set);
  }
  if (result.size < nodes.length) {
    for (const id of nodes) {
      if (result.has(id)) continue;
      const set = new ItemSet(classes);
      const seen = new Set([id]);
      const stack = [id];
      while (stack.length) {
        const v = stack.pop()!;
        for (const item of items(v)) set.add(item);
        for (const c of children(v)) {
          if (inSet.has(c) && !seen.has(c)) {
            seen.add(c);
            stack.push(c);
          }
        }
      }
      result.set(id, [set.first, set.size - set.first]);
    }
  }
  return result;
}

/** A set of item numbers below `total`, with how many are below `firstOfSecond`. */
class ItemSet {
  size = 0;
  first = 0;
  private small: Set<number> | null = new Set();
  private bits: Uint32Array | null = null;

  constructor(private readonly classes: { firstOfSecond: number; total: number }) {}

  add(item: number): void {
    if (this.small) {
      if (this.small.has(item)) return;
      this.small.add(item);
      if (this.small.size * 32 > this.classes.total) this.toBits();
    } else {
      const word = item >>> 5;
      const bit = 1 << (item & 31);
      if (this.bits![word] & bit) return;
      this.bits![word] |= bit;
    }
    this.size++;
    if (item < this.classes.firstOfSecond) this.first++;
  }

  addAll(other: ItemSet): void {
    if (other.small) {
      for (const item of other.small) this.add(item);
      return;
    }
    // Large sets: word by word, counting the new bits.
    if (this.small) this.toBits();
    const mine = this.bits!;
    const theirs = other.bits!;
    const boundary = this.classes.firstOfSecond;
    for (let w = 0; w < theirs.length; w++) {
      const added = theirs[w] & ~mine[w];
      if (!added) continue;
      mine[w] |= added;
      this.size += popcount(added);
      const low = w << 5;
      if (low + 32 <= boundary) this.first += popcount(added);
      else if (low < boundary) this.first += popcount(added & ((1 << (boundary - low)) - 1));
    }
  }

  private toBits(): void {
    const small = this.small!;
    this.small = null;
    this.bits = new Uint32Array((this.classes.total + 31) >>> 5);
    for (const item of small) this.bits[item >>> 5] |= 1 << (item & 31);
  }
}

function popcount(word: number): number {
  let v = word - ((word >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}
