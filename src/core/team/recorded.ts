// The team store a pipeline named with mltrace's `set_db_uri()`: recorded by the Python shim,
// without its password, in the user's configuration folder (never in the workspace, so that a
// cloned repository cannot name a server to send lineage to), keyed by the store's real path.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const RECORDED_FILE = 'team-stores.json';

/** `$MLTRACE_CONFIG_DIR`, else `$XDG_CONFIG_HOME/mltrace`, else `~/.config/mltrace`. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MLTRACE_CONFIG_DIR) return env.MLTRACE_CONFIG_DIR;
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), 'mltrace');
}

/** The URI recorded for this store, if any. */
export function recordedTeamUri(storeDir: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  try {
    const stores = JSON.parse(fs.readFileSync(path.join(configDir(env), RECORDED_FILE), 'utf8')) as unknown;
    if (typeof stores !== 'object' || stores === null) return undefined;
    const uri = (stores as Record<string, unknown>)[fs.realpathSync(storeDir)];
    return typeof uri === 'string' && /^postgres(ql)?:\/\//.test(uri) ? uri : undefined;
  } catch {
    return undefined;
  }
}

/** The team store for the CLI: `--team`, else `MLTRACE_TEAM_URI`, else what `set_db_uri` recorded. */
export function teamUri(
  storeDir: string,
  explicit?: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return explicit ?? (env.MLTRACE_TEAM_URI || undefined) ?? recordedTeamUri(storeDir, env);
}
