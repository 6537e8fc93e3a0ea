// Reads what was appended to an event file since a byte offset, one whole line at a time.
import * as fs from 'node:fs';
import { readSegmentRange, SegmentMember } from '../segments/manifest';

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

/**
 * Lines are decoded from bytes a piece of at most about this many bytes at a time. V8 keeps a
 * string this small with the young objects, in memory it reuses; a larger one (a whole 4 MiB chunk)
 * goes to fresh pages of its own, which are slow to touch on some machines: decoding a 249 MB log
 * in 4 MiB strings took 1.3 s of CPU here, in 64 KiB ones 0.15 s.
 */
const DECODE_PIECE = 64 * 1024;

export interface LogPosition {
  offset: number;
  /** Lines consumed so far (the next line's number is line + 1). */
  line: number;
}

/**
 * Calls `onLines` with batches of complete lines after `from`, and returns the new position.
 * A last line without its newline is left for a later read: its writer may still be writing.
 *
 * Each chunk is decoded up to its last newline, in pieces cut after a newline (a newline byte is
 * never part of a multi-byte UTF-8 sequence, so a cut is always between characters), and lines are
 * slices of those strings.
 */
export function readNewLines(
  file: string,
  from: LogPosition,
  size: number,
  onLines: (lines: Array<{ text: string; line: number }>) => void,
): LogPosition {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    // Merged into a segment since the folder was listed: the next ingest reads it there.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return from;
    throw error;
  }
  try {
    let { offset, line } = from;
    let buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - offset));
    let carried = 0;
    let position = offset;
    while (position < size) {
      if (carried === buffer.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, carried);
        buffer = bigger;
      }
      const read = fs.readSync(
        fd,
        buffer,
        carried,
        Math.min(buffer.length - carried, size - position),
        position,
      );
      if (read === 0) break;
      position += read;
      const filled = carried + read;
      const last = buffer.lastIndexOf(NEWLINE, filled - 1);
      if (last === -1) {
        carried = filled;
        continue;
      }
      line = decodeLines(buffer, last + 1, line, onLines);
      offset += last + 1;
      carried = filled - (last + 1);
      buffer.copy(buffer, 0, last + 1, filled);
    }
    return { offset, line };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Like readNewLines, for a writer's file merged into a segment: its bytes `from` to `size` start at
 * `start` in the segment's content. Every line of a merged file is whole.
 */
export function readSegmentLines(
  file: string,
  members: readonly SegmentMember[],
  start: number,
  from: LogPosition,
  size: number,
  onLines: (lines: Array<{ text: string; line: number }>) => void,
): LogPosition {
  let { offset, line } = from;
  readSegmentRange(file, members, start + from.offset, start + size, (bytes) => {
    line = decodeLines(bytes, bytes.length, line, onLines);
    offset += bytes.length;
  });
  return { offset, line };
}

/**
 * Calls `onLines` with the whole lines of the first `end` bytes of `bytes` (which end at a line
 * end), numbered after `line`, a piece of about DECODE_PIECE bytes at a time (a longer line is a
 * piece of its own), so that only a piece's lines are alive at once; blank lines count but are
 * left out. Returns the number of the last line.
 */
function decodeLines(
  bytes: Uint8Array,
  end: number,
  line: number,
  onLines: (lines: Array<{ text: string; line: number }>) => void,
): number {
  const buffer = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let start = 0; start < end;) {
    let cut = end;
    if (end - start > DECODE_PIECE) {
      cut = buffer.lastIndexOf(NEWLINE, start + DECODE_PIECE - 1) + 1;
      if (cut <= start) {
        const next = buffer.indexOf(NEWLINE, start + DECODE_PIECE);
        cut = next === -1 || next >= end ? end : next + 1;
      }
    }
    const lines: Array<{ text: string; line: number }> = [];
    line = splitLines(buffer.toString('utf8', start, cut), line, lines);
    if (lines.length) onLines(lines);
    start = cut;
  }
  return line;
}

/**
 * Adds to `lines` the whole lines of `text` (which ends at a line end), numbered after `line`;
 * blank lines count but are left out. Returns the number of the last line.
 */
function splitLines(text: string, line: number, lines: Array<{ text: string; line: number }>): number {
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    line++;
    const lineText = text.slice(start, end).trim();
    if (lineText !== '') lines.push({ text: lineText, line });
    start = end + 1;
  }
  return line;
}
