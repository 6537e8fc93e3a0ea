// Rule 4 explained with git (src/core/codeHistory.ts, src/core/codeExplanation.ts), against a real
// temporary repository: the commits that touched the source file since the run's commit, the file
// at that commit, and the values from event files that must never reach git.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CodeHistory, isCommitId, pathInsideRoot } from '../../src/core/codeHistory';
import { codeAtRun, explainCodeChanges } from '../../src/core/codeExplanation';
import { shortId } from '../../src/core/format';
import { commitAll as commit, git } from '../helpers/git';
import { at, tempFixture } from '../helpers/lineage';

const CLEAN = 'def clean(df):\n    return df.dropna()';
const PIPELINE = `import pandas\n\n${CLEAN}\n`;

/** A workspace in a repository: pipeline.py and other.py committed, a run of clean at that commit. */
async function repoWithRun(t: Parameters<typeof tempFixture>[0], gitHash?: (first: string) => string) {
  const fx = tempFixture(t);
  fs.writeFileSync(path.join(fx.root, '.gitignore'), '.mltrace/\n');
  fx.writeFile('pipeline.py', PIPELINE);
  fx.writeFile('other.py', 'x = 1\n');
  git(fx.root, 'init', '-q', '-b', 'main');
  const first = commit(fx.root, 'first version');
  const run = fx.writer().logRun(
    {
      component: 'clean',
      startTime: at(0),
      source: {
        sourceFile: 'pipeline.py',
        sourceLine: 3,
        gitHash: gitHash ? gitHash(first) : first,
        code: { language: 'python', source: CLEAN },
      },
    },
    { status: 'complete', endTime: at(1) },
  );
  return { fx, first, run };
}

const reason = (id: string) => `The code of clean (run ${shortId(id)}) changed since it ran (pipeline.py:3)`;

describe('rule 4 explained: the commits that touched the source file since the run', () => {
  test('lists the commits that touched the file, newest first, not those that touched others', async (t) => {
    const { fx, first, run } = await repoWithRun(t);
    fx.writeFile('pipeline.py', PIPELINE.replace('dropna()', 'dropna() * 2').replace('df.', 'df2.'));
    const scale = commit(fx.root, 'scale features');
    fx.writeFile('other.py', 'x = 2\n');
    commit(fx.root, 'touch another file');
    fx.writeFile('pipeline.py', PIPELINE.replace('dropna()', 'fillna(0)'));
    const fill = commit(fx.root, 'fill the gaps');

    const store = await fx.open();
    const stale = store.stale();
    assert.deepEqual(
      stale.map((r) => r.stale),
      [[`${reason(run)}.`]],
      'staleness alone, synchronous, says only that the code changed',
    );
    const history = new CodeHistory(fx.root);
    await explainCodeChanges(stale, history);
    assert.deepEqual(stale[0].stale, [
      `${reason(run)}: 2 commits since this run: ${fill.slice(0, 7)} "fill the gaps", ${scale.slice(0, 7)} "scale features".`,
    ]);

    assert.deepEqual(
      (await history.commitsSince('pipeline.py', first.slice(0, 7)))?.map((c) => c.hash),
      [fill, scale],
      'an abbreviated commit id is resolved',
    );
    assert.deepEqual(await history.commitsSince('other.py', fill), []);
    assert.deepEqual(
      await history.commitsSince('pipe*.py', first),
      [],
      'a name holding a glob character names that file only',
    );

    // The cache is per HEAD: a new commit is seen by the next explanation.
    fx.writeFile('pipeline.py', PIPELINE.replace('dropna()', 'clip(0)'));
    const clip = commit(fx.root, 'clip');
    const again = store.stale();
    await explainCodeChanges(again, history);
    assert.match(again[0].stale[0], new RegExp(`: 3 commits since this run: ${clip.slice(0, 7)} "clip", `));
  });

  test('more than three commits are counted and the first three listed; an uncommitted change says so', async (t) => {
    const { fx, run } = await repoWithRun(t);
    const hashes: string[] = [];
    for (let i = 1; i <= 4; i++) {
      fx.writeFile('pipeline.py', `${PIPELINE}\n# revision ${i}\n`.replace('dropna', `dropna${i}`));
      hashes.unshift(commit(fx.root, `revision ${i}`));
    }
    const store = await fx.open();
    const stale = store.stale();
    await explainCodeChanges(stale, new CodeHistory(fx.root));
    assert.equal(
      stale[0].stale[0],
      `${reason(run)}: 4 commits since this run: ${hashes
        .slice(0, 3)
        .map((h, i) => `${h.slice(0, 7)} "revision ${4 - i}"`)
        .join(', ')}, ….`,
    );

    // A run at HEAD whose file was then edited without committing.
    const { fx: fx2, first, run: run2 } = await repoWithRun(t);
    fx2.writeFile('pipeline.py', PIPELINE.replace('dropna()', 'dropna(how="all")'));
    const stale2 = (await fx2.open()).stale();
    await explainCodeChanges(stale2, new CodeHistory(fx2.root));
    assert.deepEqual(stale2[0].stale, [
      `${reason(run2)}: no commit touched it since this run's commit ${first.slice(0, 7)}: the change is not committed.`,
    ]);
  });

  test('the file at the run commit, for the diff; an unknown commit or no repository falls back to the snapshot', async (t) => {
    const { fx, first, run } = await repoWithRun(t);
    fx.writeFile('pipeline.py', 'changed\n');
    commit(fx.root, 'rewrite');
    const store = await fx.open();
    const history = new CodeHistory(fx.root);
    assert.deepEqual(await codeAtRun(store.inspect(run), history), {
      text: PIPELINE,
      from: 'git',
      commit: first,
    });

    // A commit id that looks right but is not in this repository (rebased away, another clone).
    const { fx: fx2, run: unknown } = await repoWithRun(t, () => 'deadbeef'.repeat(5));
    fx2.writeFile('pipeline.py', 'changed\n');
    const store2 = await fx2.open();
    const history2 = new CodeHistory(fx2.root);
    assert.deepEqual(await codeAtRun(store2.inspect(unknown), history2), { text: CLEAN, from: 'snapshot' });
    const stale2 = store2.stale();
    await explainCodeChanges(stale2, history2);
    assert.deepEqual(stale2[0].stale, [`${reason(unknown)}.`], 'nothing to add, nothing lost');

    // No repository at all.
    const fx3 = tempFixture(t);
    fx3.writeFile('pipeline.py', 'changed\n');
    const R = fx3.writer().logRun(
      {
        component: 'clean',
        startTime: at(0),
        source: {
          sourceFile: 'pipeline.py',
          sourceLine: 3,
          gitHash: first,
          code: { language: 'python', source: CLEAN },
        },
      },
      { status: 'complete', endTime: at(1) },
    );
    const store3 = await fx3.open();
    const history3 = new CodeHistory(fx3.root);
    assert.equal(await history3.commitsSince('pipeline.py', first), null);
    assert.deepEqual(await codeAtRun(store3.inspect(R), history3), { text: CLEAN, from: 'snapshot' });
    const stale3 = store3.stale();
    await explainCodeChanges(stale3, history3);
    assert.deepEqual(stale3[0].stale, [`${reason(R)}.`]);
  });
});

