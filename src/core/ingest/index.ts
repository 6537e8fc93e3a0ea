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
import {
  all,
  Database,
  exec,
  first,
  freeStatements,
  INGEST_CACHE,
  lazyStatements,
  QUERY_CACHE,
  Statements,
} from '../sql';
import { eventsDir } from '../storeDir';
import { BatchApplier } from './applyBatch';
import { LogBatchSink, LogFileSpan, readLogBatches } from './batches';
import type { LogPosition } from './readLines';
import {
  listSegments,
  readManifest,
  segmentDataPath,
  SegmentManifest,
  segmentName,
} from '../segments/manifest';
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
  looseFiles: 'SELECT path, offset, line FROM log_files WHERE segment IS NULL',
  position: 'SELECT offset, line FROM log_files WHERE path = ?',
  getMeta: 'SELECT value FROM meta WHERE key = ?',
  setMeta: 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)',
  runCount: 'SELECT count(*) FROM runs',
  setPosition: 'INSERT OR REPLACE INTO log_files (path, offset, line, segment) VALUES (?, ?, ?, ?)',
  addProblem: 'INSERT OR IGNORE INTO problems (file, line, reason, severity) VALUES (?, ?, ?, ?)',
};

/** A segment not read yet: its row and its files' rows are written when the ingest commits. */
interface SegmentPlan {
  name: string;
  manifest: SegmentManifest;
}

interface LogListing {
  spans: LogFileSpan[];
  segments: SegmentPlan[];
  /** Why what the index recorded no longer matches the log, if it does not. */
  damaged: string | null;
}

interface IngestPlan {
  spans: LogFileSpan[];
  segments: SegmentPlan[];
  backlog: number;
  rebuilt: string | null;
}

