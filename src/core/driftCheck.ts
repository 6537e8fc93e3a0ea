// Drift against the index: the profiles of content versions, the latest logged version of a
// pointer, and comparisons, cached. A version's profile never changes once recorded (the first
// event that carries it wins), so profiles and comparisons found are kept across calls; a
// version without a profile is asked again next time (its profile may arrive later).
// Staleness keeps only what its sentences need of a comparison (`summary`), by pair of versions
// and settings: a full report holds both profiles' columns, and thousands of them would hold every
// profile in memory.
import {
  CompareOptions,
  compareTables,
  DriftReport,
  DriftSettings,
  DriftSummary,
  settingsKey,
  summarizeDrift,
} from './drift';
import { fromStored, ProfileTable, StoredWords } from './profile/storedProfile';
import { DIR } from './schema';
import { BlobQuery } from './blobQuery';
import { all, Database, first, freeStatements, FROM_IDS, lazyStatements, Statements } from './sql';

/**
 * Profiles, full reports (for `mltrace drift`) and summaries kept at most. A profile of 100
 * columns is ~30 KB as a table, a report holds two as objects; a summary is a few short strings. Few
 * profiles: staleness compares each pair once and keeps its summary, and makes a run's
 * comparisons together, so a profile is needed again soon or not at all; kept longer, profiles
 * outlive V8's young generation and are copied to the old one (parsing the benchmark's 1,201
 * profiles and keeping them all took twice the CPU time of parsing them and letting them go).
 */
const MAX_PROFILES = 16;
/**
 * Words of profiles kept, by their JSON: the versions of one table mostly have the same columns
 * and the same most frequent values, so their words are one text, parsed once, and their tables
 * share its lists (a comparison of two such tables pairs the columns by identity).
 */
const MAX_WORDS = 64;
const MAX_REPORTS = 64;
const MAX_SUMMARIES = 16_384;

export interface LoggedVersion {
  version: string;
  /** The run whose event recorded it (internal id). */
  runId: number;
  dir: (typeof DIR)[keyof typeof DIR];
}

const SQL = {
  profile: 'SELECT data, numbers FROM profiles WHERE version = ?',
  // (json_each read once, in order, each looked up in the key: `IN (SELECT …)` first indexes them all.)
  present: `SELECT p.version ${FROM_IDS} profiles p ON p.version = ids.value`,
  any: 'SELECT 1 FROM profiles LIMIT 1',
  latest: `SELECT fingerprint, start_ms, seq, run_id FROM run_io
      WHERE pointer_id = ? AND dir = ? AND fingerprint IS NOT NULL ORDER BY start_ms DESC, seq DESC LIMIT 1`,
};

export class DriftCheck {
  /** Prepared when first used: a store without profiles never reads one (lazyStatements). */
  private readonly s: Statements<keyof typeof SQL>;
  /** Least recently used first (a Map keeps insertion order; a hit moves to the end). */
  private readonly profiles = new Map<string, ProfileTable>();
  private readonly words = new Map<string, StoredWords>();
  private readonly reports = new Map<string, DriftReport>();
  private readonly summaries = new Map<string, DriftSummary>();
  /** settingsKey of each settings object met (a staleness call makes one). */
  private readonly keys = new WeakMap<DriftSettings, string>();
  /** Versions found without a profile since `forgetMissing()`: not asked again meanwhile. */
  private readonly missing = new Set<string>();
  /** Versions known to have a profile (a profile, once recorded, stays). */
  private readonly present = new Set<string>();
  /** The columns two versions share, by "reference\ncurrent". */
  private readonly shared = new Map<string, number>();
  /** transient()'s profiles, least recently used first; their buffers are used again. */
  private readonly scratch = new Map<string, ProfileTable>();
  /** Buffers of profiles that transient() let go. */
  private readonly spare: ArrayBuffer[] = [];

  /** The profile query read straight from sql.js's memory (BlobQuery), null where it cannot be. */
  private blobs: BlobQuery | null | undefined;

  constructor(private readonly db: Database) {
    this.s = lazyStatements(db, SQL);
  }

