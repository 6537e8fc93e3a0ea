// Which label set each run and each pointer's latest version holds (docs/LABELS.md, Scale),
// derived from the index and brought up to date by what changed (labels/queries.ts asks).
//
// A version's set is the set of the run that wrote it (nothing, for content no logged run wrote)
// with the labels attached to that version; a run's set is the union of the sets of the versions
// it read. Sets are interned (sets.ts): a chain carrying the same labels shares one node, a
// fan-in adds one node per run. The rows the derivation needs (each run's order key, reads,
// writes, attachments) are kept here, in time order; after an ingest only the rows of new runs and
// of runs whose rows changed are read again (runTracker.ts says which), and the sets are derived
// again in JavaScript over typed arrays: linear in runs and reads, no SQL.
import { DIR } from '../schema';
import { all, first, SqlValue } from '../sql';
import { allColumns, columnsSql } from './columns';
import { RunTracker, TrackerHost } from './runTracker';
import { PointerNames } from './pointerNames';
import { EMPTY, LabelSets } from './sets';

/**
 * A query of the rows the derivation reads, of every run (`all`) or of some (`changed`: of the ids
 * in a JSON array, changed runs none above the second parameter, and of every run above that id).
 * `select` names its table as `from(table, run id column)`.
 */
function rowsOf(
  select: (from: (table: string, runId: string) => string) => string,
  width: number,
): { all: string; changed: string } {
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
  runCount: `SELECT count(*) FROM runs`,
  /** Some runs that read what a writer wrote to a pointer (writer, pointer, how many at most). */
  readWritten: `SELECT run_id FROM deps WHERE dep_run_id = ? AND via = ? LIMIT ?`,
  /** Some runs that read a pointer without a writer, with this fingerprint or none (pointer, print, how many). */
  readContent: `SELECT io.run_id FROM run_io io WHERE io.pointer_id = ? AND io.dir = ${DIR.input} AND io.fingerprint IS ?
    AND NOT EXISTS (SELECT 1 FROM deps dep WHERE dep.run_id = io.run_id AND dep.via = io.pointer_id)
    LIMIT ?`,
};

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

/** The index's rows of one run that the derivation needs. */
interface RunRows {
  id: number;
  start: number;
  seq: number;
  uuid: string;
  component: string;
  /** `start` as ISO text, once asked (a label's carriers show it). */
  startIso: string | undefined;
  /** [pointer, writer (0: none)] flattened by twos; arrays of their exact size (100,000 runs). */
  reads: number[];
  /** The fingerprint of each read without a writer (by read), or null when every read has one. */
  prints: unknown[] | null;
  writes: number[];
  /** [label, pointer, writer (0: none), fingerprint] flattened by fours, or null. */
  attached: unknown[] | null;
}

/** The rows of each run, given a column of runs in which each run's rows come together (ORDER BY). */
function eachRun(runs: SqlValue[], rows: (run: number, from: number, to: number) => void): void {
  for (let from = 0, to = 0; from < runs.length; from = to) {
    while (to < runs.length && runs[to] === runs[from]) to++;
    rows(runs[from] as number, from, to);
  }
}

const byTime = (a: RunRows, b: RunRows): number => a.start - b.start || a.seq - b.seq;

