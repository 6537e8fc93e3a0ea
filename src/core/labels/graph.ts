// Which label set each run and each pointer's latest version holds (docs/LABELS.md, Scale),
// derived from the index and brought up to date by what changed (labels/queries.ts asks).
//
// A version's set is the set of the run that wrote it (nothing, for content no logged run wrote)
// with the labels attached to that version; a run's set is the union of the sets of the versions
// it read. Sets are interned (sets.ts): a chain carrying the same labels shares one node, a
// fan-in adds one node per run. The rows the derivation needs (each run's order key, reads,
// writes) are kept in typed arrays (runTable.ts), in time order; after an ingest only the rows of
// new runs and of runs whose rows changed are read again (runTracker.ts says which), and the sets
// are extended by the new runs when nothing before them changed, else derived again in JavaScript
// over typed arrays: linear in runs and reads, no SQL.
import { DIR } from '../schema';
import { all, first, SqlValue } from '../sql';
import { allColumns, columnsSql } from './columns';
import { RunTracker, TrackerHost } from './runTracker';
import { PointerNames } from './pointerNames';
import { RunRows, RunTable } from './runTable';
import { AttachedVersions } from './versions';
import { EMPTY, LabelSets } from './sets';

/**
 * A query of the rows the derivation reads, of every run (`all`), of some (`changed`: of the ids
 * in a JSON array, changed runs none above the second parameter, and of every run above that id),
 * or of a page of runs (`page`: ids above the first parameter, up to the second).
 * `select` names its table as `from(table, run id column)`.
 */
function rowsOf(
  select: (from: (table: string, runId: string) => string) => string,
  width: number,
): { all: string; changed: string; page: string } {
  const changed = select((table, runId) => `d JOIN ${table} ON ${runId} = d.id`);
  return {
    all: columnsSql(
      select((table) => table),
      width,
    ),
    changed: columnsSql(
      `WITH d(id) AS (SELECT value FROM json_each(?) UNION ALL SELECT id FROM runs WHERE id > ?) ${changed}`,
      width,
    ),
    page: columnsSql(`WITH d(id) AS (SELECT id FROM runs WHERE id > ? AND id <= ?) ${changed}`, width),
  };
}

const SQL = {
  /** Runs: id, order key, and what a carrier shows of its writer (id, component). */
  keys: rowsOf(
    (from) => `SELECT r.id, r.start_ms, r.seq, r.uuid, c.name FROM ${from('runs r', 'r.id')}
    JOIN components c ON c.id = r.component_id`,
    5,
  ),
  /** Reads: run, pointer, the writer it depends on through it, and (without one) the fingerprint read. */
  reads: rowsOf(
    (
      from,
    ) => `SELECT io.run_id, io.pointer_id, dep.dep_run_id, CASE WHEN dep.dep_run_id IS NULL THEN io.fingerprint END
    FROM ${from('run_io io', 'io.run_id')} LEFT JOIN deps dep ON dep.run_id = io.run_id AND dep.via = io.pointer_id
    WHERE io.dir = ${DIR.input} ORDER BY io.run_id`,
    4,
  ),
  writes: rowsOf(
    (from) =>
      `SELECT io.run_id, io.pointer_id FROM ${from('run_io io', 'io.run_id')} WHERE io.dir = ${DIR.output} ORDER BY io.run_id`,
    2,
  ),
  /** Attachments made by these runs, with the version each names, as `reads` gives it. */
  attached: rowsOf(
    (
      from,
    ) => `SELECT s.run_id, s.label_id, s.pointer_id, dep.dep_run_id, CASE WHEN dep.dep_run_id IS NULL THEN io.fingerprint END
    FROM ${from('label_sources s', 's.run_id')} LEFT JOIN deps dep ON dep.run_id = s.run_id AND dep.via = s.pointer_id
    LEFT JOIN run_io io ON io.run_id = s.run_id AND io.dir = ${DIR.input} AND io.pointer_id = s.pointer_id`,
    5,
  ),
  /** Attachments to pointers above an id up to another (by label_sources_by_pointer), as `attached` gives them. */
  attachedToPointers: columnsSql(
    `SELECT s.run_id, s.label_id, s.pointer_id, dep.dep_run_id, CASE WHEN dep.dep_run_id IS NULL THEN io.fingerprint END
    FROM label_sources s LEFT JOIN deps dep ON dep.run_id = s.run_id AND dep.via = s.pointer_id
    LEFT JOIN run_io io ON io.run_id = s.run_id AND io.dir = ${DIR.input} AND io.pointer_id = s.pointer_id
    WHERE s.pointer_id > ? AND s.pointer_id <= ?`,
    5,
  ),
  maxPointer: `SELECT coalesce(max(id), 0) FROM pointers`,
  runCount: `SELECT count(*) FROM runs`,
  maxRun: `SELECT coalesce(max(id), 0) FROM runs`,
  /** Some runs that read what a writer wrote to a pointer (writer, pointer, how many at most). */
  readWritten: `SELECT run_id FROM deps WHERE dep_run_id = ? AND via = ? LIMIT ?`,
  /** Some runs that read a pointer without a writer, with this fingerprint or none (pointer, print, how many). */
  readContent: `SELECT io.run_id FROM run_io io WHERE io.pointer_id = ? AND io.dir = ${DIR.input} AND io.fingerprint IS ?
    AND NOT EXISTS (SELECT 1 FROM deps dep WHERE dep.run_id = io.run_id AND dep.via = io.pointer_id)
    LIMIT ?`,
};

