// The team store over TLS: a throw-away PostgreSQL that serves TCP only with TLS (a self-signed
// certificate for 127.0.0.1; test/helpers/postgres.ts), reached with libpq's own URI options
// (`sslmode`, `sslrootcert`) by the CLI and by the Python shim's own push.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';
import { PgCluster, selfSignedCertificate, startPostgres } from '../helpers/postgres';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

let pg: PgCluster;
let tmp: string;

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('MLTRACE_') || k.startsWith('PG')) delete e[k];
  return { ...e, MLTRACE_CONFIG_DIR: path.join(tmp, 'config'), PGPASSWORD: pg.adminPassword, ...extra };
}

function machine(name: string): string {
  const root = path.join(tmp, name);
  fs.mkdirSync(path.join(root, '.mltrace'), { recursive: true });
  const writer = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'tls');
  writer.logRun({ component: `${name}_step` }, { status: 'complete' });
  writer.close();
  return root;
}

const withTls = (mode: string) =>
  `${pg.adminUri}?sslmode=${mode}&sslrootcert=${encodeURIComponent(pg.certificate!)}`;

describe('the team store over TLS', () => {
  before(async () => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-tls-'));
    pg = await startPostgres({ tls: true });
  });
  after(() => {
    pg?.remove();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('mltrace sync with sslmode=verify-full and the server certificate pushes and pulls', () => {
    const root = machine('alice');
    const r = spawnSync(process.execPath, [CLI, 'sync', '--team', withTls('verify-full'), '--json'], {
      cwd: root,
      encoding: 'utf8',
      env: env(),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { pushed: number }).pushed, 2);
  });

  it('without TLS the server refuses: one line naming the server, never the password', () => {
    const root = machine('bob');
    const r = spawnSync(process.execPath, [CLI, 'sync', '--team', `${pg.adminUri}?sslmode=disable`], {
      cwd: root,
      encoding: 'utf8',
      env: env(),
    });
    assert.equal(r.status, 1, r.stdout);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`mltrace_admin@127\\.0\\.0\\.1:${pg.port}/lineage`));
    assert.ok(!r.stderr.includes(pg.adminPassword));
  });

  it('a certificate that does not verify is refused under verify-full', () => {
    const root = machine('carol');
    const other = path.join(tmp, 'other.crt');
    // Another self-signed certificate for the same address: not the one the server has.
    selfSignedCertificate(other, path.join(tmp, 'other.key'));
    const uri = `${pg.adminUri}?sslmode=verify-full&sslrootcert=${encodeURIComponent(other)}`;
    const r = spawnSync(process.execPath, [CLI, 'sync', '--team', uri], {
      cwd: root,
      encoding: 'utf8',
      env: env(),
    });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, /127\.0\.0\.1/);
  });

  it("the Python shim's own push goes over TLS too (psycopg2, libpq)", () => {
    const root = path.join(tmp, 'dave');
    fs.mkdirSync(path.join(root, '.mltrace'), { recursive: true });
    fs.writeFileSync(
      path.join(root, 'pipeline.py'),
      'import mltrace\n@mltrace.register("tls_step")\ndef step():\n    pass\nstep()\n',
    );
    const r = spawnSync('/usr/bin/python3', ['pipeline.py'], {
      cwd: root,
      encoding: 'utf8',
      env: env({
        PYTHONPATH: path.resolve(__dirname, '..', '..', 'python'),
        MLTRACE_TEAM_URI: withTls('verify-full'),
      }),
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warning: the push went through');
    assert.equal(Number(pg.sql("SELECT count(*) FROM mltrace_events WHERE writer LIKE 'py-%'").trim()), 2);
  });
});
