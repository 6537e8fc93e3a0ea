// Applies labels and their retractions to the index (docs/EVENTS.md, Labels). Only the facts the
// events state are stored: which run attached which label to which pointer it read, and when a
// label was first retracted. Where a label reaches is derived when asked (src/core/labels/), so
// ingest costs one row per attached label, whatever the size of the lineage below it.
import type { RetractionUpdate } from './runDeltas';
import { Database, exec, first, freeStatements, prepareStatements, RowInserter, Statements } from '../sql';

const SQL = {
  findLabel: `SELECT id FROM labels WHERE name = ?`,
  insertLabel: `INSERT INTO labels (id, name) VALUES (?, ?)`,
  /** The earliest retraction wins, whatever order the events come in. */
  retract: `UPDATE labels SET retracted_ms = min(coalesce(retracted_ms, ?), ?) WHERE id = ?`,
};

export class LabelApplier {
  private readonly ids = new Map<string, number>();
  private nextId: number;
  private readonly s: Statements<keyof typeof SQL>;
  private readonly sources: RowInserter;

  constructor(db: Database) {
    this.nextId = Number(first(db.prepare('SELECT coalesce(max(id), 0) FROM labels'))![0]) + 1;
    this.s = prepareStatements(db, SQL);
    this.sources = new RowInserter(
      db,
      'INSERT OR IGNORE INTO label_sources (label_id, run_id, pointer_id) VALUES',
      3,
    );
  }

  /** The run `runId` read pointer `pointerId` with these labels. */
  attach(labels: readonly string[], runId: number, pointerId: number): void {
    for (const label of labels) this.sources.add([this.id(label), runId, pointerId]);
  }

  retract({ timeMs, labels }: RetractionUpdate): void {
    for (const label of labels) exec(this.s.retract, [timeMs, timeMs, this.id(label)]);
  }

  flush(): void {
    if (this.sources.pending) this.sources.flush();
  }

  dispose(): void {
    freeStatements(this.s);
    this.sources.free();
  }

  private id(name: string): number {
    let id = this.ids.get(name);
    if (id !== undefined) return id;
    const row = first(this.s.findLabel, [name]);
    if (row) id = Number(row[0]);
    else exec(this.s.insertLabel, [(id = this.nextId++), name]);
    this.ids.set(name, id);
    return id;
  }
}
