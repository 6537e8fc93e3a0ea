// Drift between two data profiles (docs/DRIFT.md): per column, the population stability index
// (PSI) over the reference's bins, the change of the null rate, and changes of schema. Pure:
// profiles in, a report out; the index (driftCheck.ts) and the sentences (staleness.ts) are apart.
// Comparisons read profiles as tables (profile/storedProfile.ts): a column's figures where they
// are in the profile's run of floats; only a column that changed becomes an object.
import { visible } from './format';
import type { ColumnType } from './profile/facets';
import {
  columnOf,
  COUNT,
  NULLS,
  ProfileTable,
  QUANTILE_COUNT,
  QUANTILES_AT,
  tableOf,
} from './profile/storedProfile';

/** One column of a profile, as the index keeps it (ingest/parseProfile.ts builds it). */
export interface ColumnSummary {
  name: string;
  type: ColumnType;
  nullCount: number;
  /** Non-null values. */
  count: number;
  distinctCount: number;
  min?: number;
  max?: number;
  mean?: number;
  /** The 21 nearest-rank quantiles 0, 0.05, …, 1 of the non-null values (numeric columns). */
  quantiles?: readonly number[];
  /** The most frequent values (up to 20) with their counts, and the count of all the others. */
  top?: { values: [string, number][]; other: number };
}

/** What drift needs of one content version's profile (the index keeps it as a ProfileTable). */
export interface DataProfile {
  profiler: string;
  /** Rows evaluated (the sample's when sampled). */
  rows: number;
  /** Rows in the file (estimated when sampled). */
  fileRows: number;
  sampled: boolean;
  cutShort: boolean;
  bytes: number;
  /** In the schema's order. */
  columns: ColumnSummary[];
}

/** Every default of the rule; each is a setting (docs/DRIFT.md). */
export interface DriftSettings {
  /** A column drifts when its PSI is at least this. */
  threshold: number;
  /** …or when its null rate moved by at least this many percentage points. */
  nullRatePoints: number;
  /** Fewer rows than this on either side: no verdict on the distributions. */
  minRows: number;
  /** The fraction an empty bin counts as (PSI takes logarithms of fractions). */
  epsilon: number;
  /** Numeric bins: the reference's quantiles at 1/bins, 2/bins, …; a divisor of 20. */
  bins: number;
  /** Categorical bins: the reference's most frequent values (at most 20), plus "other". */
  topValues: number;
  /**
   * Columns that never drift: names, `*` matching any text (`id`, `*_at`). Row ids and timestamps
   * move with every new batch; their PSI says so, not that the data changed in kind.
   */
  ignoreColumns: readonly string[];
}

export const DRIFT_DEFAULTS: Readonly<DriftSettings> = {
  threshold: 0.2,
  nullRatePoints: 10,
  minRows: 100,
  epsilon: 1e-4,
  bins: 10,
  topValues: 20,
  ignoreColumns: [],
};

/** Settings as given (a setting, a CLI option), with every missing or invalid one at its default. */
export function driftSettings(given: Partial<DriftSettings> = {}): DriftSettings {
  const positive = (v: number | undefined, fallback: number) =>
    v !== undefined && Number.isFinite(v) && v > 0 ? v : fallback;
  const bins = [2, 4, 5, 10, 20].includes(given.bins ?? 0) ? given.bins! : DRIFT_DEFAULTS.bins;
  return {
    threshold: positive(given.threshold, DRIFT_DEFAULTS.threshold),
    nullRatePoints: positive(given.nullRatePoints, DRIFT_DEFAULTS.nullRatePoints),
    minRows: given.minRows !== undefined && given.minRows >= 0 ? given.minRows : DRIFT_DEFAULTS.minRows,
    epsilon: Math.min(positive(given.epsilon, DRIFT_DEFAULTS.epsilon), 0.01),
    bins,
    topValues: Math.min(Math.floor(positive(given.topValues, DRIFT_DEFAULTS.topValues)), 20),
    ignoreColumns: Array.isArray(given.ignoreColumns)
      ? [...new Set(given.ignoreColumns.filter((c) => typeof c === 'string' && c !== ''))].sort()
      : DRIFT_DEFAULTS.ignoreColumns,
  };
}

