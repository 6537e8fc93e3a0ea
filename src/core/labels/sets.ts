// Interned label sets (docs/LABELS.md, Scale). A set is a node: either the labels attached to one
// version, or the union of two nodes. Nodes are hash-consed, so an identical union is one node:
// a chain of 100,000 runs that carries the same 10,000 labels shares a single node, and a fan-in
// where each run adds one customer to what it read adds one node per run (storage linear in the
// runs, never the n² of copying each version's labels). What a set holds is found by walking its
// node down; which sets hold a label, by walking the label's nodes up. A node's content never
// changes, so one LabelSets serves every derivation of a store (graph.ts). No SQL here. Nodes are
// kept in typed arrays by node id (a node's halves, its first parent; its label when it has one):
// 200,000 nodes cost a few MB, where arrays and map entries per node cost tens.

/** The empty set. */
export const EMPTY = 0;

/** `array` with room for index `at` (half again as much, so that growing one by one seldom copies). */
function room(array: Int32Array<ArrayBuffer>, at: number): Int32Array<ArrayBuffer> {
  if (at < array.length) return array;
  const bigger = new Int32Array(Math.max(at + 1, Math.ceil(array.length * 1.5), 64));
  bigger.set(array);
  return bigger;
}

/** Node ids in a list, with more than one (first, then the others in a map): by node or by label. */
class Lists {
  private first = new Int32Array(0);
  private readonly more = new Map<number, number[]>();

  add(at: number, node: number): void {
    this.first = room(this.first, at);
    if (this.first[at] === EMPTY) this.first[at] = node;
    else {
      const more = this.more.get(at);
      if (more) more.push(node);
      else this.more.set(at, [node]);
    }
  }

  /** How many; the first alone is `firstOf`. */
  count(at: number): number {
    if (at >= this.first.length || this.first[at] === EMPTY) return 0;
    return 1 + (this.more.get(at)?.length ?? 0);
  }

  firstOf(at: number): number {
    return this.first[at] ?? EMPTY;
  }

  list(at: number): number[] {
    const first = this.firstOf(at);
    if (first === EMPTY) return [];
    const more = this.more.get(at);
    return more ? [first, ...more] : [first];
  }

  /** Calls `visit` with each (no list made). */
  each(at: number, visit: (node: number) => void): void {
    const first = this.firstOf(at);
    if (first === EMPTY) return;
    visit(first);
    const more = this.more.get(at);
    if (more) for (const node of more) visit(node);
  }
}

export class LabelSets {
  private count = 1;
  /** Per union node: the two nodes it unites, smaller first (0 for an attachment node and for EMPTY). */
  private kidA = new Int32Array(64);
  private kidB = new Int32Array(64);
  /** Per attachment node of one label: the label + 1 (0 otherwise); of several: in `many`. */
  private single = new Int32Array(64);
  private readonly many = new Map<number, readonly number[]>();
  /** Per node: the union nodes that contain it directly. */
  private readonly parents = new Lists();
  /** Attachment nodes of one label by the label, of several by the ids joined. */
  private bySingle = new Int32Array(0);
  private readonly byLabels = new Map<string, number>();
  /** Union nodes, hashed by their two nodes (open addressing; 0: a free slot). */
  private pairs = new Int32Array(1024);
  private unions = 0;
  /** Label id → the attachment nodes that name it. */
  private readonly nodesOfLabel = new Lists();

  get size(): number {
    return this.count;
  }

  /** The node of exactly these labels (ids), attached to one version. */
  attached(labels: readonly number[]): number {
    if (labels.length === 0) return EMPTY;
    if (labels.length === 1 && (this.bySingle[labels[0]] ?? EMPTY) !== EMPTY) return this.bySingle[labels[0]];
    const sorted = [...new Set(labels)].sort((a, b) => a - b);
    if (sorted.length === 1) {
      const known = this.bySingle[sorted[0]] ?? EMPTY;
      if (known !== EMPTY) return known;
      const node = this.add();
      this.single[node] = sorted[0] + 1;
      this.bySingle = room(this.bySingle, sorted[0]);
      this.bySingle[sorted[0]] = node;
      this.nodesOfLabel.add(sorted[0], node);
      return node;
    }
    const key = sorted.join(',');
    let node = this.byLabels.get(key);
    if (node !== undefined) return node;
    node = this.add();
    this.many.set(node, sorted);
    this.byLabels.set(key, node);
    for (const label of sorted) this.nodesOfLabel.add(label, node);
    return node;
  }

