// A component's source file in git: the commits that touched it since a run's commit (to explain
// staleness rule 4) and its text at that commit (for "Compare with Code at Run"). Asynchronous and
// cached, so that only the callers that want the explanation pay for it.
//
// Commit ids and source paths come from event files, which anyone can write: only hexadecimal
// commit ids and paths inside the root reach git, and each as one element of an argument array
// (simple-git spawns git without a shell).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SimpleGit } from 'simple-git';
import { simpleGit } from './vendor';

/** An abbreviated or full commit id: 7 to 40 hexadecimal digits, nothing else. */
const COMMIT_ID = /^[0-9a-f]{7,40}$/i;
/** A git command that takes longer is given up: explanations are a nicety, never a wait. */
const GIT_TIMEOUT_MS = 5000;

export interface Commit {
  hash: string;
  subject: string;
}

export const isCommitId = (value: unknown): value is string =>
  typeof value === 'string' && COMMIT_ID.test(value);

/**
 * A recorded source file as a path relative to `root` with `/` separators, or null when it is
 * empty or leads outside the root (`..`, an absolute path elsewhere, a symbolic link out).
 */
export function pathInsideRoot(root: string, sourceFile: string): string | null {
  if (typeof sourceFile !== 'string' || !sourceFile || sourceFile.includes('\0')) return null;
  const base = path.resolve(root);
  const absolute = path.isAbsolute(sourceFile)
    ? path.resolve(sourceFile)
    : path.resolve(base, ...sourceFile.split('/'));
  const relative = path.relative(base, absolute);
  if (!isInside(relative)) return null;
  // A file that exists must also be inside once links are followed; one deleted since the run is
  // judged by its name (git still knows it).
  const real = realPath(absolute);
  const realBase = realPath(base);
  if (real && realBase && !isInside(path.relative(realBase, real))) return null;
  return relative.split(path.sep).join('/');
}

const isInside = (relative: string): boolean =>
  relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);

function realPath(p: string): string | null {
  try {
    return fs.realpathSync(p);
  } catch {
    return null;
  }
}

export class CodeHistory {
  private repository: Promise<SimpleGit | null> | undefined;
  /** Keyed by HEAD, file and commit: a new commit or checkout asks git again. */
  private readonly commits = new Map<string, Promise<Commit[] | null>>();
  private readonly files = new Map<string, Promise<string | null>>();

  constructor(readonly root: string) {}

  /**
   * The commits that touched `sourceFile` after `commit` up to HEAD, newest first; null when it
   * cannot be told (not a repository, an unknown or malformed commit, a path outside the root).
   */
  async commitsSince(sourceFile: string, commit: string): Promise<Commit[] | null> {
    const file = pathInsideRoot(this.root, sourceFile);
    if (!file || !isCommitId(commit)) return null;
    const git = await this.git();
    if (!git) return null;
    const head = await this.resolve(git, 'HEAD');
    if (!head) return null;
    const key = `${head}\0${file}\0${commit.toLowerCase()}`;
    let found = this.commits.get(key);
    if (!found) {
      found = this.log(git, file, commit);
      this.commits.set(key, found);
    }
    return found;
  }

  /** The text of `sourceFile` at `commit`; null when git cannot give it (see commitsSince). */
  async fileAt(sourceFile: string, commit: string): Promise<string | null> {
    const file = pathInsideRoot(this.root, sourceFile);
    if (!file || !isCommitId(commit)) return null;
    const key = `${file}\0${commit.toLowerCase()}`;
    let text = this.files.get(key);
    if (!text) {
      text = this.show(file, commit);
      this.files.set(key, text);
    }
    return text;
  }

  private async log(git: SimpleGit, file: string, commit: string): Promise<Commit[] | null> {
    const from = await this.resolve(git, commit);
    if (!from) return null;
    try {
      // `./` makes the path relative to the root even when the repository's top is above it;
      // literal, so that a name holding `*` or `?` names that file only.
      const out = await git.raw([
        '--literal-pathspecs',
        'log',
        '--format=%H%x1f%s',
        `${from}..HEAD`,
        '--',
        `./${file}`,
      ]);
      return out
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [hash, subject = ''] = line.split('\x1f');
          return { hash, subject };
        });
    } catch {
      return null;
    }
  }

  private async show(file: string, commit: string): Promise<string | null> {
    const git = await this.git();
    const full = git && (await this.resolve(git, commit));
    if (!git || !full) return null;
    try {
      return await git.show([`${full}:./${file}`]);
    } catch {
      return null;
    }
  }

  /** The full id of a commit that exists, or null. */
  private async resolve(git: SimpleGit, revision: string): Promise<string | null> {
    try {
      const full = (await git.raw(['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])).trim();
      return isCommitId(full) ? full : null;
    } catch {
      return null;
    }
  }

  private git(): Promise<SimpleGit | null> {
    this.repository ??= (async () => {
      try {
        const git = simpleGit().simpleGit({ baseDir: this.root, timeout: { block: GIT_TIMEOUT_MS } });
        const inside = (await git.raw(['rev-parse', '--is-inside-work-tree'])).trim();
        return inside === 'true' ? git : null;
      } catch {
        // Not a repository, git missing, or the root gone: no explanation, nothing fails.
        return null;
      }
    })();
    return this.repository;
  }
}
