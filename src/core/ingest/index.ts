// Ingest: from the event log (.mltrace/events/*.jsonl) to the index, reading only what was
// appended since the last ingest. The data flows through these files, in order:
//
//   1. index.ts       plans: which event files grew, and from which byte and line (all of every
//                     file when the index is rebuilt); opens one transaction
//   2. readLines.ts   reads the new complete lines of a file (a last line without its newline waits)
//   3. parseEvent.ts  turns each line into a normalised event, or a problem with its line number
//   4. runDeltas.ts   groups a batch of events: one delta per run (its START and COMPLETE merged),
//                     the component metadata, the flags
//   5. batches.ts     drives 2–4 file by file, numbering events in log order, and hands each
//                     prepared batch to a sink
//   6. applyBatch.ts  the sink: applies a prepared batch to the index (runs, pointers, dependencies)
//   7. index.ts       records each file's new position and the last event number, and commits
//
// Steps 2–5 need no index. For a large log they run in a worker thread (worker/entry.ts, bundled
// to dist/ingestWorker.js), started by worker/host.ts, which receives each batch in the compact
// form of worker/codec.ts through the messages of worker/protocol.ts while this thread applies
// the batch before it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IngestReport } from '../model';
import { META, QUERY_INDEXES, QUERY_INDEX_NAMES } from '../schema';
import { all, Database, exec, first, freeStatements, prepareStatements, Statements } from '../sql';
import { eventsDir } from '../storeDir';
import { BatchApplier } from './applyBatch';
import { LogBatchSink, LogFileSpan, readLogBatches } from './batches';
import type { LogPosition } from './readLines';
import {
  readLogBatchesInBackground,
  readLogBatchesInWorker,
  WorkerFailure,
  workerAvailable,
  WorkerOptions,
} from './worker/host';

export type { WorkerOptions } from './worker/host';

/** Where the event log is parsed: `auto` starts a worker thread when there is a lot to read. */
export type ParseInWorker = 'auto' | 'always' | 'never';

/** From this much new log on an empty index, query-only indexes are built once at the end. */
const BULK_BYTES = 1024 * 1024;
/** From this much new log, `parseInWorker: 'auto'` starts the worker (it costs ~30 ms to start). */
const WORKER_BYTES = 4 * 1024 * 1024;

const SQL = {
  logFiles: 'SELECT path, offset, line FROM log_files',
  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta: 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)',
  runCount: 'SELECT count(*) FROM runs',
  setPosition: 'INSERT OR REPLACE INTO log_files (path, offset, line) VALUES (?, ?, ?)',
  addProblem: 'INSERT OR IGNORE INTO problems (file, line, reason, severity) VALUES (?, ?, ?, ?)',
};

export interface IngestOptions {
  parseInWorker: ParseInWorker;
  /** How the parsing worker starts (tests make it fail). */
  worker: WorkerOptions;
  onMessage: (message: string) => void;
  /** Why the index must be rebuilt from the whole log at the next ingest, if it must. */
  rebuildReason: string | null;
  /** Drops the index and creates it again, empty (the pipeline has freed what it prepared). */
  resetDatabase: () => void;
  /** Throws if the store was closed: a batch that arrives after must not touch its database. */
  assertOpen: () => void;
  isClosed: () => boolean;
}

/** Plans and applies ingests of one store's log into its database, blocking or in the background. */
export class IngestPipeline {
  private applier: BatchApplier | undefined;
  private statements: Statements<keyof typeof SQL> | undefined;
  private rebuildReason: string | null;
  private applying = false;

  constructor(
    private readonly db: Database,
    private readonly storeDir: string,
    private readonly options: IngestOptions,
  ) {
    this.rebuildReason = options.rebuildReason;
  }

  /** An ingestInBackground is applying batches (its transaction is open). */
  get busy(): boolean {
    return this.applying;
  }

  /** Bytes of log not read yet (cheap: a directory listing and a stat per file). */
  pendingBytes(): number {
    const { names, positions, sizes } = this.logFiles();
    // A snapshot that will be rebuilt means the whole log is read again.
    if (this.rebuildReason) positions.clear();
    return names.reduce(
      (n, name) => n + Math.max(0, (sizes.get(name) ?? 0) - (positions.get(name)?.offset ?? 0)),
      0,
    );
  }

  /** Reads everything appended to the log since the last call and brings the index up to date. */
  ingest(): IngestReport {
    const { spans, backlog, rebuilt } = this.plan();
    const { parseInWorker } = this.options;
    const inWorker = parseInWorker === 'always' || (parseInWorker === 'auto' && backlog >= WORKER_BYTES);
    let report: IngestReport;
    try {
      report = this.apply(spans, backlog, inWorker && this.canUseWorker());
    } catch (error) {
      if (!(error instanceof WorkerFailure)) throw error;
      this.workerFailed(error);
      report = this.apply(spans, backlog, false);
    }
    return { ...report, rebuilt };
  }

