// Which labels each artifact carries, and which artifacts each label reaches (docs/LABELS.md).
//
// The index stores only the facts the log states: a run attached label L to the pointer P it read
// (label_sources). L then belongs to the *version* of P that run read: the output of the run it
// depends on through P, or, for a pointer no earlier run wrote, its content as read (fingerprint).
// Every run that reads a version carrying L carries it to its outputs, run after run. Nothing is
// copied per pointer at ingest: the label set of every run and latest version is derived in one
// pass when first asked (graph.ts, interned sets), and kept until the store changes.
import { LineageError } from '../model';
import { META } from '../schema';
import { all, allJson, first, jsonRowsSql, Statement } from '../sql';
import { LabelGraph } from './graph';
import { CarriedLabel, RetractedCarrier, RetractedMarks } from './retractedMarks';
import type { LabelSpread, LabelSummary } from './model';

export type { LabelSpread, LabelSummary } from './model';

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

export type { CarriedLabel, RetractedCarrier } from './retractedMarks';

/** What the label queries need of the store's queries. */
export interface LabelQueryHost {
  stmt(sql: string): Statement;
  /** Runs SQL once, not kept prepared (the graph's TEMP triggers). */
  exec(sql: string): void;
  resolvePointer(name: string): { id: number; latestWriter: number | null };
  /** Called after an ingest that read new events. */
  onDidChange(listener: () => void): { dispose(): void };
}

const SQL = {
  /** Retracted first (earliest retraction first), then by name (byte order). */
  labels: jsonRowsSql(
    `SELECT id, name, retracted_ms FROM labels ORDER BY retracted_ms IS NULL, retracted_ms, name`,
    3,
  ),
  /** The retracted labels, in the same order. */
  retracted: jsonRowsSql(
    `SELECT id, name, retracted_ms FROM labels WHERE retracted_ms IS NOT NULL ORDER BY retracted_ms, name`,
    3,
  ),
  labelByName: `SELECT id, name, retracted_ms FROM labels WHERE name = ?`,
  sourcePointers: `SELECT DISTINCT CASE WHEN p.namespace = 'file' THEN p.name ELSE p.namespace || '/' || p.name END AS n
    FROM label_sources s JOIN pointers p ON p.id = s.pointer_id WHERE s.label_id = ? ORDER BY n`,
  lastSeq: `SELECT value FROM meta WHERE key = '${META.lastSeq}'`,
};

interface LabelRow {
  id: number;
  name: string;
  retractedMs: number | null;
}

/** What one state of the store answers with, derived once. */
interface Derived {
  /** The meta seq and the count of changes it was derived at. */
  key: string;
  /** Set once the graph is brought up to this state, when a question needs it (never, while no label is retracted, for the editor's marks). */
  graph?: LabelGraph;
  /** Every label, retracted first (SQL.labels), and each id's place in it: read when first needed. */
  labels?: { rows: LabelRow[]; order: Map<number, number> };
  retractedCarriers?: readonly RetractedCarrier[];
}

export class LabelQueries {
  private changes = 0;
  private derived: Derived | undefined;
  /** The graph, kept across changes: it reads again only what changed (graph.ts). */
  private kept: LabelGraph | undefined;
  /** The editor's marks, kept up to date by the pointers each change touched (retractedMarks.ts). */
  private readonly marks = new RetractedMarks();
  private readonly subscription: { dispose(): void };

  constructor(private readonly host: LabelQueryHost) {
    this.subscription = host.onDidChange(() => {
      this.changes++;
      this.derived = undefined;
    });
  }

  /** Every label, retracted ones first (earliest retraction first), then by name. */
  list(): LabelSummary[] {
    const labels = this.labels().rows;
    if (labels.length === 0) return [];
    const counts = this.graph().pointerCounts(labels.map((l) => l.id));
    return labels.map((l) => summary(l, counts.get(l.id) ?? 0));
  }

  /** One label: the pointers whose latest version carries it, and who wrote them. */
  label(name: string): LabelDetail {
    const row = first(this.stmt(SQL.labelByName), [name]);
    if (!row) throw new LineageError(`No label "${name}" was attached or retracted in this log.`);
    const label = toLabel(row);
    const reach = this.graph().reach([label.id]);
    return {
      ...summary(label, reach.carriers.length),
      carriers: this.describe(reach.carriers),
      runs: reach.runs,
    };
  }

