// How the index stores a data profile (table `profiles`): its words as JSON (the profile's own
// fields, and per column its name, type and most frequent values) and its numbers as one run of
// 64-bit floats (per column: nulls, count, distinct count, minimum, maximum and mean, then its
// quantiles, then the counts of its most frequent values). A check of all runs reads every profile
// once: as one JSON text, numbers and keys were two thirds of the bytes that SQLite read and that
// the text decoder and JSON.parse went through, and JSON.parse was the largest part of the check.
// Read back, a column's quantiles are a view into that run of floats.
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

/** The words of a profile: `columns` holds [name, type] or [name, type, top values]. */
type StoredWords = Omit<DataProfile, 'columns'> & {
  columns: Array<[string, ColumnType] | [string, ColumnType, string[]]>;
};

/** Floats before a column's quantiles: nulls, count, distinct, min, max, mean, quantile count. */
const HEAD = 7;

/** A profile in the index's form. */
export function toStored(profile: DataProfile): StoredProfile {
  const numbers: number[] = [];
  const columns = profile.columns.map((c): StoredWords['columns'][number] => {
    const q = c.quantiles ?? [];
    numbers.push(c.nullCount, c.count, c.distinctCount, c.min ?? NaN, c.max ?? NaN, c.mean ?? NaN, q.length);
    numbers.push(...q);
    if (!c.top) return [c.name, c.type];
    numbers.push(c.top.other, ...c.top.values.map(([, count]) => count));
    return [c.name, c.type, c.top.values.map(([value]) => value)];
  });
  const words: StoredWords = { ...profile, columns };
  return { data: JSON.stringify(words), numbers: new Float64Array(numbers) };
}

/** The bytes of a run of floats, for a BLOB. */
export const floatBytes = (values: Float64Array): Uint8Array =>
  new Uint8Array(values.buffer, values.byteOffset, values.byteLength);

/** A column whose quantiles are an array of their own (a copy of it if they were a view). */
export const plainColumn = (column: ColumnSummary): ColumnSummary =>
  column.quantiles instanceof Float64Array ? { ...column, quantiles: Array.from(column.quantiles) } : column;

/** A float that stands for an absent figure (NaN) as undefined. */
const present = (n: number): number | undefined => (n === n ? n : undefined);

/**
 * A profile read from the index: `data` its words, `blob` its numbers' bytes. Each column's
 * quantiles are a view into one array (plainColumn makes a column's an array of its own).
 */
export function fromStored(data: string, blob: Uint8Array): DataProfile {
  const words = JSON.parse(data) as StoredWords;
  if (blob.byteLength % 8 !== 0)
    throw new Error(`a profile's numbers are ${blob.byteLength} bytes, not whole floats`);
  // sql.js gives a BLOB in an array of its own (offset 0); copied otherwise, to align it.
  const bytes = blob.byteOffset % 8 === 0 ? blob : blob.slice();
  const f = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const columns = new Array<ColumnSummary>(words.columns.length);
  let at = 0;
  for (let i = 0; i < columns.length; i++) {
    const [name, type, topValues] = words.columns[i];
    if (at + HEAD > f.length) throw new Error(`a profile's numbers end before column ${name}`);
    const column: ColumnSummary = {
      name,
      type,
      nullCount: f[at],
      count: f[at + 1],
      distinctCount: f[at + 2],
    };
    const [min, max, mean] = [present(f[at + 3]), present(f[at + 4]), present(f[at + 5])];
    if (min !== undefined) column.min = min;
    if (max !== undefined) column.max = max;
    if (mean !== undefined) column.mean = mean;
    const quantiles = f[at + 6];
    at += HEAD;
    if (quantiles > 0) {
      column.quantiles = f.subarray(at, at + quantiles);
      at += quantiles;
    }
    if (topValues) {
      const other = f[at++];
      const values = new Array<[string, number]>(topValues.length);
      for (let k = 0; k < values.length; k++) values[k] = [topValues[k], f[at++]];
      column.top = { values, other };
    }
    columns[i] = column;
  }
  if (at !== f.length) throw new Error(`a profile's numbers do not match its columns (${at} of ${f.length})`);
  const { profiler, rows, fileRows, sampled, cutShort, bytes: size } = words;
  return { profiler, rows, fileRows, sampled, cutShort, bytes: size, columns };
}
