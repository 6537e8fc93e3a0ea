// Which labels each artifact carries, and which artifacts each label reaches (docs/LABELS.md).
//
// The index stores only the facts the log states: a run attached label L to the pointer P it read
// (label_sources). L then belongs to the *version* of P that run read: the output of the run it
// depends on through P, or, for a pointer no earlier run wrote, its content as read (fingerprint).
// Every run that reads a version carrying L carries it to its outputs, run after run. Nothing is
// copied per pointer at ingest: reach is walked over the data dependencies when asked (SQLite's
// recursive query, iterative), one walk per distinct set of attached versions (10,000 labels
// attached to one input cost one walk).
import { LineageError } from '../model';
import { DIR } from '../schema';
import { all, first, Statement } from '../sql';

export interface LabelSummary {
  label: string;
  /** ISO time of the (first) retraction, or null. */
  retractedAt: string | null;
  /** How many pointers carry it now (their latest version). */
  pointers: number;
}

/** A pointer whose latest version carries a label, and the run that wrote that version. */
export interface LabelCarrier {
  pointer: string;
  /** null: a pointer no logged run wrote (the label was attached where it was read). */
  runId: string | null;
  component: string | null;
  writtenAt: string | null;
}

export interface LabelDetail extends LabelSummary {
  carriers: LabelCarrier[];
  /** Runs that read data carrying the label, directly or downstream. */
  runs: number;
}

/** Where a label reaches, for the lineage graph to mark: run ids and pointer names. */
export interface LabelSpread extends Omit<LabelSummary, 'pointers'> {
  /** Runs that read data carrying the label, directly or downstream (full run ids). */
  runIds: string[];
  /** Pointers whose latest version carries it. */
  pointers: string[];
  /** Pointers it was attached to (where a run read its data). */
  sources: string[];
}

export interface CarriedLabel {
  label: string;
  retractedAt: string | null;
}

/** What the label queries need of the store's queries. */
export interface LabelQueryHost {
  stmt(sql: string): Statement;
  resolvePointer(name: string): { id: number; latestWriter: number | null };
}

/** A pointer's version: what one run wrote (writer), or content no logged run wrote. */
interface Version {
  pointer: number;
  writer: number | null;
  fingerprint: string | null;
}
const versionKey = (v: Version): string =>
  v.writer !== null ? `${v.pointer}:w${v.writer}` : `${v.pointer}:r${v.fingerprint ?? ''}`;

/** Rows: label, pointer, the writer the reading run depends on through it, the fingerprint read. */
const SOURCE_VERSIONS = `SELECT s.label_id, s.pointer_id, d.dep_run_id, io.fingerprint FROM label_sources s
  LEFT JOIN deps d ON d.run_id = s.run_id AND d.via = s.pointer_id
  LEFT JOIN run_io io ON io.run_id = s.run_id AND io.dir = ${DIR.input} AND io.pointer_id = s.pointer_id`;

const IDS = `SELECT value FROM json_each(?)`;

