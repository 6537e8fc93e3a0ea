// How the index stores a data profile (table `profiles`), and the form comparisons read it in.
// Stored: its words as JSON (its profiler, its columns' names and types, and per column its most
// frequent values) and its numbers as one run of 64-bit floats (the profile's rows, file rows,
// whether sampled or cut short, bytes; then per column: nulls, count, distinct count, minimum,
// maximum and mean, then its quantiles, then the counts of its most frequent values). The versions
// of one table mostly have the same words, one text: a reader parses it once and their tables
// share its lists (driftCheck.ts). Read back, a profile is a ProfileTable: those parallel lists
// over that run of floats, with no object per column. A check of all runs reads every profile once
// and compares each with a few others: as objects (a column, its quantiles as a view, a pair per
// top value), a profile of 100 columns was ~76 KB of young objects to make and collect, a third of
// the check; a comparison reads the floats where they are, and only a column that changed becomes
// an object.
//
// The floats are in the host's byte order: the index is this machine's cache of the log (any other
// machine rebuilds its own), and every platform Node runs on today is little-endian.
import type { ColumnSummary, DataProfile } from '../drift';
import type { ColumnType } from './facets';

/** A profile as the index stores it. */
export interface StoredProfile {
  /** StoredWords as JSON. */
  data: string;
  numbers: Float64Array;
}

/** The profile's fields, then its columns as parallel lists. */
type ProfileFields = Omit<DataProfile, 'columns'>;

/**
 * The words of a profile: its profiler, and per column its name, its type, and its most frequent
 * values or null. Nothing that differs between versions of a table with the same columns and
 * values (those figures are floats).
 */
export interface StoredWords {
  profiler: string;
  names: string[];
  types: ColumnType[];
  top: Array<string[] | null>;
}

/**
 * A profile as drift compares it: its columns as parallel lists, their numbers in one run of floats.
 * Column i's floats start at `at[i]`: nulls, count, distinct count, minimum, maximum, mean (NaN where
 * absent), the number of quantiles q, the q quantiles, then, if it has top values, the count of all
 * other values and each top value's count in `top[i]`'s order.
 */
export interface ProfileTable extends ProfileFields {
  readonly names: readonly string[];
  readonly types: readonly ColumnType[];
  readonly top: ReadonlyArray<readonly string[] | null>;
  readonly at: Int32Array;
  readonly numbers: Float64Array;
}

/** The profile's own figures, first among its floats: rows, file rows, sampled, cut short, bytes. */
const FIELDS = 5;

/** Where each figure of a column is, from its `at`. */
export const NULLS = 0;
export const COUNT = 1;
export const DISTINCT = 2;
const MIN = 3;
const MAX = 4;
const MEAN = 5;
/** The number of quantiles; they follow it (QUANTILES_AT). */
export const QUANTILE_COUNT = 6;
export const QUANTILES_AT = 7;

/** A profile's words and floats (toStored writes the words as JSON, tableOf reads them as they are). */
function storedParts(profile: DataProfile): { words: StoredWords; numbers: Float64Array } {
  const { profiler, rows, fileRows, sampled, cutShort, bytes, columns } = profile;
  const numbers: number[] = [rows, fileRows, sampled ? 1 : 0, cutShort ? 1 : 0, bytes];
  const words: StoredWords = { profiler, names: [], types: [], top: [] };
  for (const c of columns) {
    const q = c.quantiles ?? [];
    numbers.push(c.nullCount, c.count, c.distinctCount, c.min ?? NaN, c.max ?? NaN, c.mean ?? NaN, q.length);
    numbers.push(...q);
    words.names.push(c.name);
    words.types.push(c.type);
    if (c.top) {
      numbers.push(c.top.other, ...c.top.values.map(([, count]) => count));
      words.top.push(c.top.values.map(([value]) => value));
    } else words.top.push(null);
  }
  return { words, numbers: new Float64Array(numbers) };
}

/** A profile in the index's form. */
export function toStored(profile: DataProfile): StoredProfile {
  const { words, numbers } = storedParts(profile);
  return { data: JSON.stringify(words), numbers };
}