/** A key that tells settings apart, for caches. */
export const settingsKey = (s: DriftSettings): string =>
  `${s.threshold}/${s.nullRatePoints}/${s.minRows}/${s.epsilon}/${s.bins}/${s.topValues}/${JSON.stringify(s.ignoreColumns)}`;

/** Matchers of ignoreColumns, by their patterns (a few settings in a process). */
const ignoreMatchers = new Map<string, (name: string) => boolean>();

/** Whether ignoreColumns names a column; null when it names none. */
function ignoring(settings: DriftSettings): ((name: string) => boolean) | null {
  const patterns = settings.ignoreColumns;
  if (patterns.length === 0) return null;
  const key = JSON.stringify(patterns);
  let matcher = ignoreMatchers.get(key);
  if (!matcher) {
    const escape = (text: string) => text.replace(/[\\^$.|?+()[\]{}]/g, '\\$&');
    const re = new RegExp(
      `^(?:${patterns.map((p) => p.split('*').map(escape).join('.*')).join('|')})$`,
      'su',
    );
    matcher = (name) => re.test(name);
    ignoreMatchers.set(key, matcher);
  }
  return matcher;
}

export type ColumnStatus = 'drifted' | 'retyped' | 'added' | 'removed' | 'same' | 'no verdict' | 'ignored';

export interface ColumnDrift {
  name: string;
  status: ColumnStatus;
  /** null: not computed (no values, a type without bins, too few rows, a schema change). */
  psi: number | null;
  /** How the bins were made. */
  bins: 'quantiles' | 'top values' | null;
  /** Fractions of rows (0–1) that are null on each side. */
  nullRate: { reference: number; current: number } | null;
  /**
   * The PSI two samples of these sizes of one distribution stay under 999 times in 1,000
   * (psiNoise); a column drifts only above it. null with `psi`.
   */
  noise: number | null;
  /** The PSI reached the threshold and the noise of resampling. */
  psiMoved: boolean;
  /** The null rate moved by the settings' points or more. */
  nullRateMoved: boolean;
  reference: ColumnSummary | null;
  current: ColumnSummary | null;
}

export type Verdict = 'drifted' | 'same' | 'no verdict';

export interface DriftReport {
  verdict: Verdict;
  /** Why there is no verdict on the distributions, if there is none. */
  why: string | null;
  /** Drifted columns first (schema changes, then by PSI), then the others by PSI. */
  columns: ColumnDrift[];
  /** The largest PSI of any column, or null when none was computed. */
  largestPsi: number | null;
  referenceRows: number;
  currentRows: number;
}

export interface CompareOptions {
  /**
   * `shared`: only the columns both sides have count (training–serving skew: serving data
   * without the label column is normal); columns only one side has are listed, never drift.
   */
  columns?: 'all' | 'shared';
}

const NUMERIC = new Set<ColumnType>(['integer', 'number']);
const isNumeric = (type: ColumnType) => NUMERIC.has(type);

/** integer and number are one kind: a change between them is no retype, the numbers are compared. */
const sameKind = (a: ColumnType, b: ColumnType) => a === b || (isNumeric(a) && isNumeric(b));

/** Compares `current` with `reference`, column by column. */
export function compareProfiles(
  reference: DataProfile,
  current: DataProfile,
  settings: DriftSettings = DRIFT_DEFAULTS,
  options: CompareOptions = {},
): DriftReport {
  return compareTables(tableOf(reference), tableOf(current), settings, options);
}

/** compareProfiles of profiles read from the index. */
export function compareTables(
  reference: ProfileTable,
  current: ProfileTable,
  settings: DriftSettings = DRIFT_DEFAULTS,
  options: CompareOptions = {},
): DriftReport {
  const report = compareUnsorted(reference, current, settings, options);
  report.columns.sort(byDrift);
  return report;
}