/** How the index names segments (see segmentName): the rows of all other names are loose files. */
const SEGMENT_PREFIX = 'segments/';

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

  /** Bytes of log not read yet (cheap: directory listings, a stat per file, unread manifests). */
  pendingBytes(): number {
    // A snapshot that will be rebuilt means the whole log is read again.
    const { spans } = this.listLog(this.rebuildReason !== null);
    return spans.reduce((n, span) => n + span.size - span.from.offset, 0);
  }

  /** Reads everything appended to the log since the last call and brings the index up to date. */
  ingest(): IngestReport {
    const plan = this.plan();
    const { backlog, rebuilt } = plan;
    const { parseInWorker } = this.options;
    const inWorker = parseInWorker === 'always' || (parseInWorker === 'auto' && backlog >= WORKER_BYTES);
    let report: IngestReport;
    try {
      report = this.apply(plan, inWorker && this.canUseWorker());
    } catch (error) {
      if (!(error instanceof WorkerFailure)) throw error;
      this.workerFailed(error);
      report = this.apply(plan, false);
    }
    return { ...report, rebuilt };
  }

  /**
   * Like `ingest()`, parsing in a worker thread, but this thread serves its event loop between
   * batches. `busy` until it settles.
   */
  async ingestInBackground(): Promise<IngestReport> {
    const plan = this.plan();
    const { spans, rebuilt } = plan;
    if (spans.length === 0 || !this.canUseWorker()) return { ...this.apply(plan, false), rebuilt };
    let report: IngestReport;
    const transaction = this.begin(plan, true);
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
      report = this.apply(plan, false);
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
    return (this.statements ??= lazyStatements(this.db, SQL));
  }

  /**
   * What there is to read: the segments not read yet (docs/LAYOUT.md), then the new part of each
   * loose file, and why the index cannot be trusted if it cannot. `fresh`: as for an empty index.
   *
   * The loose files are listed before the segments: a file merged in between is then found in
   * its segment (and skipped as a loose file), never missed.
   */
  private listLog(fresh: boolean): LogListing {
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
    const ids = listSegments(this.storeDir);
    // Positions of the loose files and of the segments read already (not of the files in them).
    const positions = new Map<string, LogPosition>(
      fresh
        ? []
        : all(this.sql.looseFiles).map((r) => [String(r[0]), { offset: Number(r[1]), line: Number(r[2]) }]),
    );
    const spans: LogFileSpan[] = [];
    const segments: SegmentPlan[] = [];
    const claimed = new Set<string>();
    let damaged: string | null = null;
    for (const id of ids) {
      const name = segmentName(id);
      if (positions.has(name)) continue;
      const manifest = readManifest(this.storeDir, id);
      const file = segmentDataPath(this.storeDir, id);
      const members = manifest.members;
      segments.push({ name, manifest });
      for (const source of manifest.sources) {
        claimed.add(source.name);
        const row = fresh ? undefined : first(this.sql.position, [source.name]);
        const from = row ? { offset: Number(row[0]), line: Number(row[1]) } : { offset: 0, line: 0 };
        if (from.offset > source.bytes)
          damaged ??= `${source.name} in ${file} is shorter than what was already read from it`;
        else if (source.bytes > from.offset)
          spans.push({
            name: source.name,
            file,
            from,
            size: source.bytes,
            segment: { members, start: source.start },
          });
      }
    }
    const present = new Set([...names, ...ids.map(segmentName)]);
    for (const [name, position] of positions) {
      if (present.has(name) || claimed.has(name) || position.offset === 0) continue;
      damaged ??= name.startsWith(SEGMENT_PREFIX)
        ? `the segment ${path.join(dir, name)} is gone`
        : `the event file ${path.join(dir, name)} is shorter than what was already read from it`;
    }
    for (const name of names) {
      if (claimed.has(name)) continue;
      let size: number;
      try {
        size = fs.statSync(path.join(dir, name)).size;
      } catch {
        continue; // Merged (or removed) between readdir and stat.
      }
      const from = positions.get(name) ?? { offset: 0, line: 0 };
      if (size < from.offset)
        damaged ??= `the event file ${path.join(dir, name)} is shorter than what was already read from it`;
      else if (size > from.offset) spans.push({ name, file: path.join(dir, name), from, size });
    }
    return { spans, segments, damaged };
  }

  /** What the next ingest reads: the new part of each file (all of it if the index is rebuilt). */
  private plan(): IngestPlan {
    let listing = this.listLog(this.rebuildReason !== null);
    if (listing.damaged && !this.rebuildReason) this.rebuildReason = listing.damaged;
    let rebuilt: string | null = null;
    if (this.rebuildReason) {
      rebuilt = `Rebuilt the lineage index from the event log: ${this.rebuildReason}.`;
      this.options.onMessage(rebuilt);
      this.rebuildReason = null;
      this.dispose();
      this.options.resetDatabase();
      listing = this.listLog(true);
    }
    const backlog = listing.spans.reduce((n, span) => n + span.size - span.from.offset, 0);
    return { spans: listing.spans, segments: listing.segments, backlog, rebuilt };
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
  private apply(plan: IngestPlan, inWorker: boolean): IngestReport {
    const { spans } = plan;
    // Nothing new: no transaction, so a command that only reads changes nothing in the index.
    if (spans.length === 0 && plan.segments.length === 0) return emptyReport(false);
    const transaction = this.begin(plan, inWorker);
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
  private begin({ spans, segments, backlog }: IngestPlan, inWorker: boolean) {
    const report: IngestReport = { ...emptyReport(inWorker), files: spans.length, segments: segments.length };
    const sql = this.sql;
    const applier = (this.applier ??= new BatchApplier(this.db));
    const seq = Number(first(sql.getMeta, [META.lastSeq])?.[0] ?? 0);
    const runCount = () => Number(first(sql.runCount)![0]);
    const runsBefore = runCount();
    const bulk = applier.knowsEveryRun && backlog >= BULK_BYTES && runsBefore === 0;
    const { assertOpen } = this.options;
    const storeDir = this.storeDir;
    const sink: LogBatchSink = {
      batch(fileIndex, batch, problems, events) {
        assertOpen();
        const span = spans[fileIndex];
        // A line of a merged file is the writer's, at its line in that file: name it, not the segment.
        const file = span.segment ? path.join(eventsDir(storeDir), span.name) : span.file;
        for (const problem of problems) {
          report.problems.push({ file, ...problem });
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
        exec(sql.setPosition, [span.name, position.offset, position.line, null]);
      },
    };
    this.db.exec(`${INGEST_CACHE}; BEGIN`);
    if (bulk) for (const index of QUERY_INDEX_NAMES) this.db.exec(`DROP INDEX ${index}`);
    return {
      report,
      sink,
      seq,
      commit: (last: number) => {
        exec(sql.setMeta, [META.lastSeq, String(last)]);
        // Every file of a segment read is now known to be there, whole: its row says so, and the
        // segment's own row tells the next ingest that it has nothing more to read from it.
        for (const { name, manifest } of segments) {
          for (const source of manifest.sources)
            exec(sql.setPosition, [source.name, source.bytes, source.lines, name]);
          exec(sql.setPosition, [name, manifest.bytes, manifest.lines, null]);
        }
        if (bulk) this.db.exec(QUERY_INDEXES);
        this.db.exec(`COMMIT; ${QUERY_CACHE}`);
        report.runs = runCount() - runsBefore;
      },
      abort: () => {
        // A closed store's database is gone, and with it the transaction.
        if (!this.options.isClosed()) this.db.exec(`ROLLBACK; ${QUERY_CACHE}`);
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
  segments: 0,
});