  /** One label's reach as the lineage graph marks it: the runs it reaches and the pointers carrying it. */
  spread(name: string): LabelSpread {
    const row = first(this.stmt(SQL.labelByName), [name]);
    if (!row) throw new LineageError(`No label "${name}" was attached or retracted in this log.`);
    const label = toLabel(row);
    const graph = this.graph();
    return {
      label: label.name,
      retractedAt: iso(label.retractedMs),
      runIds: graph.runsReached([label.id]),
      pointers: this.describe(graph.reach([label.id]).carriers).map((c) => c.pointer),
      sources: all(this.stmt(SQL.sourcePointers), [label.id]).map(([p]) => String(p)),
    };
  }

  /** The labels the latest version of a pointer carries, retracted ones first. */
  ofPointer(pointerName: string): CarriedLabel[] {
    const pointer = this.host.resolvePointer(pointerName);
    const labels = this.labels();
    if (labels.rows.length === 0) return [];
    const ids = this.graph().labelsOfPointer(pointer.id);
    // Their places in SQL.labels' order, sorted natively (a typed array needs no comparator).
    const places = new Int32Array(ids.length);
    for (let i = 0; i < ids.length; i++) places[i] = labels.order.get(ids[i])!;
    places.sort();
    return Array.from(places, (at) => carried(labels.rows[at]));
  }

  /** Every pointer whose latest version carries a retracted label, with those labels. */
  retractedCarriers(): readonly RetractedCarrier[] {
    const derived = this.current();
    if (derived.retractedCarriers) return derived.retractedCarriers;
    // Only the retracted labels are read (the editor asks after every change; most are not).
    const retracted = allJson(this.stmt(SQL.retracted)).map(toLabel);
    if (retracted.length === 0) return (derived.retractedCarriers = []);
    const marks = this.marks.answer(
      this.graph(),
      retracted.map((l) => ({ id: l.id, shown: carried(l) })),
    );
    return (derived.retractedCarriers = marks);
  }

  /** How many interned label sets the derivation holds (its storage: docs/LABELS.md, Scale). */
  setCount(): number {
    return this.graph().sets.size - 1;
  }

  /** How the label sets and the marks were brought up to date so far (tests: which path was taken). */
  derivations(): { full: number; extended: number; wholeMarks: number } {
    return { ...(this.kept?.derivations ?? { full: 0, extended: 0 }), wholeMarks: this.marks.wholeAnswers };
  }

  /** Stops following the store's changes. */
  dispose(): void {
    this.subscription.dispose();
  }

  private stmt(sql: string): Statement {
    return this.host.stmt(sql);
  }

  /** The derivation of the store as it is now: kept until an ingest reads new events. */
  private current(): Derived {
    const key = `${this.changes}:${String(first(this.stmt(SQL.lastSeq))?.[0] ?? 0)}`;
    if (this.derived?.key === key) return this.derived;
    this.derived = { key };
    return this.derived;
  }

  /** Every label of the store as it is now, retracted first. */
  private labels(): NonNullable<Derived['labels']> {
    const derived = this.current();
    if (!derived.labels) {
      const rows = allJson(this.stmt(SQL.labels)).map(toLabel);
      derived.labels = { rows, order: new Map(rows.map((l, i) => [l.id, i])) };
    }
    return derived.labels;
  }

  private graph(): LabelGraph {
    const derived = this.current();
    if (!derived.graph) {
      if (this.kept) this.kept.refresh();
      else this.kept = new LabelGraph(this.host);
      derived.graph = this.kept;
    }
    return derived.graph;
  }

  private describe(carriers: number[]): LabelCarrier[] {
    return this.graph().describe(carriers);
  }
}

function toLabel(row: unknown[]): LabelRow {
  return { id: Number(row[0]), name: String(row[1]), retractedMs: row[2] === null ? null : Number(row[2]) };
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

const carried = (l: LabelRow): CarriedLabel => ({ label: l.name, retractedAt: iso(l.retractedMs) });

function summary(label: LabelRow, pointers: number): LabelSummary {
  return { label: label.name, retractedAt: iso(label.retractedMs), pointers };
}
