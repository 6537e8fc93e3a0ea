// The OpenLineage job namespace of the components logged under a root (docs/EVENTS.md "Names"):
// `MLTRACE_NAMESPACE`, else the repository's `origin` remote as host/path, else the root
// folder's name. Two clones of one project in differently named folders are then one pipeline.
//
// The remote is read from the repository's config file, not by running git: every command and
// every shim locates its store, and a process per start would cost more than the file read. The
// Python shim (python/mltrace/_namespace.py) does the same, step for step, so both agree.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const DEFAULT_NAMESPACE = 'mltrace';

/** The namespace for components logged under `root`. */
export function componentNamespace(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.MLTRACE_NAMESPACE || remoteNamespace(root) || path.basename(root) || DEFAULT_NAMESPACE;
}

/** `origin`'s URL as host/path, for the repository holding `root`; null without one. */
export function remoteNamespace(root: string): string | null {
  const config = gitConfigFile(root);
  if (!config) return null;
  let text: string;
  try {
    text = fs.readFileSync(config, 'utf8');
  } catch {
    return null;
  }
  const url = originUrl(text);
  return url === null ? null : normalizeRemoteUrl(url);
}

/**
 * The config file of the repository holding `directory`: `.git/config`, or for a linked worktree
 * (a `.git` file naming its git dir) the config of the main repository (its `commondir`).
 */
export function gitConfigFile(directory: string): string | null {
  for (let dir = path.resolve(directory); ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    let gitDir: string | null = null;
    try {
      const stat = fs.statSync(dotGit);
      if (stat.isDirectory()) gitDir = dotGit;
      else if (stat.isFile()) {
        const content = fs.readFileSync(dotGit, 'utf8').trim();
        if (!content.startsWith('gitdir:')) return null;
        gitDir = path.resolve(dir, content.slice('gitdir:'.length).trim());
      }
    } catch {
      // No .git here: look in the parent.
    }
    if (gitDir) {
      try {
        const common = fs.readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim();
        gitDir = path.resolve(gitDir, common);
      } catch {
        // Not a linked worktree: its own config.
      }
      return path.join(gitDir, 'config');
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** The `url` of `[remote "origin"]` in git config text (the last one, as git reads it). */
export function originUrl(config: string): string | null {
  let inOrigin = false;
  let url: string | null = null;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\]|\\.)*)")?\s*\]/.exec(line);
    if (section) {
      inOrigin = section[1].toLowerCase() === 'remote' && section[2]?.replace(/\\(.)/g, '$1') === 'origin';
      continue;
    }
    if (!inOrigin) continue;
    const entry = /^url\s*=\s*(.*)$/i.exec(line);
    if (entry) url = configValue(entry[1]);
  }
  return url;
}

/** A config value: quotes removed, escapes read, a trailing comment dropped. */
function configValue(raw: string): string {
  let out = '';
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\' && i + 1 < raw.length) {
      const next = raw[++i];
      out += next === 'n' ? '\n' : next === 't' ? '\t' : next;
    } else if (c === '"') quoted = !quoted;
    else if ((c === '#' || c === ';') && !quoted) break;
    else out += c;
  }
  return out.trim();
}

/**
 * A remote URL as `host/path`: no scheme, no user or password, no port, no `.git`, host in lower
 * case (`https://user:secret@GitHub.com/org/repo.git`, `git@github.com:org/repo.git` and
 * `ssh://git@github.com:22/org/repo` all give `github.com/org/repo`). A local path gives the path.
 * Everything up to the last `@` is dropped, so a password holding `/` or `@` never survives.
 */
export function normalizeRemoteUrl(url: string): string | null {
  let rest = url.trim().replace(/\\/g, '/');
  let host = '';
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(rest);
  if (scheme) rest = rest.slice(scheme[0].length);
  const at = rest.lastIndexOf('@');
  if (at >= 0) rest = rest.slice(at + 1);
  if (scheme) {
    const slash = rest.indexOf('/');
    host = slash < 0 ? rest : rest.slice(0, slash);
    rest = slash < 0 ? '' : rest.slice(slash);
    host = host.replace(/:\d*$/, '');
  } else {
    // scp-like `host:path` (a host of one letter is a Windows drive, `C:/repo`).
    const scp = /^([^/:]{2,}):([\s\S]*)$/.exec(rest);
    if (scp) [host, rest] = [scp[1], scp[2]];
  }
  const repoPath = rest
    .split('/')
    .filter(Boolean)
    .join('/')
    .replace(/\/?\.git$/i, '');
  const name = [host.toLowerCase(), repoPath].filter(Boolean).join('/');
  return name || null;
}