const SQL = {
  labels: `SELECT id, name, retracted_ms FROM labels`,
  labelByName: `SELECT id, name, retracted_ms FROM labels WHERE name = ?`,
  sourcesOfLabels: `${SOURCE_VERSIONS} WHERE s.label_id IN (${IDS})`,
  sourcesOnPointers: `${SOURCE_VERSIONS} WHERE s.pointer_id IN (${IDS})`,
  labelledPointers: `SELECT DISTINCT pointer_id FROM label_sources`,
  readersOfWrite: `SELECT run_id FROM deps WHERE dep_run_id = ? AND via = ?`,
  readersOfContent: `SELECT i.run_id FROM run_io i LEFT JOIN deps d ON d.run_id = i.run_id AND d.via = i.pointer_id
    WHERE i.pointer_id = ? AND i.dir = ${DIR.input} AND d.run_id IS NULL AND i.fingerprint IS ?`,
  /**
   * The runs downstream of the seeds through data (never through a declared upstream), each with
   * the pointers it wrote and whether it is their latest writer, in one recursive query. Measured
   * at 20,000 runs against loading the edges and walking them with traversal.ts, then asking for
   * the latest writers: one label 1.2 s against 1.6 s, the list of 10,000 labels about the same.
   */
  downstream: `WITH RECURSIVE down(id) AS (${IDS}
      UNION SELECT d.run_id FROM deps d JOIN down ON d.dep_run_id = down.id WHERE d.via > 0)
    SELECT down.id, o.pointer_id, NOT EXISTS (SELECT 1 FROM run_io w WHERE w.pointer_id = o.pointer_id
      AND w.dir = ${DIR.output} AND (w.start_ms > o.start_ms OR (w.start_ms = o.start_ms AND w.seq > o.seq)))
    FROM down LEFT JOIN run_io o ON o.run_id = down.id AND o.dir = ${DIR.output}`,
  /** Every version read by a run and the runs upstream of it through data. */
  versionsUpstream: `WITH RECURSIVE up(id) AS (SELECT ?
      UNION SELECT d.dep_run_id FROM deps d JOIN up ON d.run_id = up.id WHERE d.via > 0)
    SELECT io.pointer_id, d.dep_run_id, io.fingerprint FROM up JOIN run_io io ON io.run_id = up.id AND io.dir = ${DIR.input}
    LEFT JOIN deps d ON d.run_id = io.run_id AND d.via = io.pointer_id`,
  uuids: `SELECT uuid FROM runs WHERE id IN (${IDS})`,
  sourcePointers: `SELECT DISTINCT CASE WHEN p.namespace = 'file' THEN p.name ELSE p.namespace || '/' || p.name END AS n
    FROM label_sources s JOIN pointers p ON p.id = s.pointer_id WHERE s.label_id = ? ORDER BY n`,
  latestWriter: `SELECT run_id FROM run_io WHERE pointer_id = ? AND dir = ${DIR.output} ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  latestRead: `SELECT fingerprint FROM run_io WHERE pointer_id = ? AND dir = ${DIR.input} ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  /** Display rows of [pointer id, writer run id or null] pairs. */
  carriers: `SELECT p.id, CASE WHEN p.namespace = 'file' THEN p.name ELSE p.namespace || '/' || p.name END, r.uuid, c.name, r.start_ms
    FROM json_each(?) j JOIN pointers p ON p.id = j.value ->> 0
    LEFT JOIN runs r ON r.id = j.value ->> 1 LEFT JOIN components c ON c.id = r.component_id`,
};

interface LabelRow {
  id: number;
  name: string;
  retractedMs: number | null;
}

/** Where one group of labels (attached to the same versions) reaches. */
interface Reach {
  /** Pointer id → the writer of its latest version (null: no logged run wrote it). */
  carriers: Map<number, number | null>;
  runs: number;
  /** The runs reached (index ids). */
  runIds: Set<number>;
}

export class LabelQueries {
  constructor(private readonly host: LabelQueryHost) {}

  /** Every label, retracted ones first (earliest retraction first), then by name. */
  list(): LabelSummary[] {
    const labels = all(this.stmt(SQL.labels)).map(toLabel);
    const reach = this.reachByLabel(labels.map((l) => l.id));
    return labels.sort(retractedFirst).map((l) => summary(l, reach.get(l.id)?.carriers.size ?? 0));
  }

  /** One label: the pointers whose latest version carries it, and who wrote them. */
  label(name: string): LabelDetail {
    const row = first(this.stmt(SQL.labelByName), [name]);
    if (!row) throw new LineageError(`No label "${name}" was attached or retracted in this log.`);
    const label = toLabel(row);
    const reach = this.reachOne(label);
    return {
      ...summary(label, reach.carriers.size),
      carriers: this.describe(reach.carriers),
      runs: reach.runs,
    };
  }

