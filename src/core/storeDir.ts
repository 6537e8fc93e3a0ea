// Where the store lives (docs/EVENTS.md "Where events live").
import { crypto } from './crypto';
import { userCacheDir } from './userCache';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { componentNamespace } from './namespace';

export const STORE_FOLDER = '.mltrace';
export const EVENTS_FOLDER = 'events';
export const SNAPSHOT_FILE = 'lineage.sqlite';
/** Merged files of writers that have ended (docs/LAYOUT.md), inside the events folder. */
export const SEGMENTS_FOLDER = 'segments';
/** A writer's end marker: `<file>.done`, created once its last line is written. */
export const END_MARKER = '.done';
/** One empty file per code version recorded in the log (docs/EVENTS.md "mltrace_code"). */
export const CODE_FOLDER = 'code';
/** One empty file per content version whose profile the log carries (docs/EVENTS.md "Data profiles"). */
export const PROFILES_FOLDER = 'profiles';

export interface StoreLocation {
  /** The `.mltrace` folder. */
  storeDir: string;
  /** The folder that holds it: pointer names are relative to it. */
  root: string;
  /** OpenLineage job namespace for components logged here (namespace.ts). */
  namespace: string;
}

export interface LocateOptions {
  dir?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** `--dir`, else `MLTRACE_DIR`, else the nearest ancestor holding `.mltrace`, else `./.mltrace`. */
export function locateStore(options: LocateOptions = {}): StoreLocation {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.dir ?? env.MLTRACE_DIR;
  let storeDir: string | undefined;
  if (explicit) {
    storeDir = path.resolve(cwd, explicit);
  } else {
    for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, STORE_FOLDER);
      if (isDirectory(candidate)) {
        storeDir = candidate;
        break;
      }
      if (path.dirname(dir) === dir) break;
    }
    storeDir ??= path.join(path.resolve(cwd), STORE_FOLDER);
  }
  return storeLocation(storeDir, env);
}

export function storeLocation(storeDir: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const root = path.dirname(storeDir);
  return { storeDir, root, namespace: componentNamespace(root, env) };
}

export const eventsDir = (storeDir: string): string => path.join(storeDir, EVENTS_FOLDER);
export const segmentsDir = (storeDir: string): string => path.join(storeDir, EVENTS_FOLDER, SEGMENTS_FOLDER);
export const codeDir = (storeDir: string): string => path.join(storeDir, CODE_FOLDER);
export const profilesDir = (storeDir: string): string => path.join(storeDir, PROFILES_FOLDER);
export const snapshotPath = (storeDir: string): string => path.join(storeDir, SNAPSHOT_FILE);

/**
 * Whether the store is the folder's own: the `.mltrace` of the folder or of one of its ancestors.
 * Another (a shared network folder named by --dir, MLTRACE_DIR or a setting, that many machines
 * append to) gets a snapshot per reader: see `readerSnapshotDir`.
 */
export function isOwnStore(storeDir: string, folder: string): boolean {
  const relative = path.relative(path.dirname(path.resolve(storeDir)), path.resolve(folder));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Where this user keeps the snapshot of a store that is not the workspace's own:
 * `$MLTRACE_SNAPSHOT_DIR` when set, else `$XDG_CACHE_HOME/mltrace/snapshots/<key>` (default
 * `~/.cache`), the key naming the store's real path. The log stays shared; the index, which each
 * reader rewrites, does not.
 */
export function readerSnapshotDir(storeDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLTRACE_SNAPSHOT_DIR) return path.resolve(env.MLTRACE_SNAPSHOT_DIR);
  let real = path.resolve(storeDir);
  try {
    real = fs.realpathSync(real);
  } catch {
    // not created yet: its path is its name
  }
  const key = crypto().createHash('sha256').update(real).digest('hex').slice(0, 16);
  return path.join(userCacheDir(env), 'snapshots', key);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