/** What a staleness sentence says of a comparison (driftCheck.ts keeps these by pair of versions). */
export interface DriftSummary {
  verdict: Verdict;
  why: string | null;
  largestPsi: number | null;
  /** driftFigures of the report ('' unless the verdict is "drifted"). */
  figures: string;
}

/**
 * compareTables' verdict and figures without its report: only the columns that changed become
 * objects and are put in order (the sentence names a few of them), not all of them (a check of all
 * runs makes thousands of comparisons of a hundred columns each), and they hold no summary of
 * either side's column (only a retyped one, whose types the sentence names). The same order as the
 * report's (a stable sort of the same columns in the same order, by the same comparison), so the
 * same figures.
 */
export function summarizeDrift(
  reference: ProfileTable,
  current: ProfileTable,
  settings: DriftSettings = DRIFT_DEFAULTS,
  options: CompareOptions = {},
): DriftSummary {
  const report = compareUnsorted(reference, current, settings, options, false);
  const figures =
    report.verdict === 'drifted'
      ? driftFigures({ ...report, columns: report.columns.sort(byDrift) }, options)
      : '';
  return { verdict: report.verdict, why: report.why, largestPsi: report.largestPsi, figures };
}

/**
 * compareTables, its columns in the order met (reference's, then the added ones); with `unchanged`
 * false, only the columns that changed (schema changes and drifted columns), as summarizeDrift
 * needs them.
 */
function compareUnsorted(
  reference: ProfileTable,
  current: ProfileTable,
  settings: DriftSettings,
  options: CompareOptions,
  unchanged = true,
): DriftReport {
  const base = { referenceRows: reference.rows, currentRows: current.rows };
  if (reference.profiler !== current.profiler) {
    return {
      ...base,
      verdict: 'no verdict',
      why: `profiled by different profilers (${reference.profiler}, ${current.profiler})`,
      columns: [],
      largestPsi: null,
    };
  }
  const fewRows = Math.min(reference.rows, current.rows) < settings.minRows;
  const columns: ColumnDrift[] = [];
  let largestPsi: number | null = null;
  let drifted = false;
  const change = (column: ColumnDrift) => {
    columns.push(column);
    drifted ||= columnCounts(column, options);
  };
  // A side of a column in the report (summarizeDrift keeps none: its sentence reads only names).
  const side = (t: ProfileTable, i: number) => (unchanged ? columnOf(t, i) : null);
  // A column that ignoreColumns names is listed in a report, its figures for what they are worth,
  // and counts for nothing: not for the verdict, the largest PSI, or a sentence.
  const ignored = ignoring(settings);
  const isIgnored = (name: string) => ignored !== null && ignored(name);
  const ignore = (column: ColumnDrift) => {
    if (unchanged) columns.push({ ...column, status: 'ignored', psiMoved: false, nullRateMoved: false });
  };
  const compare = (i: number, k: number) => {
    const skip = isIgnored(reference.names[i]);
    if (skip && !unchanged) return;
    if (!sameKind(reference.types[i], current.types[k]))
      return (skip ? ignore : change)(
        schemaChange(reference.names[i], 'retyped', columnOf(reference, i), columnOf(current, k)),
      );
    const j = judgeColumn(reference, i, current, k, settings, fewRows);
    const name = reference.names[i];
    if (skip) return ignore(columnDrift(name, columnOf(reference, i), columnOf(current, k), j));
    if (j.psi !== null) largestPsi = largestPsi === null ? j.psi : Math.max(largestPsi, j.psi);
    if (j.status === 'drifted') change(columnDrift(name, side(reference, i), side(current, k), j));
    else if (unchanged) columns.push(columnDrift(name, columnOf(reference, i), columnOf(current, k), j));
  };
  const [refs, curs] = [reference.names, current.names];
  if (sameNames(refs, curs)) {
    // Most comparisons are of two versions of one table: the columns pair up in order.
    for (let i = 0; i < refs.length; i++) compare(i, i);
  } else {
    const currentByName = indexByName(curs);
    const referenceByName = indexByName(refs);
    for (let i = 0; i < refs.length; i++) {
      const k = currentByName.get(refs[i]);
      if (k !== undefined) compare(i, k);
      else (isIgnored(refs[i]) ? ignore : change)(schemaChange(refs[i], 'removed', side(reference, i), null));
    }
    for (let k = 0; k < curs.length; k++)
      if (!referenceByName.has(curs[k]))
        (isIgnored(curs[k]) ? ignore : change)(schemaChange(curs[k], 'added', null, side(current, k)));
  }
  const why = fewRows
    ? `too few rows to compare distributions (${Math.min(reference.rows, current.rows)}, ${settings.minRows} needed)`
    : null;
  return {
    ...base,
    verdict: drifted ? 'drifted' : fewRows ? 'no verdict' : 'same',
    why,
    columns,
    largestPsi,
  };
}