/** Runs read at once when everything is read: the answer of one query is one page's rows. */
const PAGE = 16384;

/** Where a group of labels reaches. */
export interface Reach {
  /** The pointers whose latest version carries them (each once: a pointer has one latest set). */
  carriers: number[];
  /** Runs that read data carrying the labels, directly or downstream. */
  runs: number;
}

/** A pointer that carries labels, and what wrote its latest version (all null: no logged run). */
export interface CarrierRow {
  pointer: string;
  runId: string | null;
  component: string | null;
  /** ISO time the run started. */
  writtenAt: string | null;
}

/** The rows of each run, given a column of runs in which each run's rows come together (ORDER BY). */
function eachRun(runs: SqlValue[], rows: (run: number, from: number, to: number) => void): void {
  for (let from = 0, to = 0; from < runs.length; from = to) {
    while (to < runs.length && runs[to] === runs[from]) to++;
    rows(runs[from] as number, from, to);
  }
}

/** A version labels are attached to: what `writer` wrote to `pointer`, or (writer 0) the content `print` read. */
interface AttachedVersion {
  pointer: number;
  writer: number;
  /** The fingerprint (null for none, and for a written version). */
  print: unknown;
}

/** `array` with room for index `at` (half again as much, so that runs added one by one seldom copy it). */
function grown(array: Int32Array<ArrayBuffer>, at: number): Int32Array<ArrayBuffer> {
  if (at < array.length) return array;
  const bigger = new Int32Array(Math.max(at + 1, Math.ceil(array.length * 1.5)));
  bigger.set(array);
  return bigger;
}

/**
 * Whether a run other than those derived now read this version (pointer, writer, or for writer 0
 * the fingerprint).
 */
export type ReadBefore = (
  pointer: number,
  writer: number,
  print: unknown,
  now: ReadonlySet<number>,
) => boolean;

/** A run whose rows changed, derived again: its rows now, and as they were. */
interface Redone {
  rows: RunRows;
  before: RunRows;
}

/** The rows of a run as keys, one per read, write and attachment (which grew, which went away). */
function rowKeys({ reads, prints, writes }: RunRows): Set<string> {
  const kept = new Set<string>();
  for (let i = 0; i < reads.length; i += 2)
    kept.add(`r${reads[i]},${reads[i + 1]},${reads[i + 1] ? '' : JSON.stringify(prints?.[i / 2] ?? null)}`);
  for (let i = 0; i < writes.length; i++) kept.add(`w${writes[i]}`);
  return kept;
}

