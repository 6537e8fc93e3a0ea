// Data profiles of tabular files, taken when a writer fingerprints them (docs/EVENTS.md "Data
// profiles"). The rules ("mltrace-profile/1") are those of python/mltrace/_profile.py, to the
// bit: a file gives the same profile whichever side wrote it (test/shim/profile.test.ts).
// CSV and TSV through csv-parse, set to parse as Python's csv module does; JSON Lines through
// JSON.parse. Nothing here throws: a file that cannot be profiled gets null.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { csvParse } from '../vendor';
import {
  ColumnMetrics,
  ColumnType,
  DataQualityMetrics,
  Profile,
  PROFILER,
  ProfileFacet,
  QUANTILE_KEYS,
} from './facets';

/**
 * A file with at most ROW_LIMIT data rows (ROW_LIMIT + 1 line feeds, the header's included) and at
 * most WHOLE_BYTES_LIMIT bytes is read whole; any other by a sample of ROW_LIMIT rows at evenly
 * spaced byte offsets. Chosen by measurement of the Python shim (README "Performance", profileCsv*):
 * 8,000 rows of 15 columns cost it about 90 ms of CPU, half the default budget.
 */
export const ROW_LIMIT = 8000;
export const WHOLE_BYTES_LIMIT = 8 * 1024 * 1024;
/** A sampled record longer than this is skipped (a stray quote running to the end of the file…). */
export const MAX_RECORD_BYTES = 1024 * 1024;
/** Files with more columns than this get no profile. */
export const MAX_COLUMNS = 1000;
/** JSON values nested deeper than this make the file unprofiled. */
export const MAX_DEPTH = 100;
export const TOP_VALUES = 20;
/** A column's topValues are left out when one of its listed values is longer than this (code points). */
export const TOP_TEXT_LIMIT = 200;
export const DEFAULT_BUDGET_MS = 200;
/** Python's csv module refuses a longer field (csv.field_size_limit()); so do we. */
const FIELD_LIMIT = 131072;

/** A profile as a writer records it: everything but the version it is of. */
export type FileProfile = Omit<Profile, 'version'>;

/** Null cells of CSV/TSV: the empty field and pandas's default NA strings. */
export const NULL_TEXTS: ReadonlySet<string> = new Set([
  '', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN',
  '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null',
]); // prettier-ignore
/**
 * Infinities as CSV writers spell them (pandas "inf", R "Inf", JavaScript "Infinity"): in a column
 * of numbers they count as nulls, as NaN and infinities do in a DataFrame's column.
 */
const INFINITY_TEXTS: ReadonlySet<string> = new Set(
  ['', '+', '-'].flatMap((sign) =>
    ['inf', 'Inf', 'INF', 'infinity', 'Infinity', 'INFINITY'].map((word) => sign + word),
  ),
);
const BOOLEAN_TEXTS: ReadonlyMap<string, string> = new Map([
  ['true', 'true'], ['True', 'true'], ['TRUE', 'true'], ['false', 'false'], ['False', 'false'], ['FALSE', 'false'],
]); // prettier-ignore
const INTEGER = /^[+-]?[0-9]+$/;
const NUMBER = /^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$/;
const INDEX_KEY = /^(0|[1-9][0-9]*)$/;

