// The team store: several "machines" (store directories) syncing through one real PostgreSQL
// server (a throw-away cluster on a loopback port, test/helpers/postgres.ts), with the built
// `mltrace` CLI as users run it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { LineageStore } from '../../src/core/store';
import { storeLocation } from '../../src/core/storeDir';
import { syncTeam } from '../../src/core/team/sync';
import { EventWriter } from '../../src/core/writer';
import { PgCluster, startPostgres } from '../helpers/postgres';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

let pg: PgCluster;
let tmp: string;
let machines = 0;

/** A new machine: a workspace folder with an empty store. */
function machine(): string {
  const root = path.join(tmp, `machine-${++machines}`);
  fs.mkdirSync(path.join(root, '.mltrace'), { recursive: true });
  return root;
}

const storeDir = (root: string) => path.join(root, '.mltrace');

function mltrace(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  delete base.MLTRACE_DIR;
  delete base.MLTRACE_TEAM_URI;
  // No team store recorded by set_db_uri unless a test says so (not the developer's own).
  base.MLTRACE_CONFIG_DIR = path.join(tmp, 'no-config');
  const e: NodeJS.ProcessEnv = { ...base, NO_COLOR: '1', PGPASSWORD: pg.adminPassword, ...env };
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: e,
    timeout: 60_000,
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

function sync(root: string, ...extra: string[]): { pushed: number; pulled: number; problems: string[] } {
  const r = mltrace(root, ['sync', '--team', pg.adminUri, '--json', ...extra]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { pushed: number; pulled: number; problems: string[] };
}

/** Logs `n` runs of `component` reading `input` and writing `output`, one writer. */
function logRuns(root: string, component: string, n: number, io: { input?: string; output?: string } = {}) {
  const writer = new EventWriter(storeLocation(storeDir(root)), 'test');
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    ids.push(
      writer.logRun(
        { component, inputs: io.input ? [{ name: io.input }] : [] },
        { status: 'complete', outputs: io.output ? [{ name: io.output }] : [] },
      ),
    );
  }
  writer.close();
  return ids;
}

async function runIds(root: string): Promise<string[]> {
  const store = await LineageStore.open({ dir: storeDir(root) });
  try {
    const ids: string[] = [];
    for (let after: string | null = null; ;) {
      const page = store.recent({ limit: 500, after });
      ids.push(...page.items.map((r) => r.id));
      if (!page.next) break;
      after = page.next;
    }
    return ids.sort();
  } finally {
    store.close({ save: false });
  }
}

const serverCount = (): number => Number(pg.sql('SELECT count(*) FROM mltrace_events').trim());

describe('team store (PostgreSQL)', () => {
  before(async () => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-team-'));
    pg = await startPostgres();
  });

  after(() => {
    pg?.remove();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('a dependency that crosses machines traces end to end on both', async () => {
    const gpu = machine();
    const laptop = machine();
    const [clean] = logRuns(gpu, 'clean', 1, { input: 'data/raw.csv', output: 'data/clean.csv' });
    sync(gpu);
    assert.equal(sync(laptop).pulled, 2, 'the laptop pulls the START and COMPLETE of clean');
    const [train] = logRuns(laptop, 'train', 1, { input: 'data/clean.csv', output: 'models/model.pkl' });
    sync(laptop);
    sync(gpu);
    for (const root of [gpu, laptop]) {
      const trace = JSON.parse(mltrace(root, ['trace', 'models/model.pkl', '--json']).stdout) as {
        runs: Array<{ id: string; component: string }>;
      };
      assert.deepEqual(
        trace.runs.map((r) => [r.component, r.id]),
        [
          ['train', train],
          ['clean', clean],
        ],
        `trace on ${path.basename(root)}`,
      );
    }
    const again = sync(gpu);
    assert.deepEqual([again.pushed, again.pulled], [0, 0], 'a second sync has nothing to do');
  });

  it('events travel byte for byte, whatever their text holds (tabs, backslashes, quotes, any script)', () => {
    const from = machine();
    const to = machine();
    logRuns(from, 'tab\there "quoted" back\\slash \\N ünïcode 😀 \u202e', 2, {
      input: 'data/a\\b.csv',
      output: 'data/\ttab.csv',
    });
    sync(from);
    sync(to); // also pulls what earlier tests pushed
    const events = (root: string) => path.join(storeDir(root), 'events');
    const [original] = fs
      .readdirSync(events(from))
      .filter((f) => f.endsWith('.jsonl') && !f.startsWith('team-'));
    assert.equal(
      fs.readFileSync(path.join(events(to), `team-${original}`), 'utf8'),
      fs.readFileSync(path.join(events(from), original), 'utf8'),
    );
  });

  it('four writers pushing 500 runs each at once: every store ends with all 2,000, none twice', async () => {
    const roots = [machine(), machine(), machine(), machine()];
    const expected = roots.flatMap((root, i) => logRuns(root, `step${i}`, 500));
    const before = serverCount();
    const uri = pg.adminUri;
    await Promise.all(
      roots.map((root) => syncTeam(storeDir(root), uri, { password: pg.adminPassword, pull: false })),
    );
    assert.equal(serverCount() - before, 4000, 'a START and a COMPLETE per run, stored once');
    await Promise.all(roots.map((root) => syncTeam(storeDir(root), uri, { password: pg.adminPassword })));
    for (const root of roots) {
      const ids = await runIds(root);
      const mine = new Set(expected);
      assert.equal(ids.filter((id) => mine.has(id)).length, 2000, path.basename(root));
      assert.equal(new Set(ids).size, ids.length, 'no run twice');
    }
    assert.equal(
      pg
        .sql(
          'SELECT count(*) FROM (SELECT writer, seq FROM mltrace_events GROUP BY 1, 2 HAVING count(*) > 1) d',
        )
        .trim(),
      '0',
    );
  });

  it('a sync killed mid-push and mid-pull, then rerun, loses and doubles nothing', async () => {
    const source = machine();
    const target = machine();
    // 12 writers of 600 runs: pushes commit in pages of 5,000 lines.
    const expected: string[] = [];
    for (let w = 0; w < 12; w++) expected.push(...logRuns(source, `w${w}`, 600));
    const killedPush = mltrace(source, ['sync', '--team', pg.adminUri, '--push-only'], {
      MLTRACE_TEST_KILL_AT: 'pushed:1',
    });
    assert.equal(killedPush.signal, 'SIGKILL', 'killed after its first committed page');
    const partial = Number(
      pg
        .sql(`SELECT count(*) FROM mltrace_events WHERE writer IN (SELECT writer FROM mltrace_writers)`)
        .trim(),
    );
    assert.ok(partial > 0, 'something was pushed before the kill');
    sync(source, '--push-only');
    const killedPull = mltrace(target, ['sync', '--team', pg.adminUri, '--pull-only'], {
      MLTRACE_TEST_KILL_AT: 'pulled:3',
    });
    assert.equal(killedPull.signal, 'SIGKILL', 'killed after its third pulled page');
    // As if the kill had come in the middle of a write: a torn last line.
    const pulledFiles = fs
      .readdirSync(path.join(storeDir(target), 'events'))
      .filter((f) => f.startsWith('team-'));
    assert.ok(pulledFiles.length > 0);
    fs.appendFileSync(path.join(storeDir(target), 'events', pulledFiles[0]), '{"eventType":"COMPL');
    sync(target, '--pull-only');
    const ids = await runIds(target);
    const mine = new Set(expected);
    assert.equal(ids.filter((id) => mine.has(id)).length, expected.length, 'every run arrived');
    assert.equal(new Set(ids).size, ids.length, 'none twice');
    const problems = JSON.parse(mltrace(target, ['ingest', '--json']).stdout) as { problems: unknown[] };
    assert.deepEqual(problems.problems, [], 'the torn line was cut, not read');
  });

  it('a read-only role pulls, and gets one clear error when it pushes', () => {
    pg.sql(`CREATE ROLE reader LOGIN PASSWORD 'reader-secret';
      GRANT SELECT ON mltrace_meta, mltrace_writers, mltrace_events TO reader;`);
    const root = machine();
    const uri = pg.uri('reader');
    const pull = mltrace(root, ['sync', '--team', uri, '--pull-only', '--json'], {
      PGPASSWORD: 'reader-secret',
    });
    assert.equal(pull.status, 0, pull.stderr);
    assert.ok((JSON.parse(pull.stdout) as { pulled: number }).pulled > 0);
    logRuns(root, 'local', 1);
    const push = mltrace(root, ['sync', '--team', uri, '--push-only'], { PGPASSWORD: 'reader-secret' });
    assert.equal(push.status, 1);
    const lines = push.stderr.trim().split('\n');
    assert.equal(lines.length, 1, push.stderr);
    assert.match(lines[0], /reader@127\.0\.0\.1:\d+\/lineage.*may only read the team store/);
  });

  it('a wrong password: the error names the server, never the password, and the log is untouched', () => {
    const root = machine();
    logRuns(root, 'local', 2);
    const events = path.join(storeDir(root), 'events');
    const before = fs.readdirSync(events).map((f) => fs.readFileSync(path.join(events, f), 'utf8'));
    const secret = 'not-the-password-42';
    for (const [uri, env] of [
      [pg.adminUri, { PGPASSWORD: secret }],
      [pg.adminUri.replace('mltrace_admin@', `mltrace_admin:${secret}@`), { PGPASSWORD: '' }],
    ] as const) {
      const r = mltrace(root, ['sync', '--team', uri], env);
      assert.equal(r.status, 1);
      assert.match(
        r.stderr,
        /^mltrace: the team store mltrace_admin@127\.0\.0\.1:\d+\/lineage refused the login/,
      );
      assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), 'the password is never printed');
    }
    const afterwards = fs.readdirSync(events).map((f) => fs.readFileSync(path.join(events, f), 'utf8'));
    assert.deepEqual(afterwards, before);
  });

  it('a server that is down: one line, exit 1; the backlog goes once it is back', () => {
    const root = machine();
    pg.stop();
    try {
      const ids = logRuns(root, 'offline', 3);
      const r = mltrace(root, ['sync', '--team', pg.adminUri]);
      assert.equal(r.status, 1);
      assert.match(
        r.stderr.trim(),
        /^mltrace: cannot reach the team store mltrace_admin@127\.0\.0\.1:\d+\/lineage/,
      );
      assert.equal(r.stderr.trim().split('\n').length, 1);
      const recent = JSON.parse(mltrace(root, ['recent', '--json']).stdout) as Array<{ id: string }>;
      assert.deepEqual(recent.map((x) => x.id).sort(), [...ids].sort(), 'other commands work offline');
    } finally {
      pg.start();
    }
    assert.equal(sync(root, '--push-only').pushed, 6);
  });

  it('with MLTRACE_TEAM_URI, every command pulls first; offline it says so and answers', () => {
    const alice = machine();
    const bob = machine();
    const [run] = logRuns(alice, 'alice-step', 1);
    sync(alice, '--push-only');
    const env = { MLTRACE_TEAM_URI: pg.adminUri };
    const inspect = mltrace(bob, ['inspect', run, '--json'], env);
    assert.equal(inspect.status, 0, inspect.stderr);
    assert.equal((JSON.parse(inspect.stdout) as { component: string }).component, 'alice-step');
    assert.equal(inspect.stderr, '');
    const [later] = logRuns(alice, 'alice-step', 1);
    sync(alice, '--push-only');
    pg.stop();
    try {
      const offline = mltrace(bob, ['recent', '--json'], env);
      assert.equal(offline.status, 0, offline.stderr);
      assert.match(offline.stderr, /cannot reach the team store .*; answering from the local log\./);
      const ids = (JSON.parse(offline.stdout) as Array<{ id: string }>).map((r) => r.id);
      assert.ok(ids.includes(run), 'what was pulled before is there');
      assert.ok(!ids.includes(later), 'what was pushed while bob was offline is not yet');
    } finally {
      pg.start();
    }
    const online = JSON.parse(mltrace(bob, ['recent', '--json'], env).stdout) as Array<{ id: string }>;
    assert.ok(
      online.some((r) => r.id === later),
      'and arrives with the next command',
    );
  });

  it("a pipeline's set_db_uri names the team store for mltrace sync (recorded outside the workspace)", () => {
    const root = machine();
    const config = path.join(tmp, `config-${machines}`);
    fs.writeFileSync(
      path.join(root, 'pipeline.py'),
      [
        'import mltrace',
        `mltrace.set_db_uri(${JSON.stringify(pg.adminUri.replace('mltrace_admin@', `mltrace_admin:${pg.adminPassword}@`))})`,
        '@mltrace.register("py-step")',
        'def step():',
        '    pass',
        'step()',
      ].join('\n'),
    );
    const py = spawnSync('python3', ['pipeline.py'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: path.resolve(__dirname, '..', '..', 'python'),
        MLTRACE_CONFIG_DIR: config,
        // This test is about what mltrace sync finds; the shim's own push has its own tests.
        MLTRACE_TEAM_PUSH: '0',
      },
    });
    assert.equal(py.status, 0, py.stderr);
    const recorded = fs.readFileSync(path.join(config, 'team-stores.json'), 'utf8');
    assert.ok(!recorded.includes(pg.adminPassword), 'the password is not recorded');
    assert.ok(!fs.readdirSync(root).includes('team-stores.json'), 'nothing recorded in the workspace');
    const r = mltrace(root, ['sync', '--json'], { MLTRACE_CONFIG_DIR: config });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { pushed: number }).pushed, 2, 'the START and COMPLETE of py-step');
    const elsewhere = mltrace(root, ['sync'], { MLTRACE_CONFIG_DIR: path.join(tmp, 'other-user') });
    assert.equal(elsewhere.status, 2, 'another user (configuration) has no team store for it');
  });

  it('compaction moves nothing from under sync: compacted writers are pushed from their segment, never pulled back', async () => {
    const alice = machine();
    const bob = machine();
    const first = [...logRuns(alice, 'a1', 3), ...logRuns(alice, 'a2', 3)];
    sync(alice, '--push-only');
    const later = [...logRuns(alice, 'a3', 4), ...logRuns(alice, 'a4', 4)];
    const events = path.join(storeDir(alice), 'events');
    const aliceWriters = fs.readdirSync(events).filter((f) => f.endsWith('.jsonl'));
    assert.equal(aliceWriters.length, 4);
    const compact = mltrace(alice, ['compact'], {});
    assert.equal(compact.status, 0, compact.stderr);
    assert.deepEqual(
      fs.readdirSync(events).filter((f) => f.endsWith('.jsonl')),
      [],
      'every ended writer is in a segment now',
    );
    assert.equal(sync(alice).pushed, 16, 'the writers logged after the first push, read from the segment');
    for (const writer of aliceWriters)
      assert.ok(!fs.existsSync(path.join(events, `team-${writer}`)), `alice does not pull ${writer} back`);
    assert.equal(sync(alice).pushed, 0, 'nothing twice');
    sync(bob, '--pull-only');
    const ids = new Set(await runIds(bob));
    for (const id of [...first, ...later]) assert.ok(ids.has(id), `bob has ${id}`);
  });

  it('hostile and malformed events from the server are reported like local ones and harm nothing', async () => {
    const root = machine();
    pg.sql(`INSERT INTO mltrace_events VALUES ('py-evil-1-abc', 1, '{"not": "an event"'), ('../escape', 1, '{}');
      INSERT INTO mltrace_writers VALUES ('py-evil-1-abc', 1, nextval('mltrace_change')), ('../escape', 1, nextval('mltrace_change'));`);
    const report = sync(root, '--pull-only');
    assert.ok(
      report.problems.some((p) => p.includes('"../escape"')),
      report.problems.join('\n'),
    );
    assert.ok(!fs.existsSync(path.join(storeDir(root), 'escape.jsonl')));
    assert.ok(!fs.existsSync(path.join(tmp, 'escape.jsonl')));
    const ingest = JSON.parse(mltrace(root, ['ingest', '--json']).stdout) as {
      problems: Array<{ file: string; line: number }>;
    };
    assert.deepEqual(
      ingest.problems.map((p) => [path.basename(p.file), p.line]),
      [['team-py-evil-1-abc.jsonl', 1]],
    );
    assert.ok((await runIds(root)).length > 2000, 'everything else was pulled and indexed');
  });
});