/** A profile as comparisons read it (the tests and `mltrace drift` compare profiles given as objects). */
export function tableOf(profile: DataProfile): ProfileTable {
  const { words, numbers } = storedParts(profile);
  return table(words, numbers);
}

/** The bytes of a run of floats, for a BLOB. */
export const floatBytes = (values: Float64Array): Uint8Array =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/**
 * A profile read from the index: `data` its words (as JSON, or parsed: the versions of one table
 * often have the same words, which a reader can then parse once and share), `blob` its numbers'
 * bytes.
 */
export function fromStored(data: string | StoredWords, blob: Uint8Array): ProfileTable {
  if (blob.byteLength % 8 !== 0)
    throw new Error(`a profile's numbers are ${blob.byteLength} bytes, not whole floats`);
  // sql.js gives a BLOB in an array of its own (offset 0); copied otherwise, to align it.
  const bytes = blob.byteOffset % 8 === 0 ? blob : blob.slice();
  return table(
    typeof data === 'string' ? (JSON.parse(data) as StoredWords) : data,
    new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8),
  );
}

/** The table of a profile's words and floats, each column's start found; an error if they disagree. */
function table(words: StoredWords, numbers: Float64Array): ProfileTable {
  const { profiler, names, types, top } = words;
  if (!Array.isArray(names) || types?.length !== names.length || top?.length !== names.length)
    throw new Error(`a profile's words do not list each column's name, type and top values`);
  if (numbers.length < FIELDS) throw new Error(`a profile's numbers end before its own figures`);
  const at = new Int32Array(names.length);
  let next = FIELDS;
  for (let i = 0; i < names.length; i++) {
    if (next + QUANTILES_AT > numbers.length)
      throw new Error(`a profile's numbers end before column ${names[i]}`);
    at[i] = next;
    next += QUANTILES_AT + numbers[next + QUANTILE_COUNT];
    const values = top[i];
    if (values !== null) next += 1 + values.length;
  }
  if (next !== numbers.length)
    throw new Error(`a profile's numbers do not match its columns (${next} of ${numbers.length})`);
  return {
    profiler,
    rows: numbers[0],
    fileRows: numbers[1],
    sampled: numbers[2] !== 0,
    cutShort: numbers[3] !== 0,
    bytes: numbers[4],
    names,
    types,
    top,
    at,
    numbers,
  };
}

/** A float that stands for an absent figure (NaN) as undefined. */
const present = (n: number): number | undefined => (n === n ? n : undefined);

/** Column i of a table as an object of its own (its lists are arrays, not views). */
export function columnOf(t: ProfileTable, i: number): ColumnSummary {
  const n = t.numbers;
  const a = t.at[i];
  const column: ColumnSummary = {
    name: t.names[i],
    type: t.types[i],
    nullCount: n[a + NULLS],
    count: n[a + COUNT],
    distinctCount: n[a + DISTINCT],
  };
  const [min, max, mean] = [present(n[a + MIN]), present(n[a + MAX]), present(n[a + MEAN])];
  if (min !== undefined) column.min = min;
  if (max !== undefined) column.max = max;
  if (mean !== undefined) column.mean = mean;
  const q = n[a + QUANTILE_COUNT];
  if (q > 0) column.quantiles = Array.from(n.subarray(a + QUANTILES_AT, a + QUANTILES_AT + q));
  const values = t.top[i];
  if (values !== null) {
    const counts = a + QUANTILES_AT + q;
    column.top = { values: values.map((value, k) => [value, n[counts + 1 + k]]), other: n[counts] };
  }
  return column;
}

/** A table as a profile of column objects (the Data tab, `mltrace drift --json`). */
export function profileOf(t: ProfileTable): DataProfile {
  const { profiler, rows, fileRows, sampled, cutShort, bytes } = t;
  const columns = t.names.map((_, i) => columnOf(t, i));
  return { profiler, rows, fileRows, sampled, cutShort, bytes, columns };
}