  dispose(): void {
    freeStatements(this.s);
    this.blobs?.free();
  }

  /** Forgets which versions had no profile (call before a computation: new events may bring them). */
  forgetMissing(): void {
    this.missing.clear();
  }

  /** Whether the index holds any profile at all (most stores of pipelines without tables do not). */
  anyProfile(): boolean {
    return this.present.size > 0 || this.profiles.size > 0 || first(this.s.any) !== undefined;
  }

  /**
   * Finds out in one query which of these versions have profiles, so that `profile()` asks no
   * query for those that have none (most versions a staleness check meets: models, outputs).
   */
  prefetch(versions: Iterable<string>): void {
    const unknown = [...new Set(versions)].filter(
      (v) => !this.missing.has(v) && !this.present.has(v) && !this.profiles.has(v),
    );
    if (unknown.length === 0) return;
    const present = new Set(all(this.s.present, [JSON.stringify(unknown)]).map((r) => String(r[0])));
    for (const version of unknown) {
      if (present.has(version)) this.present.add(version);
      else this.missing.add(version);
    }
  }

  /** Whether a version has a profile, without reading it when that is known. */
  hasProfile(version: string): boolean {
    return this.present.has(version) || this.profiles.has(version) || this.transient(version) !== null;
  }

  /** The number of columns the profiles of two versions share (0 without both profiles). */
  sharedColumns(a: string, b: string): number {
    const key = `${a}\n${b}`;
    let n = this.shared.get(key);
    if (n === undefined) {
      const pa = this.transient(a);
      const pb = pa && this.transient(b);
      n = pa && pb ? sharedColumns(pa, pb) : 0;
      if (this.shared.size >= MAX_SUMMARIES) this.shared.delete(this.shared.keys().next().value!);
      this.shared.set(key, n);
    }
    return n;
  }

  /** The profile of a content version, if an event recorded one. */
  profile(version: string | null): ProfileTable | null {
    if (version === null || this.missing.has(version)) return null;
    const cached = this.profiles.get(version);
    if (cached) {
      this.profiles.delete(version);
      this.profiles.set(version, cached);
      return cached;
    }
    const profile = this.read(version, (data, numbers) => fromStored(this.wordsOf(data), numbers.slice()));
    if (!profile) {
      this.missing.add(version);
      return null;
    }
    this.present.add(version);
    if (this.profiles.size >= MAX_PROFILES) this.profiles.delete(this.profiles.keys().next().value!);
    this.profiles.set(version, profile);
    return profile;
  }

  /**
   * A profile for a comparison made here and now (summary, sharedColumns), never handed out: its
   * floats are copied into a buffer of a profile let go before, where `profile()` copies them into
   * new memory, which is slow to touch the first time here (PERFORMANCE.md, session 13).
   */
  private transient(version: string): ProfileTable | null {
    if (this.missing.has(version)) return null;
    const kept = this.scratch.get(version) ?? this.profiles.get(version);
    if (kept) {
      if (this.scratch.delete(version)) this.scratch.set(version, kept);
      return kept;
    }
    const table = this.read(version, (data, numbers) => {
      const buffer = this.spareBuffer(numbers.byteLength);
      const bytes = new Uint8Array(buffer, 0, numbers.byteLength);
      bytes.set(numbers);
      return fromStored(this.wordsOf(data), bytes);
    });
    if (!table) {
      this.missing.add(version);
      return null;
    }
    this.present.add(version);
    if (this.scratch.size >= MAX_PROFILES) {
      const [oldest, dropped] = this.scratch.entries().next().value!;
      this.scratch.delete(oldest);
      if (this.spare.length < MAX_PROFILES) this.spare.push(dropped.numbers.buffer as ArrayBuffer);
    }
    this.scratch.set(version, table);
    return table;
  }