/**
 * Whether two lists of columns have the same names in the same order. (A profile names each column
 * once: ingest drops one whose schema names a column twice, parseProfile.ts.)
 */
function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true; // (tables whose words are one text share their lists: driftCheck.ts)
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A profile's columns' indexes by name, made again by each comparison. Not kept per profile in a
 * WeakMap: V8's young-generation collections keep a WeakMap's values alive even when the key is
 * garbage, so every profile compared was copied to the old generation (measured: 20,000 entries of
 * 200 objects, 62 MB copied; without the WeakMap, none). A map of 100 columns costs microseconds.
 */
const indexByName = (names: readonly string[]): Map<string, number> =>
  new Map(names.map((name, i) => [name, i]));

/** Whether a column's change counts towards the verdict, for a report's columns. */
export function columnCounts(column: ColumnDrift, options: CompareOptions = {}): boolean {
  if (column.status === 'drifted' || column.status === 'retyped') return true;
  return options.columns !== 'shared' && (column.status === 'added' || column.status === 'removed');
}

const RANK: Record<ColumnStatus, number> = {
  retyped: 0,
  removed: 0,
  added: 0,
  drifted: 1,
  same: 2,
  'no verdict': 3,
  ignored: 4,
};

function byDrift(a: ColumnDrift, b: ColumnDrift): number {
  return (
    RANK[a.status] - RANK[b.status] ||
    (b.psi ?? -1) - (a.psi ?? -1) ||
    nullRateChange(b) - nullRateChange(a) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

const nullRateChange = (c: ColumnDrift) =>
  c.nullRate ? Math.abs(c.nullRate.current - c.nullRate.reference) : 0;

function schemaChange(
  name: string,
  status: 'added' | 'removed' | 'retyped',
  reference: ColumnSummary | null,
  current: ColumnSummary | null,
): ColumnDrift {
  return {
    name,
    status,
    psi: null,
    bins: null,
    noise: null,
    nullRate: null,
    psiMoved: false,
    nullRateMoved: false,
    reference,
    current,
  };
}

/** What the comparison of one column decided (judgeColumn), before it becomes a ColumnDrift. */
interface Judgement {
  status: 'drifted' | 'same' | 'no verdict';
  psi: number | null;
  bins: ColumnDrift['bins'];
  noise: number | null;
  nullReference: number;
  nullCurrent: number;
  psiMoved: boolean;
  nullRateMoved: boolean;
}

/**
 * One judgement, reused by every comparison of a column, and the fractions of its bins: a check of
 * all runs judges 200,000 columns, and objects for each were most of what its collections copied.
 */
const judgement: Judgement = {
  status: 'same',
  psi: null,
  bins: null,
  noise: null,
  nullReference: 0,
  nullCurrent: 0,
  psiMoved: false,
  nullRateMoved: false,
};
/** Bins at most: 20 quantile bins, or 20 top values and "other". */
const MAX_BINS = 21;
const fractions = { reference: new Float64Array(MAX_BINS), current: new Float64Array(MAX_BINS), length: 0 };
const edges = new Float64Array(MAX_BINS);

/** Column i of `reference` against column k of `current`, into `judgement`. */
function judgeColumn(
  reference: ProfileTable,
  i: number,
  current: ProfileTable,
  k: number,
  settings: DriftSettings,
  fewRows: boolean,
): Judgement {
  const j = judgement;
  // (No destructuring of pairs here: called 200,000 times by a check of all runs, and until V8
  // optimizes it each pair is an array to collect.)
  const rn = reference.numbers;
  const cn = current.numbers;
  const ra = reference.at[i];
  const ca = current.at[k];
  const referenceRows = reference.rows;
  const currentRows = current.rows;
  const refNulls = rn[ra + NULLS];
  const curNulls = cn[ca + NULLS];
  const refCount = rn[ra + COUNT];
  const curCount = cn[ca + COUNT];
  j.nullReference = referenceRows > 0 ? refNulls / referenceRows : 0;
  j.nullCurrent = currentRows > 0 ? curNulls / currentRows : 0;
  const nullRateMoved =
    Math.abs(j.nullCurrent - j.nullReference) * 100 >= settings.nullRatePoints - 1e-9 &&
    Math.abs(j.nullCurrent - j.nullReference) >
      nullRateNoise(refNulls + curNulls, referenceRows, currentRows);
  j.bins = null;
  // (A column whose values all became null, or that had none: the null rate says it.)
  if (refCount > 0 && curCount > 0) {
    const refQuantiles = rn[ra + QUANTILE_COUNT];
    const curQuantiles = cn[ca + QUANTILE_COUNT];
    const refTop = reference.top[i];
    const curTop = current.top[k];
    if (refTop !== null && curTop !== null) {
      categoricalFractions(
        refTop,
        rn,
        ra + QUANTILES_AT + refQuantiles,
        curTop,
        cn,
        ca + QUANTILES_AT + curQuantiles,
        settings,
      );
      j.bins = 'top values';
    } else if (refQuantiles > 0 && curQuantiles > 0) {
      quantileFractions(rn, ra + QUANTILES_AT, refQuantiles, cn, ca + QUANTILES_AT, curQuantiles, settings);
      j.bins = 'quantiles';
    }
  }
  const binned = j.bins !== null;
  j.psi = binned ? psiOf(fractions.reference, fractions.current, settings.epsilon, fractions.length) : null;
  j.noise = binned ? psiNoise(fractions.length - 1, refCount, curCount) : null;
  j.psiMoved = !fewRows && j.psi !== null && j.psi >= settings.threshold && j.psi > j.noise!;
  j.nullRateMoved = !fewRows && nullRateMoved;
  j.status = fewRows ? 'no verdict' : j.psiMoved || j.nullRateMoved ? 'drifted' : 'same';
  return j;
}

function columnDrift(
  name: string,
  ref: ColumnSummary | null,
  cur: ColumnSummary | null,
  j: Judgement,
): ColumnDrift {
  return {
    name,
    status: j.status,
    psi: j.psi,
    bins: j.bins,
    noise: j.noise,
    nullRate: { reference: j.nullReference, current: j.nullCurrent },
    psiMoved: j.psiMoved,
    nullRateMoved: j.nullRateMoved,
    reference: ref,
    current: cur,
  };
}

/**
 * The chi-square distribution's 99.9th percentile for 1–20 degrees of freedom. Between two
 * samples of one distribution, of n and m values, PSI over k bins is close to
 * (1/n + 1/m) · chi-square(k − 1); a PSI above this percentile times (1/n + 1/m) is not the noise
 * of resampling (one column in a thousand of equal distributions goes beyond it).
 */
const CHI_SQUARE_999 = [
  10.828, 13.816, 16.266, 18.467, 20.515, 22.458, 24.322, 26.124, 27.877, 29.588, 31.264, 32.909, 34.528,
  36.123, 37.697, 39.252, 40.79, 42.312, 43.82, 45.315,
];

/** The PSI that two samples of these sizes of one distribution stay under, 999 times in 1,000. */
export function psiNoise(degrees: number, n: number, m: number): number {
  if (degrees < 1) return 0;
  return CHI_SQUARE_999[Math.min(degrees, CHI_SQUARE_999.length) - 1] * (1 / n + 1 / m);
}

/** The same for a change of null rate: a two-proportion z-test at 99.9 % (two-sided, z = 3.29). */
function nullRateNoise(nulls: number, n: number, m: number): number {
  if (n === 0 || m === 0) return 0;
  const p = nulls / (n + m);
  return 3.29 * Math.sqrt(p * (1 - p) * (1 / n + 1 / m));
}

/** PSI of two vectors of fractions (their first `length`), each summing to 1; empty bins count as epsilon. */
export function psiOf(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  epsilon: number,
  length = reference.length,
): number {
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const r = Math.max(reference[i], epsilon);
    const c = Math.max(current[i], epsilon);
    sum += (c - r) * Math.log(c / r);
  }
  return sum;
}

/**
 * The cumulative distribution function that 21 quantiles describe: linear between consecutive
 * quantiles (value q[i] at probability i/20), 0 below the minimum, 1 from the maximum. Where
 * several quantiles are equal (a value that many rows share) it jumps to the last of them, so
 * that the mass of a repeated value is counted at that value.
 */
export function quantileCdf(q: ArrayLike<number>, x: number): number {
  const last = q.length - 1;
  if (x < q[0]) return 0;
  if (x >= q[last]) return 1;
  // The largest i with q[i] <= x (then q[i + 1] > x).
  let lo = 0;
  let hi = last;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (q[mid] <= x) lo = mid;
    else hi = mid;
  }
  return (lo + (x - q[lo]) / (q[lo + 1] - q[lo])) / last;
}