/** A version labels are attached to: what `writer` wrote, or (writer 0) the content `print` read. */
interface AttachedVersion {
  pointer: number;
  writer: number;
  /** The fingerprint (null for none, and for a written version). */
  print: unknown;
  labels: number[];
  node: number;
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
function rowKeys({ reads, prints, writes, attached }: RunRows): { kept: Set<string>; attached: string[] } {
  const kept = new Set<string>();
  for (let i = 0; i < reads.length; i += 2)
    kept.add(`r${reads[i]},${reads[i + 1]},${reads[i + 1] ? '' : JSON.stringify(prints![i / 2])}`);
  for (const pointer of writes) kept.add(`w${pointer}`);
  const keys: string[] = [];
  for (let i = 0; attached && i < attached.length; i += 4)
    keys.push(JSON.stringify(attached.slice(i, i + 4)));
  return { kept, attached: keys };
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
  /** Set node → the pointers whose latest version holds exactly it. */
  readonly pointersOf = new Map<number, number[]>();
  /** Set node → how many runs hold exactly it. */
  readonly runsOf = new Map<number, number>();
  /** Run id → the set it holds (EMPTY: none; empty while no label is attached at all). */
  runSet = new Int32Array(0);
  /** The versions labels are attached to, by pointer (a pointer has few): no key strings. */
  private readonly attachedAt: Array<AttachedVersion[] | undefined> = [];
  /** The fingerprint of each pointer's latest read without a writer (for pointers no logged run wrote). */
  private readonly latestPrint: unknown[] = [];
  /** Pointer id → 1 once read without a writer. */
  private read = new Int32Array(0);
  /** No label attached by any run: every set is empty, nothing else is kept. */
  private readonly none: boolean;

  /** `order`: every run, in time order (start, then log order): its data dependencies come before it. */
  constructor(
    readonly sets: LabelSets,
    order: readonly RunRows[],
    maxRun: number,
    maxPointer: number,
  ) {
    this.latestSet = new Int32Array(maxPointer + 1);
    this.latestWriter = new Int32Array(maxPointer + 1);
    this.none = this.attach(order).length === 0;
    if (this.none) return;
    // A writer after its reader (an order the index does not make) counts as empty (0).
    this.runSet = new Int32Array(maxRun + 1);
    this.read = new Int32Array(maxPointer + 1);
    // In time order, the last writer (or read) met is the latest.
    for (const rows of order) this.deriveRun(rows);
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
    const fresh: RunRows[] = [...added];
    for (const { rows, before } of again) {
      const was = rowKeys(before);
      const now = rowKeys(rows);
      for (const key of was.kept) if (!now.kept.has(key)) return null;
      const old = new Set(was.attached);
      if (was.attached.some((key) => !now.attached.includes(key))) return null;
      // Only the attachments it did not make before are added to their versions.
      const grew = now.attached.filter((key) => !old.has(key)).flatMap((key) => JSON.parse(key) as unknown[]);
      if (grew.length) fresh.push({ ...rows, attached: grew });
    }
    const changed = this.attach(fresh);
    if (this.none) return changed.length ? null : [];
    const now = new Set([...again.map(({ rows }) => rows.id), ...added.map((rows) => rows.id)]);
    for (const { pointer, writer, print } of changed) {
      // A version another run derived before read: that run and all downstream of it change.
      if (readBefore(pointer, writer, print, now)) return null;
      touched.add(pointer);
    }
    for (const { rows } of again) {
      const set = this.runSet[rows.id];
      if (set !== EMPTY) this.runsOf.set(set, this.runsOf.get(set)! - 1);
    }
    const runs = [...again.map(({ rows }) => rows), ...added];
    for (const rows of runs) this.runSet = grown(this.runSet, rows.id);
    for (const rows of runs) {
      for (const pointer of rows.writes) touched.add(pointer);
      for (let i = 0; i < rows.reads.length; i += 2) if (!rows.reads[i + 1]) touched.add(rows.reads[i]);
      this.deriveRun(rows);
    }
    for (const pointer of touched) this.setLatest(pointer);
    return [...touched];
  }

  /** Adds the attachments of these runs to their versions; returns the versions whose set changed. */
  private attach(runs: readonly RunRows[]): AttachedVersion[] {
    const changed = new Set<AttachedVersion>();
    for (const { attached: a } of runs) {
      for (let i = 0; a && i < a.length; i += 4) {
        const pointer = a[i + 1] as number;
        const writer = a[i + 2] as number;
        const print = writer ? null : (a[i + 3] ?? null);
        const versions = (this.attachedAt[pointer] ??= []);
        let version = versions.find((v) => v.writer === writer && v.print === print);
        if (!version) versions.push((version = { pointer, writer, print, labels: [], node: EMPTY }));
        version.labels.push(a[i] as number);
        changed.add(version);
      }
    }
    return [...changed].filter((v) => {
      const before = v.node;
      v.node = this.sets.attached(v.labels);
      return v.node !== before;
    });
  }

  /** The set of a version: its writer's (`base`) with the labels attached to it. */
  private versionSet(pointer: number, writer: number, print: unknown, base: number): number {
    const versions = this.attachedAt[pointer];
    if (!versions) return base;
    const key = writer ? null : (print ?? null);
    for (const v of versions)
      if (v.writer === writer && v.print === key) return this.sets.union(base, v.node);
    return base;
  }

  /** A run's set, from the versions it read; it becomes the latest writer of its outputs. */
  private deriveRun({ id, reads, prints, writes }: RunRows): void {
    const { sets, runSet } = this;
    let set = EMPTY;
    for (let i = 0; i < reads.length; i += 2) {
      const pointer = reads[i];
      const writer = reads[i + 1];
      if (writer) set = sets.union(set, this.versionSet(pointer, writer, null, runSet[writer]));
      else {
        set = sets.union(set, this.versionSet(pointer, 0, prints![i / 2], EMPTY));
        this.latestPrint[pointer] = prints![i / 2];
        this.read = grown(this.read, pointer);
        this.read[pointer] = 1;
      }
    }
    runSet[id] = set;
    if (set !== EMPTY) this.runsOf.set(set, (this.runsOf.get(set) ?? 0) + 1);
    // (A count brought to 0 by a run derived again stays, at 0: nothing reads it as more.)
    for (const pointer of writes) {
      this.latestWriter = grown(this.latestWriter, pointer);
      this.latestWriter[pointer] = id;
    }
  }

  /** Sets the set of a pointer's latest version again (moving it between the nodes' lists). */
  private setLatest(pointer: number): void {
    const writer = this.latestWriter[pointer] ?? 0;
    let set = EMPTY;
    if (writer) set = this.versionSet(pointer, writer, null, this.runSet[writer]);
    else if (this.read[pointer]) set = this.versionSet(pointer, 0, this.latestPrint[pointer], EMPTY);
    this.latestSet = grown(this.latestSet, pointer);
    const before = this.latestSet[pointer];
    if (set === before) return;
    if (before !== EMPTY) {
      const list = this.pointersOf.get(before)!;
      const at = list.lastIndexOf(pointer);
      list[at] = list[list.length - 1];
      list.pop();
      if (list.length === 0) this.pointersOf.delete(before);
    }
    this.latestSet[pointer] = set;
    if (set === EMPTY) return;
    const list = this.pointersOf.get(set);
    if (list) list.push(pointer);
    else this.pointersOf.set(set, [pointer]);
  }
}

export class LabelGraph {
  private readonly runs = new Map<number, RunRows>();
  /** Every run, in time order. */
  private order: RunRows[] = [];
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
    if (changed === null || count < this.runs.size) {
      // First time, or runs went away (an ingest that did not commit): read everything.
      this.runs.clear();
      this.order = [];
      this.maxRun = 0;
      changed = [];
    }
    const known = this.order.length;
    // The rows of the changed runs as they were (merge replaces them), when they are the last ones.
    const last = this.order.slice(known - changed.length);
    const lastChanged =
      last.length === changed.length &&
      new Set(changed).size === changed.length &&
      last.every((r) => changed.includes(r.id));
    const before = lastChanged ? last.map((rows) => ({ ...rows })) : [];
    const { added, resorted } = this.merge(this.readRows(changed));
    // From here on, changes to the rows of runs up to maxRun are noted; runs above it are new.
    this.tracker.watchUpTo(this.maxRun);
    const again = before.map((was) => ({ rows: this.runs.get(was.id)!, before: was }));
    if (known > 0 && lastChanged && !resorted && this.extend(again, added)) return;
    // Sets are kept from one derivation to the next (a node means the same labels for ever); those
    // no longer held by anything are dropped with the whole once they outnumber the runs.
    if (this.sets.size > 4 * this.runs.size + 10000) this.sets = new LabelSets();
    this.derivation = new Derivation(this.sets, this.order, this.maxRun, this.maxPointer);
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

