// A team without a server: one store directory on a shared folder that many machines append to,
// named with --dir or MLTRACE_DIR. The log is shared; each reader's snapshot is not (it lives in
// the reader's own cache), so readers never rewrite one another's index.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

let tmp: string;
let share: string;

function mltrace(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  for (const k of Object.keys(base)) if (k.startsWith('MLTRACE_') || k === 'XDG_CACHE_HOME') delete base[k];
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...base, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function logRuns(machine: string, component: string, n: number): string[] {
  const writer = new EventWriter(storeLocation(share), machine);
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(writer.logRun({ component }, { status: 'complete' }));
  writer.close();
  return ids;
}

/** Every lineage.sqlite under `dir`. */
function snapshots(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => path.basename(f) === 'lineage.sqlite')
    .map((f) => path.join(dir, f));
}

const recentIds = (stdout: string) => (JSON.parse(stdout) as Array<{ id: string }>).map((r) => r.id).sort();

describe('a store on a shared folder', () => {
  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-shared-')));
    share = path.join(tmp, 'share', '.mltrace');
    fs.mkdirSync(share, { recursive: true });
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('each reader keeps its own snapshot in its cache; none is written to the shared folder', () => {
    const alice = { home: path.join(tmp, 'alice', 'project'), cache: path.join(tmp, 'alice', 'cache') };
    const bob = { home: path.join(tmp, 'bob', 'project'), cache: path.join(tmp, 'bob', 'cache') };
    for (const who of [alice, bob]) fs.mkdirSync(who.home, { recursive: true });
    const first = [...logRuns('gpu01', 'clean', 3), ...logRuns('laptop', 'train', 2)];

    const aliceSees = mltrace(
      alice.home,
      { XDG_CACHE_HOME: alice.cache },
      'recent',
      '--json',
      '--dir',
      share,
    );
    const bobSees = mltrace(bob.home, { XDG_CACHE_HOME: bob.cache, MLTRACE_DIR: share }, 'recent', '--json');
    assert.deepEqual(recentIds(aliceSees), [...first].sort());
    assert.deepEqual(recentIds(bobSees), [...first].sort());
    assert.deepEqual(snapshots(share), [], 'no snapshot in the shared store');
    assert.equal(snapshots(alice.cache).length, 1, "alice's snapshot is in her cache");
    assert.equal(snapshots(bob.cache).length, 1, "bob's is in his");

    // Another machine appends; each reader's own snapshot catches up from the shared log.
    const later = logRuns('gpu02', 'evaluate', 2);
    const again = mltrace(alice.home, { XDG_CACHE_HOME: alice.cache }, 'recent', '--json', '--dir', share);
    assert.deepEqual(recentIds(again), [...first, ...later].sort());
    assert.deepEqual(snapshots(share), []);
  });

  it("a reader's cache notes each use and drops snapshots nobody used for 30 days", () => {
    const dave = { home: path.join(tmp, 'dave', 'project'), cache: path.join(tmp, 'dave', 'cache') };
    fs.mkdirSync(dave.home, { recursive: true });
    const root = path.join(dave.cache, 'mltrace', 'snapshots');
    // A store read 40 days ago, one read 10 days ago, and a folder of someone else's.
    const days = (n: number) => (Date.now() - n * 86_400_000) / 1000;
    for (const [name, age] of [
      ['0123456789abcdef', 40],
      ['fedcba9876543210', 10],
      ['keep-me', 400],
    ] as const) {
      fs.mkdirSync(path.join(root, name), { recursive: true });
      fs.writeFileSync(path.join(root, name, 'lineage.sqlite'), 'old');
      fs.utimesSync(path.join(root, name, 'lineage.sqlite'), days(age), days(age));
      fs.utimesSync(path.join(root, name), days(age), days(age));
    }
    mltrace(dave.home, { XDG_CACHE_HOME: dave.cache }, 'recent', '--dir', share);
    const [own] = snapshots(dave.cache).map((f) => path.basename(path.dirname(f)));
    assert.ok(own, 'the snapshot of this store is in the cache');
    assert.equal(fs.readFileSync(path.join(root, own, 'used'), 'utf8'), `${share}\n`, 'it names the store');
    assert.deepEqual(
      fs
        .readdirSync(root)
        .filter((n) => !n.startsWith('.'))
        .sort(),
      [own, 'fedcba9876543210', 'keep-me'].sort(),
    );
  });

  it('MLTRACE_SNAPSHOT_DIR names the folder of the snapshot', () => {
    const home = path.join(tmp, 'carol');
    const snapshotDir = path.join(tmp, 'carol-snapshot');
    fs.mkdirSync(home, { recursive: true });
    mltrace(home, { MLTRACE_SNAPSHOT_DIR: snapshotDir, MLTRACE_DIR: share }, 'recent');
    assert.ok(fs.existsSync(path.join(snapshotDir, 'lineage.sqlite')));
    assert.deepEqual(snapshots(share), []);
  });

  it("the working folder's own store keeps its snapshot beside the log, as always", () => {
    const root = path.join(tmp, 'own');
    const store = path.join(root, '.mltrace');
    fs.mkdirSync(path.join(root, 'sub'), { recursive: true });
    new EventWriter(storeLocation(store), 'test').logRun({ component: 'own' }, { status: 'complete' });
    const cache = path.join(tmp, 'own-cache');
    mltrace(path.join(root, 'sub'), { XDG_CACHE_HOME: cache }, 'recent');
    assert.ok(fs.existsSync(path.join(store, 'lineage.sqlite')));
    assert.deepEqual(snapshots(cache), []);
  });
});