/**
 * The derivation of the rows, arrays indexed by run and pointer id (0: none). Made from every run
 * at once, then extended (`extend`) by runs that come after all of them and by the last runs
 * again when their rows only grew (a COMPLETE adding the outputs of a run read at START): the
 * state is the one a derivation of all the runs at once makes.
 */
class Derivation {
  /** Pointer id → the set of its latest version. */
  latestSet: Int32Array<ArrayBuffer>;
  /** Pointer id → the run that wrote its latest version (0: none). */
  latestWriter: Int32Array<ArrayBuffer>;
  /** Set node → how many pointers' latest version holds exactly it. */
  pointersAt = new Int32Array(0);
  /** Set node → how many runs hold exactly it. */
  runsAt = new Int32Array(0);
  /** Run id → the set it holds (EMPTY: none; empty while no label is attached at all). */
  runSet = new Int32Array(0);
  /** The pointers by node (made when first asked after a change): node n's are pointers[start[n] … start[n + 1]). */
  private byNode: { start: Int32Array; pointers: Int32Array } | undefined;
  /** The versions labels are attached to, with their sets. */
  private readonly versions = new AttachedVersions();
  /** The fingerprint of each pointer's latest read without a writer (for pointers no logged run wrote). */
  private readonly latestPrint: unknown[] = [];
  /** Pointer id → 1 once read without a writer. */
  private read = new Int32Array(0);
  /** No label attached by any run: every set is empty, nothing else is kept. */
  private readonly none: boolean;

  /**
   * From every run of the table, in time order (start, then log order): its data dependencies
   * come before it; and every attachment, given by `attachments` in groups that hold each
   * version's whole (so that a version is one node).
   */
  constructor(
    readonly sets: LabelSets,
    table: RunTable,
    maxRun: number,
    maxPointer: number,
    attachments: (group: (quads: ArrayLike<unknown>) => void) => void,
  ) {
    this.latestSet = new Int32Array(maxPointer + 1);
    this.latestWriter = new Int32Array(maxPointer + 1);
    const changed: AttachedVersion[] = [];
    attachments((quads) => this.attach(quads, changed));
    this.none = changed.length === 0;
    if (this.none) return;
    // A writer after its reader (an order the index does not make) counts as empty (0).
    this.runSet = new Int32Array(maxRun + 1);
    this.read = new Int32Array(maxPointer + 1);
    // In time order, the last writer (or read) met is the latest.
    for (const id of table.order)
      this.deriveRun(id, table.readsOf(id), table.printsOf(id), table.writesOf(id));
    for (let pointer = 1; pointer <= maxPointer; pointer++) this.setLatest(pointer);
  }

