// Reads what was appended to an event file since a byte offset, one whole line at a time.
import * as fs from 'node:fs';
import { readSegmentRange, SegmentMember } from '../segments/manifest';

const CHUNK = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export interface LogPosition {
  offset: number;
  /** Lines consumed so far (the next line's number is line + 1). */
  line: number;
}

/**
 * Calls `onLines` with batches of complete lines after `from`, and returns the new position.
 * A last line without its newline is left for a later read: its writer may still be writing.
 *
 * Each chunk is decoded once, up to its last newline (a newline byte is never part of a multi-byte
 * UTF-8 sequence, so the cut is always between characters), and lines are slices of that string.
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
      const lines = splitLines(buffer.toString('utf8', 0, last + 1), line);
      line += lines.count;
      offset += last + 1;
      carried = filled - (last + 1);
      buffer.copy(buffer, 0, last + 1, filled);
      if (lines.lines.length) onLines(lines.lines);
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
    const lines = splitLines(bytes.toString('utf8'), line);
    line += lines.count;
    offset += bytes.length;
    if (lines.lines.length) onLines(lines.lines);
  });
  return { offset, line };
}

/**
 * The whole lines of `text` (which ends at a line end), numbered after `line`; blank lines count
 * but are left out. `count`: how many lines there were.
 */
function splitLines(
  text: string,
  line: number,
): { lines: Array<{ text: string; line: number }>; count: number } {
  const lines: Array<{ text: string; line: number }> = [];
  let count = 0;
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    count++;
    const lineText = text.slice(start, end).trim();
    if (lineText !== '') lines.push({ text: lineText, line: line + count });
    start = end + 1;
  }
  return { lines, count };
}
