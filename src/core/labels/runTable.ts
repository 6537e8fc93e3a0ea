// The rows of every run the label derivation needs (graph.ts), kept by run id in typed arrays:
// its order key, what a carrier shows of its writer, and its reads and writes in pools of
// integers, each run's a range (attachments are read by the derivation when it needs them). 100,000 runs cost a few MB here, where an object and
// three arrays per run cost tens (docs/LABELS.md, Scale). A run whose rows changed takes a new
// range (or its old one, when they fit); the pools are packed again once half of them is unused.

/** The index's rows of one run that the derivation needs, as read or as a view of the table. */
export interface RunRows {
  id: number;
  start: number;
  seq: number;
  uuid: string;
  component: string;
  /** [pointer, writer (0: none)] flattened by twos. */
  reads: ArrayLike<number>;
  /** The fingerprint of each read without a writer (by read), or null when none has one. */
  prints: ArrayLike<unknown> | null;
  writes: ArrayLike<number>;
  /** [label, pointer, writer (0: none), fingerprint] flattened by fours, or null (as read only: the table keeps none). */
  attached: ArrayLike<unknown> | null;
}

/** `array` with room for `size` entries (half again as much, so that growing one by one seldom copies). */
function room<T extends Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(array: T, size: number): T {
  if (size <= array.length) return array;
  const bigger = new (array.constructor as new (n: number) => T)(
    Math.max(size, Math.ceil(array.length * 1.5), 16),
  );
  bigger.set(array);
  return bigger;
}

/** Ranges of integers by run id, `width` per row. */
class Pool {
  private at = new Int32Array(0);
  private count = new Int32Array(0);
  private data = new Int32Array(0);
  private length = 0;
  private unused = 0;

  constructor(private readonly width: number) {}

  /** The run's rows (a view, valid until the next `set`). */
  of(id: number): Int32Array {
    const at = this.at[id] ?? 0;
    return this.data.subarray(at, at + (this.count[id] ?? 0) * this.width);
  }

  set(id: number, values: ArrayLike<number>): void {
    this.at = room(this.at, id + 1);
    this.count = room(this.count, id + 1);
    const rows = values.length / this.width;
    if (rows <= this.count[id]) {
      this.unused += (this.count[id] - rows) * this.width;
      this.data.set(values, this.at[id]);
    } else {
      this.unused += this.count[id] * this.width;
      if (this.unused > this.length / 2 && this.unused > 4096) this.pack();
      this.data = room(this.data, this.length + values.length);
      this.data.set(values, this.length);
      this.at[id] = this.length;
      this.length += values.length;
    }
    this.count[id] = rows;
  }

  /** Copies every run's range, in id order, into a pool of their size. */
  private pack(): void {
    let size = 0;
    for (let id = 0; id < this.count.length; id++) size += this.count[id] * this.width;
    const data = new Int32Array(Math.ceil(size * 1.5) + 16);
    let length = 0;
    for (let id = 0; id < this.count.length; id++) {
      const n = this.count[id] * this.width;
      data.set(this.data.subarray(this.at[id], this.at[id] + n), length);
      this.at[id] = length;
      length += n;
    }
    this.data = data;
    this.length = length;
    this.unused = 0;
  }
}

const NO_ROWS = new Int32Array(0);

export class RunTable {
  private start = new Float64Array(0);
  private seq = new Float64Array(0);
  private componentOf = new Int32Array(0);
  private readonly components: string[] = [];
  private readonly componentIds = new Map<string, number>();
  private readonly uuids: string[] = [];
  /** Run id → its start as ISO text, once asked (a label's carriers show it). */
  private readonly startIso: string[] = [];
  private readonly reads = new Pool(2);
  private readonly writes = new Pool(1);
  private readonly prints = new Map<number, unknown[]>();
  /** Every run id, in time order (start, then log order), once `sort` or `append` put it there. */
  order: number[] = [];
  size = 0;

  has(id: number): boolean {
    return this.uuids[id] !== undefined;
  }

  /** Time order of two runs. */
  readonly byTime = (a: number, b: number): number =>
    this.start[a] - this.start[b] || this.seq[a] - this.seq[b];

  /**
   * Puts the rows of a run, new or changed (not yet in `order` if new). Returns whether a known
   * run's place in time changed.
   */
  put(rows: RunRows): boolean {
    const { id } = rows;
    const known = this.has(id);
    const moved = known && (this.start[id] !== rows.start || this.seq[id] !== rows.seq);
    if (!known) this.size++;
    this.start = room(this.start, id + 1);
    this.seq = room(this.seq, id + 1);
    this.componentOf = room(this.componentOf, id + 1);
    this.start[id] = rows.start;
    this.seq[id] = rows.seq;
    if (moved) delete this.startIso[id];
    let component = this.componentIds.get(rows.component);
    if (component === undefined) {
      this.componentIds.set(rows.component, (component = this.components.length));
      this.components.push(rows.component);
    }
    this.componentOf[id] = component;
    this.uuids[id] = rows.uuid;
    this.reads.set(id, rows.reads);
    this.writes.set(id, rows.writes);
    const prints = rows.prints && Array.from(rows.prints, (p) => p ?? null);
    if (prints?.some((p) => p !== null)) this.prints.set(id, prints);
    else this.prints.delete(id);
    return moved;
  }

  readsOf(id: number): Int32Array {
    return this.has(id) ? this.reads.of(id) : NO_ROWS;
  }

  printsOf(id: number): unknown[] | null {
    return this.prints.get(id) ?? null;
  }

  writesOf(id: number): Int32Array {
    return this.has(id) ? this.writes.of(id) : NO_ROWS;
  }

  /** A run's rows, copied (they stay as they are when the run's rows change). */
  rows(id: number): RunRows {
    return {
      id,
      start: this.start[id],
      seq: this.seq[id],
      uuid: this.uuids[id],
      component: this.componentName(id),
      reads: Array.from(this.readsOf(id)),
      prints: this.printsOf(id),
      writes: Array.from(this.writesOf(id)),
      attached: null,
    };
  }

  uuid(id: number): string {
    return this.uuids[id];
  }

  componentName(id: number): string {
    return this.components[this.componentOf[id]];
  }

  startIsoOf(id: number): string {
    return (this.startIso[id] ??= new Date(this.start[id]).toISOString());
  }
}