  /**
   * Takes in the last runs derived, their rows changed (`again`, in time order), and runs that come
   * after every run (`added`, in time order), and returns the pointers whose latest set may have
   * changed. Null when it cannot: a run derived again lost a row, or attachments change the set of
   * a version that other runs derived before read (they would all change: the caller derives
   * everything again).
   */
  extend(again: readonly Redone[], added: readonly RunRows[], readBefore: ReadBefore): number[] | null {
    const touched = new Set<number>();
    for (const { rows, before } of again) {
      const now = rowKeys(rows);
      for (const key of rowKeys(before)) if (!now.has(key)) return null;
    }
    // Attaching is idempotent (a version's labels with the same labels are the same node): every
    // attachment of these runs is attached again, the versions that gained labels change.
    const changed: AttachedVersion[] = [];
    for (const { rows } of again) this.attach(rows.attached, changed);
    for (const rows of added) this.attach(rows.attached, changed);
    if (this.none) return changed.length ? null : [];
    const now = new Set([...again.map(({ rows }) => rows.id), ...added.map((rows) => rows.id)]);
    for (const { pointer, writer, print } of changed) {
      // A version another run derived before read: that run and all downstream of it change.
      if (readBefore(pointer, writer, print, now)) return null;
      touched.add(pointer);
    }
    for (const { rows } of again) {
      const set = this.runSet[rows.id];
      if (set !== EMPTY) this.runsAt[set]--;
    }
    const runs = [...again.map(({ rows }) => rows), ...added];
    for (const rows of runs) this.runSet = grown(this.runSet, rows.id);
    for (const rows of runs) {
      for (let i = 0; i < rows.writes.length; i++) touched.add(rows.writes[i]);
      for (let i = 0; i < rows.reads.length; i += 2) if (!rows.reads[i + 1]) touched.add(rows.reads[i]);
      this.deriveRun(rows.id, rows.reads, rows.prints, rows.writes);
    }
    for (const pointer of touched) this.setLatest(pointer);
    return [...touched];
  }

  /**
   * Adds attachments ([label, pointer, writer, fingerprint] by fours) to their versions; notes in
   * `changed` the versions whose set changed.
   */
  private attach(a: ArrayLike<unknown> | null, changed: AttachedVersion[]): void {
    if (!a) return;
    // The labels by version.
    const mine = new Map<string, AttachedVersion & { labels: number[] }>();
    for (let i = 0; i < a.length; i += 4) {
      const pointer = a[i + 1] as number;
      const writer = (a[i + 2] as number | null) ?? 0;
      const print = writer ? null : (a[i + 3] ?? null);
      const key = `${pointer} ${writer} ${JSON.stringify(print)}`;
      let version = mine.get(key);
      if (!version) mine.set(key, (version = { pointer, writer, print, labels: [] }));
      version.labels.push(a[i] as number);
    }
    for (const { pointer, writer, print, labels } of mine.values()) {
      // A node never changes: the version's labels so far, with these, are another node.
      const before = this.versions.nodeOf(pointer, writer, print);
      const node = this.sets.attached(before === EMPTY ? labels : [...this.sets.ownOf(before)!, ...labels]);
      if (node === before) continue;
      this.versions.set(pointer, writer, print, node);
      changed.push({ pointer, writer, print });
    }
  }

  /** The set of a version: its writer's (`base`) with the labels attached to it. */
  private versionSet(pointer: number, writer: number, print: unknown, base: number): number {
    const node = this.versions.nodeOf(pointer, writer, print);
    return node === EMPTY ? base : this.sets.union(base, node);
  }

  /** A run's set, from the versions it read; it becomes the latest writer of its outputs. */
  private deriveRun(
    id: number,
    reads: ArrayLike<number>,
    prints: ArrayLike<unknown> | null,
    writes: ArrayLike<number>,
  ): void {
    const { sets, runSet } = this;
    let set = EMPTY;
    for (let i = 0; i < reads.length; i += 2) {
      const pointer = reads[i];
      const writer = reads[i + 1];
      if (writer) set = sets.union(set, this.versionSet(pointer, writer, null, runSet[writer]));
      else {
        const print = prints?.[i / 2] ?? null;
        set = sets.union(set, this.versionSet(pointer, 0, print, EMPTY));
        this.latestPrint[pointer] = print;
        this.read = grown(this.read, pointer);
        this.read[pointer] = 1;
      }
    }
    runSet[id] = set;
    if (set !== EMPTY) {
      this.runsAt = grown(this.runsAt, set);
      this.runsAt[set]++;
    }
    for (let i = 0; i < writes.length; i++) {
      this.latestWriter = grown(this.latestWriter, writes[i]);
      this.latestWriter[writes[i]] = id;
    }
  }

