// Compaction: the files of writers that have ended are merged into gzip segments (manifest.ts),
// so that a store of many runs made by separate processes is a few files again. In order:
//
//   1. lock       one compaction at a time (a lock file, refreshed while it works, broken when stale)
//   2. tidy       delete what an interrupted compaction left: temp files, a segment without its
//                 manifest, and the sources of a finished segment that were not deleted yet
//   3. select     the files whose writer has ended (its `<file>.done` marker exists), not already
//                 in a segment, that end with a whole line
//   4. write      per segment: the data (temp file, fsync, rename), then the manifest (same): the
//                 manifest's rename is the commit
//   5. delete     the sources, then their markers
//
// A running writer's file is never touched: only a file with an end marker is, and a writer
// creates its marker after its last line. Killed at any point, the store is still exact: before 4
// commits the sources are untouched; after, readers take the sources from the segment only, and
// the next compaction finishes 5.
import { crypto } from '../crypto';
import { writeDurably } from '../durableFile';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { zlib } from '../zlib';
import { END_MARKER, eventsDir, segmentsDir } from '../storeDir';
import {
  listSegments,
  readManifest,
  SEGMENT_DATA,
  SEGMENT_FORMAT,
  segmentDataPath,
  segmentManifestPath,
  SegmentManifest,
  SegmentMember,
  SegmentSource,
} from './manifest';

export interface CompactOptions {
  /** Merge at most this many files (auto-compaction's share of the work). */
  maxFiles?: number;
  /** Stop taking new files after this long; the segment in progress is finished. */
  budgetMs?: number;
  /** Bytes of sources per segment (default 64 MiB) and per gzip member (default 1 MiB). */
  segmentBytes?: number;
  memberBytes?: number;
}

export interface CompactReport {
  /** Writer files merged, and their bytes. */
  files: number;
  bytes: number;
  /** Segments written, and their compressed bytes. */
  segments: number;
  compressedBytes: number;
  /** Sources of earlier segments whose deletion an interrupted compaction had left. */
  finished: number;
  /** Files of writers still running (no end marker): left alone. */
  running: number;
  /** Files of ended writers left loose: they do not end with a whole line. */
  skipped: string[];
  /** Another compaction holds the lock: nothing was done. */
  busy: boolean;
}

const LOCK_FILE = 'compact.lock';
/** A lock not refreshed for this long belongs to a compaction that was killed. */
const STALE_LOCK_MS = 2 * 60_000;
const NEWLINE = 0x0a;

/**
 * Test hook: `MLTRACE_COMPACT_KILL_AT=<step>` kills the process with SIGKILL at that step
 * (`segment`, `manifest`, `delete`), so that tests can stop a compaction where a crash would.
 */
function checkpoint(step: 'segment' | 'manifest' | 'delete'): void {
  if (process.env.MLTRACE_COMPACT_KILL_AT === step) process.kill(process.pid, 'SIGKILL');
}

/** Files of writers that have ended and wait to be merged (cheap: one directory listing). */
export function endedFiles(storeDir: string): string[] {
  const names = listEvents(storeDir);
  const set = new Set(names);
  return names.filter((n) => n.endsWith('.jsonl') && set.has(n + END_MARKER));
}

