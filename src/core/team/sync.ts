// Sync with the team store: push the new lines of this machine's writer files, pull every other
// writer's lines into a local file of the same writer (`events/team-<writer>.jsonl`), which ingest
// then reads like any other. The local log stays the source of truth and the outbox.
//
// Idempotent and resumable anywhere: an event is (writer, line number), stored once however often
// it is pushed (ON CONFLICT DO NOTHING); a push starts after the server's last line of the writer;
// a pull appends after the local file's last complete line (a torn last line, from a pull that was
// killed mid-write, is cut first) and writes a blank line for each blank line it skips, so line
// numbers agree on every machine. The cached positions in `.mltrace/team/` only save re-reading:
// the files and the server are the truth.
import { crypto } from '../crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDurably } from '../durableFile';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'pg';
import { pgCopyStreams } from '../vendor';
import { LogPosition, readNewLines } from '../ingest/readLines';
import { eventsDir } from '../storeDir';
import { CHANGE_LOCK, CHANNEL, ensureSchema } from './schema';
import { connect, ConnectOptions, explain, serverName, TeamError } from './server';
import { ownWriterStreams, PULLED_PREFIX, readSourceLines, WRITER_NAME } from './writerStreams';

export { PULLED_PREFIX } from './writerStreams';

const PUSH_LINES = 5000;
const PUSH_BYTES = 8 * 1024 * 1024;
const PULL_LINES = 20000;
const PULL_WRITERS = 500;

export interface SyncOptions extends ConnectOptions {
  push?: boolean;
  pull?: boolean;
  /** Stop pulling after this long (between pages; what is left comes next time). */
  pullBudgetMs?: number;
  /** Stops the sync between transactions (what was committed stays): the user disconnected. */
  signal?: AbortSignal;
  /** Test hook: called after each committed push transaction and each pulled page. */
  onStep?: (step: 'pushed' | 'pulled', count: number) => void;
}

export interface SyncReport {
  server: string;
  /** Events (lines) stored on the server by this sync, and writers they came from. */
  pushed: number;
  pushedWriters: number;
  /** Events written into local files of other writers. */
  pulled: number;
  pulledWriters: number;
  /** Writers on the server that could not be pulled, and why. */
  problems: string[];
  /** The pull stopped at its time budget with more to pull. */
  incomplete: boolean;
}

interface Cached extends LogPosition {
  size: number;
}

interface State {
  pushed: Record<string, Cached>;
  pulled: Record<string, Cached>;
  cursor: string;
}

/** Push, then pull (or one of them), on one connection. */
export async function syncTeam(
  storeDir: string,
  uri: string,
  options: SyncOptions = {},
): Promise<SyncReport> {
  const client = await connect(uri, options);
  try {
    await ensureSchema(client, uri);
    const sync = new TeamSync(storeDir, uri, client, options);
    const report: SyncReport = {
      server: serverName(uri),
      pushed: 0,
      pushedWriters: 0,
      pulled: 0,
      pulledWriters: 0,
      problems: [],
      incomplete: false,
    };
    if (options.push !== false) Object.assign(report, await sync.push());
    if (options.pull !== false) Object.assign(report, await sync.pull());
    return report;
  } catch (error) {
    throw explain(error, uri, options.password);
  } finally {
    await client.end().catch(() => undefined);
  }
}

class TeamSync {
  private readonly events: string;
  private readonly statePath: string;
  private readonly state: State;
  private deadline = Infinity;

  constructor(
    private readonly storeDir: string,
    private readonly uri: string,
    private readonly client: Client,
    private readonly options: SyncOptions,
  ) {
    this.events = eventsDir(storeDir);
    const key = crypto().createHash('sha256').update(serverName(uri)).digest('hex').slice(0, 16);
    this.statePath = path.join(storeDir, 'team', `sync-${key}.json`);
    this.state = readState(this.statePath);
  }