  /** Sets the set of a pointer's latest version again (moving it between the nodes' counts). */
  private setLatest(pointer: number): void {
    const writer = this.latestWriter[pointer] ?? 0;
    let set = EMPTY;
    if (writer) set = this.versionSet(pointer, writer, null, this.runSet[writer]);
    else if (this.read[pointer]) set = this.versionSet(pointer, 0, this.latestPrint[pointer], EMPTY);
    this.latestSet = grown(this.latestSet, pointer);
    const before = this.latestSet[pointer];
    if (set === before) return;
    this.byNode = undefined;
    if (before !== EMPTY) this.pointersAt[before]--;
    this.latestSet[pointer] = set;
    if (set === EMPTY) return;
    this.pointersAt = grown(this.pointersAt, set);
    this.pointersAt[set]++;
  }

  /** The pointers whose latest version holds exactly this node. */
  pointersOf(node: number): Int32Array {
    if (!this.byNode) {
      // By counting: each node's pointers go after those of the nodes below it.
      const start = new Int32Array(this.pointersAt.length + 1);
      for (let n = 0; n < this.pointersAt.length; n++) start[n + 1] = start[n] + this.pointersAt[n];
      const pointers = new Int32Array(start[start.length - 1]);
      const next = start.slice(0, -1);
      for (let p = 0; p < this.latestSet.length; p++)
        if (this.latestSet[p] !== EMPTY) pointers[next[this.latestSet[p]]++] = p;
      this.byNode = { start, pointers };
    }
    const { start, pointers } = this.byNode;
    return node + 1 < start.length ? pointers.subarray(start[node], start[node + 1]) : new Int32Array(0);
  }
}

export class LabelGraph {
  /** The rows of every run read, with their time order. */
  private table = new RunTable();
  private readonly tracker: RunTracker;
  private readonly names: PointerNames;
  private maxRun = 0;
  private maxPointer = 0;
  private derivation!: Derivation;

  constructor(private readonly host: TrackerHost) {
    this.tracker = new RunTracker(host);
    this.names = new PointerNames((sql) => host.stmt(sql));
    this.refresh();
  }

  /** The interned sets (their number: the derivation's storage). */
  sets = new LabelSets();

  /** How many times the sets were derived from every run, and extended by new runs only. */
  readonly derivations = { full: 0, extended: 0 };

  /** Pointers whose latest set may have changed since `takeChangedPointers` (null: any of them). */
  private changedPointers: Set<number> | null = null;

  /**
   * Brings the graph up to the index: reads the rows of the runs added or changed since the last
   * time (all of them the first time) and derives the sets again; or, when only runs after every
   * known one were added and the last ones grew, extends the sets by what they read, wrote and
   * attached.
   */
  refresh(): void {
    let changed = this.tracker.takeChanged();
    const count = Number(first(this.host.stmt(SQL.runCount))![0]);
    if (changed === null || count < this.table.size) {
      // First time, or runs went away (an ingest that did not commit): read everything.
      this.table = new RunTable();
      this.maxRun = 0;
      changed = [];
    }
    const { order } = this.table;
    const known = order.length;
    // The rows of the changed runs as they were (reading replaces them), when they are the last ones.
    const last = order.slice(known - changed.length);
    const lastChanged =
      last.length === changed.length &&
      new Set(changed).size === changed.length &&
      last.every((id) => changed.includes(id));
    const before = lastChanged ? last.map((id) => this.table.rows(id)) : [];
    const { added, resorted, fresh } = this.read(changed);
    // From here on, changes to the rows of runs up to maxRun are noted; runs above it are new.
    this.tracker.watchUpTo(this.maxRun);
    const again = before.map((was) => ({ rows: fresh.get(was.id)!, before: was }));
    const extensible = known > 0 && lastChanged && !resorted && again.every((a) => a.rows !== undefined);
    if (extensible && this.extend(again, added)) return;
    // Sets are kept from one derivation to the next (a node means the same labels for ever); those
    // no longer held by anything are dropped with the whole once they outnumber the runs.
    if (this.sets.size > 4 * this.table.size + 10000) this.sets = new LabelSets();
    this.derivation = new Derivation(this.sets, this.table, this.maxRun, this.maxPointer, (group) => {
      // A page of pointers at a time: a version's attachments are all in its pointer's page.
      const top = Number(first(this.host.stmt(SQL.maxPointer))![0]);
      for (let from = 0; from < top; from += PAGE) {
        const [runs, labels, pointers, writers, prints] = allColumns(this.host.stmt(SQL.attachedToPointers), [
          from,
          from + PAGE,
        ]);
        const quads = new Array<unknown>(4 * runs.length);
        for (let i = 0; i < runs.length; i++) {
          quads[4 * i] = labels[i];
          quads[4 * i + 1] = pointers[i];
          quads[4 * i + 2] = writers[i] ?? 0;
          quads[4 * i + 3] = prints[i];
          if ((pointers[i] as number) > this.maxPointer) this.maxPointer = pointers[i] as number;
        }
        group(quads);
      }
    });
    this.derivations.full++;
    this.changedPointers = null;
  }

