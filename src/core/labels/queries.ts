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

export interface CarriedLabel {
  label: string;
  retractedAt: string | null;
}

/**
 * A file that holds data of retracted labels. Kept and shared until the store changes (the
 * editor asks on every change): read, never changed.
 */
export interface RetractedCarrier {
  readonly pointer: string;
  readonly labels: readonly CarriedLabel[];
}

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
  /** Every label, retracted first (SQL.labels). */
  labels: LabelRow[];
  /** Label id → its place in `labels`. */
  order: Map<number, number>;
  retractedCarriers?: RetractedCarrier[];
}

export class LabelQueries {
  private changes = 0;
  private derived: Derived | undefined;
  /** The graph, kept across changes: it reads again only what changed (graph.ts). */
  private kept: LabelGraph | undefined;
  private readonly subscription: { dispose(): void };

  constructor(private readonly host: LabelQueryHost) {
    this.subscription = host.onDidChange(() => {
      this.changes++;
      this.derived = undefined;
    });
  }

  /** Every label, retracted ones first (earliest retraction first), then by name. */
  list(): LabelSummary[] {
    const { labels } = this.current();
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
    const { labels, order } = this.current();
    if (labels.length === 0) return [];
    return [...this.graph().labelsOfPointer(pointer.id)]
      .map((id) => order.get(id)!)
      .sort((a, b) => a - b)
      .map((at) => carried(labels[at]));
  }

  /** Every pointer whose latest version carries a retracted label, with those labels. */
  retractedCarriers(): readonly RetractedCarrier[] {
    const derived = this.current();
    if (derived.retractedCarriers) return derived.retractedCarriers;
    const retracted = derived.labels.filter((l) => l.retractedMs !== null);
    if (retracted.length === 0) return (derived.retractedCarriers = []);
    const reach = this.graph().reachOfEach(retracted.map((l) => l.id));
    // Each label described once; a pointer that carries one of them shares its one-label list.
    const byPointer = new Map<number, readonly CarriedLabel[]>();
    for (const label of retracted) {
      const alone = [carried(label)];
      for (const pointer of reach.get(label.id)!.carriers) {
        const list = byPointer.get(pointer);
        byPointer.set(pointer, list ? [...list, alone[0]] : alone);
      }
    }
    derived.retractedCarriers = this.graph()
      .named([...byPointer.keys()])
      .map(([id, pointer]) => ({ pointer, labels: byPointer.get(id)! }));
    return derived.retractedCarriers;
  }

  /** How many interned label sets the derivation holds (its storage: docs/LABELS.md, Scale). */
  setCount(): number {
    return this.graph().sets.size - 1;
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
    const labels = allJson(this.stmt(SQL.labels)).map(toLabel);
    this.derived = { key, labels, order: new Map(labels.map((l, i) => [l.id, i])) };
    return this.derived;
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