export type ProfileFormat = 'csv' | 'tsv' | 'jsonl';
const FORMATS: Record<string, ProfileFormat> = {
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The format a file name is profiled as here (`.npy` and `.parquet` are the Python shim's), or null. */
export function profileFormat(file: string): ProfileFormat | null {
  return FORMATS[path.extname(file).toLowerCase()] ?? null;
}

/** The time budget per file: MLTRACE_PROFILE_BUDGET_MS, else 200; 0 turns profiling off. */
export function profileBudgetMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = (env.MLTRACE_PROFILE_BUDGET_MS ?? '').trim();
  if (!text) return DEFAULT_BUDGET_MS;
  const value = Number(text);
  return Number.isFinite(value) && value >= 0 ? value : DEFAULT_BUDGET_MS;
}

class Unprofilable extends Error {}

class Deadline {
  private readonly end: number;
  hit = false;
  constructor(budgetMs: number) {
    this.end = performance.now() + budgetMs;
  }
  passed(): boolean {
    if (!this.hit && performance.now() > this.end) this.hit = true;
    return this.hit;
  }
}

/** The profile of a CSV, TSV or JSON Lines file, or null (not one, unparseable, out of time…). */
export function profileFile(file: string, options: { budgetMs?: number } = {}): FileProfile | null {
  const format = profileFormat(file);
  if (!format) return null;
  const budget = options.budgetMs ?? profileBudgetMs();
  if (!(budget > 0)) return null;
  try {
    return profileText(file, format, new Deadline(budget));
  } catch {
    return null; // Unprofilable, a csv-parse error, a JSON SyntaxError, an I/O error, RangeError…
  }
}

// ----------------------------------------------------------------------------------------------
// Reading whole or by sample

type Read = (position: number, length: number) => Buffer;
interface Table {
  columns: string[];
  /** CSV: cells padded to the header's width; JSON Lines: the objects. */
  rows: string[][] | Record<string, unknown>[];
  format: ProfileFormat;
}

const LF = 0x0a;
const QUOTE = 0x22;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const WINDOW = 2048;

function profileText(file: string, format: ProfileFormat, deadline: Deadline): FileProfile {
  const fd = fs.openSync(file, 'r');
  try {
    let size = fs.fstatSync(fd).size;
    let read: Read;
    if (size <= WHOLE_BYTES_LIMIT) {
      const data = readAll(fd, size);
      size = data.length;
      if (countLineFeeds(data) <= ROW_LIMIT + 1) {
        const start = data.subarray(0, 3).equals(BOM) ? 3 : 0;
        return finish(parse(decode(data.subarray(start)), format, deadline), size, 0, false, deadline);
      }
      read = (position, length) => data.subarray(position, position + length);
    } else {
      read = (position, length) => {
        const buffer = Buffer.allocUnsafe(length);
        const got = fs.readSync(fd, buffer, 0, length, position);
        return buffer.subarray(0, got);
      };
    }
    return sampled(read, size, format, deadline);
  } finally {
    fs.closeSync(fd);
  }
}

function readAll(fd: number, size: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.max(1, Math.min(1024 * 1024, size - total + 1)));
    const got = fs.readSync(fd, chunk, 0, chunk.length, total);
    if (got === 0) break;
    chunks.push(chunk.subarray(0, got));
    total += got;
    if (total > WHOLE_BYTES_LIMIT) break; // grew since fstat: take what is there (the caller re-checks)
  }
  return Buffer.concat(chunks, total);
}