  /** Extends the derivation by the last runs, changed, and runs added after them; false when it cannot. */
  private extend(again: Redone[], added: RunRows[]): boolean {
    if (again.length === 0 && added.length === 0) return true;
    const readBefore: ReadBefore = (pointer, writer, print, now) => {
      const readers = writer
        ? all(this.host.stmt(SQL.readWritten), [writer, pointer, now.size + 1])
        : all(this.host.stmt(SQL.readContent), [pointer, print as SqlValue, now.size + 1]);
      return readers.some(([run]) => !now.has(run as number));
    };
    const touched = this.derivation.extend(again, added, readBefore);
    if (!touched) return false;
    this.derivations.extended++;
    if (this.changedPointers) for (const pointer of touched) this.changedPointers.add(pointer);
    // Unasked for a long time (the CLI never asks): forgotten, the next asker takes everything again.
    if (this.changedPointers && this.changedPointers.size > this.maxPointer / 4 + 1000)
      this.changedPointers = null;
    return true;
  }

  /**
   * The pointers whose latest set may have changed since the last call (null: the sets were
   * derived again, any may have), and starts noting them afresh.
   */
  takeChangedPointers(): Set<number> | null {
    const taken = this.changedPointers;
    this.changedPointers = new Set();
    return taken;
  }

  /** The set of a pointer's latest version. */
  latestSetOf(pointer: number): number {
    return this.derivation.latestSet[pointer] ?? EMPTY;
  }

  /** Byte order of two pointers' names (both known to `named` since its last call). */
  compareNames(a: number, b: number): number {
    return this.names.compare(a, b);
  }

  /**
   * Reads into the table the rows of these changed runs and of every run above maxRun (of every
   * run, the first time: a page of runs at a time, so that no query's answer holds them all; their
   * attachments are read by the derivation then). Returns the new runs (in time order, with their
   * attachments), the changed runs' rows as read, and whether the order was sorted again (a run
   * moved, or came before a known one).
   */
  private read(changed: number[]): { added: RunRows[]; resorted: boolean; fresh: Map<number, RunRows> } {
    const added: RunRows[] = [];
    let resorted = false;
    const changedRows = new Map<number, RunRows>();
    const take = (fresh: Map<number, RunRows>) => {
      for (const [id, rows] of fresh) {
        const known = this.table.has(id);
        if (this.table.put(rows)) resorted = true;
        if (known) {
          changedRows.set(id, rows);
          continue;
        }
        added.push(rows);
        if (id > this.maxRun) this.maxRun = id;
      }
    };
    if (this.table.size === 0) {
      const top = Number(first(this.host.stmt(SQL.maxRun))![0]);
      for (let from = 0; from < top; from += PAGE)
        take(this.readRows((query) => allColumns(this.host.stmt(query.page), [from, from + PAGE]), 'rows'));
    } else {
      const params = [JSON.stringify(changed), this.maxRun];
      take(this.readRows((query) => allColumns(this.host.stmt(query.changed), params), 'both'));
    }
    added.sort((a, b) => a.start - b.start || a.seq - b.seq);
    // Usually new runs come after every known one: appended, nothing to sort again.
    const { order } = this.table;
    const last = order[order.length - 1];
    if (added.length && last !== undefined && this.table.byTime(added[0].id, last) < 0) resorted = true;
    for (const rows of added) order.push(rows.id);
    if (resorted) order.sort(this.table.byTime);
    return { added, resorted, fresh: changedRows };
  }