describe('values from event files are checked before they reach git', () => {
  test('commit ids: 7 to 40 hexadecimal digits only', () => {
    for (const good of ['abc1234', 'ABCDEF0', 'a'.repeat(40)]) assert.ok(isCommitId(good), good);
    for (const bad of [
      'abc123',
      'a'.repeat(41),
      '--output=/tmp/x',
      'HEAD',
      'HEAD; rm -rf ~',
      'abc1234^',
      'abc1234..HEAD',
      ' abc1234',
      'abc1234\n',
      '',
      null,
      42,
    ])
      assert.ok(!isCommitId(bad), JSON.stringify(bad));
  });

  test('paths: inside the root only, links followed', (t) => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-paths-'));
    t.after(() => fs.rmSync(base, { recursive: true, force: true }));
    const root = path.join(base, 'ws');
    fs.mkdirSync(path.join(root, 'src'), { recursive: true });
    fs.writeFileSync(path.join(base, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(root, 'src', 'a.py'), '');
    fs.symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.py'));
    assert.equal(pathInsideRoot(root, 'src/a.py'), 'src/a.py');
    assert.equal(pathInsideRoot(root, path.join(root, 'src', 'a.py')), 'src/a.py');
    assert.equal(
      pathInsideRoot(root, 'src/deleted.py'),
      'src/deleted.py',
      'a deleted file is judged by its name',
    );
    assert.equal(
      pathInsideRoot(root, '--output=x.py'),
      '--output=x.py',
      'a name, never an option: git gets ./ before it',
    );
    for (const bad of [
      '../../etc/passwd',
      '../secret.txt',
      'src/../../secret.txt',
      '/etc/passwd',
      'link.py',
      '',
      '.',
      'a\0b',
    ])
      assert.equal(pathInsideRoot(root, bad), null, JSON.stringify(bad));
  });

  test('hostile commit ids and paths in a real repository: refused, nothing written, no reason lost', async (t) => {
    const { fx, first } = await repoWithRun(t);
    const marker = path.join(os.tmpdir(), `mltrace-hostile-${process.pid}`);
    t.after(() => fs.rmSync(marker, { force: true }));
    const history = new CodeHistory(fx.root);
    for (const commitId of [`--output=${marker}`, 'HEAD; rm -rf ~', `HEAD --output=${marker}`, '-p']) {
      assert.equal(await history.commitsSince('pipeline.py', commitId), null, commitId);
      assert.equal(await history.fileAt('pipeline.py', commitId), null, commitId);
    }
    fs.writeFileSync(path.join(path.dirname(fx.root), 'outside.txt'), 'outside');
    for (const file of ['../../etc/passwd', '../outside.txt', '/etc/passwd', `--output=${marker}`]) {
      assert.equal(await history.fileAt(file, first), null, file);
    }
    assert.ok(!fs.existsSync(marker), 'git never wrote the file an option named');

    // The same values, logged as a run's source: the run's reasons stay as staleness gave them,
    // and the diff falls back to the code the log recorded.
    const w = fx.writer();
    const hostile = w.logRun(
      {
        component: 'clean',
        startTime: at(5),
        source: {
          sourceFile: 'pipeline.py',
          sourceLine: 3,
          gitHash: `--output=${marker}`,
          code: { language: 'python', source: CLEAN },
        },
      },
      { status: 'complete', endTime: at(6) },
    );
    fx.writeFile('pipeline.py', 'changed\n');
    const store = await fx.open();
    const detail = store.inspect(hostile);
    assert.deepEqual(await codeAtRun(detail, history), { text: CLEAN, from: 'snapshot' });
    const stale = store.stale({ component: 'clean' });
    await explainCodeChanges(stale, history);
    assert.deepEqual(stale.find((r) => r.id === hostile)?.stale, [
      `The code of clean (run ${shortId(hostile)}) changed since it ran (pipeline.py:3).`,
    ]);
    assert.ok(!fs.existsSync(marker));
  });
});
