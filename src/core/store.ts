// The lineage store: a sql.js index over the event log, loaded from a snapshot and kept up to date
// by reading only what was appended since. The log is the truth; the snapshot can always go.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { IngestPipeline, ParseInWorker, WorkerOptions } from './ingest';
import type { IngestReport, Problem } from './model';
import { Queries } from './queries';
import { CompactReport, compactLog, endedFiles } from './segments/compact';
import { META, SCHEMA, SCHEMA_VERSION } from './schema';
import type { SqlJsStatic } from 'sql.js';
import { all, Database, first, loadSqlJs, QUERY_CACHE } from './sql';
import {
  checksumPath,
  forgetVerified,
  readChecksum,
  recordVerified,
  unchangedSinceVerified,
} from './snapshotCheck';
import type { FileStatus } from './snapshotCheck';
import { readImage, readImageLazily, RoomyImage, roomyBuffer, sha256, SnapshotImage } from './snapshotImage';
import { eventsDir, segmentsDir, snapshotPath, StoreLocation, storeLocation } from './storeDir';

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
  parseInWorker?: ParseInWorker;
  /** How the parsing worker starts (tests make it fail). */
  worker?: WorkerOptions;
  /**
   * When `compactIfWorthIt()` merges the files of ended writers (docs/LAYOUT.md): from this many
   * waiting (default 64; false: never), at most `maxFiles` (default 4,096) or `budgetMs`
   * (default 300) at a time.
   */
  autoCompact?: { endedFiles?: number; maxFiles?: number; budgetMs?: number } | false;
  /**
   * The folder of the snapshot (default: the store's): a reader of a shared store keeps its own
   * (storeDir.ts `readerSnapshotDir`).
   */
  snapshotDir?: string;
  /**
   * Read the snapshot's pages only as queries reach them (the whole file is still checked against
   * its checksum first): for a command that answers from a few pages of a large index. Not on
   * Windows (see `readImageLazily`).
   */
  readLazily?: boolean;
}

/** `OpenOptions.autoCompact.endedFiles` unless set. */
export const DEFAULT_AUTO_COMPACT_FILES = 64;

/**
 * `OpenOptions.autoCompact` from a user's setting (the extension's, or the CLI's
 * MLTRACE_AUTO_COMPACT): a whole number above 0 is the threshold, 0 (or anything else) turns it off.
 */
export function autoCompactFrom(endedFiles: number): OpenOptions['autoCompact'] {
  return Number.isInteger(endedFiles) && endedFiles > 0 ? { endedFiles } : false;
}

export class LineageStore extends Queries {
  private readonly ingestion: IngestPipeline;
  private dirty = false;
  private saveTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Where `save()` writes the snapshot. */
  private snapshotFile = '';
  /** Closes the snapshot file a lazily read index may still hold open. */
  private releaseSnapshot: () => void = () => undefined;
  /** How the snapshot this index was opened from was checked (null: none was used). */
  snapshotCheckedBy: SnapshotImage['checkedBy'] | null = null;

  private constructor(
    db: Database,
    readonly location: StoreLocation,
    private readonly onMessage: (message: string) => void,
    /** Why the snapshot was not used, if it was not. */
    rebuildReason: string | null,
    parseInWorker: ParseInWorker,
    worker: WorkerOptions,
    private readonly autoCompact: OpenOptions['autoCompact'] = {},
  ) {
    super(db, location.root);
    this.ingestion = new IngestPipeline(db, location.storeDir, {
      parseInWorker,
      worker,
      onMessage,
      rebuildReason,
      resetDatabase: () => this.resetDatabase(),
      assertOpen: () => this.assertOpen(),
      isClosed: () => this.closed,
    });
  }

