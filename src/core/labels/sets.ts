// Interned label sets (docs/LABELS.md, Scale). A set is a node: either the labels attached to one
// version, or the union of two nodes. Nodes are hash-consed, so an identical union is one node:
// a chain of 100,000 runs that carries the same 10,000 labels shares a single node, and a fan-in
// where each run adds one customer to what it read adds one node per run (storage linear in the
// runs, never the n² of copying each version's labels). What a set holds is found by walking its
// node down; which sets hold a label, by walking the label's nodes up. A node's content never
// changes, so one LabelSets serves every derivation of a store (graph.ts). No SQL here.

/** The empty set. */
export const EMPTY = 0;

const NONE: number[] = [];

/**
 * A pair of nodes as one number (smaller × PAIR + larger): exact while nodes number fewer than
 * 2^26, which graph.ts keeps them well under (it starts the sets again past four per run).
 */
const PAIR = 2 ** 26;

export class LabelSets {
  /** Per node: the labels attached (an attachment node), or null (a union node). */
  private readonly own: Array<readonly number[] | null> = [null];
  /** Per node: the two nodes it unites (empty for an attachment node and for EMPTY). */
  private readonly kids: Array<readonly number[]> = [[]];
  /** Per node: the union nodes that contain it directly (none: an empty list shared by all). */
  private readonly parents: number[][] = [NONE];
  /** Attachment nodes by their labels (one label: by its id; more: by the ids joined). */
  private readonly bySingle = new Map<number, number>();
  private readonly byLabels = new Map<string, number>();
  /** Union nodes by their two nodes (PAIR). */
  private readonly byPair = new Map<number, number>();
  /** Label id → the attachment nodes that name it. */
  private readonly nodesOfLabel = new Map<number, number[]>();

  get size(): number {
    return this.own.length;
  }

  /** The node of exactly these labels (ids), attached to one version. */
  attached(labels: readonly number[]): number {
    if (labels.length === 0) return EMPTY;
    if (labels.length === 1) {
      const known = this.bySingle.get(labels[0]);
      if (known !== undefined) return known;
    }
    const sorted = [...new Set(labels)].sort((a, b) => a - b);
    const key = sorted.length === 1 ? undefined : sorted.join(',');
    let node = key === undefined ? this.bySingle.get(sorted[0]) : this.byLabels.get(key);
    if (node !== undefined) return node;
    node = this.add(sorted, NONE);
    if (key === undefined) this.bySingle.set(sorted[0], node);
    else this.byLabels.set(key, node);
    for (const label of sorted) {
      const nodes = this.nodesOfLabel.get(label);
      if (nodes) nodes.push(node);
      else this.nodesOfLabel.set(label, [node]);
    }
    return node;
  }

  /** The node of a ∪ b. A node already containing the other directly is returned as it is. */
  union(a: number, b: number): number {
    if (a === b || b === EMPTY) return a;
    if (a === EMPTY) return b;
    if (this.kids[a].includes(b)) return a;
    if (this.kids[b].includes(a)) return b;
    const key = a < b ? a * PAIR + b : b * PAIR + a;
    let node = this.byPair.get(key);
    if (node === undefined) {
      node = this.add(null, [a, b]);
      this.byPair.set(key, node);
      this.addParent(a, node);
      this.addParent(b, node);
    }
    return node;
  }

  /** The label ids a node holds, each once. */
  labelsOf(node: number): Set<number> {
    const labels = new Set<number>();
    const seen = new Set<number>();
    const stack = [node];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === EMPTY || seen.has(n)) continue;
      seen.add(n);
      const own = this.own[n];
      if (own) for (const label of own) labels.add(label);
      for (const kid of this.kids[n]) if (!seen.has(kid)) stack.push(kid);
    }
    return labels;
  }

  /** The labels attached of an attachment node (null: a union node, or EMPTY). */
  ownOf(node: number): readonly number[] | null {
    return this.own[node];
  }

  /** The two nodes a union node unites (none for the others). */
  kidsOf(node: number): readonly number[] {
    return this.kids[node];
  }

  /** The attachment nodes that name a label. */
  nodesOf(label: number): readonly number[] {
    return this.nodesOfLabel.get(label) ?? [];
  }

  /** Every node that holds any of these nodes' labels: the nodes themselves and all above them. */
  above(nodes: Iterable<number>): Set<number> {
    const seen = new Set<number>();
    const stack = [...nodes];
    while (stack.length) {
      const n = stack.pop()!;
      if (n === EMPTY || seen.has(n)) continue;
      seen.add(n);
      for (const parent of this.parents[n]) if (!seen.has(parent)) stack.push(parent);
    }
    return seen;
  }

  /**
   * Σ weight over the nodes above `node` (itself included), for many nodes at once. A node with a
   * single parent adds its own weight to its parent's sum (everything above it is above that
   * parent), so a fan-in's chain of unions costs one step per node; a node with several parents
   * (whose ancestries may overlap) is summed by walking up from it.
   */
  sumsAbove(weight: (node: number) => number): (node: number) => number {
    const memo = new Map<number, number>();
    return (node) => {
      // Up the single-parent chain until a node whose sum is known or must be walked.
      const chain: number[] = [];
      let n = node;
      let base: number;
      for (;;) {
        const known = memo.get(n);
        if (known !== undefined) {
          base = known;
          break;
        }
        const parents = this.parents[n];
        if (parents.length === 1) {
          chain.push(n);
          n = parents[0];
          continue;
        }
        base = 0;
        if (parents.length === 0) base = weight(n);
        else for (const a of this.above([n])) base += weight(a);
        memo.set(n, base);
        break;
      }
      for (let i = chain.length - 1; i >= 0; i--) memo.set(chain[i], (base += weight(chain[i])));
      return base;
    };
  }

  private addParent(node: number, parent: number): void {
    // A list made at its size: most nodes have one parent (200,000 lists in a fan-in).
    if (this.parents[node] === NONE) this.parents[node] = [parent];
    else this.parents[node].push(parent);
  }

  private add(own: readonly number[] | null, kids: readonly number[]): number {
    const node = this.own.length;
    if (node >= PAIR) throw new Error(`More than ${PAIR} label sets: more than this index can hold.`);
    this.own.push(own);
    this.kids.push(kids);
    this.parents.push(NONE);
    return node;
  }
}
