// Connecting to the team store, a PostgreSQL server, the way libpq users expect: the URI
// (`postgresql://user@host:port/db?sslmode=require`), then `PGPASSWORD`, then `~/.pgpass`
// (`PGPASSFILE`) for the password, `PGSSLMODE` when the URI names no sslmode. A password is never
// part of a message: errors name the server as `user@host:port/db`.
import type { Client, ClientConfig } from 'pg';
import { pg, pgConnectionString, pgpass } from '../vendor';

/** A failure to show the user as one line; it names the server, never the password. */
export class TeamError extends Error {
  constructor(
    message: string,
    readonly kind: 'unreachable' | 'auth' | 'permission' | 'schema' | 'invalid' = 'unreachable',
  ) {
    super(message);
    this.name = 'TeamError';
  }
}

export interface ConnectOptions {
  /** A password from elsewhere (the extension's SecretStorage); wins over the environment. */
  password?: string;
  /** Connection and statement time limit. Default 10 s. */
  timeoutMs?: number;
}

type Parsed = ReturnType<typeof import('pg-connection-string').parse>;

function parseUri(uri: string): Parsed {
  if (!/^postgres(ql)?:\/\//.test(uri))
    throw new TeamError('a team store URI starts with postgresql://', 'invalid');
  try {
    return pgConnectionString().parse(uri);
  } catch {
    throw new TeamError(
      'the team store URI cannot be read (postgresql://user@host:port/database)',
      'invalid',
    );
  }
}

/** `user@host:port/db`: how messages name a server (no password, no options). */
export function serverName(uri: string): string {
  try {
    const p = parseUri(uri);
    return `${p.user ? `${p.user}@` : ''}${p.host ?? 'localhost'}:${p.port ?? 5432}/${p.database ?? ''}`;
  } catch {
    return 'the team store';
  }
}

/** The password libpq would use: the URI's, else PGPASSWORD, else the matching ~/.pgpass line. */
function passwordFor(p: Parsed, given: string | undefined): Promise<string> {
  if (given !== undefined) return Promise.resolve(given);
  if (p.password) return Promise.resolve(p.password);
  if (process.env.PGPASSWORD !== undefined) return Promise.resolve(process.env.PGPASSWORD);
  return new Promise((resolve) => {
    pgpass()(
      {
        host: p.host ?? 'localhost',
        port: String(p.port ?? 5432),
        database: p.database ?? '',
        user: p.user ?? process.env.PGUSER ?? '',
      },
      (found) => resolve(found ?? ''),
    );
  });
}

/** An open connection, or a TeamError saying why not. */
export async function connect(uri: string, options: ConnectOptions = {}): Promise<Client> {
  const parsed = parseUri(uri);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const password = await passwordFor(parsed, options.password);
  const config: ClientConfig = {
    ...(parsed as ClientConfig),
    password,
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: Math.max(timeoutMs, 30_000),
    application_name: 'mltrace',
  };
  const client = new (pg().Client)(config);
  // A connection that drops later emits 'error' on the client: handled where queries fail.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw explain(error, uri, password);
  }
  return client;
}

/** A driver or server error as a TeamError that names the server and what to do. */
export function explain(error: unknown, uri: string, password = ''): TeamError {
  if (error instanceof TeamError) return error;
  const name = serverName(uri);
  const e = error as { code?: string; message?: string };
  const scrub = (text: string) => (password ? text.split(password).join('***') : text);
  const detail = scrub(String(e.message ?? error));
  switch (e.code) {
    case '28P01':
    case '28000':
      return new TeamError(
        `the team store ${name} refused the login (${detail}); check PGPASSWORD, ~/.pgpass or the stored password`,
        'auth',
      );
    case '42501':
      return new TeamError(`the role on ${name} may not do this: ${detail}`, 'permission');
    case '3D000':
      return new TeamError(`the team store ${name} has no such database (${detail})`, 'invalid');
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
    case 'ECONNRESET':
      return new TeamError(`cannot reach the team store ${name} (${e.code})`, 'unreachable');
    default:
      return new TeamError(`the team store ${name}: ${detail}`, 'unreachable');
  }
}
