// The files the editor marks: every pointer whose latest version carries a retracted label, with
// those labels (queries.ts retractedCarriers). Asked after every change of the store, so kept from
// one change to the next: while the retracted labels stay the same, only the pointers whose latest
// set changed (graph.ts takeChangedPointers) are looked at again, the others keep their entry. A
// set's retracted labels are found from its two halves' (a node's content never changes, sets.ts),
// remembered per node; a set made before the last whole answer holds none unless flagged then.
import type { LabelGraph } from './graph';
import { EMPTY, LabelSets } from './sets';

/** A retracted label as the marks show it. */
export interface CarriedLabel {
  label: string;
  retractedAt: string | null;
}

/** A file that holds data of retracted labels: read, never changed (shared from one answer to the next). */
export interface RetractedCarrier {
  readonly pointer: string;
  readonly labels: readonly CarriedLabel[];
}

const NONE: readonly CarriedLabel[] = [];

export class RetractedMarks {
  /** What the answer was made from: the sets, and the retracted labels (ids and times, in order). */
  private sets: LabelSets | undefined;
  private signature = '';
  private carriers: readonly RetractedCarrier[] = [];
  /** The pointer id of each entry of `carriers`. */
  private ids: number[] = [];
  /** Retracted label id → its place in the answer's lists, and its entry. */
  private place = new Map<number, number>();
  private shown: CarriedLabel[] = [];
  /** Each entry of `shown` → its place. */
  private shownAt = new Map<CarriedLabel, number>();
  /** Node → the retracted labels it holds, for nodes looked at. */
  private ofNode = new Map<number, readonly CarriedLabel[]>();
  /** Nodes below this that hold a retracted label (1), as of the last whole answer. */
  private holds = new Uint8Array(0);
  /** How many answers were made whole (tests: the others were updated by the changed pointers). */
  wholeAnswers = 0;

  /**
   * The marks for the graph as it is now, given the retracted labels (earliest first) with their
   * ids. The graph's changed pointers are taken: nothing else may take them.
   */
  answer(
    graph: LabelGraph,
    retracted: ReadonlyArray<{ id: number; shown: CarriedLabel }>,
  ): readonly RetractedCarrier[] {
    const changed = graph.takeChangedPointers();
    const signature = retracted.map((l) => `${l.id}:${l.shown.retractedAt}`).join(',');
    if (changed === null || graph.sets !== this.sets || signature !== this.signature)
      return this.whole(graph, retracted, signature);
    if (changed.size > 0) this.update(graph, changed);
    return this.carriers;
  }

  /** Every retracted label's carriers, walked up from its nodes. */
  private whole(
    graph: LabelGraph,
    retracted: ReadonlyArray<{ id: number; shown: CarriedLabel }>,
    signature: string,
  ): readonly RetractedCarrier[] {
    this.wholeAnswers++;
    this.sets = graph.sets;
    this.signature = signature;
    this.place = new Map(retracted.map((l, i) => [l.id, i]));
    this.shown = retracted.map((l) => l.shown);
    this.shownAt = new Map(this.shown.map((l, i) => [l, i]));
    this.ofNode = new Map();
    this.holds = new Uint8Array(graph.sets.size);
    if (retracted.length === 0) {
      this.ids = [];
      return (this.carriers = []);
    }
    const nodes = retracted.flatMap((l) => [...graph.sets.nodesOf(l.id)]);
    for (const node of graph.sets.above(nodes)) this.holds[node] = 1;
    const reach = graph.reachOfEach(retracted.map((l) => l.id));
    // Each label described once; a pointer that carries one of them shares its one-label list.
    const byPointer = new Map<number, readonly CarriedLabel[]>();
    for (const label of retracted) {
      const alone = [label.shown];
      for (const pointer of reach.get(label.id)!.carriers) {
        const list = byPointer.get(pointer);
        byPointer.set(pointer, list ? [...list, alone[0]] : alone);
      }
    }
    // The lists of the latest sets, for the sets later ones are made of (a new run reads them).
    for (const [pointer, list] of byPointer) this.ofNode.set(graph.latestSetOf(pointer), list);
    const named = graph.named([...byPointer.keys()]);
    this.ids = named.map(([id]) => id);
    this.carriers = named.map(([id, pointer]) => ({ pointer, labels: byPointer.get(id)! }));
    return this.carriers;
  }

  /** The entries of the changed pointers made again, the others kept, in the order of names. */
  private update(graph: LabelGraph, changed: Set<number>): void {
    // named() also reads the names of new pointers, which compareNames needs.
    const names = new Map(graph.named([...changed]));
    const ids = this.ids.slice();
    const carriers = this.carriers.slice();
    for (const pointer of changed) {
      const labels = this.retractedOf(graph.sets, graph.latestSetOf(pointer));
      // Its place among the others (by bisection: the entries are in the order of names).
      let at = 0;
      for (let hi = ids.length; at < hi;) {
        const mid = (at + hi) >>> 1;
        if (graph.compareNames(ids[mid], pointer) < 0) at = mid + 1;
        else hi = mid;
      }
      const present = ids[at] === pointer;
      if (labels.length === 0) {
        if (present) {
          ids.splice(at, 1);
          carriers.splice(at, 1);
        }
        continue;
      }
      const entry = { pointer: names.get(pointer)!, labels };
      if (present) carriers[at] = entry;
      else {
        ids.splice(at, 0, pointer);
        carriers.splice(at, 0, entry);
      }
    }
    this.ids = ids;
    this.carriers = carriers;
  }

  /** The retracted labels a node holds, in the answer's order: from its halves', remembered. */
  private retractedOf(sets: LabelSets, node: number): readonly CarriedLabel[] {
    const stack = [node];
    while (stack.length) {
      const n = stack[stack.length - 1];
      if (this.known(n) !== undefined) {
        stack.pop();
        continue;
      }
      const own = sets.ownOf(n);
      if (own) {
        const labels = own
          .filter((l) => this.place.has(l))
          .sort((a, b) => this.place.get(a)! - this.place.get(b)!);
        this.ofNode.set(n, labels.length ? labels.map((l) => this.shown[this.place.get(l)!]) : NONE);
        stack.pop();
        continue;
      }
      const [a, b] = sets.kidsOf(n);
      const la = this.known(a);
      const lb = this.known(b);
      if (la === undefined) stack.push(a);
      if (lb === undefined) stack.push(b);
      if (la === undefined || lb === undefined) continue;
      this.ofNode.set(n, this.merged(la, lb));
      stack.pop();
    }
    return this.known(node)!;
  }

  /** A node's retracted labels if known without looking at its halves. */
  private known(node: number): readonly CarriedLabel[] | undefined {
    if (node === EMPTY) return NONE;
    const known = this.ofNode.get(node);
    if (known) return known;
    if (node < this.holds.length && this.holds[node] === 0) return NONE;
    return undefined;
  }

  /** Two lists in the answer's order, as one (either itself when it holds the other). */
  private merged(a: readonly CarriedLabel[], b: readonly CarriedLabel[]): readonly CarriedLabel[] {
    if (a === b || b.length === 0) return a;
    if (a.length === 0) return b;
    const at = (l: CarriedLabel) => this.shownAt.get(l)!;
    const result: CarriedLabel[] = [];
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const x = i < a.length ? at(a[i]) : Infinity;
      const y = j < b.length ? at(b[j]) : Infinity;
      result.push(this.shown[Math.min(x, y)]);
      if (x <= y) i++;
      if (y <= x) j++;
    }
    if (result.length === a.length) return a;
    if (result.length === b.length) return b;
    return result;
  }
}
