// Which of V8's wasm compilers runs sql.js in this process. V8 compiles the wasm at once with its
// baseline compiler (Liftoff), then compiles its hot functions again, optimised, on background
// threads, and a process waits for that work at exit: about 0.2–0.4 s, most of a command that
// only reads a snapshot and answers a query. Only a large ingest repays the optimised code.
import * as v8 from 'node:v8';
import { unreadBytesBound } from '../core/store';
import { CODE_CACHE_FLAGS } from './codeCacheFlags';

/**
 * Up to this much log to read, the baseline compiler alone makes the whole command faster. Measured
 * (2 cores, loaded): `mltrace ingest` from nothing took 1.6–2.6 s instead of 2.9–4.5 s at 1,700
 * runs, 6.0–7.5 s instead of 9.2–9.7 s at 20k (49 MB of log); at 100k (244 MB) the two were even.
 */
export const BASELINE_ONLY_BYTES = 64 * 1024 * 1024;

/**
 * Before sql.js is first loaded: keep to the baseline compiler when the store has little to
 * ingest. (The CLI only: a flag is for the whole process, and the editor's host is shared.)
 */
export function chooseWasmTier(storeDir: string, snapshotDir?: string): void {
  if (unreadBytesBound(storeDir, snapshotDir) > BASELINE_ONLY_BYTES) return;
  v8.setFlagsFromString('--liftoff-only');
  // --liftoff-only also turns tiering off; the launcher's code cache was made with V8's defaults.
  (globalThis as Record<symbol, () => void>)[CODE_CACHE_FLAGS] = () =>
    v8.setFlagsFromString('--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering');
}
