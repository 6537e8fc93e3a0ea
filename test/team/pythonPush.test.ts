// The Python shim pushing its own events to the team store (python/mltrace/_push.py), for
// machines with only Python: real pipelines under Debian's /usr/bin/python3, which has
// python3-psycopg2 (`.ci/run` installs it), against a throw-away PostgreSQL cluster.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SCHEMA_SQL } from '../../src/core/team/schema';
import { PgCluster, startPostgres } from '../helpers/postgres';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const PYTHON_PATH = path.resolve(__dirname, '..', '..', 'python');
const DEBIAN_PYTHON = '/usr/bin/python3';

let pg: PgCluster;
let tmp: string;
let machines = 0;

function machine(): string {
  const root = path.join(tmp, `machine-${++machines}`);
  fs.mkdirSync(path.join(root, '.mltrace'), { recursive: true });
  return root;
}

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) if (key.startsWith('MLTRACE_') || key.startsWith('PG')) delete env[key];
  env.MLTRACE_CONFIG_DIR = path.join(tmp, 'no-config');
  return env;
}

/** Runs a pipeline of `steps` chained runs under `python`; returns the process result. */
function pipeline(root: string, env: NodeJS.ProcessEnv, steps = 3, python = DEBIAN_PYTHON) {
  const lines = ['import mltrace'];
  for (let i = 0; i < steps; i++) {
    lines.push(
      `@mltrace.register("step${i}", input_vars=["src"], output_vars=["dst"])`,
      `def step${i}():`,
      `    src = "data/${i}.csv"`,
      `    dst = "data/${i + 1}.csv"`,
      `    open(dst, "w").write("x\\n")`,
      `step${i}()`,
    );
  }
  fs.mkdirSync(path.join(root, 'data'), { recursive: true });
  fs.writeFileSync(path.join(root, 'data', '0.csv'), 'x\n');
  fs.writeFileSync(path.join(root, 'pipeline.py'), lines.join('\n') + '\n');
  return spawnSync(python, ['pipeline.py'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...baseEnv(), PYTHONPATH: PYTHON_PATH, ...env },
    timeout: 60_000,
  });
}

function mltrace(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...baseEnv(), NO_COLOR: '1', PGPASSWORD: pg.adminPassword, ...env },
    timeout: 60_000,
  });
}