/**
 * PSI over the reference's quantile bins: the edges are its quantiles at 1/bins, 2/bins, …
 * (distinct values only), and each side's fraction in a bin comes from its own quantiles through
 * quantileCdf. Both sides are read the same way, so two samples of one distribution give nearly
 * the same fractions, whatever the shape.
 */
export function quantilePsi(
  reference: ArrayLike<number>,
  current: ArrayLike<number>,
  settings: DriftSettings,
): number {
  quantileFractions(reference, 0, reference.length, current, 0, current.length, settings);
  return psiOf(fractions.reference, fractions.current, settings.epsilon, fractions.length);
}

/**
 * Each side's fractions in the reference's quantile bins (quantilePsi), into `fractions`; a side's
 * quantiles are the `length` numbers from its `start`.
 */
function quantileFractions(
  reference: ArrayLike<number>,
  refStart: number,
  refLength: number,
  current: ArrayLike<number>,
  curStart: number,
  curLength: number,
  settings: DriftSettings,
): void {
  const step = (refLength - 1) / settings.bins;
  let count = 0;
  for (let k = 1; k < settings.bins; k++) {
    const edge = reference[refStart + Math.round(k * step)];
    if (count === 0 || edge > edges[count - 1]) edges[count++] = edge;
  }
  binFractions(reference, refStart, refLength, count, fractions.reference);
  binFractions(current, curStart, curLength, count, fractions.current);
  fractions.length = count + 1;
}