  static async open(options: OpenOptions): Promise<LineageStore> {
    // sql.js's wasm compiles on V8's background threads while this one reads the snapshot and
    // checks its checksum.
    const sqlJs = loadSqlJs();
    const location = storeLocation(path.resolve(options.dir));
    const onMessage = options.onMessage ?? (() => undefined);
    const file = snapshotPath(options.snapshotDir ?? location.storeDir);
    let db: Database | undefined;
    let snapshot: SnapshotImage | undefined;
    let reason: string | null = null;
    if (fs.existsSync(file)) {
      try {
        const checksum = readChecksum(file);
        const trusted = (status: FileStatus) =>
          unchangedSinceVerified(file, status, checksum) ? checksum : null;
        snapshot = (options.readLazily ? readImageLazily : readImage)(file, SNAPSHOT_ROOM, trusted);
        db = configure(new (await sqlJs).Database(snapshot.image));
        const version = first(db.prepare('SELECT value FROM meta WHERE key = ?'), [META.schemaVersion]);
        if (!version || Number(version[0]) !== SCHEMA_VERSION) {
          reason = `the snapshot ${file} has schema version ${version?.[0] ?? 'unknown'}, this version needs ${SCHEMA_VERSION}`;
        } else if (checksum !== snapshot.sha256) {
          // A damaged page elsewhere would otherwise surface later, as a failing ingest or query;
          // a checksum finds it for the price of one hash, where an integrity check reads it all.
          reason = `the snapshot ${file} is damaged (it does not match ${path.basename(checksumPath(file))})`;
        } else if (snapshot.checkedBy === 'checksum') {
          recordVerified(file, snapshot.status, checksum);
        }
      } catch (error) {
        reason = `the snapshot ${file} could not be read (${(error as Error).message})`;
      }
      if (reason) {
        db?.close();
        db = undefined;
        snapshot?.release();
        snapshot = undefined;
      }
    }
    db ??= freshDatabase(await sqlJs, location.storeDir);
    const store = new LineageStore(
      db,
      location,
      onMessage,
      reason,
      options.parseInWorker ?? 'auto',
      options.worker ?? {},
      options.autoCompact,
    );
    store.snapshotFile = file;
    if (snapshot) {
      store.releaseSnapshot = snapshot.release;
      store.snapshotCheckedBy = snapshot.checkedBy;
    }
    if (!options.deferIngest) store.ingest();
    return store;
  }

  /**
   * Bytes of log not read yet (cheap: a directory listing and a stat per file). A caller can show
   * progress before an `ingest()` that will take a while.
   */
  pendingBytes(): number {
    this.assertOpen();
    return this.ingestion.pendingBytes();
  }

  /** Reads everything appended to the log since the last call and brings the index up to date. */
  ingest(): IngestReport {
    this.assertReady();
    return this.ingested(this.ingestion.ingest());
  }

  /**
   * Like `ingest()`, parsing in a worker thread, but this thread serves its event loop between
   * batches: for an editor that must stay responsive while a large log is indexed. Until it
   * settles, `ingest()` throws and `save()` waits; queries answer from what is applied so far.
   */
  async ingestInBackground(): Promise<IngestReport> {
    this.assertReady();
    return this.ingested(await this.ingestion.ingestInBackground());
  }

  private ingested(report: IngestReport): IngestReport {
    if (report.bytes > 0 || report.segments > 0) {
      this.dirty = true;
      this.changed();
    }
    return report;
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
    if (this.ingestion.busy) return false;
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (!this.dirty) return false;
    const file = this.snapshotFile || snapshotPath(this.location.storeDir);
    const temp = `${file}.${process.pid}.tmp`;
    const tempChecksum = `${checksumPath(file)}.${process.pid}.tmp`;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const bytes = this.db.export();
    fs.writeFileSync(temp, bytes);
    fs.writeFileSync(tempChecksum, sha256(bytes));
    forgetVerified(file);
    // A crash between the two renames leaves a pair that does not match: rebuilt, never wrong.
    fs.renameSync(temp, file);
    fs.renameSync(tempChecksum, checksumPath(file));
    this.dirty = false;
    return true;
  }