/** Merges the files of ended writers into segments. Safe to run beside writers, readers and itself. */
export function compactLog(storeDir: string, options: CompactOptions = {}): CompactReport {
  const report: CompactReport = {
    files: 0,
    bytes: 0,
    segments: 0,
    compressedBytes: 0,
    finished: 0,
    running: 0,
    skipped: [],
    busy: false,
  };
  const dir = segmentsDir(storeDir);
  fs.mkdirSync(dir, { recursive: true });
  const lock = Lock.take(path.join(dir, LOCK_FILE));
  if (!lock) return { ...report, busy: true };
  try {
    const claimed = tidy(storeDir, report);
    const started = performance.now();
    const names = listEvents(storeDir);
    const present = new Set(names);
    const ended = names.filter((n) => n.endsWith('.jsonl') && present.has(n + END_MARKER) && !claimed.has(n));
    report.running = names.filter((n) => n.endsWith('.jsonl') && !present.has(n + END_MARKER)).length;
    const selected = ended.slice(0, options.maxFiles ?? Infinity);
    let builder: SegmentBuilder | undefined;
    for (const name of selected) {
      if (options.budgetMs !== undefined && performance.now() - started > options.budgetMs) break;
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(path.join(eventsDir(storeDir), name));
      } catch {
        continue; // removed meanwhile (by hand)
      }
      if (bytes.length > 0 && bytes[bytes.length - 1] !== NEWLINE) {
        report.skipped.push(name);
        continue;
      }
      builder ??= new SegmentBuilder(storeDir, options.memberBytes ?? 1024 * 1024, lock);
      builder.add(name, bytes);
      if (builder.bytes >= (options.segmentBytes ?? 64 * 1024 * 1024)) {
        commit(storeDir, builder, report, lock);
        builder = undefined;
      }
    }
    if (builder) commit(storeDir, builder, report, lock);
  } finally {
    lock.release();
  }
  return report;
}

/** The names in the events folder (files only matter; the segments folder is not one of them). */
function listEvents(storeDir: string): string[] {
  try {
    return fs.readdirSync(eventsDir(storeDir)).sort();
  } catch {
    return [];
  }
}

/**
 * Step 2: removes what an interrupted compaction left, and returns every source name that a
 * finished segment holds.
 */
function tidy(storeDir: string, report: CompactReport): Set<string> {
  const dir = segmentsDir(storeDir);
  const finished = new Set(listSegments(storeDir));
  for (const name of fs.readdirSync(dir)) {
    const unfinished =
      name.endsWith('.tmp') ||
      (name.endsWith(SEGMENT_DATA) && !finished.has(name.slice(0, -SEGMENT_DATA.length)));
    if (unfinished) fs.rmSync(path.join(dir, name), { force: true });
  }
  const present = new Set(listEvents(storeDir));
  const claimed = new Set<string>();
  for (const id of finished) {
    for (const source of readManifest(storeDir, id).sources) {
      claimed.add(source.name);
      if (present.has(source.name) || present.has(source.name + END_MARKER)) {
        deleteSource(storeDir, source.name);
        report.finished++;
      }
    }
  }
  return claimed;
}

/** The source first, its marker after: a marker alone is harmless (it names no file). */
function deleteSource(storeDir: string, name: string): void {
  const file = path.join(eventsDir(storeDir), name);
  fs.rmSync(file, { force: true });
  fs.rmSync(file + END_MARKER, { force: true });
}

/** One segment being written: its data goes to a temp file member by member. */
class SegmentBuilder {
  readonly id = `${Date.now().toString(36).padStart(9, '0')}-${crypto().randomBytes(4).toString('hex')}`;
  readonly temp: string;
  private readonly fd: number;
  readonly sources: SegmentSource[] = [];
  readonly members: SegmentMember[] = [];
  /** Bytes of sources added so far. */
  bytes = 0;
  lines = 0;
  private written = 0;
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    storeDir: string,
    private readonly memberBytes: number,
    private readonly lock: Lock,
  ) {
    this.temp = `${segmentDataPath(storeDir, this.id)}.tmp`;
    this.fd = fs.openSync(this.temp, 'wx');
  }

  add(name: string, bytes: Buffer): void {
    let lines = 0;
    for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) lines++;
    this.sources.push({ name, start: this.bytes, bytes: bytes.length, lines });
    this.bytes += bytes.length;
    this.lines += lines;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    while (this.pendingBytes >= this.memberBytes) {
      const all = Buffer.concat(this.pending);
      // Members end at a line's end; a line longer than a member makes a longer member.
      let cut = all.lastIndexOf(NEWLINE, this.memberBytes - 1) + 1;
      if (cut === 0) cut = all.indexOf(NEWLINE, this.memberBytes) + 1;
      this.writeMember(all.subarray(0, cut));
      this.pending = [all.subarray(cut)];
      this.pendingBytes = all.length - cut;
    }
  }

  /** Writes the last member and makes the data durable; returns the compressed size. */
  finish(): number {
    if (this.pendingBytes > 0) this.writeMember(Buffer.concat(this.pending));
    this.pending = [];
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    return this.written;
  }

  abandon(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.temp, { force: true });
  }

  private writeMember(bytes: Buffer): void {
    const start = this.members.reduce((n, m) => n + m.bytes, 0);
    const compressed = zlib().gzipSync(bytes, { level: 9 });
    for (let done = 0; done < compressed.length;)
      done += fs.writeSync(this.fd, compressed, done, compressed.length - done, this.written + done);
    this.members.push({ at: this.written, length: compressed.length, start, bytes: bytes.length });
    this.written += compressed.length;
    this.lock.refresh();
  }
}

