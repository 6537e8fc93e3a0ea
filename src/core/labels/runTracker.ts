// Which known runs had their rows changed since the label graph last read them (graph.ts): a run
// read late moves a writer between its readers, a COMPLETE adds outputs to a run read at START,
// a late attachment names an old read. TEMP triggers on the tables the graph reads note the run
// of every row changed, for runs up to the last one the graph read (rows of runs above it are
// read as new). TEMP: they belong to this connection, never to the snapshot, and a run ingested
// above the mark pays only the comparison in the WHEN clause.
import { all, exec, first, Statement } from '../sql';

/** What the tracker needs of the store: prepared statements, and DDL run once. */
export interface TrackerHost {
  stmt(sql: string): Statement;
  exec(sql: string): void;
}

const TABLE = 'label_changed_runs';

/** [trigger name, event and table, the run column of the row (NEW or OLD)]. */
const TRIGGERS: Array<[string, string, string]> = [
  ['label_io_insert', 'AFTER INSERT ON main.run_io', 'NEW.run_id'],
  ['label_io_update', 'AFTER UPDATE ON main.run_io', 'OLD.run_id'],
  ['label_io_delete', 'AFTER DELETE ON main.run_io', 'OLD.run_id'],
  ['label_deps_insert', 'AFTER INSERT ON main.deps', 'NEW.run_id'],
  ['label_deps_update', 'AFTER UPDATE ON main.deps', 'OLD.run_id'],
  ['label_deps_delete', 'AFTER DELETE ON main.deps', 'OLD.run_id'],
  ['label_runs_update', 'AFTER UPDATE OF start_ms, seq, component_id ON main.runs', 'OLD.id'],
  ['label_sources_insert', 'AFTER INSERT ON main.label_sources', 'NEW.run_id'],
];

export class RunTracker {
  private watching = false;

  constructor(private readonly host: TrackerHost) {}

  /**
   * The runs changed since the last call, and forgets them; null the first time (nothing was
   * watched: everything must be read).
   */
  takeChanged(): number[] | null {
    if (!this.watching) return null;
    // Made inside an ingest's transaction that then rolled back, the triggers are gone: read everything.
    const names = TRIGGERS.map(([name]) => `'${name}'`).join(', ');
    const triggers = first(
      this.host.stmt(`SELECT count(*) FROM sqlite_temp_master WHERE name IN (${names})`),
    );
    if (Number(triggers?.[0]) !== TRIGGERS.length) {
      this.watching = false;
      return null;
    }
    const runs = all(this.host.stmt(`SELECT run_id FROM temp.${TABLE}`)).map((r) => Number(r[0]));
    exec(this.host.stmt(`DELETE FROM temp.${TABLE}`));
    return runs;
  }

  /** From now on, notes the changes to the rows of runs up to `maxRun`. */
  watchUpTo(maxRun: number): void {
    const statements = [`CREATE TEMP TABLE IF NOT EXISTS ${TABLE} (run_id INTEGER PRIMARY KEY)`];
    // Rows noted for an index that was rebuilt since belong to nobody.
    if (!this.watching) statements.push(`DELETE FROM temp.${TABLE}`);
    for (const [name, on, run] of TRIGGERS) {
      // Within a trigger a table name cannot be qualified: a TEMP trigger finds the TEMP table.
      statements.push(
        `DROP TRIGGER IF EXISTS temp.${name}`,
        `CREATE TEMP TRIGGER ${name} ${on} WHEN ${run} <= ${Math.floor(maxRun)}
          BEGIN INSERT OR IGNORE INTO ${TABLE} (run_id) VALUES (${run}); END`,
      );
    }
    this.host.exec(statements.join(';\n'));
    this.watching = true;
  }
}
