// The team store's tables (docs/TEAM.md). An event is identified by its writer (the name of the
// file it was first written to, without `.jsonl`) and its line number in that writer's stream:
// never by bytes or offsets, so that merging and compressing finished writer files locally
// changes nothing here. `change` numbers every push of a writer, in commit order (pushes take an
// advisory lock before drawing one), so a puller that remembers the last change it saw misses none.
import type { Client } from 'pg';
import { explain, TeamError } from './server';

export const TEAM_SCHEMA_VERSION = 1;

/** Serialises the change numbers of pushes with their commits (and the schema's creation). */
export const CHANGE_LOCK = 0x6d6c7472; // "mltr"
/** The channel pushes notify, with the writer's name as payload. */
export const CHANNEL = 'mltrace_events';

export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS mltrace_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE SEQUENCE IF NOT EXISTS mltrace_change;
CREATE TABLE IF NOT EXISTS mltrace_writers (
  writer text PRIMARY KEY,
  max_seq bigint NOT NULL,
  change bigint NOT NULL,
  pushed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS mltrace_writers_by_change ON mltrace_writers (change);
CREATE TABLE IF NOT EXISTS mltrace_events (
  writer text NOT NULL,
  seq bigint NOT NULL,
  line text NOT NULL,
  PRIMARY KEY (writer, seq)
);
INSERT INTO mltrace_meta (key, value) VALUES ('schema_version', '${TEAM_SCHEMA_VERSION}')
  ON CONFLICT (key) DO NOTHING;
`;

/**
 * Creates the tables on first use, or checks the version of those a DBA created. A role that may
 * not create them gets one error saying what to ask for.
 */
export async function ensureSchema(client: Client, uri: string): Promise<void> {
  const found = await client.query<{ t: string | null }>(`SELECT to_regclass('mltrace_meta')::text AS t`);
  if (found.rows[0].t === null) {
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [CHANGE_LOCK]);
      await client.query(SCHEMA_SQL);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      const e = explain(error, uri);
      if (e.kind === 'permission')
        throw new TeamError(
          `${e.message}. The team store has no mltrace tables yet: run \`mltrace sync\` once as a role that may create them, or create them as docs/TEAM.md shows`,
          'schema',
        );
      throw e;
    }
  }
  const version = await client.query<{ value: string }>(
    `SELECT value FROM mltrace_meta WHERE key = 'schema_version'`,
  );
  const v = Number(version.rows[0]?.value ?? 0);
  if (v > TEAM_SCHEMA_VERSION)
    throw new TeamError(
      `the team store's tables are of a newer mltrace (schema ${v}, this one knows ${TEAM_SCHEMA_VERSION}): update mltrace`,
      'schema',
    );
}