  /** The rows of these changed runs and of every run above maxRun (of every run, the first time). */
  private readRows(changed: number[]): Map<number, RunRows> {
    const columns = (query: { all: string; changed: string }) =>
      this.runs.size === 0
        ? allColumns(this.host.stmt(query.all))
        : allColumns(this.host.stmt(query.changed), [JSON.stringify(changed), this.maxRun]);
    const fresh = new Map<number, RunRows>();
    const component = new Map<SqlValue, string>();
    const [ids, starts, seqs, uuids, components] = columns(SQL.keys);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      let name = component.get(components[i]);
      if (name === undefined) component.set(components[i], (name = String(components[i])));
      fresh.set(id, {
        id,
        start: starts[i] as number,
        seq: seqs[i] as number,
        uuid: uuids[i] as string,
        component: name,
        startIso: undefined,
        reads: [],
        prints: null,
        writes: [],
        attached: null,
      });
    }
    const pointer = (id: SqlValue): number => {
      if ((id as number) > this.maxPointer) this.maxPointer = id as number;
      return id as number;
    };
    const [readers, read, readWriters, readPrints] = columns(SQL.reads);
    eachRun(readers, (run, from, to) => {
      const rows = fresh.get(run);
      if (!rows) return;
      const reads = new Array<number>(2 * (to - from));
      let prints: unknown[] | null = null;
      for (let i = from; i < to; i++) {
        reads[2 * (i - from)] = pointer(read[i]);
        reads[2 * (i - from) + 1] = (readWriters[i] as number | null) ?? 0;
        if (readWriters[i] === null) (prints ??= new Array<unknown>(to - from))[i - from] = readPrints[i];
      }
      // A run's rows come together (ORDER BY); were they not, the groups are joined.
      const before = rows.reads.length / 2;
      if (before === 0) {
        rows.reads = reads;
        rows.prints = prints;
      } else {
        if (rows.prints || prints)
          rows.prints = [...(rows.prints ?? new Array(before)), ...(prints ?? new Array(to - from))];
        rows.reads = [...rows.reads, ...reads];
      }
    });
    const [writers, written] = columns(SQL.writes);
    eachRun(writers, (run, from, to) => {
      const rows = fresh.get(run);
      if (!rows) return;
      const writes = new Array<number>(to - from);
      for (let i = from; i < to; i++) writes[i - from] = pointer(written[i]);
      rows.writes = rows.writes.length ? [...rows.writes, ...writes] : writes;
    });
    const [attachers, labels, attachedTo, attachedWriters, attachedPrints] = columns(SQL.attached);
    for (let i = 0; i < attachers.length; i++) {
      const rows = fresh.get(attachers[i] as number);
      if (!rows) continue;
      (rows.attached ??= []).push(
        labels[i],
        pointer(attachedTo[i]),
        attachedWriters[i] ?? 0,
        attachedPrints[i],
      );
    }
    return fresh;
  }

