// Reading an event file's new lines (src/core/ingest/readLines.ts): bytes are decoded in pieces
// cut after a newline, so lines of any length, across pieces and across the 4 MiB reads, with
// multi-byte characters anywhere, come out whole and numbered as in the file.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readNewLines } from '../../src/core/ingest/readLines';

test('lines of every length come out whole, numbered, blank ones counted but left out', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-lines-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // Deterministic lengths from 0 to ~300 KB (longer than a decoded piece and than many of them),
  // with a character of 2, 3 and 4 bytes in UTF-8 at varying places, CRLF endings now and then.
  const expected: Array<{ text: string; line: number }> = [];
  const parts: string[] = [];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648);
  for (let line = 1; line <= 3000; line++) {
    const length = line % 97 === 0 ? 150000 + (next() % 150000) : next() % 3000;
    if (line % 13 === 0) {
      parts.push(line % 2 ? '\n' : '  \r\n'); // blank: counted, not returned
      continue;
    }
    const marks = ['é', '€', '𝄞'];
    let text = `{"n":${line},"s":"`;
    while (text.length < length) text += next() % 50 === 0 ? marks[next() % 3] : 'abcdefghij'[next() % 10];
    text += '"}';
    expected.push({ text, line });
    parts.push(text + (line % 5 === 0 ? '\r\n' : '\n'));
  }
  const file = path.join(dir, 'w.jsonl');
  const content = parts.join('');
  fs.writeFileSync(file, content + '{"unfinished": tr'); // a writer still writing its last line
  const size = fs.statSync(file).size;
  assert.ok(size > 8 * 1024 * 1024, `${size} bytes: more than two reads`);

  const got: Array<{ text: string; line: number }> = [];
  const end = readNewLines(file, { offset: 0, line: 0 }, size, (lines) => got.push(...lines));
  assert.equal(got.length, expected.length);
  for (let i = 0; i < expected.length; i++) assert.deepEqual(got[i], expected[i], `line ${expected[i].line}`);
  assert.deepEqual(end, { offset: Buffer.byteLength(content), line: 3000 }, 'the unfinished line is left');

  // From the middle (an offset after a line end), the numbering goes on.
  const at = Buffer.byteLength(parts.slice(0, 1500).join(''));
  const rest: Array<{ text: string; line: number }> = [];
  readNewLines(file, { offset: at, line: 1500 }, size, (lines) => rest.push(...lines));
  assert.deepEqual(
    rest,
    expected.filter((l) => l.line > 1500),
  );
});