  /** One label's reach as the lineage graph marks it: the runs it reaches and the pointers carrying it. */
  spread(name: string): LabelSpread {
    const row = first(this.stmt(SQL.labelByName), [name]);
    if (!row) throw new LineageError(`No label "${name}" was attached or retracted in this log.`);
    const label = toLabel(row);
    const reach = this.reachOne(label);
    const runIds = all(this.stmt(SQL.uuids), [JSON.stringify([...reach.runIds])]).map(([uuid]) =>
      String(uuid),
    );
    return {
      label: label.name,
      retractedAt: iso(label.retractedMs),
      runIds: runIds.sort(),
      pointers: this.describe(reach.carriers).map((c) => c.pointer),
      sources: all(this.stmt(SQL.sourcePointers), [label.id]).map(([p]) => String(p)),
    };
  }

  private reachOne(label: LabelRow): Reach {
    return this.reachByLabel([label.id]).get(label.id) ?? { carriers: new Map(), runs: 0, runIds: new Set() };
  }

  /** The labels the latest version of a pointer carries, retracted ones first. */
  ofPointer(pointerName: string): CarriedLabel[] {
    const pointer = this.host.resolvePointer(pointerName);
    const versions = new Map<string, Version>();
    const add = (v: Version) => versions.set(versionKey(v), v);
    if (pointer.latestWriter !== null) {
      add({ pointer: pointer.id, writer: pointer.latestWriter, fingerprint: null });
      for (const [p, dep, fp] of all(this.stmt(SQL.versionsUpstream), [pointer.latestWriter])) {
        add(toVersion(p, dep, fp));
      }
    } else {
      const latest = first(this.stmt(SQL.latestRead), [pointer.id]);
      add({ pointer: pointer.id, writer: null, fingerprint: latest?.[0] == null ? null : String(latest[0]) });
    }
    const read = new Set([...versions.values()].map((v) => v.pointer));
    const pointers = all(this.stmt(SQL.labelledPointers))
      .map(([p]) => Number(p))
      .filter((p) => read.has(p));
    const ids = new Set<number>();
    for (const [label, p, dep, fp] of all(this.stmt(SQL.sourcesOnPointers), [JSON.stringify(pointers)])) {
      if (versions.has(versionKey(toVersion(p, dep, fp)))) ids.add(Number(label));
    }
    if (ids.size === 0) return [];
    return all(this.stmt(SQL.labels))
      .map(toLabel)
      .filter((l) => ids.has(l.id))
      .sort(retractedFirst)
      .map((l) => ({ label: l.name, retractedAt: iso(l.retractedMs) }));
  }

  /** Every pointer whose latest version carries a retracted label, with those labels. */
  retractedCarriers(): Array<{ pointer: string; labels: CarriedLabel[] }> {
    const retracted = all(this.stmt(SQL.labels))
      .map(toLabel)
      .filter((l) => l.retractedMs !== null);
    const reach = this.reachByLabel(retracted.map((l) => l.id));
    const byPointer = new Map<number, LabelRow[]>();
    for (const label of retracted.sort(retractedFirst)) {
      for (const pointer of reach.get(label.id)?.carriers.keys() ?? []) {
        const list = byPointer.get(pointer);
        if (list) list.push(label);
        else byPointer.set(pointer, [label]);
      }
    }
    const ids = [...byPointer.keys()].map((id) => [id, null]);
    return all(this.stmt(SQL.carriers), [JSON.stringify(ids)])
      .map(([id, pointer]) => ({
        pointer: String(pointer),
        labels: byPointer.get(Number(id))!.map((l) => ({ label: l.name, retractedAt: iso(l.retractedMs) })),
      }))
      .sort((a, b) => byteOrder(a.pointer, b.pointer));
  }

  private stmt(sql: string): Statement {
    return this.host.stmt(sql);
  }

