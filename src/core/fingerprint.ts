// Content fingerprints of files (docs/EVENTS.md "version" facet). Streamed; sampled above a cap.
import { crypto } from './crypto';
import * as fs from 'node:fs';

/** Files above this size get a sampled fingerprint: the size plus the first, middle and last MiB. */
export const FULL_HASH_LIMIT = 64 * 1024 * 1024;
const SAMPLE = 1024 * 1024;
const CHUNK = 1024 * 1024;

export interface FileFingerprint {
  fingerprint: string;
  size: number;
  modifiedTime: string;
}

/** The fingerprint of a file, or null when it does not exist or cannot be read. */
export function fingerprintFile(file: string): FileFingerprint | null {
  let fd: number | undefined;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return null;
    fd = fs.openSync(file, 'r');
    const hash = crypto().createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    const sampled = stat.size > FULL_HASH_LIMIT;
    const ranges: Array<[number, number]> = sampled
      ? [
          [0, SAMPLE],
          [Math.floor(stat.size / 2 - SAMPLE / 2), SAMPLE],
          [stat.size - SAMPLE, SAMPLE],
        ]
      : [[0, stat.size]];
    if (sampled) hash.update(`size:${stat.size}\n`);
    for (const [start, length] of ranges) {
      let position = start;
      const end = start + length;
      while (position < end) {
        const read = fs.readSync(fd, buffer, 0, Math.min(CHUNK, end - position), position);
        if (read === 0) break;
        hash.update(buffer.subarray(0, read));
        position += read;
      }
    }
    return {
      fingerprint: `${sampled ? 'sha256-sampled' : 'sha256'}:${hash.digest('hex')}`,
      size: stat.size,
      modifiedTime: stat.mtime.toISOString(),
    };
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Fingerprints cached by (path, size, mtime): staleness checks ask about the same inputs again
 * and again, and hashing is the expensive part.
 */
export class FingerprintCache {
  private readonly cache = new Map<string, { key: string; value: FileFingerprint }>();

  get(file: string): FileFingerprint | null {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(file);
    } catch {
      this.cache.delete(file);
      return null;
    }
    const key = `${stat.size}:${stat.mtimeMs}`;
    const hit = this.cache.get(file);
    if (hit && hit.key === key) return hit.value;
    const value = fingerprintFile(file);
    if (value) this.cache.set(file, { key, value });
    return value;
  }
}
