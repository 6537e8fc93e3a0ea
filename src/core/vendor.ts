// Packages that only some commands need, loaded when first used rather than when a program starts.
// The CLI's and the Node shim's bundles take each from a file of its own beside them
// (dist/vendor/, scripts/build.mjs `VENDOR`), so that a command that never needs one never reads
// or compiles it: together they are over half of the CLI's code. Keep this list and `VENDOR` alike.
/* eslint-disable @typescript-eslint/no-require-imports */

/** YAML, for openlineage.yml (the OpenLineage HTTP transport's settings). */
export const yaml = () => require('yaml') as typeof import('yaml');

/** CSV parsing, for data profiles. */
export const csvParse = () => require('csv-parse/sync') as typeof import('csv-parse/sync');

/** git, for what changed in a component's code. */
export const simpleGit = () => require('simple-git') as typeof import('simple-git');

/** PostgreSQL, for the team store. */
export const pg = () => require('pg') as typeof import('pg');
export const pgCopyStreams = () => require('pg-copy-streams') as typeof import('pg-copy-streams');
export const pgConnectionString = () =>
  require('pg-connection-string') as typeof import('pg-connection-string');
export const pgpass = () => require('pgpass') as typeof import('pgpass').default;
