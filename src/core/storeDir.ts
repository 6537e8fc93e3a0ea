// Where the store lives (docs/EVENTS.md "Where events live").
import * as fs from 'node:fs';
import * as path from 'node:path';

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
  /** OpenLineage job namespace for components logged here. */
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
  return { storeDir, root, namespace: env.MLTRACE_NAMESPACE || path.basename(root) || 'mltrace' };
}

export const eventsDir = (storeDir: string): string => path.join(storeDir, EVENTS_FOLDER);
export const segmentsDir = (storeDir: string): string => path.join(storeDir, EVENTS_FOLDER, SEGMENTS_FOLDER);
export const codeDir = (storeDir: string): string => path.join(storeDir, CODE_FOLDER);
export const profilesDir = (storeDir: string): string => path.join(storeDir, PROFILES_FOLDER);
export const snapshotPath = (storeDir: string): string => path.join(storeDir, SNAPSHOT_FILE);

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