  /** Reach of each label: labels attached to the same versions share one walk. */
  private reachByLabel(labelIds: number[]): Map<number, Reach> {
    const versionsOf = new Map<number, Map<string, Version>>();
    for (const [label, p, dep, fp] of all(this.stmt(SQL.sourcesOfLabels), [JSON.stringify(labelIds)])) {
      const id = Number(label);
      let versions = versionsOf.get(id);
      if (!versions) versionsOf.set(id, (versions = new Map()));
      const version = toVersion(p, dep, fp);
      versions.set(versionKey(version), version);
    }
    const groups = new Map<string, { versions: Version[]; labels: number[] }>();
    for (const [label, versions] of versionsOf) {
      const signature = [...versions.keys()].sort().join(' ');
      const group = groups.get(signature);
      if (group) group.labels.push(label);
      else groups.set(signature, { versions: [...versions.values()], labels: [label] });
    }
    const result = new Map<number, Reach>();
    for (const { versions, labels } of groups.values()) {
      const reach = this.reach(versions);
      for (const label of labels) result.set(label, reach);
    }
    return result;
  }

  /** The runs that read these versions or depend on such a run through data, and the pointers they carry to. */
  private reach(versions: Version[]): Reach {
    const seeds = new Set<number>();
    for (const v of versions) {
      const rows =
        v.writer !== null
          ? all(this.stmt(SQL.readersOfWrite), [v.writer, v.pointer])
          : all(this.stmt(SQL.readersOfContent), [v.pointer, v.fingerprint]);
      for (const [run] of rows) seeds.add(Number(run));
    }
    const reached = new Set<number>();
    const carriers = new Map<number, number | null>();
    if (seeds.size) {
      for (const [run, pointer, latest] of all(this.stmt(SQL.downstream), [JSON.stringify([...seeds])])) {
        reached.add(Number(run));
        if (pointer !== null && latest === 1) carriers.set(Number(pointer), Number(run));
      }
    }
    // The attached versions themselves, while they are their pointer's latest.
    for (const v of versions) {
      if (carriers.has(v.pointer)) continue;
      const writer = first(this.stmt(SQL.latestWriter), [v.pointer]);
      if (v.writer !== null) {
        if (writer && Number(writer[0]) === v.writer) carriers.set(v.pointer, v.writer);
      } else if (!writer) {
        const read = first(this.stmt(SQL.latestRead), [v.pointer]);
        const fingerprint = read?.[0] == null ? null : String(read[0]);
        if (fingerprint === v.fingerprint) carriers.set(v.pointer, null);
      }
    }
    return { carriers, runs: reached.size, runIds: reached };
  }

  private describe(carriers: Map<number, number | null>): LabelCarrier[] {
    const pairs = [...carriers];
    return all(this.stmt(SQL.carriers), [JSON.stringify(pairs)])
      .map(([, pointer, uuid, component, start]) => ({
        pointer: String(pointer),
        runId: uuid === null ? null : String(uuid),
        component: component === null ? null : String(component),
        writtenAt: start === null ? null : new Date(Number(start)).toISOString(),
      }))
      .sort((a, b) => byteOrder(a.pointer, b.pointer));
  }
}

function toLabel(row: unknown[]): LabelRow {
  return { id: Number(row[0]), name: String(row[1]), retractedMs: row[2] === null ? null : Number(row[2]) };
}

function toVersion(pointer: unknown, dep: unknown, fingerprint: unknown): Version {
  return {
    pointer: Number(pointer),
    writer: dep === null ? null : Number(dep),
    fingerprint: dep !== null || fingerprint === null ? null : String(fingerprint),
  };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

function summary(label: LabelRow, pointers: number): LabelSummary {
  return { label: label.name, retractedAt: iso(label.retractedMs), pointers };
}

function retractedFirst(a: LabelRow, b: LabelRow): number {
  if ((a.retractedMs === null) !== (b.retractedMs === null)) return a.retractedMs === null ? 1 : -1;
  if (a.retractedMs !== null && b.retractedMs !== null && a.retractedMs !== b.retractedMs)
    return a.retractedMs - b.retractedMs;
  return byteOrder(a.name, b.name);
}

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
