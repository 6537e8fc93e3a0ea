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
import { first } from '../sql';
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
    WHERE io.dir = ${DIR.input}`,
    4,
  ),
  writes: rowsOf(
    (from) =>
      `SELECT io.run_id, io.pointer_id FROM ${from('run_io io', 'io.run_id')} WHERE io.dir = ${DIR.output}`,
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
};

/** A pointer's version: what run `writer` wrote, or (writer null) content no logged run wrote. */
const versionKey = (pointer: number, writer: number | null, fingerprint: unknown): string =>
  writer !== null ? `${pointer}:w${writer}` : `${pointer}:r${fingerprint ?? ''}`;

/** Where a group of labels reaches. */
export interface Reach {
  /** Pointer id → the writer of its latest version (null: no logged run wrote it). */
  carriers: Map<number, number | null>;
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
  /** [pointer, writer or null, fingerprint] flattened by threes. */
  reads: unknown[];
  writes: number[];
  /** [label, pointer, writer or null, fingerprint] flattened by fours. */
  attached: unknown[];
}

const byTime = (a: RunRows, b: RunRows): number => a.start - b.start || a.seq - b.seq;

/** The derivation of one state of the rows. Arrays are indexed by run and pointer id (0: none). */
class Derivation {
  readonly sets = new LabelSets();
  /** Pointer id → the set of its latest version. */
  readonly latestSet: Int32Array;
  /** Pointer id → the run that wrote its latest version (0: none). */
  readonly latestWriter: Int32Array;
  /** Set node → the pointers whose latest version holds exactly it. */
  readonly pointersOf = new Map<number, number[]>();
  /** Set node → how many runs hold exactly it. */
  readonly runsOf = new Map<number, number>();

  /** `order`: every run, in time order (start, then log order): its data dependencies come before it. */
  constructor(order: readonly RunRows[], maxRun: number, maxPointer: number) {
    const sets = this.sets;
    this.latestSet = new Int32Array(maxPointer + 1);
    this.latestWriter = new Int32Array(maxPointer + 1);
    const attachedLabels = new Map<string, number[]>();
    const attachedPointers = new Uint8Array(maxPointer + 1);
    for (const { attached: a } of order) {
      for (let i = 0; i < a.length; i += 4) {
        const pointer = a[i + 1] as number;
        const key = versionKey(pointer, a[i + 2] as number | null, a[i + 3]);
        const list = attachedLabels.get(key);
        if (list) list.push(a[i] as number);
        else attachedLabels.set(key, [a[i] as number]);
        attachedPointers[pointer] = 1;
      }
    }
    if (attachedLabels.size === 0) return;
    const attachedNode = new Map<string, number>();
    for (const [key, labels] of attachedLabels) attachedNode.set(key, sets.attached(labels));
    const versionSet = (pointer: number, writer: number | null, fingerprint: unknown, base: number) =>
      attachedPointers[pointer]
        ? sets.union(base, attachedNode.get(versionKey(pointer, writer, fingerprint)) ?? EMPTY)
        : base;

    // A writer after its reader (an order the index does not make) counts as empty (0).
    const runSet = new Int32Array(maxRun + 1);
    /** The fingerprint of each pointer's latest read without a writer (for pointers no logged run wrote). */
    const latestRead = new Map<number, unknown>();
    // In time order, the last writer (or read) met is the latest.
    for (const { id, reads, writes } of order) {
      let set = EMPTY;
      for (let i = 0; i < reads.length; i += 3) {
        const pointer = reads[i] as number;
        const writer = reads[i + 1] as number | null;
        const base = writer === null ? EMPTY : runSet[writer];
        set = sets.union(set, versionSet(pointer, writer, reads[i + 2], base));
        if (writer === null) latestRead.set(pointer, reads[i + 2]);
      }
      runSet[id] = set;
      if (set !== EMPTY) this.runsOf.set(set, (this.runsOf.get(set) ?? 0) + 1);
      for (const pointer of writes) this.latestWriter[pointer] = id;
    }
    for (let pointer = 1; pointer <= maxPointer; pointer++) {
      const writer = this.latestWriter[pointer];
      if (writer) this.setLatest(pointer, versionSet(pointer, writer, null, runSet[writer]));
    }
    for (const [pointer, fingerprint] of latestRead) {
      if (!this.latestWriter[pointer]) this.setLatest(pointer, versionSet(pointer, null, fingerprint, EMPTY));
    }
  }

  private setLatest(pointer: number, set: number): void {
    if (set === EMPTY) return;
    this.latestSet[pointer] = set;
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

  get sets(): LabelSets {
    return this.derivation.sets;
  }

  /**
   * Brings the graph up to the index: reads the rows of the runs added or changed since the last
   * time (all of them the first time) and derives the sets again.
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
    const columns = (query: { all: string; changed: string }) =>
      this.runs.size === 0
        ? allColumns(this.host.stmt(query.all))
        : allColumns(this.host.stmt(query.changed), [JSON.stringify(changed), this.maxRun]);
    const fresh = new Map<number, RunRows>();
    const [ids, starts, seqs, uuids, components] = columns(SQL.keys);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i] as number;
      fresh.set(id, {
        id,
        start: starts[i] as number,
        seq: seqs[i] as number,
        uuid: uuids[i] as string,
        component: components[i] as string,
        startIso: undefined,
        reads: [],
        writes: [],
        attached: [],
      });
    }
    const pointer = (id: number) => {
      if (id > this.maxPointer) this.maxPointer = id;
      return id;
    };
    const [readers, read, readWriters, readPrints] = columns(SQL.reads);
    for (let i = 0; i < readers.length; i++) {
      fresh.get(readers[i] as number)?.reads.push(pointer(read[i] as number), readWriters[i], readPrints[i]);
    }
    const [writers, written] = columns(SQL.writes);
    for (let i = 0; i < writers.length; i++)
      fresh.get(writers[i] as number)?.writes.push(pointer(written[i] as number));
    const [attachers, labels, attachedTo, attachedWriters, attachedPrints] = columns(SQL.attached);
    for (let i = 0; i < attachers.length; i++) {
      fresh
        .get(attachers[i] as number)
        ?.attached.push(labels[i], pointer(attachedTo[i] as number), attachedWriters[i], attachedPrints[i]);
    }
    this.merge(fresh);
    // From here on, changes to the rows of runs up to maxRun are noted; runs above it are new.
    this.tracker.watchUpTo(this.maxRun);
    this.derivation = new Derivation(this.order, this.maxRun, this.maxPointer);
  }

  /** Takes in the rows read: a changed run's in place, new runs in time order. */
  private merge(fresh: Map<number, RunRows>): void {
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
  }

  /** The label ids the latest version of a pointer holds. */
  labelsOfPointer(pointer: number): Set<number> {
    return this.derivation.sets.labelsOf(this.derivation.latestSet[pointer] ?? EMPTY);
  }

  /** The pointers whose latest version holds any of these labels, and the runs that read them. */
  reach(labels: Iterable<number>): Reach {
    const { sets, runsOf, pointersOf, latestWriter } = this.derivation;
    const nodes: number[] = [];
    for (const label of labels) nodes.push(...sets.nodesOf(label));
    const carriers = new Map<number, number | null>();
    let runs = 0;
    for (const node of sets.above(nodes)) {
      runs += runsOf.get(node) ?? 0;
      for (const pointer of pointersOf.get(node) ?? []) carriers.set(pointer, latestWriter[pointer] || null);
    }
    return { carriers, runs };
  }

  /** Carriers as shown: pointer names (in byte order) and the runs that wrote them. */
  describe(carriers: Map<number, number | null>): CarrierRow[] {
    this.names.refresh();
    return this.names.sorted([...carriers.keys()]).map((pointer) => {
      const writer = carriers.get(pointer);
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