function countLineFeeds(data: Buffer): number {
  let count = 0;
  for (let i = data.indexOf(LF); i >= 0; i = data.indexOf(LF, i + 1)) count++;
  return count;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(raw: Buffer): string {
  if (raw.includes(0)) throw new Unprofilable('NUL byte: not a text file');
  return decoder.decode(raw); // fatal: a file that is not UTF-8 is not profiled
}

function countQuotes(buffer: Buffer, start: number, end: number): number {
  let count = 0;
  for (let i = buffer.indexOf(QUOTE, start); i >= 0 && i < end; i = buffer.indexOf(QUOTE, i + 1)) count++;
  return count;
}

/**
 * A profile of ROW_LIMIT records at evenly spaced byte offsets of the data (docs/EVENTS.md): for
 * each offset (or the end of the previous sample, if later), the record that starts at the next
 * line start. A record is its line or, for CSV/TSV, runs to the first line end after which it holds
 * an even number of quote characters; a CSV record is kept when it parses alone as one record of
 * the header's width. When it does not, the line start was inside a quoted field: the record after
 * the first line end at which an odd number of quotes was seen is tried instead. The rows in the
 * file are estimated from the records kept and their bytes.
 */
function sampled(read: Read, size: number, format: ProfileFormat, deadline: Deadline): FileProfile {
  const quoted = format !== 'jsonl';
  let first = read(0, 3).equals(BOM) ? 3 : 0;
  let head: Buffer = Buffer.alloc(0);
  let keep: (record: Buffer) => boolean = () => true;
  if (quoted) {
    // The header: the first record that is not an empty line.
    while (first < size) {
      const [record, end] = recordAt(read, first, size, true, deadline);
      if (!record) throw new Unprofilable('the header is too long');
      first = end;
      if (!isBlankLine(record)) {
        head = terminated(record);
        break;
      }
    }
    keep = recordFilter(head, format);
  }
  const span = size - first;
  const records: Buffer[] = [head];
  let sampledBytes = 0;
  let previous = first;
  const bigSpan = BigInt(span);
  const bigLimit = BigInt(ROW_LIMIT);
  const take = (record: Buffer) => {
    sampledBytes += record.length;
    records.push(record);
  };
  for (let k = 0; k < ROW_LIMIT; k++) {
    if ((k & 63) === 0 && deadline.passed()) break;
    let position = first + Number((BigInt(k) * bigSpan) / bigLimit);
    if (position < previous) position = previous;
    if (position > first) {
      // On to the next line start, unless at one.
      const base = position - 1;
      const buf = read(base, WINDOW);
      const start = buf[0] === LF ? 1 : buf.indexOf(LF, 1) + 1;
      if (start === 0) {
        const index = findLineFeed(read, base + buf.length, size, deadline);
        if (index < 0) break;
        position = index + 1;
      } else {
        position = base + start;
        const index = buf.indexOf(LF, start); // the common case: a one-line record in the window
        if (index >= 0 && (!quoted || (countQuotes(buf, start, index) & 1) === 0)) {
          const record = buf.subarray(start, index + 1);
          if (keep(record)) {
            previous = base + index + 1;
            take(record);
            continue;
          }
        }
      }
    }
    if (position >= size) break;
    let [record, end] = recordAt(read, position, size, quoted, deadline);
    if (record && keep(terminated(record))) previous = end;
    else if (quoted) {
      record = null;
      end = lineEnd(read, position, size, deadline);
      const closing = closingLineEnd(read, position, size, deadline);
      if (closing >= 0 && closing < size) {
        // The record after the quoted field that the line start was in.
        const [after, afterEnd] = recordAt(read, closing, size, true, deadline);
        if (after && keep(terminated(after))) [record, end] = [after, afterEnd];
      }
      previous = end;
    } else previous = end;
    if (record) take(terminated(record));
  }
  const table = parse(decode(Buffer.concat(records)), format, deadline);
  const rows = table.rows.length;
  const estimate = sampledBytes ? Math.floor((span * rows) / sampledBytes + 0.5) : 0;
  return finish(table, size, estimate, true, deadline);
}

const isBlankLine = (record: Buffer): boolean =>
  (record.length === 1 && record[0] === LF) ||
  (record.length === 2 && record[0] === 0x0d && record[1] === LF);

function terminated(record: Buffer): Buffer {
  return record.length && record[record.length - 1] === LF
    ? record
    : Buffer.concat([record, Buffer.from('\n')]);
}

/** Whether a sampled CSV/TSV record parses alone as one record of the header's width. */
function recordFilter(head: Buffer, format: ProfileFormat): (record: Buffer) => boolean {
  const delimiter = format === 'tsv' ? '\t' : ',';
  const separator = delimiter.charCodeAt(0);
  const header = csvRecords(decode(head), delimiter);
  const width = header.length ? header[0].length : 0;
  return (record) => {
    let carriageReturns = 0;
    for (let i = record.indexOf(0x0d); i >= 0; i = record.indexOf(0x0d, i + 1)) carriageReturns++;
    const finalReturn =
      record.length >= 2 && record[record.length - 2] === 0x0d && record[record.length - 1] === LF;
    if (!record.includes(QUOTE) && carriageReturns === (finalReturn ? 1 : 0)) {
      // One line without quotes or carriage returns (but a final one) is one record as it stands.
      let fields = 1;
      for (let i = record.indexOf(separator); i >= 0; i = record.indexOf(separator, i + 1)) fields++;
      return fields === width && !isBlankLine(record);
    }
    const text = decode(record); // not UTF-8, or a NUL byte: the file gets no profile
    let alone: string[][];
    try {
      alone = csvRecords(text, delimiter);
    } catch {
      return false; // where Python's csv module raises csv.Error
    }
    return alone.length === 1 && alone[0].length === width;
  };
}

/** The position of the first line feed at or after `position`, or -1. */
function findLineFeed(read: Read, position: number, size: number, deadline: Deadline): number {
  while (position < size) {
    const buf = read(position, 65536);
    const index = buf.indexOf(LF);
    if (index >= 0) return position + index;
    if (!buf.length || deadline.passed()) return -1;
    position += buf.length;
  }
  return -1;
}

/** The end (exclusive) of the line that starts at `start`. */
function lineEnd(read: Read, start: number, size: number, deadline: Deadline): number {
  const lineFeed = findLineFeed(read, start, size, deadline);
  return lineFeed < 0 ? size : lineFeed + 1;
}

/** [bytes, end] of the record that starts at `start`; [null, end of its first line] when it is too long. */
function recordAt(
  read: Read,
  start: number,
  size: number,
  quoted: boolean,
  deadline: Deadline,
): [Buffer | null, number] {
  let quotes = 0;
  let position = start;
  for (;;) {
    const lineFeed = position - start <= MAX_RECORD_BYTES ? findLineFeed(read, position, size, deadline) : -1;
    const end = lineFeed < 0 ? size : lineFeed + 1;
    if (end - start > MAX_RECORD_BYTES) return [null, lineEnd(read, start, size, deadline)];
    if (quoted) {
      const part = read(position, end - position);
      quotes += countQuotes(part, 0, part.length);
    }
    if (!quoted || (quotes & 1) === 0 || end >= size) return [read(start, end - start), end];
    position = end;
  }
}

/**
 * The end of the first line, from `start` on, after which an odd number of quote characters was
 * seen (where a quoted field that `start` was inside closed), or -1 (none within MAX_RECORD_BYTES).
 */
function closingLineEnd(read: Read, start: number, size: number, deadline: Deadline): number {
  let quotes = 0;
  let position = start;
  while (position < size && position - start <= MAX_RECORD_BYTES) {
    const end = lineEnd(read, position, size, deadline);
    const part = read(position, end - position);
    quotes += countQuotes(part, 0, part.length);
    if (quotes & 1) return end - start <= MAX_RECORD_BYTES ? end : -1;
    position = end;
  }
  return -1;
}

// ----------------------------------------------------------------------------------------------
// Parsing

function parse(text: string, format: ProfileFormat, deadline: Deadline): Table {
  return format === 'jsonl' ? parseJsonLines(text, deadline) : parseDelimited(text, format);
}

/**
 * Python's csv module (dialect excel, strict=True) on the cases that matter: quotes doubled inside
 * quoted fields, a quote inside an unquoted field kept as it is, any of \r\n, \n, \r ending a record,
 * empty lines skipped, rows of any width. What csv-parse cannot be told: Python refuses a character
 * other than a delimiter, a line end or a quote after a closing quote, and fields longer than
 * 131072 characters.
 */
function parseDelimited(text: string, format: ProfileFormat): Table {
  const records = csvRecords(text, format === 'tsv' ? '\t' : ',');
  if (!records.length) return { columns: [], rows: [], format };
  const header = records[0];
  if (header.length > MAX_COLUMNS) throw new Unprofilable('too many columns');
  const width = header.length;
  // csv-parse's sync API cannot be stopped: the time budget is checked before (sampling) and after.
  const count = records.length - 1;
  const rows: string[][] = new Array(count);
  for (let i = 0; i < count; i++) {
    const record = records[i + 1];
    if (record.length === width) rows[i] = record;
    else {
      const row = record.slice(0, width);
      while (row.length < width) row.push('');
      rows[i] = row;
    }
  }
  return { columns: columnNames(header), rows, format };
}

/** The records of CSV/TSV text, empty lines left out; throws where Python's csv module would. */
function csvRecords(text: string, delimiter: string): string[][] {
  if (!pythonStrictQuotes(text, delimiter.charCodeAt(0)))
    throw new Unprofilable('a character after a closing quote');
  const records = csvParse().parse(text, {
    delimiter,
    quote: '"',
    escape: '"',
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: true,
    record_delimiter: ['\r\n', '\n', '\r'],
  }) as string[][];
  for (const record of records)
    for (const field of record)
      if (field.length > FIELD_LIMIT && codePoints(field) > FIELD_LIMIT)
        throw new Unprofilable('field too long');
  return records;
}

/** Whether Python's strict csv reader accepts the quoting: after a closing quote comes a delimiter, a line end or another quote. */
function pythonStrictQuotes(text: string, delimiter: number): boolean {
  if (!text.includes('"')) return true;
  let state = 0; // 0 start of a field, 1 in an unquoted field, 2 in a quoted field, 3 after a quote in one
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const ends = c === delimiter || c === 0x0a || c === 0x0d;
    if (state === 0) state = c === QUOTE ? 2 : ends ? 0 : 1;
    else if (state === 1) state = ends ? 0 : 1;
    else if (state === 2) state = c === QUOTE ? 3 : 2;
    else if (c === QUOTE) state = 2;
    else if (ends) state = 0;
    else return false;
  }
  return true;
}

