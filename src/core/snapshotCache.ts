// Readers' snapshots of shared stores in the per-user cache (storeDir.ts `readerSnapshotDir`):
// each folder notes when it was last used, and the folders nobody used for
// SNAPSHOT_CACHE_DAYS are removed, so that the cache does not keep the index of every store a
// user ever looked at. A reader that comes back after that rebuilds its index from the log.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SNAPSHOT_CACHE_DAYS = 30;
const DAY_MS = 86_400_000;
/** The file in a reader's folder whose time is the last use; it holds the store's path. */
const USED_FILE = 'used';
/** The file in the cache's root whose time is the last sweep. */
const SWEPT_FILE = '.swept';
/** The folders a sweep may remove: those `readerSnapshotDir` names, nothing else. */
const READER_FOLDER = /^[0-9a-f]{16}$/;

/**
 * Notes that the snapshot folder `dir` serves `storeDir` now, then removes the folders beside it
 * that nobody used for SNAPSHOT_CACHE_DAYS. Each at most once a day (a stat otherwise). Never
 * throws: the cache is only an optimisation.
 */
export function tendSnapshotCache(dir: string, storeDir: string, now = Date.now()): void {
  try {
    noteUse(dir, storeDir, now);
    sweep(path.dirname(dir), now);
  } catch {
    // A read-only or vanished cache: nothing to tend.
  }
}

function noteUse(dir: string, storeDir: string, now: number): void {
  const used = path.join(dir, USED_FILE);
  if (now - mtimeMs(used) < DAY_MS) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(used, `${path.resolve(storeDir)}\n`);
  fs.utimesSync(used, now / 1000, now / 1000);
}

/** Removes the reader folders of `root` unused for SNAPSHOT_CACHE_DAYS; returns their names. */
export function sweep(root: string, now = Date.now()): string[] {
  const swept = path.join(root, SWEPT_FILE);
  if (now - mtimeMs(swept) < DAY_MS) return [];
  fs.writeFileSync(swept, '');
  fs.utimesSync(swept, now / 1000, now / 1000);
  const removed: string[] = [];
  for (const name of fs.readdirSync(root)) {
    if (!READER_FOLDER.test(name)) continue;
    const folder = path.join(root, name);
    // A folder from before the `used` file: its snapshot's time, else the folder's.
    const lastUse = Math.max(
      mtimeMs(path.join(folder, USED_FILE)),
      mtimeMs(path.join(folder, 'lineage.sqlite')),
      mtimeMs(folder),
    );
    if (now - lastUse < SNAPSHOT_CACHE_DAYS * DAY_MS) continue;
    fs.rmSync(folder, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** A file's modification time, or -Infinity when it does not exist. */
function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -Infinity;
  }
}