  /**
   * The rows the queries give (`columns` runs one of SQL's), by run: the runs with their reads and
   * writes, and (`both`) their attachments.
   */
  private readRows(
    columns: (query: { all: string; changed: string; page: string }) => SqlValue[][],
    part: 'rows' | 'both',
  ): Map<number, RunRows> {
    const fresh = new Map<number, RunRows>();
    const component = new Map<SqlValue, string>();
    const rowsOf = (id: number): RunRows => {
      let rows = fresh.get(id);
      if (!rows) {
        rows = {
          id,
          start: 0,
          seq: 0,
          uuid: '',
          component: '',
          reads: [],
          prints: null,
          writes: [],
          attached: null,
        };
        fresh.set(id, rows);
      }
      return rows;
    };
    const pointer = (id: SqlValue): number => {
      if ((id as number) > this.maxPointer) this.maxPointer = id as number;
      return id as number;
    };
    {
      const [ids, starts, seqs, uuids, components] = columns(SQL.keys);
      for (let i = 0; i < ids.length; i++) {
        let name = component.get(components[i]);
        if (name === undefined) component.set(components[i], (name = String(components[i])));
        Object.assign(rowsOf(ids[i] as number), {
          start: starts[i] as number,
          seq: seqs[i] as number,
          uuid: uuids[i] as string,
          component: name,
        });
      }
      const [readers, read, readWriters, readPrints] = columns(SQL.reads);
      eachRun(readers, (run, from, to) => {
        const rows = fresh.get(run);
        if (!rows) return;
        const reads = new Array<number>(2 * (to - from));
        let prints: unknown[] | null = null;
        for (let i = from; i < to; i++) {
          reads[2 * (i - from)] = pointer(read[i]);
          reads[2 * (i - from) + 1] = (readWriters[i] as number | null) ?? 0;
          if (readWriters[i] === null)
            (prints ??= new Array<unknown>(to - from).fill(null))[i - from] = readPrints[i];
        }
        // A run's rows come together (ORDER BY); were they not, the groups are joined.
        const before = rows.reads.length / 2;
        if (before === 0) {
          rows.reads = reads;
          rows.prints = prints;
        } else {
          if (rows.prints || prints)
            rows.prints = [
              ...Array.from(rows.prints ?? new Array<unknown>(before).fill(null)),
              ...(prints ?? new Array<unknown>(to - from).fill(null)),
            ];
          rows.reads = [...Array.from(rows.reads), ...reads];
        }
      });
      const [writers, written] = columns(SQL.writes);
      eachRun(writers, (run, from, to) => {
        const rows = fresh.get(run);
        if (!rows) return;
        const writes = new Array<number>(to - from);
        for (let i = from; i < to; i++) writes[i - from] = pointer(written[i]);
        rows.writes = rows.writes.length ? [...Array.from(rows.writes), ...writes] : writes;
      });
    }
    if (part !== 'rows') {
      const [attachers, labels, attachedTo, attachedWriters, attachedPrints] = columns(SQL.attached);
      for (let i = 0; i < attachers.length; i++) {
        const rows = fresh.get(attachers[i] as number);
        if (!rows) continue;
        const attached = (rows.attached ??= []) as unknown[];
        attached.push(labels[i], pointer(attachedTo[i]), attachedWriters[i] ?? 0, attachedPrints[i]);
      }
    }
    return fresh;
  }

