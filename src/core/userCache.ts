// This user's cache folder for mltrace: `$XDG_CACHE_HOME/mltrace` (default ~/.cache/mltrace). Readers'
// snapshots of shared stores (storeDir.ts) and the CLI's V8 code cache (src/cli/launch.ts) live in it.
import * as os from 'node:os';
import * as path from 'node:path';

export const userCacheDir = (env: NodeJS.ProcessEnv = process.env): string =>
  path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'mltrace');