  // ---- push ---------------------------------------------------------------------------------

  private get cancelled(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  async push(): Promise<Pick<SyncReport, 'pushed' | 'pushedWriters'>> {
    if (this.cancelled) return { pushed: 0, pushedWriters: 0 };
    const streams = ownWriterStreams(this.storeDir);
    if (streams.length === 0) return { pushed: 0, pushedWriters: 0 };
    const writers = streams.map((f) => f.writer);
    const onServer = new Map<string, number>();
    const rows = await this.client.query<{ writer: string; max_seq: string }>(
      'SELECT writer, max_seq FROM mltrace_writers WHERE writer = ANY($1::text[])',
      [writers],
    );
    for (const r of rows.rows) onServer.set(r.writer, Number(r.max_seq));

    let pushed = 0;
    const touched = new Set<string>();
    let batch: Batch = newBatch();
    const flush = async () => {
      if (batch.seqs.length === 0 || this.cancelled) return;
      await this.commitPush(batch);
      pushed += batch.seqs.length;
      for (const w of batch.writers.keys()) touched.add(w);
      for (const [writer, position] of batch.positions) this.state.pushed[writer] = position;
      writeState(this.statePath, this.state);
      this.options.onStep?.('pushed', batch.seqs.length);
      batch = newBatch();
    };
    for (const stream of streams) {
      const { writer } = stream;
      const serverSeq = onServer.get(writer) ?? 0;
      if (stream.kind === 'segment') {
        // A compacted writer: its lines after the server's, straight from the segment.
        const pending: Array<[string, number]> = [];
        readSourceLines(stream, serverSeq, (text, line) => pending.push([text, line]));
        for (const [text, line] of pending) {
          batch.add(writer, line, text);
          if (batch.seqs.length >= PUSH_LINES || batch.bytes >= PUSH_BYTES) await flush();
        }
        continue;
      }
      const { file } = stream;
      const size = fs.statSync(file).size;
      let position = this.positionOf(this.state.pushed[writer], file, serverSeq);
      if (position.offset >= size) continue;
      // Byte windows, so that a large writer file is never held in memory whole.
      while (position.offset < size) {
        let window = PUSH_BYTES;
        let next: LogPosition;
        do {
          next = readNewLines(file, position, Math.min(size, position.offset + window), (lines) => {
            for (const { text, line } of lines) batch.add(writer, line, text);
          });
          window *= 2;
        } while (next.offset === position.offset && position.offset + window / 2 < size);
        if (next.offset === position.offset) break; // only a line still being written
        position = next;
        batch.positions.set(writer, { ...position, size: position.offset });
        if (batch.seqs.length >= PUSH_LINES || batch.bytes >= PUSH_BYTES) await flush();
      }
    }
    await flush();
    return { pushed, pushedWriters: touched.size };
  }

  /** Where line `seq` of a writer's file ends: from the cache when it agrees, else by counting. */
  private positionOf(cached: Cached | undefined, file: string, seq: number): LogPosition {
    if (seq === 0) return { offset: 0, line: 0 };
    if (cached && cached.line === seq) return { offset: cached.offset, line: cached.line };
    // A lost cache, or a server that has more than we recorded (another sync of this store).
    let position: LogPosition = { offset: 0, line: 0 };
    const fd = fs.openSync(file, 'r');
    try {
      const buffer = Buffer.allocUnsafe(1 << 16);
      for (let at = 0; position.line < seq;) {
        const n = fs.readSync(fd, buffer, 0, buffer.length, at);
        if (n === 0) break;
        for (let i = 0; i < n && position.line < seq; i++)
          if (buffer[i] === 0x0a) position = { offset: at + i + 1, line: position.line + 1 };
        at += n;
      }
    } finally {
      fs.closeSync(fd);
    }
    return position;
  }

  private async commitPush(batch: Batch): Promise<void> {
    const c = this.client;
    try {
      await c.query('BEGIN');
      // COPY into a session's staging table, then one INSERT that skips what the server has:
      // about 2.5 times the events per second of binding arrays (bench/team.bench.ts).
      await c.query(
        'CREATE TEMP TABLE IF NOT EXISTS mltrace_push (writer text, seq bigint, line text) ON COMMIT DELETE ROWS',
      );
      await pipeline(
        Readable.from(copyText(batch)),
        c.query(pgCopyStreams().from('COPY mltrace_push (writer, seq, line) FROM STDIN')),
      );
      await c.query(
        'INSERT INTO mltrace_events (writer, seq, line) SELECT writer, seq, line FROM mltrace_push ON CONFLICT DO NOTHING',
      );
      // Change numbers in commit order: drawn under a lock held until COMMIT.
      await c.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
      await c.query(
        `INSERT INTO mltrace_writers (writer, max_seq, change)
           SELECT w, s, nextval('mltrace_change') FROM unnest($1::text[], $2::bigint[]) AS t(w, s)
         ON CONFLICT (writer) DO UPDATE
           SET max_seq = GREATEST(mltrace_writers.max_seq, EXCLUDED.max_seq),
               change = EXCLUDED.change, pushed_at = now()`,
        [[...batch.writers.keys()], [...batch.writers.values()]],
      );
      for (const writer of batch.writers.keys()) await c.query('SELECT pg_notify($1, $2)', [CHANNEL, writer]);
      await c.query('COMMIT');
    } catch (error) {
      await c.query('ROLLBACK').catch(() => undefined);
      const e = explain(error, this.uri);
      if (e.kind === 'permission')
        throw new TeamError(
          `${e.message}: this role may only read the team store (pulling works; pushing needs INSERT and UPDATE on mltrace_events and mltrace_writers, and USAGE on the sequence mltrace_change)`,
          'permission',
        );
      throw e;
    }
  }

  // ---- pull ---------------------------------------------------------------------------------

  async pull(): Promise<Pick<SyncReport, 'pulled' | 'pulledWriters' | 'problems' | 'incomplete'>> {
    this.deadline = Date.now() + (this.options.pullBudgetMs ?? Infinity);
    let pulled = 0;
    const touched = new Set<string>();
    const problems: string[] = [];
    fs.mkdirSync(this.events, { recursive: true });
    // Our own writers, loose or compacted: never pulled back.
    const own = new Set(ownWriterStreams(this.storeDir).map((s) => s.writer));
    for (;;) {
      const { rows } = await this.client.query<{ writer: string; max_seq: string; change: string }>(
        `SELECT writer, max_seq, change FROM mltrace_writers WHERE change > $1::bigint ORDER BY change LIMIT ${PULL_WRITERS}`,
        [this.state.cursor],
      );
      if (rows.length === 0) break;
      for (const row of rows) {
        if (Date.now() > this.deadline || this.cancelled) {
          writeState(this.statePath, this.state);
          return { pulled, pulledWriters: touched.size, problems, incomplete: true };
        }
        const writer = row.writer;
        if (!WRITER_NAME.test(writer) || writer.startsWith(PULLED_PREFIX)) {
          problems.push(`writer ${JSON.stringify(writer)}: not a file name mltrace writes; skipped`);
          continue;
        }
        if (own.has(writer) || fs.existsSync(path.join(this.events, `${writer}.jsonl`))) continue;
        const count = await this.pullWriter(writer, Number(row.max_seq));
        if (count > 0) {
          pulled += count;
          touched.add(writer);
        }
      }
      this.state.cursor = rows[rows.length - 1].change;
      writeState(this.statePath, this.state);
    }
    return { pulled, pulledWriters: touched.size, problems, incomplete: false };
  }

  /** Appends the lines of `writer` that the local copy lacks; returns how many. */
  private async pullWriter(writer: string, maxSeq: number): Promise<number> {
    const file = path.join(this.events, `${PULLED_PREFIX}${writer}.jsonl`);
    let local = this.localEnd(file, this.state.pulled[writer]);
    let count = 0;
    while (local.line < maxSeq && Date.now() <= this.deadline) {
      const { rows } = await this.client.query<{ seq: string; line: string }>(
        `SELECT seq, line FROM mltrace_events WHERE writer = $1 AND seq > $2::bigint ORDER BY seq LIMIT ${PULL_LINES}`,
        [writer, local.line],
      );
      if (rows.length === 0) break;
      let text = '';
      let line = local.line;
      for (const row of rows) {
        const seq = Number(row.seq);
        // Blank lines are never pushed: keep the numbering by writing them back.
        const one = /[\r\n]/.test(row.line) ? row.line.replace(/[\r\n]/g, ' ') : row.line;
        text += (seq === line + 1 ? '' : '\n'.repeat(seq - line - 1)) + one + '\n';
        line = seq;
      }
      const bytes = Buffer.from(text);
      fs.appendFileSync(file, bytes);
      local = { offset: local.offset + bytes.length, line, size: local.offset + bytes.length };
      this.state.pulled[writer] = local;
      count += rows.length;
      this.options.onStep?.('pulled', rows.length);
    }
    return count;
  }

  /** The end of the last complete line of a pulled file; a torn last line is cut off. */
  private localEnd(file: string, cached: Cached | undefined): Cached {
    if (!fs.existsSync(file)) return { offset: 0, line: 0, size: 0 };
    const size = fs.statSync(file).size;
    if (cached && cached.size === size && cached.offset === size) return cached;
    const end = readNewLines(file, { offset: 0, line: 0 }, size, () => undefined);
    if (end.offset < size) fs.truncateSync(file, end.offset);
    return { ...end, size: end.offset };
  }
}

interface Batch {
  writerOfLine: string[];
  seqs: number[];
  lines: string[];
  bytes: number;
  /** Each writer's last line number in the batch. */
  writers: Map<string, number>;
  positions: Map<string, Cached>;
  add(writer: string, seq: number, line: string): void;
}

function newBatch(): Batch {
  const batch: Batch = {
    writerOfLine: [],
    seqs: [],
    lines: [],
    bytes: 0,
    writers: new Map(),
    positions: new Map(),
    add(writer, seq, line) {
      batch.writerOfLine.push(writer);
      batch.seqs.push(seq);
      // PostgreSQL text holds no NUL: such a line is malformed anyway, and stays so.
      batch.lines.push(line.includes('\0') ? line.replace(/\0/g, '\ufffd') : line);
      batch.bytes += line.length;
      batch.writers.set(writer, seq);
    },
  };
  return batch;
}

/** The batch as COPY's text format, in chunks of about a megabyte. */
function* copyText(batch: Batch): Generator<string> {
  // COPY text: tab between fields, newline after a row, backslash escapes in values.
  const escape = (value: string) =>
    /[\\\t\n\r]/.test(value)
      ? value.replace(/[\\\t\n\r]/g, (ch) => ESCAPES[ch as keyof typeof ESCAPES])
      : value;
  let chunk = '';
  for (let i = 0; i < batch.seqs.length; i++) {
    chunk += `${escape(batch.writerOfLine[i])}\t${batch.seqs[i]}\t${escape(batch.lines[i])}\n`;
    if (chunk.length >= 1 << 20) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

const ESCAPES = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' } as const;

function readState(file: string): State {
  try {
    const state = JSON.parse(fs.readFileSync(file, 'utf8')) as State;
    if (typeof state.cursor === 'string' && state.pushed && state.pulled) return state;
  } catch {
    // missing or damaged: the server and the files are the truth
  }
  return { pushed: {}, pulled: {}, cursor: '0' };
}

function writeState(file: string, state: State): void {
  writeDurably(file, JSON.stringify(state));
}