  /** The node of a ∪ b. A node already containing the other directly is returned as it is. */
  union(a: number, b: number): number {
    if (a === b || b === EMPTY) return a;
    if (a === EMPTY) return b;
    if (this.kidA[a] === b || this.kidB[a] === b) return a;
    if (this.kidA[b] === a || this.kidB[b] === a) return b;
    const lo = Math.min(a, b);
    const hi = Math.max(a, b);
    const mask = this.pairs.length - 1;
    let slot = this.hash(lo, hi) & mask;
    for (let node = this.pairs[slot]; node !== EMPTY; node = this.pairs[slot]) {
      if (this.kidA[node] === lo && this.kidB[node] === hi) return node;
      slot = (slot + 1) & mask;
    }
    const node = this.add();
    this.kidA[node] = lo;
    this.kidB[node] = hi;
    this.pairs[slot] = node;
    if (++this.unions * 2 > this.pairs.length) this.rehash();
    this.parents.add(a, node);
    this.parents.add(b, node);
    return node;
  }

  /**
   * The label ids a node holds, each once: an attachment's own list as it is (an artifact's labels
   * mostly come from one: no set of its thousands to build), a union's gathered from below.
   */
  labelsOf(node: number): readonly number[] {
    if (node === EMPTY || node >= this.count) return [];
    if (this.kidA[node] === EMPTY) return this.ownOf(node) ?? [];
    const labels = new Set<number>();
    // Nodes met, by id (a fan-in's newest set is 200,000 nodes: no set of them).
    const seen = new Uint8Array(this.count);
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === EMPTY || seen[n]) continue;
      seen[n] = 1;
      if (this.single[n] !== 0) labels.add(this.single[n] - 1);
      else if (this.kidA[n] === EMPTY) for (const label of this.many.get(n) ?? []) labels.add(label);
      else {
        if (!seen[this.kidA[n]]) stack.push(this.kidA[n]);
        if (!seen[this.kidB[n]]) stack.push(this.kidB[n]);
      }
    }
    return [...labels];
  }

  /** The labels of an attachment node (null: a union node, or EMPTY). */
  ownOf(node: number): readonly number[] | null {
    if (node === EMPTY || node >= this.count) return null;
    if (this.single[node] !== 0) return [this.single[node] - 1];
    return this.many.get(node) ?? null;
  }

  /** The two nodes a union node unites (none for the others). */
  kidsOf(node: number): readonly number[] {
    return node !== EMPTY && node < this.count && this.kidA[node] !== EMPTY
      ? [this.kidA[node], this.kidB[node]]
      : [];
  }

  /** The attachment nodes that name a label. */
  nodesOf(label: number): readonly number[] {
    return this.nodesOfLabel.list(label);
  }

  /** Every node that holds any of these nodes' labels: the nodes themselves and all above them, each once. */
  above(nodes: Iterable<number>): number[] {
    const found: number[] = [];
    const seen = new Uint8Array(this.count);
    const stack = [...nodes];
    const push = (parent: number) => {
      if (!seen[parent]) stack.push(parent);
    };
    while (stack.length) {
      const n = stack.pop()!;
      if (n === EMPTY || seen[n]) continue;
      seen[n] = 1;
      found.push(n);
      this.parents.each(n, push);
    }
    return found;
  }

  /**
   * Σ weight over the nodes above `node` (itself included), for many nodes at once. A node with a
   * single parent adds its own weight to its parent's sum (everything above it is above that
   * parent), so a fan-in's chain of unions costs one step per node; a node with several parents
   * (whose ancestries may overlap) is summed by walking up from it.
   */
  sumsAbove(weight: (node: number) => number): (node: number) => number {
    // The sums known, by node (-1: not yet).
    const memo = new Float64Array(this.count).fill(-1);
    return (node) => {
      // Up the single-parent chain until a node whose sum is known or must be walked.
      const chain: number[] = [];
      let n = node;
      let base: number;
      for (;;) {
        if (n < memo.length && memo[n] >= 0) {
          base = memo[n];
          break;
        }
        const parents = this.parents.count(n);
        if (parents === 1) {
          chain.push(n);
          n = this.parents.firstOf(n);
          continue;
        }
        base = 0;
        if (parents === 0) base = weight(n);
        else for (const a of this.above([n])) base += weight(a);
        if (n < memo.length) memo[n] = base;
        break;
      }
      for (let i = chain.length - 1; i >= 0; i--) {
        base += weight(chain[i]);
        if (chain[i] < memo.length) memo[chain[i]] = base;
      }
      return base;
    };
  }

  private hash(lo: number, hi: number): number {
    return Math.imul(lo, 0x9e3779b1) ^ Math.imul(hi, 0x85ebca77);
  }

  /** The table of unions at twice its size, each put again. */
  private rehash(): void {
    const old = this.pairs;
    this.pairs = new Int32Array(old.length * 2);
    const mask = this.pairs.length - 1;
    for (const node of old) {
      if (node === EMPTY) continue;
      let slot = this.hash(this.kidA[node], this.kidB[node]) & mask;
      while (this.pairs[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.pairs[slot] = node;
    }
  }

  private add(): number {
    const node = this.count++;
    if (node >= 2 ** 30) throw new Error('More than 2^30 label sets: more than this index can hold.');
    this.kidA = room(this.kidA, node);
    this.kidB = room(this.kidB, node);
    this.single = room(this.single, node);
    return node;
  }
}