/** Header cells as unique names: an empty one is "Unnamed: <index>", a repeated one gets ".1", ".2"… */
function columnNames(header: string[]): string[] {
  const taken = new Set<string>();
  return header.map((cell, index) => {
    let name = cell === '' ? `Unnamed: ${index}` : cell;
    if (taken.has(name)) {
      let suffix = 1;
      while (taken.has(`${name}.${suffix}`)) suffix++;
      name = `${name}.${suffix}`;
    }
    taken.add(name);
    return name;
  });
}

/** Columns in order of first appearance, each object's keys in ECMAScript's own-property order. */
function parseJsonLines(text: string, deadline: Deadline): Table {
  const rows: Record<string, unknown>[] = [];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (/^[ \t\r]*$/.test(line)) continue;
    if (rows.length % 2048 === 2047 && deadline.passed()) break;
    const row = JSON.parse(line) as unknown;
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new Unprofilable('a line that is not a JSON object');
    for (const key of Object.keys(row)) {
      if (seen.has(key)) continue;
      seen.add(key);
      columns.push(key);
    }
    if (columns.length > MAX_COLUMNS) throw new Unprofilable('too many columns');
    rows.push(row as Record<string, unknown>);
  }
  return { columns, rows, format: 'jsonl' };
}

// ----------------------------------------------------------------------------------------------
// Columns

