// A throw-away PostgreSQL cluster for the team-store tests and the benchmark: Debian's server
// binaries, a data folder under the temp dir, a free loopback port, password authentication over
// TCP. Started as the `postgres` user when we are root (PostgreSQL refuses to run as root), and
// removed after. `.ci/run` installs the `postgresql` package.
import { spawnSync, SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PgCluster {
  port: number;
  /** A superuser's URI without its password (the password is in `adminPassword`). */
  adminUri: string;
  adminPassword: string;
  /** The URI of a database `name` on this server, for `user` (no password in it). */
  uri(user: string, database?: string): string;
  /** Runs SQL as the superuser (psql, ON_ERROR_STOP); returns its output. */
  sql(statements: string, database?: string): string;
  stop(): void;
  start(): void;
  remove(): void;
  /** With `tls`: the certificate (self-signed, for IP 127.0.0.1) a client verifies the server with. */
  certificate?: string;
}

export interface PgOptions {
  /** Serve TLS only: a self-signed certificate, and TCP connections without TLS refused. */
  tls?: boolean;
}

const ADMIN = 'mltrace_admin';
const DATABASE = 'lineage';

/** The newest installed server's bin folder, or null when PostgreSQL is not installed. */
export function postgresBin(): string | null {
  if (process.env.PG_BIN) return process.env.PG_BIN;
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return null;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server binary (as `postgres` when we are root); throws with its output on failure. */
function run(binary: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const [command, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', binary, ...args]] : [binary, args];
  const result: SpawnSyncReturns<string> = spawnSync(command, argv, {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  if (result.status !== 0)
    throw new Error(`${path.basename(binary)} failed (${result.status}): ${result.stderr || result.stdout}`);
  return result.stdout;
}

/** A self-signed certificate for 127.0.0.1 (and its key), made with openssl; throws when it fails. */
export function selfSignedCertificate(certificate: string, key: string): void {
  const result = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      certificate,
    ]),
    { encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`openssl failed: ${result.stderr}`);
}

export async function startPostgres(pgOptions: PgOptions = {}): Promise<PgCluster> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL is not installed: apt-get install postgresql (see .ci/run)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-pg-'));
  const data = path.join(dir, 'data');
  const adminPassword = `pw-${Math.random().toString(36).slice(2)}`;
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, `${adminPassword}\n`, { mode: 0o600 });
  if (asRoot) {
    const { uid, gid } = userIds('postgres');
    fs.chownSync(dir, uid, gid);
    fs.chownSync(pwfile, uid, gid);
  }
  run(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    ADMIN,
    `--pwfile=${pwfile}`,
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '--encoding=UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  let options = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`;
  let certificate: string | undefined;
  if (pgOptions.tls) {
    certificate = path.join(dir, 'server.crt');
    const key = path.join(dir, 'server.key');
    selfSignedCertificate(certificate, key);
    fs.chmodSync(key, 0o600);
    if (asRoot) {
      const { uid, gid } = userIds('postgres');
      fs.chownSync(key, uid, gid);
      fs.chownSync(certificate, uid, gid);
    }
    // TCP only with TLS: a client that does not use it is refused (the socket stays for psql).
    fs.writeFileSync(
      path.join(data, 'pg_hba.conf'),
      'local all all trust\nhostssl all all 127.0.0.1/32 scram-sha-256\n',
    );
    options += ` -c ssl=on -c ssl_cert_file=${certificate} -c ssl_key_file=${key}`;
  }
  const start = () =>
    run(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-o', options, '-w', 'start']);
  start();
  const sql = (statements: string, database = DATABASE): string =>
    run(path.join(bin, 'psql'), [
      '-h',
      dir,
      '-p',
      String(port),
      '-U',
      ADMIN,
      '-d',
      database,
      '-v',
      'ON_ERROR_STOP=1',
      '-qAt',
      '-c',
      statements,
    ]);
  sql(`CREATE DATABASE ${DATABASE}`, 'postgres');
  const uri = (user: string, database = DATABASE) =>
    `postgresql://${encodeURIComponent(user)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    adminUri: uri(ADMIN),
    adminPassword,
    certificate,
    uri,
    sql,
    start,
    stop: () => run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']),
    remove() {
      try {
        run(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function userIds(name: string): { uid: number; gid: number } {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} user: install the postgresql package`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}