  /**
   * Merges the files of ended writers into segments when enough of them wait (see OpenOptions
   * `autoCompact`), within a time budget: for quiet moments (after a command's output, after a
   * save). Never throws: a compaction that fails leaves the log as it was.
   */
  compactIfWorthIt(): CompactReport | undefined {
    this.assertOpen();
    if (this.autoCompact === false) return undefined;
    const {
      endedFiles: threshold = DEFAULT_AUTO_COMPACT_FILES,
      maxFiles = 4096,
      budgetMs = 300,
    } = this.autoCompact ?? {};
    try {
      if (endedFiles(this.location.storeDir).length < threshold) return undefined;
      return compactLog(this.location.storeDir, { maxFiles, budgetMs });
    } catch (error) {
      this.onMessage(`Could not merge the files of ended writers: ${(error as Error).message}`);
      return undefined;
    }
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
      if (!this.closed && !this.ingestion.busy) this.compactIfWorthIt();
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
    this.ingestion.dispose();
    this.disposeQueries();
    this.db.close();
    this.releaseSnapshot();
    this.closed = true;
  }

  /** Drops every table and creates the schema again: the index is then rebuilt from the log. */
  private resetDatabase(): void {
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
    if (this.ingestion.busy)
      throw new Error('The lineage store is busy indexing its event log; try again when it is done.');
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('The lineage store is closed.');
  }
}

/**
 * At most how many bytes of log the next open will read, without opening the snapshot (so before
 * sql.js is compiled): every event file changed since the snapshot was written counts in full,
 * and the whole log when there is no snapshot. Cheap: a listing and a stat per file. An estimate
 * for choosing how to start, never for deciding what to read (appends between an ingest and the
 * save that followed it, and a snapshot that will be rebuilt, are not counted).
 */
export function unreadBytesBound(storeDir: string, snapshotDir = storeDir): number {
  let savedMs = -Infinity;
  try {
    savedMs = fs.statSync(snapshotPath(snapshotDir)).mtimeMs;
  } catch {
    // No snapshot: the whole log is read.
  }
  return logBytes(storeDir, savedMs);
}

/** Bytes of the files in `dir` (0 if there is none). */
function folderBytes(dir: string): number {
  let bytes = 0;
  try {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
      if (entry.isFile()) bytes += fs.statSync(path.join(dir, entry.name)).size;
  } catch {
    // No such folder, or a file removed meanwhile: an estimate.
  }
  return bytes;
}

/** Bytes of the log's files changed at or after `sinceMs` (all of them by default). */
function logBytes(storeDir: string, sinceMs = -Infinity): number {
  const dir = eventsDir(storeDir);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return 0; // No events folder: nothing to read.
  }
  let bytes = 0;
  for (const name of names) {
    if (!name.endsWith('.jsonl')) continue;
    try {
      const stat = fs.statSync(path.join(dir, name));
      // Same instant as the save counts as after it: the estimate errs on the side of more.
      if (stat.mtimeMs >= sinceMs) bytes += stat.size;
    } catch {
      // Removed between readdir and stat.
    }
  }
  return bytes;
}

/**
 * Connection settings (not stored in the snapshot). The index is rebuilt from the log if anything
 * goes wrong, so the rollback journal can live in memory, and a large page cache keeps sql.js
 * from copying pages in and out of its in-memory file system.
 */
function configure(db: Database): Database {
  db.exec(`PRAGMA journal_mode = MEMORY; ${QUERY_CACHE}; PRAGMA temp_store = MEMORY;`);
  return db;
}

/** Room to grow given to a snapshot when it is opened (new runs, a day's work). */
const SNAPSHOT_ROOM = 16 * 1024 * 1024;

/**
 * A new, empty index with room for what the log will make of it: the schema written, its image
 * handed over with room (RoomyImage). An index takes about a sixth of the log's bytes.
 */
function freshDatabase(sql: SqlJsStatic, storeDir: string): Database {
  const empty = createDatabase(new sql.Database());
  const image = empty.export();
  empty.close();
  // Sealed segments are gzip, about a thirtieth of the lines they hold.
  const room = SNAPSHOT_ROOM + Math.ceil((logBytes(storeDir) + 30 * folderBytes(segmentsDir(storeDir))) / 4);
  const roomy = new RoomyImage(roomyBuffer(image.length, room), 0, image.length);
  roomy.set(image);
  return configure(new sql.Database(roomy));
}

function createDatabase(db: Database): Database {
  configure(db);
  db.exec(SCHEMA);
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run([META.schemaVersion, String(SCHEMA_VERSION)]);
  return db;
}
