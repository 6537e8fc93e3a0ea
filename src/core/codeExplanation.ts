// What changed in a run's code, from git: the step after staleness for the callers that show a
// reason to a person (`mltrace stale` and `inspect`, the editor's hover and Problems). Staleness
// itself stays synchronous and git-free; this adds to rule 4's sentence when asked.
import { CodeHistory, Commit, isCommitId } from './codeHistory';
import { plural, shortId } from './format';
import type { Run, RunDetail } from './model';
import { codeChangedReason } from './staleness';

/** Commits named in a reason; more are counted, not listed. */
const LISTED_COMMITS = 3;
const SUBJECT_LENGTH = 60;
const SHORT_COMMIT = 7;

/**
 * Adds to each run's "code changed" reason the commits that touched its source file since the
 * run's commit, or that the change is not committed. Changes `run.stale` in place; a run that git
 * cannot explain (no repository, no or unknown commit) keeps its reason as it was.
 */
export async function explainCodeChanges(runs: ReadonlyArray<Run>, history: CodeHistory): Promise<void> {
  await Promise.all(
    runs.map(async (run) => {
      if (!run.sourceFile || !isCommitId(run.gitHash) || run.stale.length === 0) return;
      const reason = codeChangedReason({
        component: run.component,
        id: run.id,
        sourceFile: run.sourceFile,
        sourceLine: run.sourceLine,
      });
      const at = run.stale.indexOf(reason);
      if (at < 0) return;
      const commits = await history.commitsSince(run.sourceFile, run.gitHash);
      if (commits) run.stale[at] = `${reason.slice(0, -1)}: ${describeCommits(commits, run.gitHash)}.`;
    }),
  );
}

/** `3 commits since this run: a1b2c3d "scale features", …`, or that none was made. */
export function describeCommits(commits: ReadonlyArray<Commit>, runCommit: string): string {
  if (commits.length === 0)
    return `no commit touched it since this run's commit ${runCommit.slice(0, SHORT_COMMIT)}: the change is not committed`;
  const listed = commits
    .slice(0, LISTED_COMMITS)
    .map((c) => `${c.hash.slice(0, SHORT_COMMIT)} "${clip(c.subject)}"`)
    .join(', ');
  const more = commits.length > LISTED_COMMITS ? ', …' : '';
  return `${plural(commits.length, 'commit')} since this run: ${listed}${more}`;
}

const clip = (subject: string): string =>
  subject.length > SUBJECT_LENGTH ? `${subject.slice(0, SUBJECT_LENGTH - 1)}…` : subject;

/** The code a run ran, for a diff against the working copy. */
export interface CodeAtRun {
  text: string;
  /** `git`: the whole source file at the run's commit; `snapshot`: the code recorded with the run. */
  from: 'git' | 'snapshot';
  /** The commit it was read at (`git` only). */
  commit?: string;
}

/**
 * The source file at the run's commit when git knows it; else, outside a repository or for an
 * unknown commit, the code the log recorded with the run; null when there is neither. Without a
 * history (the editor in Restricted Mode runs no git), the recorded code.
 */
export async function codeAtRun(run: RunDetail, history: CodeHistory | undefined): Promise<CodeAtRun | null> {
  if (history && run.sourceFile && isCommitId(run.gitHash)) {
    const text = await history.fileAt(run.sourceFile, run.gitHash);
    if (text !== null) return { text, from: 'git', commit: run.gitHash };
  }
  return run.codeSnapshot === null ? null : { text: run.codeSnapshot, from: 'snapshot' };
}

/** How a person names the left side of the diff. */
export const codeAtRunLabel = (run: Run, code: CodeAtRun): string =>
  code.from === 'git'
    ? `at ${code.commit!.slice(0, SHORT_COMMIT)} (run ${shortId(run.id)})`
    : `recorded with run ${shortId(run.id)}`;