/** The non-blank lines of a store's own writer files, by writer. */
function ownLines(root: string): Map<string, number> {
  const events = path.join(root, '.mltrace', 'events');
  const result = new Map<string, number>();
  for (const name of fs.readdirSync(events).filter((n) => n.endsWith('.jsonl'))) {
    const lines = fs
      .readFileSync(path.join(events, name), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
    result.set(name.slice(0, -'.jsonl'.length), lines.length);
  }
  return result;
}

const onServer = (writer: string): number =>
  Number(pg.sql(`SELECT count(*) FROM mltrace_events WHERE writer = '${writer}'`).trim());

describe('the Python shim pushes its own events (psycopg2)', () => {
  before(async () => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    const probe = spawnSync(DEBIAN_PYTHON, ['-c', 'import psycopg2']);
    assert.equal(probe.status, 0, 'Debian python3-psycopg2 is needed (apt-get install python3-psycopg2)');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-pypush-'));
    pg = await startPostgres();
  });

  after(() => {
    pg?.remove();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('creates the same tables as the Node side', () => {
    const source = fs.readFileSync(path.join(PYTHON_PATH, 'mltrace', '_push.py'), 'utf8');
    const python = /SCHEMA_SQL = """([\s\S]*?)"""/.exec(source)?.[1];
    assert.ok(python, 'SCHEMA_SQL in _push.py');
    const squash = (s: string) => s.replace(/\s+/g, ' ').trim();
    assert.equal(squash(python), squash(SCHEMA_SQL));
  });

  it('a pipeline with MLTRACE_TEAM_URI pushes every line of its writer by the time it exits; another machine sees its runs', () => {
    const gpu = machine();
    const r = pipeline(gpu, { MLTRACE_TEAM_URI: pg.adminUri, PGPASSWORD: pg.adminPassword });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warning');
    const writers = ownLines(gpu);
    assert.equal(writers.size, 1);
    const [[writer, lines]] = [...writers];
    assert.ok(lines >= 6, 'three runs, START and COMPLETE each');
    assert.equal(onServer(writer), lines, 'every line of the writer is on the server');

    const laptop = machine();
    const pulled = mltrace(laptop, ['sync', '--team', pg.adminUri, '--json']);
    assert.equal(pulled.status, 0, pulled.stderr);
    assert.equal((JSON.parse(pulled.stdout) as { pulled: number }).pulled, lines);
    const trace = mltrace(laptop, ['trace', 'data/3.csv', '--json']);
    assert.equal(trace.status, 0, trace.stderr);
    assert.deepEqual(
      (JSON.parse(trace.stdout) as { runs: Array<{ component: string }> }).runs.map((x) => x.component),
      ['step2', 'step1', 'step0'],
    );
    const again = mltrace(gpu, ['sync', '--team', pg.adminUri, '--push-only', '--json']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal(
      (JSON.parse(again.stdout) as { pushed: number }).pushed,
      0,
      'mltrace sync finds nothing left',
    );
    assert.equal(onServer(writer), lines, 'and nothing doubled');
  });

  it('the URI recorded by set_db_uri is pushed to, with the password from PGPASSWORD', () => {
    const root = machine();
    const config = path.join(tmp, `config-${machines}`);
    fs.mkdirSync(path.join(root, 'data'), { recursive: true });
    fs.writeFileSync(path.join(root, 'data', 'in.csv'), 'x\n');
    fs.writeFileSync(
      path.join(root, 'pipeline.py'),
      [
        'import mltrace',
        `mltrace.set_db_uri(${JSON.stringify(pg.adminUri)})`,
        '@mltrace.register("recorded", input_vars=["src"])',
        'def step():',
        '    src = "data/in.csv"',
        'step()',
      ].join('\n'),
    );
    const r = spawnSync(DEBIAN_PYTHON, ['pipeline.py'], {
      cwd: root,
      encoding: 'utf8',
      env: {
        ...baseEnv(),
        PYTHONPATH: PYTHON_PATH,
        MLTRACE_CONFIG_DIR: config,
        PGPASSWORD: pg.adminPassword,
      },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const [[writer, lines]] = [...ownLines(root)];
    assert.equal(onServer(writer), lines);
  });

  it('with the server down the pipeline finishes, warns once without the password, and the next sync pushes the backlog', () => {
    const root = machine();
    const withPassword = pg.adminUri.replace('mltrace_admin@', `mltrace_admin:${pg.adminPassword}@`);
    pg.stop();
    let r;
    try {
      r = pipeline(root, { MLTRACE_TEAM_URI: withPassword }, 4);
    } finally {
      pg.start();
    }
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.signal, null, 'not killed by the test timeout');
    const warnings = r.stderr.split('\n').filter((l) => l.includes('could not push'));
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0], new RegExp(`mltrace_admin@127\\.0\\.0\\.1:${pg.port}/lineage`));
    assert.ok(!r.stderr.includes(pg.adminPassword), 'the password is never printed');
    const [[writer, lines]] = [...ownLines(root)];
    assert.equal(onServer(writer), 0);
    const sync = mltrace(root, ['sync', '--team', pg.adminUri, '--push-only', '--json']);
    assert.equal(sync.status, 0, sync.stderr);
    assert.equal((JSON.parse(sync.stdout) as { pushed: number }).pushed, lines);
    assert.equal(onServer(writer), lines);
  });

  it('without a driver nothing is pushed and nothing is said: the events wait for mltrace sync', () => {
    const root = machine();
    const r = pipeline(root, { MLTRACE_TEAM_URI: pg.adminUri, PGPASSWORD: pg.adminPassword }, 2, 'python3');
    const probe = spawnSync('python3', ['-c', 'import psycopg2']);
    assert.notEqual(probe.status, 0, 'this check needs a python3 without psycopg2 (the default one here)');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const [[writer]] = [...ownLines(root)];
    assert.equal(onServer(writer), 0);
  });

  it('MLTRACE_TEAM_PUSH=0 turns it off', () => {
    const root = machine();
    const r = pipeline(
      root,
      { MLTRACE_TEAM_URI: pg.adminUri, PGPASSWORD: pg.adminPassword, MLTRACE_TEAM_PUSH: '0' },
      1,
    );
    assert.equal(r.status, 0, r.stderr);
    const [[writer]] = [...ownLines(root)];
    assert.equal(onServer(writer), 0);
  });
});