interface Summary {
  type: ColumnType;
  metrics: ColumnMetrics;
  top: ProfileFacet['topValues'][string] | null;
}

function finish(
  table: Table,
  size: number,
  totalRows: number,
  isSampled: boolean,
  deadline: Deadline,
): FileProfile {
  const n = table.rows.length;
  if (deadline.hit && n === 0) throw new Unprofilable('out of time before the first row');
  const columnMetrics: Record<string, ColumnMetrics> = {};
  const schema: FileProfile['schema'] = [];
  const topValues: ProfileFacet['topValues'] = {};
  table.columns.forEach((name, index) => {
    const summary =
      table.format === 'jsonl'
        ? jsonColumn(
            (table.rows as Record<string, unknown>[]).map((row) =>
              Object.hasOwn(row, name) ? row[name] : null,
            ),
          )
        : textColumn((table.rows as string[][]).map((row) => row[index]));
    summary.metrics.nullCount = n - summary.metrics.count;
    setOwn(columnMetrics, name, summary.metrics);
    schema.push({ name, type: summary.type });
    if (summary.top) setOwn(topValues, name, summary.top);
  });
  const metrics: DataQualityMetrics = { rowCount: n, bytes: size, columnMetrics };
  const profile: ProfileFacet = {
    profiler: PROFILER,
    rows: isSampled ? totalRows : n,
    sampled: isSampled,
    ...(deadline.hit ? { cutShort: true } : {}),
    topValues,
  };
  return { metrics, schema, profile };
}

