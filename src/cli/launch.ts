// The CLI's entry (dist/cli.js): runs the CLI's bundle (dist/cli-main.js) from a V8 code cache
// kept in the user's cache folder. Compiling the 0.5 MB bundle, and then each function the
// command calls, is about a tenth of a warm command (17–20 ms of CPU of ~270 at 20k runs,
// docs/PERFORMANCE.md); V8 gives back the compiled code of every function the first command ran.
// Node 20 has no built-in compile cache (module.enableCompileCache came in Node 22), so this does
// what it does, for one file. Nothing here may stop the CLI: any failure runs the bundle as is.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { userCacheDir } from '../core/userCache';
import { CODE_CACHE_FLAGS } from './codeCacheFlags';

const bundle = path.join(__dirname, 'cli-main.js');
const source = fs.readFileSync(bundle, 'utf8');

/**
 * `$XDG_CACHE_HOME/mltrace/v8` (default ~/.cache). V8 checks that a cache was made by this V8,
 * with these flags, for a source of this length, not for this text: the name carries the bundle's
 * size and modification time and Node's version, so that another build never meets it.
 */
function cacheFile(): string | null {
  if (process.env.MLTRACE_CODE_CACHE === '0') return null;
  try {
    const { size, mtimeMs } = fs.statSync(bundle);
    const dir = path.join(userCacheDir(), 'v8');
    const key = `${size}-${Math.round(mtimeMs)}-${process.version}-${process.arch}`;
    return path.join(dir, `cli-${key}.v8`);
  } catch {
    return null;
  }
}

function readCache(file: string | null): Buffer | undefined {
  try {
    return file ? fs.readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the code V8 compiled in this process, for the next; the caches of other builds go. */
function writeCache(file: string, script: vm.Script): void {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    // The flags a command changed for itself (wasmTier.ts) are part of what V8 checks: set back.
    (globalThis as Record<symbol, (() => void) | undefined>)[CODE_CACHE_FLAGS]?.();
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600 });
    fs.renameSync(temp, file);
    for (const name of fs.readdirSync(dir))
      if (name.startsWith('cli-') && name.endsWith('.v8') && name !== path.basename(file))
        fs.rmSync(path.join(dir, name), { force: true });
  } catch {
    // A cache folder that cannot be written: the next command compiles the bundle, as without one.
    try {
      fs.rmSync(temp, { force: true });
    } catch {
      // As above.
    }
  }
}

const file = cacheFile();
// Without it, V8 takes a damaged cache as it is (and crashes): with it, a cache carries a checksum
// and one that does not match is rejected, then written again.
if (file) v8.setFlagsFromString('--verify-snapshot-checksum');
const cachedData = readCache(file);
// The wrapper Node itself puts around a CommonJS module, so that the bundle runs as it would.
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
  filename: bundle,
  cachedData,
});
if (file && (cachedData === undefined || script.cachedDataRejected)) {
  process.once('exit', () => writeCache(file, script));
}
// The bundle runs as this module (`require.main === module`), beside it in dist/: its relative
// requires (./vendor/…) and __dirname (the wasm, the worker's script) are the same.
(script.runInThisContext() as (...args: unknown[]) => void).call(
  module.exports,
  module.exports,
  require,
  module,
  bundle,
  __dirname,
);
