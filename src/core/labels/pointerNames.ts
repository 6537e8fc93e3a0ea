// Pointer names as the label answers show them, and their order, kept in memory: a label that
// reaches 100,001 pointers is described from here rather than by joining 100,001 ids in SQL. A
// pointer's name never changes, so only pointers added since the last time are read.
import { FILE_NAMESPACE } from '../events';
import { allJson, byteOrder, jsonRowsSql, Statement } from '../sql';

const SQL = {
  /** Pointers above an id, with the name shown (bare for workspace files, `namespace/name` otherwise). */
  after: jsonRowsSql(
    `SELECT id, CASE WHEN namespace = '${FILE_NAMESPACE}' THEN name ELSE namespace || '/' || name END
    FROM pointers WHERE id > ?`,
    2,
  ),
};

/** From this many on, pointers are picked out of the order of all names rather than sorted. */
const SCAN_FROM = 2000;

/** Up to this many new pointers are put in place one by one; more are merged with the others. */
const SPLICE_UP_TO = 16;

export class PointerNames {
  private readonly names: string[] = [];
  private maxId = 0;
  private ascii = true;
  /** Every pointer id, in byte order of the names. */
  private order: number[] = [];

  constructor(private readonly stmt: (sql: string) => Statement) {}

  /** Reads the pointers added since the last call, and puts them in order among the others. */
  refresh(): void {
    const added: number[] = [];
    for (const [id, name] of allJson(this.stmt(SQL.after), [this.maxId])) {
      const text = String(name);
      this.names[Number(id)] = text;
      // eslint-disable-next-line no-control-regex
      if (this.ascii && !/^[\x00-\x7f]*$/.test(text)) this.ascii = false;
      added.push(Number(id));
      if (Number(id) > this.maxId) this.maxId = Number(id);
    }
    if (added.length === 0) return;
    added.sort(this.byName);
    if (this.order.length === 0) {
      this.order = added;
      return;
    }
    // A few new pointers among many: each found by bisection and put in place (the others moved
    // by the engine, not copied one by one); many: merged in one pass.
    if (added.length <= SPLICE_UP_TO) {
      for (const id of added) this.order.splice(this.placeOf(this.order, id), 0, id);
      return;
    }
    const merged: number[] = [];
    let from = 0;
    for (const id of added) {
      const lo = this.placeOf(this.order, id, from);
      for (; from < lo; from++) merged.push(this.order[from]);
      merged.push(id);
    }
    for (; from < this.order.length; from++) merged.push(this.order[from]);
    this.order = merged;
  }

  /** Where `id` goes in `order` (after the equal names), looking from `from` on. */
  private placeOf(order: readonly number[], id: number, from = 0): number {
    let lo = from;
    let hi = order.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.byName(order[mid], id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  name(id: number): string {
    return this.names[id];
  }

  /** Pointer ids in the byte order of their names (SQLite's, as every other list). */
  sorted(ids: number[]): number[] {
    if (ids.length < SCAN_FROM) return ids.sort(this.byName);
    // Many of all the pointers: marked, then picked out of the whole order (no comparison).
    const marked = new Uint8Array(this.maxId + 1);
    for (const id of ids) marked[id] = 1;
    return this.order.filter((id) => marked[id] === 1);
  }

  /** Byte order of two known pointers' names. */
  compare(a: number, b: number): number {
    return this.byName(a, b);
  }

  /** Byte order of the names; for ASCII names (the usual case) the plain comparison, which is the same. */
  private readonly byName = (a: number, b: number): number => {
    const x = this.names[a];
    const y = this.names[b];
    return this.ascii ? (x < y ? -1 : x > y ? 1 : 0) : byteOrder(x, y);
  };
}
