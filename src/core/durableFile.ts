// Writing a small file whole or not at all: temp file, fsync, rename (the segments' manifests,
// the team store's and the OpenLineage transport's caches of what was sent).
import { crypto } from './crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `text` to `file` (creating its folder): a reader sees the old file or the new one. */
export function writeDurably(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${crypto().randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(temp, 'wx');
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}