/**
 * The fraction of a side (its quantiles) in each bin between the first `count` edges, and above
 * the last: quantileCdf at each edge, found by one walk up the quantiles (the edges ascend, so the
 * largest quantile at or below an edge is never before the previous edge's).
 */
function binFractions(
  q: ArrayLike<number>,
  start: number,
  length: number,
  count: number,
  into: Float64Array,
): void {
  const last = start + length - 1;
  let lo = start;
  let below = 0;
  for (let i = 0; i < count; i++) {
    const x = edges[i];
    let at: number;
    if (x < q[start]) at = 0;
    else if (x >= q[last]) at = 1;
    else {
      // q[lo] <= x < q[last]: the largest such lo, as quantileCdf's search finds it.
      while (q[lo + 1] <= x) lo++;
      at = (lo - start + (x - q[lo]) / (q[lo + 1] - q[lo])) / (length - 1);
    }
    into[i] = at - below;
    below = at;
  }
  into[count] = 1 - below;
}

/**
 * PSI over the reference's most frequent values plus "other". A value of the reference that the
 * current side does not list counts 0 when the current list is complete (its `other` is 0); when
 * the list was cut off, the value counts as the list's smallest count, the most it can be (a value
 * that fell just off the list of a resample is then no false alarm).
 */
export function categoricalPsi(
  reference: NonNullable<ColumnSummary['top']>,
  current: NonNullable<ColumnSummary['top']>,
  settings: DriftSettings,
): number {
  // As a table holds them: the count of the others, then each value's count.
  const counts = (top: NonNullable<ColumnSummary['top']>) =>
    Float64Array.from([top.other, ...top.values.map(([, c]) => c)]);
  const values = (top: NonNullable<ColumnSummary['top']>) => top.values.map(([v]) => v);
  categoricalFractions(
    values(reference),
    counts(reference),
    0,
    values(current),
    counts(current),
    0,
    settings,
  );
  return psiOf(fractions.reference, fractions.current, settings.epsilon, fractions.length);
}