  /** The label ids the latest version of a pointer holds. */
  labelsOfPointer(pointer: number): readonly number[] {
    return this.derivation.sets.labelsOf(this.latestSetOf(pointer));
  }

  /** The pointers whose latest version holds any of these labels, and the runs that read them. */
  reach(labels: Iterable<number>): Reach {
    const derivation = this.derivation;
    const { sets, runsAt } = derivation;
    const nodes: number[] = [];
    for (const label of labels) nodes.push(...sets.nodesOf(label));
    const carriers: number[] = [];
    let runs = 0;
    for (const node of sets.above(nodes)) {
      runs += runsAt[node] ?? 0;
      for (const pointer of derivation.pointersOf(node)) carriers.push(pointer);
    }
    return { carriers, runs };
  }

  /** The runs that hold any of these labels, as full run ids in byte order (the graph's marks). */
  runsReached(labels: Iterable<number>): string[] {
    const { sets, runSet } = this.derivation;
    const nodes: number[] = [];
    for (const label of labels) nodes.push(...sets.nodesOf(label));
    const above = new Uint8Array(sets.size);
    for (const node of sets.above(nodes)) above[node] = 1;
    const uuids: string[] = [];
    for (let id = 1; id < runSet.length; id++) {
      if (runSet[id] !== EMPTY && above[runSet[id]] && this.table.has(id)) uuids.push(this.table.uuid(id));
    }
    return uuids.sort();
  }

  /** Carriers as shown: pointer names (in byte order) and the runs that wrote them. */
  describe(carriers: number[]): CarrierRow[] {
    this.names.refresh();
    const { latestWriter } = this.derivation;
    return this.names.sorted([...carriers]).map((pointer) => {
      const writer = latestWriter[pointer];
      if (!writer || !this.table.has(writer))
        return { pointer: this.names.name(pointer), runId: null, component: null, writtenAt: null };
      return {
        pointer: this.names.name(pointer),
        runId: this.table.uuid(writer),
        component: this.table.componentName(writer),
        writtenAt: this.table.startIsoOf(writer),
      };
    });
  }

  /** Pointer ids in the byte order of their names, with the names. */
  named(pointers: number[]): Array<[number, string]> {
    this.names.refresh();
    return this.names.sorted(pointers).map((p) => [p, this.names.name(p)]);
  }

  /** The reach of each label: labels attached to the same versions share one walk. */
  reachOfEach(labels: readonly number[]): Map<number, Reach> {
    const bySignature = new Map<string, Reach>();
    const result = new Map<number, Reach>();
    for (const label of labels) {
      const signature = this.sets.nodesOf(label).join(',');
      let reach = bySignature.get(signature);
      if (!reach) bySignature.set(signature, (reach = this.reach([label])));
      result.set(label, reach);
    }
    return result;
  }

  /**
   * How many pointers carry each label, for every label: labels attached to the same versions
   * share one answer; a label attached to one version is summed up the set graph (sets.ts).
   */
  pointerCounts(labels: readonly number[]): Map<number, number> {
    const { sets, pointersAt } = this.derivation;
    const weight = (node: number): number => pointersAt[node] ?? 0;
    const sumAbove = sets.sumsAbove(weight);
    const bySignature = new Map<string, number>();
    const counts = new Map<number, number>();
    for (const label of labels) {
      const nodes = sets.nodesOf(label);
      if (nodes.length <= 1) {
        counts.set(label, nodes.length ? sumAbove(nodes[0]) : 0);
        continue;
      }
      const signature = nodes.join(',');
      let count = bySignature.get(signature);
      if (count === undefined) {
        count = 0;
        for (const node of sets.above(nodes)) count += weight(node);
        bySignature.set(signature, count);
      }
      counts.set(label, count);
    }
    return counts;
  }
}
