// The lineage store: a sql.js index over the event log, loaded from a snapshot and kept up to date
// by reading only what was appended since. The log is the truth; the snapshot can always go.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Ingestor } from './ingest/applyBatch';
import { LogBatchSink, LogFileSpan, readLogBatches } from './ingest/batches';
import type { LogPosition } from './ingest/readLines';
import type { IngestReport, Problem } from './model';
import { Queries } from './queries';
import { QUERY_INDEXES, QUERY_INDEX_NAMES, SCHEMA, SCHEMA_VERSION } from './schema';
import { all, Database, first, loadSqlJs } from './sql';
import { eventsDir, snapshotPath, StoreLocation, storeLocation } from './storeDir';
import {
  readLogBatchesInBackground,
  readLogBatchesInWorker,
  WorkerFailure,
  workerAvailable,
  WorkerOptions,
} from './ingest/worker/host';

export interface OpenOptions {
  /** The `.mltrace` folder. */
  dir: string;
  /** Called with a sentence when the snapshot had to be rebuilt, and why. */
  onMessage?: (message: string) => void;
  /** Skip ingesting at open (the caller will call `ingest()`). */
  deferIngest?: boolean;
  /**
   * Parse the log in a worker thread while this thread applies it: `auto` (the default) when there
   * are at least 4 MiB to read, as when a large log is indexed for the first time.
   */
  parseInWorker?: 'auto' | 'always' | 'never';
  /** How the parsing worker starts (tests make it fail). */
  worker?: WorkerOptions;
}

/** From this much new log on an empty index, query-only indexes are built once at the end. */
const BULK_BYTES = 1024 * 1024;
/** From this much new log, `parseInWorker: 'auto'` starts the worker (it costs ~30 ms to start). */
const WORKER_BYTES = 4 * 1024 * 1024;

export class LineageStore extends Queries {
  private ingestor: Ingestor | undefined;
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** An ingestInBackground is applying batches (its transaction is open). */
  private busy = false;

  private constructor(
    db: Database,
    readonly location: StoreLocation,
    private readonly onMessage: (message: string) => void,
    /** Why the snapshot was not used, if it was not. */
    private rebuildReason: string | null,
    private readonly parseInWorker: 'auto' | 'always' | 'never',
    private readonly workerOptions: WorkerOptions,
  ) {
    super(db, location.root);
  }

