// The commit and tags of a working tree, via `git` with an argv array (no shell). Null when the
// folder is not in a repository or git is missing: logging never fails for want of git.
import { execFileSync } from 'node:child_process';

export interface GitInfo {
  hash: string;
  tags: string[];
}

export function gitInfo(cwd: string): GitInfo | null {
  const git = (...args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  try {
    const hash = git('rev-parse', 'HEAD');
    const tags = git('tag', '--points-at', 'HEAD').split('\n').filter(Boolean);
    return { hash, tags };
  } catch {
    return null;
  }
}