  /**
   * Like `ingest()`, parsing in a worker thread, but this thread serves its event loop between
   * batches. `busy` until it settles.
   */
  async ingestInBackground(): Promise<IngestReport> {
    const { spans, backlog, rebuilt } = this.plan();
    if (spans.length === 0 || !this.canUseWorker()) return { ...this.apply(spans, backlog, false), rebuilt };
    let report: IngestReport;
    const transaction = this.begin(spans, backlog, true);
    this.applying = true;
    try {
      transaction.commit(
        await readLogBatchesInBackground(spans, transaction.seq, transaction.sink, this.options.worker),
      );
      report = transaction.report;
    } catch (error) {
      transaction.abort();
      if (!(error instanceof WorkerFailure) || this.options.isClosed()) throw error;
      this.workerFailed(error);
      report = this.apply(spans, backlog, false);
    } finally {
      this.applying = false;
    }
    return { ...report, rebuilt };
  }

  /** Frees what the pipeline prepared on the database (before the database is reset or closed). */
  dispose(): void {
    this.applier?.dispose();
    this.applier = undefined;
    if (this.statements) freeStatements(this.statements);
    this.statements = undefined;
  }

  private get sql(): Statements<keyof typeof SQL> {
    return (this.statements ??= prepareStatements(this.db, SQL));
  }

  /** The event files, their sizes now, and how far each was read. */
  private logFiles(): { names: string[]; positions: Map<string, LogPosition>; sizes: Map<string, number> } {
    const dir = eventsDir(this.storeDir);
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
      all(this.sql.logFiles).map((r) => [String(r[0]), { offset: Number(r[1]), line: Number(r[2]) }]),
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

  /** What the next ingest reads: the new part of each file (all of it if the index is rebuilt). */
  private plan(): { spans: LogFileSpan[]; backlog: number; rebuilt: string | null } {
    const dir = eventsDir(this.storeDir);
    const { names, positions, sizes } = this.logFiles();
    const shrunk = [...positions].find(([name, pos]) => (sizes.get(name) ?? 0) < pos.offset);
    if (shrunk && !this.rebuildReason) {
      this.rebuildReason = `the event file ${path.join(dir, shrunk[0])} is shorter than what was already read from it`;
    }
    let rebuilt: string | null = null;
    if (this.rebuildReason) {
      rebuilt = `Rebuilt the lineage index from the event log: ${this.rebuildReason}.`;
      this.options.onMessage(rebuilt);
      this.rebuildReason = null;
      this.dispose();
      this.options.resetDatabase();
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
    return this.options.worker.script !== undefined || workerAvailable();
  }

  private workerFailed(error: WorkerFailure): void {
    this.options.onMessage(
      `Reading the event log in a worker thread failed (${error.message.split('\n')[0]}); read it on the main thread instead.`,
    );
  }

  /** Reads the spans and applies them in one transaction: all of it, or (on an error) none. */
  private apply(spans: LogFileSpan[], backlog: number, inWorker: boolean): IngestReport {
    // Nothing new: no transaction, so a command that only reads changes nothing in the index.
    if (spans.length === 0) return emptyReport(false);
    const transaction = this.begin(spans, backlog, inWorker);
    try {
      transaction.commit(
        inWorker
          ? readLogBatchesInWorker(spans, transaction.seq, transaction.sink, this.options.worker)
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
    const report: IngestReport = { ...emptyReport(inWorker), files: spans.length };
    const sql = this.sql;
    const applier = (this.applier ??= new BatchApplier(this.db));
    const seq = Number(first(sql.getMeta, [META.lastSeq])?.[0] ?? 0);
    const runCount = () => Number(first(sql.runCount)![0]);
    const runsBefore = runCount();
    const bulk = applier.knowsEveryRun && backlog >= BULK_BYTES && runsBefore === 0;
    const { assertOpen } = this.options;
    const sink: LogBatchSink = {
      batch(fileIndex, batch, problems, events) {
        assertOpen();
        const span = spans[fileIndex];
        for (const problem of problems) {
          report.problems.push({ file: span.file, ...problem });
          exec(sql.addProblem, [span.name, problem.line, problem.reason, problem.severity]);
        }
        report.events += events;
        applier.apply(batch);
      },
      fileDone(fileIndex, position) {
        assertOpen();
        const span = spans[fileIndex];
        report.bytes += position.offset - span.from.offset;
        if (position.offset < span.size)
          report.waiting.push({ file: span.file, bytes: span.size - position.offset });
        exec(sql.setPosition, [span.name, position.offset, position.line]);
      },
    };
    this.db.exec('BEGIN');
    if (bulk) for (const index of QUERY_INDEX_NAMES) this.db.exec(`DROP INDEX ${index}`);
    return {
      report,
      sink,
      seq,
      commit: (last: number) => {
        exec(sql.setMeta, [META.lastSeq, String(last)]);
        if (bulk) this.db.exec(QUERY_INDEXES);
        this.db.exec('COMMIT');
        report.runs = runCount() - runsBefore;
      },
      abort: () => {
        // A closed store's database is gone, and with it the transaction.
        if (!this.options.isClosed()) this.db.exec('ROLLBACK');
        // The cached state of the applier may no longer match the database.
        this.applier?.dispose();
        this.applier = undefined;
      },
    };
  }
}

const emptyReport = (parsedInWorker: boolean): IngestReport => ({
  files: 0,
  bytes: 0,
  events: 0,
  runs: 0,
  problems: [],
  rebuilt: null,
  parsedInWorker,
  waiting: [],
});
