// Reads what was appended to an event file since a byte offset, one whole line at a time.
import * as fs from 'node:fs';

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
 */
export function readNewLines(
  file: string,
  from: LogPosition,
  size: number,
  onLines: (lines: Array<{ text: string; line: number }>) => void,
): LogPosition {
  const fd = fs.openSync(file, 'r');
  try {
    let { offset, line } = from;
    let carry: Buffer | null = null;
    let position = offset;
    while (position < size) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - position));
      const read = fs.readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      position += read;
      const data: Buffer = carry ? Buffer.concat([carry, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      const lines: Array<{ text: string; line: number }> = [];
      let start = 0;
      for (let end = data.indexOf(NEWLINE); end !== -1; end = data.indexOf(NEWLINE, start)) {
        line++;
        const text = data.toString('utf8', start, end).trim();
        if (text !== '') lines.push({ text, line });
        start = end + 1;
      }
      offset += start;
      carry = start < data.length ? Buffer.from(data.subarray(start)) : null;
      if (lines.length) onLines(lines);
    }
    return { offset, line };
  } finally {
    fs.closeSync(fd);
  }
}