/** Steps 4 and 5 for one segment. */
function commit(storeDir: string, builder: SegmentBuilder, report: CompactReport, lock: Lock): void {
  let compressed: number;
  try {
    compressed = builder.finish();
    lock.assertHeld();
  } catch (error) {
    builder.abandon();
    throw error;
  }
  const data = segmentDataPath(storeDir, builder.id);
  fs.renameSync(builder.temp, data);
  checkpoint('segment');
  const manifest: SegmentManifest = {
    format: SEGMENT_FORMAT,
    bytes: builder.bytes,
    lines: builder.lines,
    members: builder.members,
    sources: builder.sources,
  };
  writeDurably(segmentManifestPath(storeDir, builder.id), JSON.stringify(manifest));
  syncDir(segmentsDir(storeDir));
  checkpoint('manifest');
  builder.sources.forEach((source, i) => {
    if (i === Math.floor(builder.sources.length / 2)) checkpoint('delete');
    deleteSource(storeDir, source.name);
  });
  report.files += builder.sources.length;
  report.bytes += builder.bytes;
  report.segments++;
  report.compressedBytes += compressed;
}

/** Makes renames in a folder durable (where the platform allows a folder to be synced). */
function syncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder: its renames are durable enough.
  }
}

/**
 * The compaction lock: a file holding a random token, the host and the process id, created
 * exclusively. A compaction killed with its lock held leaves it behind; it is taken over when its
 * process is gone (same host) or when it was not touched for STALE_LOCK_MS (a process id may be
 * reused, and means nothing on another host: then only time tells). Before each commit the holder
 * checks that the lock is still its own.
 */
class Lock {
  private constructor(
    private readonly file: string,
    private readonly content: string,
  ) {}

  static take(file: string): Lock | undefined {
    const token = crypto().randomBytes(8).toString('hex');
    const content = `${token} ${os.hostname()} ${process.pid}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, content, { flag: 'wx' });
        return new Lock(file, content);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      try {
        if (!Lock.abandoned(file)) return undefined;
        // Renamed away, not deleted: of two compactions that find it abandoned, one renames it.
        fs.renameSync(file, `${file}.${token}.stale`);
        fs.rmSync(`${file}.${token}.stale`, { force: true });
      } catch {
        // Released or taken over meanwhile: try again.
      }
    }
    return undefined;
  }

  private static abandoned(file: string): boolean {
    if (Date.now() - fs.statSync(file).mtimeMs >= STALE_LOCK_MS) return true;
    const [, host, pid] = fs.readFileSync(file, 'utf8').split(' ');
    if (host !== os.hostname() || !/^\d+$/.test(pid ?? '')) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }

  refresh(): void {
    const now = new Date();
    try {
      fs.utimesSync(this.file, now, now);
    } catch {
      // Checked before the commit.
    }
  }

  assertHeld(): void {
    let current = '';
    try {
      current = fs.readFileSync(this.file, 'utf8');
    } catch {
      // gone
    }
    if (current !== this.content)
      throw new Error('another compaction took over the lock (this one was stalled for minutes)');
  }

  release(): void {
    try {
      if (fs.readFileSync(this.file, 'utf8') === this.content) fs.rmSync(this.file, { force: true });
    } catch {
      // gone already
    }
  }
}