  static async open(options: OpenOptions): Promise<LineageStore> {
    const SQL = await loadSqlJs();
    const location = storeLocation(path.resolve(options.dir));
    const onMessage = options.onMessage ?? (() => undefined);
    const file = snapshotPath(location.storeDir);
    let db: Database | undefined;
    let reason: string | null = null;
    if (fs.existsSync(file)) {
      try {
        const bytes = fs.readFileSync(file);
        db = configure(new SQL.Database(bytes));
        const version = first(db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`));
        if (!version || Number(version[0]) !== SCHEMA_VERSION) {
          reason = `the snapshot ${file} has schema version ${version?.[0] ?? 'unknown'}, this version needs ${SCHEMA_VERSION}`;
        } else if (readChecksum(file) !== checksum(bytes)) {
          // A damaged page elsewhere would otherwise surface later, as a failing ingest or query;
          // a checksum finds it for the price of one hash, where an integrity check reads it all.
          reason = `the snapshot ${file} is damaged (it does not match ${path.basename(checksumPath(file))})`;
        }
      } catch (error) {
        reason = `the snapshot ${file} could not be read (${(error as Error).message})`;
      }
      if (reason) {
        db?.close();
        db = undefined;
      }
    }
    db ??= createDatabase(new SQL.Database());
    const store = new LineageStore(
      db,
      location,
      onMessage,
      reason,
      options.parseInWorker ?? 'auto',
      options.worker ?? {},
    );
    if (!options.deferIngest) store.ingest();
    return store;
  }

  /**
   * Bytes of log not read yet (cheap: a directory listing and a stat per file). A caller can show
   * progress before an `ingest()` that will take a while.
   */
  pendingBytes(): number {
    this.assertOpen();
    const { names, positions, sizes } = this.logFiles();
    // A snapshot that will be rebuilt means the whole log is read again.
    if (this.rebuildReason) positions.clear();
    return names.reduce(
      (n, name) => n + Math.max(0, (sizes.get(name) ?? 0) - (positions.get(name)?.offset ?? 0)),
      0,
    );
  }

  /** The event files, their sizes now, and how far each was read. */
  private logFiles(): { names: string[]; positions: Map<string, LogPosition>; sizes: Map<string, number> } {
    const dir = eventsDir(this.location.storeDir);
    let names: string[] = [];
    try {
      names = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.jsonl'))
        .sort();
    } catch {
      // No events folder yet: nothing has been logged.
    }
    const positions = new Map(
      all(this.stmt('SELECT path, offset, line FROM log_files')).map((r) => [
        String(r[0]),
        { offset: Number(r[1]), line: Number(r[2]) },
      ]),
    );
    const sizes = new Map<string, number>();
    for (const name of names) {
      try {
        sizes.set(name, fs.statSync(path.join(dir, name)).size);
      } catch {
        // Removed between readdir and stat.
      }
    }
    return { names, positions, sizes };
  }

  /** Reads everything appended to the log since the last call and brings the index up to date. */
  ingest(): IngestReport {
    this.assertReady();
    const { spans, backlog, rebuilt } = this.plan();
    const inWorker =
      this.parseInWorker === 'always' || (this.parseInWorker === 'auto' && backlog >= WORKER_BYTES);
    let report: IngestReport;
    try {
      report = this.apply(spans, backlog, inWorker && this.canUseWorker());
    } catch (error) {
      if (!(error instanceof WorkerFailure)) throw error;
      this.workerFailed(error);
      report = this.apply(spans, backlog, false);
    }
    return this.finish(report, rebuilt);
  }

  /**
   * Like `ingest()`, parsing in a worker thread, but this thread serves its event loop between
   * batches: for an editor that must stay responsive while a large log is indexed. Until it
   * settles, `ingest()` throws and `save()` waits; queries answer from what is applied so far.
   */
  async ingestInBackground(): Promise<IngestReport> {
    this.assertReady();
    const { spans, backlog, rebuilt } = this.plan();
    if (spans.length === 0 || !this.canUseWorker())
      return this.finish(this.apply(spans, backlog, false), rebuilt);
    let report: IngestReport;
    const transaction = this.begin(spans, backlog, true);
    this.busy = true;
    try {
      transaction.commit(
        await readLogBatchesInBackground(spans, transaction.seq, transaction.sink, this.workerOptions),
      );
      report = transaction.report;
    } catch (error) {
      transaction.abort();
      if (!(error instanceof WorkerFailure) || this.closed) throw error;
      this.workerFailed(error);
      report = this.apply(spans, backlog, false);
    } finally {
      this.busy = false;
    }
    return this.finish(report, rebuilt);
  }

  /** What the next ingest reads: the new part of each file (all of it if the index is rebuilt). */
  private plan(): { spans: LogFileSpan[]; backlog: number; rebuilt: string | null } {
    const dir = eventsDir(this.location.storeDir);
    const { names, positions, sizes } = this.logFiles();
    const shrunk = [...positions].find(([name, pos]) => (sizes.get(name) ?? 0) < pos.offset);
    if (shrunk && !this.rebuildReason) {
      this.rebuildReason = `the event file ${path.join(dir, shrunk[0])} is shorter than what was already read from it`;
    }
    let rebuilt: string | null = null;
    if (this.rebuildReason) {
      rebuilt = `Rebuilt the lineage index from the event log: ${this.rebuildReason}.`;
      this.onMessage(rebuilt);
      this.rebuildReason = null;
      this.resetDatabase();
      positions.clear();
    }
    const spans: LogFileSpan[] = [];
    for (const name of names) {
      const size = sizes.get(name);
      const from = positions.get(name) ?? { offset: 0, line: 0 };
      if (size !== undefined && size > from.offset)
        spans.push({ name, file: path.join(dir, name), from, size });
    }
    const backlog = spans.reduce((n, span) => n + span.size - span.from.offset, 0);
    return { spans, backlog, rebuilt };
  }

  private canUseWorker(): boolean {
    return this.workerOptions.script !== undefined || workerAvailable();
  }

  private workerFailed(error: WorkerFailure): void {
    this.onMessage(
      `Reading the event log in a worker thread failed (${error.message.split('\n')[0]}); read it on the main thread instead.`,
    );
  }

  private finish(report: IngestReport, rebuilt: string | null): IngestReport {
    report.rebuilt = rebuilt;
    if (report.bytes > 0) {
      this.dirty = true;
      this.changed();
    }
    return report;
  }

  /** Reads the spans and applies them in one transaction: all of it, or (on an error) none. */
  private apply(spans: LogFileSpan[], backlog: number, inWorker: boolean): IngestReport {
    const transaction = this.begin(spans, backlog, inWorker);
    try {
      transaction.commit(
        inWorker
          ? readLogBatchesInWorker(spans, transaction.seq, transaction.sink, this.workerOptions)
          : readLogBatches(spans, transaction.seq, transaction.sink),
      );
    } catch (error) {
      transaction.abort();
      throw error;
    }
    return transaction.report;
  }

  /**
   * Opens the transaction of an ingest: the sink that applies batches, then `commit` with the last
   * event number, or `abort`.
   */
  private begin(spans: LogFileSpan[], backlog: number, inWorker: boolean) {
    const report: IngestReport = {
      files: spans.length,
      bytes: 0,
      events: 0,
      runs: 0,
      problems: [],
      rebuilt: null,
      parsedInWorker: inWorker,
      waiting: [],
    };
    const ingestor = (this.ingestor ??= new Ingestor(this.db));
    const seq = Number(first(this.stmt(`SELECT value FROM meta WHERE key = 'seq'`))?.[0] ?? 0);
    const runsBefore = this.runCount();
    const bulk = ingestor.knowsEveryRun && backlog >= BULK_BYTES && runsBefore === 0;
    const setPosition = this.stmt('INSERT OR REPLACE INTO log_files (path, offset, line) VALUES (?, ?, ?)');
    const addProblem = this.stmt(
      'INSERT OR IGNORE INTO problems (file, line, reason, severity) VALUES (?, ?, ?, ?)',
    );
    const assertOpen = () => this.assertOpen();
    const sink: LogBatchSink = {
      batch(fileIndex, batch, problems, events) {
        assertOpen();
        const span = spans[fileIndex];
        for (const problem of problems) {
          report.problems.push({ file: span.file, ...problem });
          addProblem.run([span.name, problem.line, problem.reason, problem.severity]);
        }
        report.events += events;
        ingestor.apply(batch);
      },
      fileDone(fileIndex, position) {
        assertOpen();
        const span = spans[fileIndex];
        report.bytes += position.offset - span.from.offset;
        if (position.offset < span.size)
          report.waiting.push({ file: span.file, bytes: span.size - position.offset });
        setPosition.run([span.name, position.offset, position.line]);
      },
    };
    this.db.exec('BEGIN');
    if (bulk) for (const index of QUERY_INDEX_NAMES) this.db.exec(`DROP INDEX ${index}`);
    return {
      report,
      sink,
      seq,
      commit: (last: number) => {
        this.stmt(`INSERT OR REPLACE INTO meta (key, value) VALUES ('seq', ?)`).run([String(last)]);
        if (bulk) this.db.exec(QUERY_INDEXES);
        this.db.exec('COMMIT');
        report.runs = this.runCount() - runsBefore;
      },
      abort: () => {
        // A closed store's database is gone, and with it the transaction.
        if (!this.closed) this.db.exec('ROLLBACK');
        // The cached state of the ingestor may no longer match the database.
        this.ingestor?.dispose();
        this.ingestor = undefined;
      },
    };
  }

  /** Every problem found in the log so far (malformed lines, ignored facets). */
  problems(): Problem[] {
    const dir = eventsDir(this.location.storeDir);
    return all(this.stmt('SELECT file, line, reason, severity FROM problems ORDER BY file, line')).map(
      (r) => ({
        file: path.join(dir, String(r[0])),
        line: Number(r[1]),
        reason: String(r[2]),
        severity: r[3] === 'warning' ? 'warning' : 'error',
      }),
    );
  }

  /** Writes the snapshot atomically (temp file + rename), if anything changed since the last save. */
  save(): boolean {
    this.assertOpen();
    // Mid-ingest the index is half a transaction; the ingest marks it dirty when it is done.
    if (this.busy) return false;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.dirty) return false;
    const file = snapshotPath(this.location.storeDir);
    const temp = `${file}.${process.pid}.tmp`;
    const tempChecksum = `${checksumPath(file)}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const bytes = this.db.export();
    fs.writeFileSync(temp, bytes);
    fs.writeFileSync(tempChecksum, checksum(bytes));
    // A crash between the two renames leaves a pair that does not match: rebuilt, never wrong.
    fs.renameSync(temp, file);
    fs.renameSync(tempChecksum, checksumPath(file));
    this.dirty = false;
    return true;
  }

  /** Saves after `delayMs` of quiet; bursts of ingests make one write. */
  scheduleSave(delayMs = 2000): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      try {
        this.save();
      } catch (error) {
        this.onMessage(`Could not save the lineage snapshot: ${(error as Error).message}`);
      }
    }, delayMs);
    this.saveTimer.unref?.();
  }