/** obj[key] = value, as an own property even for "__proto__" (a column may be named so). */
function setOwn<T>(object: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

const metricsOf = (count: number, distinct: number): ColumnMetrics => ({
  nullCount: 0,
  distinctCount: distinct,
  count,
});

function textColumn(cells: string[]): Summary {
  const values = cells.filter((cell) => !NULL_TEXTS.has(cell));
  const count = values.length;
  if (!count) return { type: 'string', metrics: metricsOf(0, 0), top: null };
  const texts = new Set(values);
  if ([...texts].every((text) => BOOLEAN_TEXTS.has(text))) {
    const canonical = values.map((v) => BOOLEAN_TEXTS.get(v) as string);
    return {
      type: 'boolean',
      metrics: metricsOf(count, new Set(canonical).size),
      top: topTexts(countsOf(canonical), count),
    };
  }
  let numeric = numbersOf(values, texts);
  if (!numeric && [...INFINITY_TEXTS].some((text) => texts.has(text))) {
    const finite = values.filter((value) => !INFINITY_TEXTS.has(value));
    if (!finite.length) return { type: 'string', metrics: metricsOf(0, 0), top: null };
    numeric = numbersOf(finite, new Set(finite));
  }
  if (numeric) return numeric;
  return { type: 'string', metrics: metricsOf(count, texts.size), top: topTexts(countsOf(values), count) };
}

/** The column of these values (`texts`: each once) when every one is a finite number, else null. */
function numbersOf(values: string[], texts: ReadonlySet<string>): Summary | null {
  let integer = true;
  for (const text of texts) {
    if (integer && INTEGER.test(text)) continue;
    integer = false;
    if (!NUMBER.test(text)) return null;
  }
  const numbers = values.map(Number);
  return numbers.every(Number.isFinite) ? numericColumn(numbers, integer) : null;
}

function jsonColumn(cells: unknown[]): Summary {
  const kinds = new Set<string>();
  const values: unknown[] = [];
  for (const value of cells) {
    if (value === null || value === undefined) continue;
    const kind = typeof value;
    if (kind === 'number') kinds.add(Number.isFinite(value) ? 'number' : 'json');
    else kinds.add(kind === 'boolean' || kind === 'string' ? kind : 'json');
    values.push(value);
  }
  const count = values.length;
  if (!count) return { type: 'string', metrics: metricsOf(0, 0), top: null };
  const only = kinds.size === 1 ? [...kinds][0] : 'json';
  if (only === 'number') {
    const numbers = values as number[];
    return numericColumn(numbers, numbers.every(Number.isInteger));
  }
  if (only === 'boolean') {
    const canonical = values.map((v) => (v ? 'true' : 'false'));
    return {
      type: 'boolean',
      metrics: metricsOf(count, new Set(canonical).size),
      top: topTexts(countsOf(canonical), count),
    };
  }
  if (only === 'string') {
    const counts = countsOf(values as string[]);
    return { type: 'string', metrics: metricsOf(count, counts.size), top: topTexts(counts, count) };
  }
  return {
    type: 'json',
    metrics: metricsOf(count, new Set(values.map((v) => canonical(v, 0))).size),
    top: null,
  };
}

/** A text per JSON value, equal for equal values (numbers as doubles, objects' keys unordered). */
function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new Unprofilable('nested too deeply');
  if (value === null || value === undefined) return 'n';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') return `d${value === 0 ? 0 : value}`;
  if (typeof value === 'string') return `s${JSON.stringify(value)}`;
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  const object = value as Record<string, unknown>;
  return `{${Object.keys(object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(object[key], depth + 1)}`)
    .join(',')}}`;
}

function numericColumn(numbers: number[], integer: boolean): Summary {
  const count = numbers.length;
  const ordered = Float64Array.from(numbers).sort();
  const distinct = new Set(numbers).size; // SameValueZero: -0 and 0 are one value, as in Python
  const metrics = metricsOf(count, distinct);
  let total = 0;
  for (const value of numbers) total += value; // in row order, one addition at a time
  if (Number.isFinite(total)) metrics.sum = total;
  metrics.min = ordered[0];
  metrics.max = ordered[count - 1];
  const quantiles: Record<string, number> = {};
  QUANTILE_KEYS.forEach((key, i) => {
    quantiles[key] = ordered[Math.floor((i / 20) * (count - 1) + 0.5)];
  });
  metrics.quantiles = quantiles;
  let top: Summary['top'] = null;
  if (integer && distinct <= TOP_VALUES) {
    const counts = new Map<string, number>();
    for (const value of numbers) {
      const text = BigInt(value).toString(); // the exact digits of the double, as Python's int() gives
      counts.set(text, (counts.get(text) ?? 0) + 1);
    }
    top = topTexts(counts, count);
  }
  return { type: integer ? 'integer' : 'number', metrics, top };
}

function countsOf(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

/**
 * Up to 20 [text, count] by count descending, then text ascending by code point (as Python compares
 * strings); null when a listed text is longer than TOP_TEXT_LIMIT code points.
 */
function topTexts(counts: Map<string, number>, count: number): Summary['top'] {
  let items = [...counts];
  if (items.length > TOP_VALUES) {
    const threshold = items.map(([, c]) => c).sort((a, b) => b - a)[TOP_VALUES - 1];
    const above = items.filter(([, c]) => c > threshold);
    const ties = items
      .filter(([, c]) => c === threshold)
      .map(([text]) => text)
      .sort(compareCodePoints)
      .slice(0, TOP_VALUES - above.length);
    items = [...above, ...ties.map((text): [string, number] => [text, threshold])];
  }
  items.sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]));
  if (items.some(([text]) => text.length > TOP_TEXT_LIMIT && codePoints(text) > TOP_TEXT_LIMIT)) return null;
  let listed = 0;
  for (const [, c] of items) listed += c;
  return { values: items, other: count - listed };
}

/** Orders strings by code point, as Python does (JavaScript's < compares UTF-16 code units). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // A high surrogate before, equal in both, may begin a pair in one of them only.
    if (i > 0 && isHigh(a.charCodeAt(i - 1))) {
      const difference = (a.codePointAt(i - 1) as number) - (b.codePointAt(i - 1) as number);
      if (difference) return difference;
    }
    return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
  }
  return a.length - b.length;
}

const isHigh = (unit: number): boolean => unit >= 0xd800 && unit <= 0xdbff;

function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (isHigh(unit) && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/** For tests: whether an object key is one ECMAScript orders first (an array index). */
export const isIndexKey = (key: string): boolean => INDEX_KEY.test(key) && Number(key) < 4294967295;