  /**
   * Takes in the rows read: a changed run's in place, new runs in time order. Returns the new runs
   * (in time order) and whether the order was sorted again (a run moved, or came before a known one).
   */
  private merge(fresh: Map<number, RunRows>): { added: RunRows[]; resorted: boolean } {
    let resort = false;
    const added: RunRows[] = [];
    for (const [id, rows] of fresh) {
      const old = this.runs.get(id);
      if (old) {
        if (byTime(old, rows) !== 0) resort = true;
        Object.assign(old, rows);
      } else {
        this.runs.set(id, rows);
        added.push(rows);
        if (id > this.maxRun) this.maxRun = id;
      }
    }
    added.sort(byTime);
    // Usually new runs come after every known one: appended, nothing to sort again.
    const last = this.order[this.order.length - 1];
    if (added.length && last && byTime(added[0], last) < 0) resort = true;
    for (const rows of added) this.order.push(rows);
    if (resort) this.order.sort(byTime);
    return { added, resorted: resort };
  }

  /** The label ids the latest version of a pointer holds. */
  labelsOfPointer(pointer: number): Set<number> {
    return this.derivation.sets.labelsOf(this.latestSetOf(pointer));
  }

  /** The pointers whose latest version holds any of these labels, and the runs that read them. */
  reach(labels: Iterable<number>): Reach {
    const { sets, runsOf, pointersOf } = this.derivation;
    const nodes: number[] = [];
    for (const label of labels) nodes.push(...sets.nodesOf(label));
    const carriers: number[] = [];
    let runs = 0;
    for (const node of sets.above(nodes)) {
      runs += runsOf.get(node) ?? 0;
      const pointers = pointersOf.get(node);
      if (pointers) for (const pointer of pointers) carriers.push(pointer);
    }
    return { carriers, runs };
  }

  /** The runs that hold any of these labels, as full run ids in byte order (the graph's marks). */
  runsReached(labels: Iterable<number>): string[] {
    const { sets, runSet } = this.derivation;
    const nodes: number[] = [];
    for (const label of labels) nodes.push(...sets.nodesOf(label));
    const above = sets.above(nodes);
    const uuids: string[] = [];
    for (let id = 1; id < runSet.length; id++) {
      const uuid = runSet[id] !== EMPTY && above.has(runSet[id]) ? this.runs.get(id)?.uuid : undefined;
      if (uuid !== undefined) uuids.push(uuid);
    }
    return uuids.sort();
  }

  /** Carriers as shown: pointer names (in byte order) and the runs that wrote them. */
  describe(carriers: number[]): CarrierRow[] {
    this.names.refresh();
    const { latestWriter } = this.derivation;
    return this.names.sorted([...carriers]).map((pointer) => {
      const writer = latestWriter[pointer];
      const run = writer ? this.runs.get(writer) : undefined;
      if (!run) return { pointer: this.names.name(pointer), runId: null, component: null, writtenAt: null };
      run.startIso ??= new Date(run.start).toISOString();
      return {
        pointer: this.names.name(pointer),
        runId: run.uuid,
        component: run.component,
        writtenAt: run.startIso,
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
    const { sets, pointersOf } = this.derivation;
    const weight = (node: number): number => pointersOf.get(node)?.length ?? 0;
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