/** The count of all values: `counts[at]` the others', then one per top value. */
const totalOf = (values: readonly string[], counts: Float64Array, at: number): number => {
  let total = 0;
  for (let i = 0; i <= values.length; i++) total += counts[at + i];
  return total;
};

/**
 * The index of a value in a list of top values, or -1; `likely` is looked at first (two versions
 * of a column mostly rank their values alike). A list has at most 20 values, each once
 * (parseProfile drops a profile that lists one twice): a scan costs less than a Map made for
 * each comparison.
 */
function indexOf(values: readonly string[], value: string, likely: number): number {
  if (values[likely] === value) return likely;
  for (let i = 0; i < values.length; i++) if (values[i] === value) return i;
  return -1;
}

/**
 * Each side's fractions in the reference's top values and "other" (categoricalPsi), into
 * `fractions`. A side is its values, and where its counts are: `counts[at]` the count of all other
 * values, then each value's count in the values' order.
 */
function categoricalFractions(
  refValues: readonly string[],
  refCounts: Float64Array,
  refAt: number,
  curValues: readonly string[],
  curCounts: Float64Array,
  curAt: number,
  settings: DriftSettings,
): void {
  const kept = Math.min(refValues.length, settings.topValues);
  const refTotal = totalOf(refValues, refCounts, refAt);
  const curTotal = totalOf(curValues, curCounts, curAt);
  const refFractions = fractions.reference;
  const curFractions = fractions.current;
  if (refTotal === 0 || curTotal === 0) {
    refFractions[0] = curFractions[0] = fractions.length = 1;
    return;
  }
  let unlisted = 0;
  const curOther = curCounts[curAt];
  if (curOther > 0) {
    unlisted = curOther;
    for (let k = 1; k <= curValues.length; k++)
      if (curCounts[curAt + k] < unlisted) unlisted = curCounts[curAt + k];
  }
  let refKept = 0;
  let curKept = 0;
  for (let i = 0; i < kept; i++) {
    const count = refCounts[refAt + 1 + i];
    const k = indexOf(curValues, refValues[i], i);
    const c = k < 0 ? unlisted : curCounts[curAt + 1 + k];
    refFractions[i] = count / refTotal;
    curFractions[i] = c / curTotal;
    refKept += count;
    curKept += c;
  }
  refFractions[kept] = (refTotal - refKept) / refTotal;
  curFractions[kept] = Math.max(0, curTotal - curKept) / curTotal;
  fractions.length = kept + 1;
}

/** One side of a comparison. */
export interface DriftSide {
  pointer: string;
  version: string;
  /** Rows profiled (the sample's when sampled) and rows in the file. */
  rows: number;
  fileRows: number;
  sampled: boolean;
  cutShort: boolean;
  /** Where this version comes from, in words. */
  how: string;
  /** The run that recorded this version (full id and component). */
  run: { id: string; component: string } | null;
}