  /** Saves (if needed) and frees the database. */
  close(options: { save?: boolean } = {}): void {
    if (this.closed) return;
    if (options.save !== false) {
      try {
        this.save();
      } catch (error) {
        this.onMessage(`Could not save the lineage snapshot: ${(error as Error).message}`);
      }
    }
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.ingestor?.dispose();
    this.ingestor = undefined;
    this.disposeQueries();
    this.db.close();
    this.closed = true;
  }

  private runCount(): number {
    return Number(first(this.stmt('SELECT count(*) FROM runs'))![0]);
  }

  private resetDatabase(): void {
    this.ingestor?.dispose();
    this.ingestor = undefined;
    this.disposeQueries();
    const tables = all(
      this.db.prepare(
        `SELECT type, name FROM sqlite_master WHERE type IN ('table') AND name NOT LIKE 'sqlite_%'`,
      ),
    );
    for (const [, name] of tables) this.db.exec(`DROP TABLE IF EXISTS "${String(name)}"`);
    createDatabase(this.db);
    this.dirty = true;
  }

  private assertReady(): void {
    this.assertOpen();
    if (this.busy)
      throw new Error('The lineage store is busy indexing its event log; try again when it is done.');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The lineage store is closed.');
  }
}

/**
 * Connection settings (not stored in the snapshot). The index is rebuilt from the log if anything
 * goes wrong, so the rollback journal can live in memory, and a large page cache keeps sql.js
 * from copying pages in and out of its in-memory file system.
 */
function configure(db: Database): Database {
  db.exec('PRAGMA journal_mode = MEMORY; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;');
  return db;
}

const checksumPath = (snapshot: string) => `${snapshot}.sha256`;
const checksum = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function readChecksum(snapshot: string): string | null {
  try {
    return fs.readFileSync(checksumPath(snapshot), 'utf8').trim();
  } catch {
    return null;
  }
}

function createDatabase(db: Database): Database {
  configure(db);
  db.exec(SCHEMA);
  db.prepare(`INSERT INTO meta (key, value) VALUES ('schema_version', ?)`).run([String(SCHEMA_VERSION)]);
  return db;
}