  /** A buffer of at least `bytes` bytes, one let go if one is large enough. */
  private spareBuffer(bytes: number): ArrayBuffer {
    const i = this.spare.findIndex((b) => b.byteLength >= bytes);
    if (i >= 0) return this.spare.splice(i, 1)[0];
    // Rounded up to a power of two: profiles of one table differ by a few bytes.
    return new ArrayBuffer(2 ** Math.ceil(Math.log2(Math.max(bytes, 4096))));
  }

  /** `use` of a version's profile row (its floats a view of sql.js's memory), undefined without one. */
  private read<T>(version: string, use: (data: string, numbers: Uint8Array) => T): T | undefined {
    if (this.blobs === undefined) this.blobs = BlobQuery.prepare(this.db, SQL.profile);
    if (this.blobs) return this.blobs.first(version, use);
    const row = first(this.s.profile, [version]);
    return row ? use(String(row[0]), row[1] as Uint8Array) : undefined;
  }

  /** A profile's words, parsed once for all the versions whose words are this text. */
  private wordsOf(data: string): StoredWords {
    let words = this.words.get(data);
    if (!words) {
      words = JSON.parse(data) as StoredWords;
      if (this.words.size >= MAX_WORDS) this.words.delete(this.words.keys().next().value!);
      this.words.set(data, words);
    }
    return words;
  }

  /**
   * The latest logged version of a pointer: the fingerprint recorded by the run that used it
   * last (by start, then log order), reading or writing.
   */
  latestVersion(pointerId: number): LoggedVersion | null {
    let best: { row: unknown[]; dir: LoggedVersion['dir'] } | null = null;
    for (const dir of [DIR.input, DIR.output]) {
      const row = first(this.s.latest, [pointerId, dir]);
      if (!row) continue;
      const later =
        !best ||
        Number(row[1]) > Number(best.row[1]) ||
        (Number(row[1]) === Number(best.row[1]) && Number(row[2]) > Number(best.row[2]));
      if (later) best = { row, dir };
    }
    return best ? { version: String(best.row[0]), runId: Number(best.row[3]), dir: best.dir } : null;
  }

  /** The comparison of two versions, or null when either has no profile. */
  compare(
    reference: string | null,
    current: string | null,
    settings: DriftSettings,
    options: CompareOptions = {},
  ): DriftReport | null {
    if (reference === null || current === null) return null;
    const key = this.key(reference, current, settings, options.columns ?? 'all');
    const cached = this.reports.get(key);
    if (cached) return cached;
    const ref = this.profile(reference);
    const cur = ref && this.profile(current);
    if (!ref || !cur) return null;
    const report = compareTables(ref, cur, settings, options);
    if (this.reports.size >= MAX_REPORTS) this.reports.delete(this.reports.keys().next().value!);
    this.reports.set(key, report);
    return report;
  }

  /**
   * What staleness needs of the comparison of two versions (null when either has no profile),
   * kept by pair and settings: many runs read one version, and each pair is compared once.
   */
  summary(
    reference: string,
    current: string,
    settings: DriftSettings,
    columns: 'all' | 'shared',
  ): DriftSummary | null {
    const key = this.key(reference, current, settings, columns);
    const cached = this.summaries.get(key);
    if (cached) return cached;
    const ref = this.transient(reference);
    const cur = ref && this.transient(current);
    if (!ref || !cur) return null;
    const summary = summarizeDrift(ref, cur, settings, { columns });
    if (this.summaries.size >= MAX_SUMMARIES) this.summaries.delete(this.summaries.keys().next().value!);
    this.summaries.set(key, summary);
    return summary;
  }

  private key(reference: string, current: string, settings: DriftSettings, columns: string): string {
    let k = this.keys.get(settings);
    if (k === undefined) this.keys.set(settings, (k = settingsKey(settings)));
    return `${reference}\n${current}\n${k}\n${columns}`;
  }
}

/** The columns two profiles share. */
export function sharedColumns(a: ProfileTable, b: ProfileTable): number {
  // (Tables whose words are one text share their names; a profile names each column once.)
  if (a.names === b.names) return a.names.length;
  const names = new Set(a.names);
  return b.names.reduce((n, name) => n + (names.has(name) ? 1 : 0), 0);
}