export interface DriftComparison {
  pointer: string;
  current: DriftSide;
  reference: DriftSide;
  settings: DriftSettings;
  verdict: Verdict;
  /** Why there is no verdict on the distributions, if there is none. */
  why: string | null;
  largestPsi: number | null;
  /** Drifted columns first. */
  columns: ColumnDrift[];
  /** Only the shared columns count (data scored by a model against its training data). */
  sharedOnly: boolean;
}

/**
 * One input of a run, in the run inspector's Data tab: its comparison, or a line that says why
 * there is none ("no profile recorded for data/x.parquet").
 */
export interface RunInputDrift {
  pointer: string;
  comparison: DriftComparison | null;
  note: string | null;
}

// ---- words ------------------------------------------------------------------------------------

/** "0.41": PSI as sentences and tables show it. */
export const formatPsi = (psi: number): string => psi.toFixed(2);

/** "15%", "0.4%": a fraction of rows. */
export const percent = (fraction: number): string => {
  const p = fraction * 100;
  return `${p !== 0 && p < 1 ? p.toFixed(1) : Math.round(p)}%`;
};

/** What changed, column by column, for a sentence: "age PSI 0.41, 2 new columns (x, y)". */
export function driftFigures(report: DriftReport, options: CompareOptions & { max?: number } = {}): string {
  const max = options.max ?? 3;
  const shown: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  // The columns past `max` are only counted (a check of all runs summarizes thousands of
  // comparisons, some with dozens of drifted columns).
  let more = 0;
  for (const c of report.columns) {
    if (c.status === 'added') added.push(c.name);
    else if (c.status === 'removed') removed.push(c.name);
    else if (c.status !== 'retyped' && c.status !== 'drifted') continue;
    else if (shown.length === max) more++;
    else if (c.status === 'retyped')
      shown.push(`${c.name} retyped ${c.reference!.type} → ${c.current!.type}`);
    else {
      const figures: string[] = [];
      if (c.psiMoved && c.psi !== null) figures.push(`PSI ${formatPsi(c.psi)}`);
      if (c.nullRateMoved && c.nullRate)
        figures.push(`null rate ${percent(c.nullRate.reference)} → ${percent(c.nullRate.current)}`);
      shown.push(`${c.name} ${figures.join(' and ')}`);
    }
  }
  if (more > 0) shown.push(`${more} more drifted ${more === 1 ? 'column' : 'columns'}`);
  if (added.length) shown.push(columnList(added, 'new column', 'new columns'));
  if (removed.length && options.columns !== 'shared')
    shown.push(columnList(removed, 'column removed', 'columns removed'));
  return shown.join(', ');
}

function columnList(names: string[], one: string, many: string): string {
  const listed = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')}, …`;
  return `${names.length} ${names.length === 1 ? one : many} (${listed})`;
}

/** "1,234.5", "0.00123": a figure of a profile, short. */
export const figure = (n: number): string =>
  Math.abs(n) >= 1000 || Number.isInteger(n)
    ? Math.round(n).toLocaleString('en-US')
    : String(Number(n.toPrecision(3)));

/** A column's distribution in a few words: median and range, or its most frequent values. */
export function columnSummary(column: ColumnSummary | null): string {
  if (!column) return '—';
  if (column.count === 0) return 'all null';
  if (column.top && (column.type !== 'integer' || !column.quantiles || column.distinctCount <= 20)) {
    const total = column.top.values.reduce((n, [, c]) => n + c, 0) + column.top.other;
    const shown = column.top.values.slice(0, 3).map(([v, c]) => `${visible(v)} ${percent(c / total)}`);
    const rest = column.distinctCount - Math.min(3, column.top.values.length);
    return `${shown.join(', ')}${rest > 0 ? ` +${rest}` : ''}`;
  }
  if (column.quantiles) {
    const q = column.quantiles;
    return `median ${figure(q[10])} [${figure(q[0])} … ${figure(q[20])}]`;
  }
  return `${column.distinctCount} distinct`;
}
