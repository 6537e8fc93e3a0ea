// The job namespace comes from the git remote, not the clone's folder name (docs/EVENTS.md
// "Names"): the Python shim (python/mltrace/_namespace.py) and the Node side (src/core/namespace.ts,
// used by `mltrace run` and the Node shim) must give the same name for the same repository, two
// clones in differently named folders must be one pipeline, and a credential in a remote URL must
// never reach an event.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { componentNamespace, normalizeRemoteUrl, originUrl } from '../../src/core/namespace';
import { LineageStore } from '../../src/core/store';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';
import { git } from '../helpers/git';
import { repoRoot } from '../helpers/openlineage';

const PYTHON = process.env.PYTHON ?? 'python3';
const SHIM = path.join(repoRoot, 'python');
const CLI = path.join(repoRoot, 'dist', 'cli.js');
const SECRET = 's3cr3t-pa55';

const temps: string[] = [];
after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-ns-')));
  temps.push(dir);
  return dir;
};

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: SHIM,
    PYTHONDONTWRITEBYTECODE: '1',
    NO_COLOR: '1',
  };
  delete out.MLTRACE_NAMESPACE;
  delete out.MLTRACE_DIR;
  return { ...out, ...extra };
}

/** Python's answers for each value, through the shim's own functions. */
function python(
  fn: 'normalize_remote_url' | 'origin_url' | 'component_namespace',
  values: string[],
): unknown[] {
  const r = spawnSync(
    PYTHON,
    [
      '-c',
      `import json, sys\nfrom mltrace import _namespace as n\nprint(json.dumps([n.${fn}(v) for v in json.load(sys.stdin)]))`,
    ],
    { input: JSON.stringify(values), encoding: 'utf8', env: env() },
  );
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

/** Logs one run of `component` in `root` with the Python shim, and one with `mltrace run`. */
function logBoth(root: string, component: string, extra: NodeJS.ProcessEnv = {}): void {
  fs.mkdirSync(path.join(root, '.mltrace'), { recursive: true });
  const script = `from mltrace import register\n\n@register("${component}-py", input_vars=[], output_vars=[])\ndef step():\n    return 1\n\nstep()\n`;
  fs.writeFileSync(path.join(root, 'step.py'), script);
  const py = spawnSync(PYTHON, ['step.py'], { cwd: root, encoding: 'utf8', env: env(extra) });
  assert.equal(py.status, 0, py.stderr);
  const node = spawnSync(process.execPath, [CLI, 'run', '-c', `${component}-node`, '--', 'true'], {
    cwd: root,
    encoding: 'utf8',
    env: env(extra),
  });
  assert.equal(node.status, 0, node.stderr);
}

/** Every event line of a store, as text, and the job namespaces they name. */
function logged(root: string): { text: string; namespaces: Map<string, Set<string>> } {
  const dir = path.join(root, '.mltrace', 'events');
  const text = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('');
  const namespaces = new Map<string, Set<string>>();
  for (const line of text.split('\n').filter(Boolean)) {
    const event = JSON.parse(line) as { job?: { namespace: string; name: string } };
    if (!event.job) continue;
    const set = namespaces.get(event.job.name) ?? new Set<string>();
    set.add(event.job.namespace);
    namespaces.set(event.job.name, set);
  }
  return { text, namespaces };
}

describe('the component namespace from the git remote', () => {
  test('remote URLs normalise to host/path, the same in Node and Python, without credentials', () => {
    const cases: Array<[string, string | null]> = [
      ['https://github.com/org/repo.git', 'github.com/org/repo'],
      ['https://GitHub.com/org/Repo', 'github.com/org/Repo'],
      [`https://alice:${SECRET}@github.com/org/repo.git`, 'github.com/org/repo'],
      [`https://ghp_${SECRET}@github.com/org/repo`, 'github.com/org/repo'],
      [
        `https://alice:${SECRET}/with@slash@gitlab.example.com:8443/group/sub/repo.git/`,
        'gitlab.example.com/group/sub/repo',
      ],
      ['git@github.com:org/repo.git', 'github.com/org/repo'],
      [`alice:${SECRET}@github.com:org/repo.git`, 'github.com/org/repo'],
      ['ssh://git@github.com:22/org/repo.git', 'github.com/org/repo'],
      ['git://example.org/~user/project', 'example.org/~user/project'],
      ['file:///srv/git/project.git', 'srv/git/project'],
      ['/srv/git/project.git', 'srv/git/project'],
      ['../sibling/project/.git', '../sibling/project'],
      ['C:\\repos\\project.git', 'C:/repos/project'],
      ['', null],
      ['https://', null],
    ];
    const node = cases.map(([url]) => normalizeRemoteUrl(url));
    assert.deepEqual(
      node,
      cases.map(([, expected]) => expected),
    );
    assert.deepEqual(
      python(
        'normalize_remote_url',
        cases.map(([url]) => url),
      ),
      node,
    );
    for (const name of node) assert.ok(!name?.includes(SECRET) && !name?.includes('alice'), String(name));
  });

  test('the origin URL is read from git config text as git reads it', () => {
    const configs = [
      '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://example.com/a/b.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
      '[remote "upstream"]\n\turl = https://example.com/up.git\n[remote "origin"]\n\tURL = "git@example.com:a/b.git" # where we push\n',
      '[remote "origin"]\n\turl = https://example.com/first.git\n[branch "main"]\n\turl = nope\n[remote "origin"]\n\turl = https://example.com/last.git\n',
      '[Remote "origin"]\r\n\turl = https://example.com/crlf.git\r\n',
      '[remote "Origin"]\n\turl = https://example.com/case.git\n',
      '[remote "upstream"]\n\turl = https://example.com/up.git\n',
    ];
    const node = configs.map(originUrl);
    assert.deepEqual(node, [
      'https://example.com/a/b.git',
      'git@example.com:a/b.git',
      'https://example.com/last.git',
      'https://example.com/crlf.git',
      null, // subsection names are case-sensitive in git
      null,
    ]);
    assert.deepEqual(python('origin_url', configs), node);
  });

  test('two clones in differently named folders, and a linked worktree, log one namespace from both shims', () => {
    const base = tempDir();
    const upstream = path.join(base, 'upstream');
    fs.mkdirSync(upstream);
    git(upstream, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(upstream, 'README'), 'x\n');
    git(upstream, 'add', 'README');
    git(upstream, 'commit', '-q', '-m', 'first');
    const clones = ['alice-checkout', 'projects-pipeline'].map((name) => path.join(base, name));
    for (const clone of clones) {
      git(base, 'clone', '-q', upstream, clone);
      // As a clone from a hosting service with a token in the URL would have it.
      git(clone, 'remote', 'set-url', 'origin', `https://alice:${SECRET}@Git.Example.com/team/pipeline.git`);
    }
    const worktree = path.join(base, 'feature-worktree');
    git(clones[0], 'worktree', 'add', '-q', worktree);

    for (const [i, root] of [...clones, worktree].entries()) {
      logBoth(root, `step${i}`);
      const { text, namespaces } = logged(root);
      assert.deepEqual(
        [...namespaces.values()].map((s) => [...s]),
        [['git.example.com/team/pipeline'], ['git.example.com/team/pipeline']],
        `${path.basename(root)}: the Python and the Node run`,
      );
      assert.ok(!text.includes(SECRET), 'the password never reaches an event');
      assert.ok(!text.includes('alice:'), 'nor the user');
    }
    assert.deepEqual(
      [...clones, worktree].map((root) => componentNamespace(root, {})),
      Array(3).fill('git.example.com/team/pipeline'),
    );
    assert.deepEqual(
      python('component_namespace', [...clones, worktree]),
      Array(3).fill('git.example.com/team/pipeline'),
    );
  });

  test('MLTRACE_NAMESPACE wins; without a remote, or outside a repository, the folder name', () => {
    const base = tempDir();
    const overridden = path.join(base, 'with-remote');
    fs.mkdirSync(overridden);
    git(overridden, 'init', '-q');
    git(overridden, 'remote', 'add', 'origin', 'git@example.com:team/pipeline.git');
    logBoth(overridden, 'o', { MLTRACE_NAMESPACE: 'chosen' });
    assert.deepEqual(
      [...logged(overridden).namespaces.values()].map((s) => [...s]),
      [['chosen'], ['chosen']],
    );

    const noRemote = path.join(base, 'no-remote');
    fs.mkdirSync(noRemote);
    git(noRemote, 'init', '-q');
    const plain = path.join(base, 'plain-folder');
    fs.mkdirSync(plain);
    for (const root of [noRemote, plain]) {
      logBoth(root, 'f');
      assert.deepEqual(
        [...logged(root).namespaces.values()].map((s) => [...s]),
        [[path.basename(root)], [path.basename(root)]],
      );
    }
  });

  test('components still match by name across namespaces: one component, one lineage', async () => {
    const root = tempDir();
    const storeDir = path.join(root, '.mltrace');
    fs.mkdirSync(path.join(storeDir, 'events'), { recursive: true });
    // The same pipeline logged before and after the namespace came from the remote.
    const before = new EventWriter(
      storeLocation(storeDir, { MLTRACE_NAMESPACE: 'old-folder-name' }),
      'before',
    );
    const afterwards = new EventWriter(
      storeLocation(storeDir, { MLTRACE_NAMESPACE: 'git.example.com/team/pipeline' }),
      'after',
    );
    const clean = before.logRun(
      { component: 'clean' },
      { status: 'complete', outputs: [{ name: 'clean.csv' }] },
    );
    const train = afterwards.logRun(
      { component: 'train', inputs: [{ name: 'clean.csv' }] },
      { status: 'complete', outputs: [{ name: 'model.pkl' }] },
    );
    afterwards.logRun({ component: 'clean' }, { status: 'complete', outputs: [{ name: 'other.csv' }] });
    before.close();
    afterwards.close();
    const store = await LineageStore.open({ dir: storeDir });
    try {
      assert.deepEqual(
        store.components().map((c) => [c.name, c.runCount]),
        [
          ['clean', 2],
          ['train', 1],
        ],
      );
      assert.deepEqual(store.inspect(train).dependencies, [clean]);
      assert.deepEqual(
        store.trace('model.pkl').runs.map((r) => r.component),
        ['train', 'clean'],
      );
    } finally {
      store.close({ save: false });
    }
  });
});
