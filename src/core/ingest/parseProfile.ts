// Reads a data profile from a dataset's facets (the contract: profile/facets.ts, docs/EVENTS.md
// "Data profiles") into what drift needs (drift.ts DataProfile), in the form the index stores
// (profile/storedProfile.ts). A dataset carries a profile when it has our `mltrace_profile` facet;
// a profile that does not have the contract's shape is dropped with a warning (the line is
// reported), and the rest of the event is read as usual. A foreign `dataQualityMetrics` or
// `schema` alone is not ours to judge and is ignored.
import type { ColumnSummary, DataProfile } from '../drift';
import { PROFILE_FACETS, QUANTILE_KEYS } from '../profile/facets';
import type { ColumnType } from '../profile/facets';
import { StoredProfile, toStored } from '../profile/storedProfile';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const COLUMN_TYPES = new Set<string>(['integer', 'number', 'string', 'boolean', 'json']);

class ProfileError extends Error {}

const fail = (why: string): never => {
  throw new ProfileError(why);
};

/**
 * The profile of a dataset as the index stores it, or null when it carries none or a malformed one
 * (then `warnings` says why). `facets` is the dataset's `facets`, `ioFacets` its `inputFacets` or
 * `outputFacets` (where the contract puts `dataQualityMetrics` and `mltrace_profile`; they are
 * accepted in `facets` too).
 */
export function readProfile(
  facets: Json,
  ioFacets: Json | null,
  version: string | null,
  what: string,
  warnings: string[],
): StoredProfile | null {
  const pick = (name: string) => ioFacets?.[name] ?? facets[name];
  const ours = pick(PROFILE_FACETS.ours);
  if (ours === undefined) return null;
  try {
    if (version === null) fail('the dataset has no version facet to key it by');
    return toStored(toProfile(ours, pick(PROFILE_FACETS.metrics), facets[PROFILE_FACETS.schema]));
  } catch (error) {
    if (!(error instanceof ProfileError)) throw error;
    warnings.push(`data profile of ${what} ignored: ${error.message}`);
    return null;
  }
}

function toProfile(ours: unknown, metrics: unknown, schema: unknown): DataProfile {
  if (!isObject(ours)) fail(`${PROFILE_FACETS.ours} is not an object`);
  const profile = ours as Json;
  if (typeof profile.profiler !== 'string') fail(`${PROFILE_FACETS.ours}.profiler must be a string`);
  if (!isCount(profile.rows)) fail(`${PROFILE_FACETS.ours}.rows must be a whole number`);
  if (typeof profile.sampled !== 'boolean') fail(`${PROFILE_FACETS.ours}.sampled must be true or false`);
  if (profile.cutShort !== undefined && typeof profile.cutShort !== 'boolean')
    fail(`${PROFILE_FACETS.ours}.cutShort must be true or false`);
  if (!isObject(profile.topValues)) fail(`${PROFILE_FACETS.ours}.topValues must be an object`);
  const topValues = profile.topValues as Json;

  if (!isObject(metrics)) fail(`${PROFILE_FACETS.metrics} is missing or not an object`);
  const m = metrics as Json;
  if (!isCount(m.rowCount)) fail(`${PROFILE_FACETS.metrics}.rowCount must be a whole number`);
  if (m.bytes !== undefined && !isCount(m.bytes))
    fail(`${PROFILE_FACETS.metrics}.bytes must be a whole number`);
  if (!isObject(m.columnMetrics)) fail(`${PROFILE_FACETS.metrics}.columnMetrics must be an object`);
  const columnMetrics = m.columnMetrics as Json;

  if (!isObject(schema) || !Array.isArray(schema.fields))
    fail(`the ${PROFILE_FACETS.schema} facet with its fields is missing`);
  const columns: ColumnSummary[] = [];
  const seen = new Set<string>();
  for (const field of (schema as Json).fields as unknown[]) {
    if (!isObject(field) || typeof field.name !== 'string' || typeof field.type !== 'string')
      fail('every schema field needs a string name and type');
    const { name, type } = field as { name: string; type: string };
    if (!COLUMN_TYPES.has(type))
      fail(`column ${name} has type "${type}", not one of ${[...COLUMN_TYPES].join(', ')}`);
    if (seen.has(name)) fail(`column ${name} is in the schema twice`);
    seen.add(name);
    columns.push(toColumn(name, type as ColumnType, columnMetrics[name], topValues[name]));
  }
  return {
    profiler: profile.profiler as string,
    rows: m.rowCount as number,
    fileRows: profile.rows as number,
    sampled: profile.sampled as boolean,
    cutShort: profile.cutShort === true,
    bytes: (m.bytes as number | undefined) ?? 0,
    columns,
  };
}

function toColumn(name: string, type: ColumnType, metrics: unknown, top: unknown): ColumnSummary {
  if (!isObject(metrics)) fail(`column ${name} has no metrics`);
  const m = metrics as Json;
  for (const key of ['nullCount', 'distinctCount', 'count'] as const)
    if (!isCount(m[key])) fail(`${key} of column ${name} must be a whole number`);
  const column: ColumnSummary = {
    name,
    type,
    nullCount: m.nullCount as number,
    count: m.count as number,
    distinctCount: m.distinctCount as number,
  };
  for (const key of ['min', 'max'] as const) {
    if (m[key] === undefined) continue;
    if (!isFiniteNumber(m[key])) fail(`${key} of column ${name} must be a number`);
    column[key] = m[key] as number;
  }
  if (m.sum !== undefined) {
    if (!isFiniteNumber(m.sum)) fail(`sum of column ${name} must be a number`);
    if (column.count > 0) column.mean = (m.sum as number) / column.count;
  }
  if (m.quantiles !== undefined) {
    const q = m.quantiles;
    if (!isObject(q)) fail(`quantiles of column ${name} must be an object`);
    const values = QUANTILE_KEYS.map((key) => (q as Json)[key]);
    if (Object.keys(q as Json).length !== QUANTILE_KEYS.length || !values.every(isFiniteNumber))
      fail(
        `quantiles of column ${name} must have exactly the keys ${QUANTILE_KEYS[0]}, ${QUANTILE_KEYS[1]}, … 1`,
      );
    for (let i = 1; i < values.length; i++)
      if ((values[i] as number) < (values[i - 1] as number))
        fail(`quantiles of column ${name} must not decrease`);
    column.quantiles = values as number[];
  }
  if (top !== undefined) {
    if (!isObject(top) || !Array.isArray(top.values) || !isCount(top.other))
      fail(`topValues of column ${name} needs "values" and a whole "other"`);
    const entries = (top as Json).values as unknown[];
    if (
      !entries.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string' && isCount(e[1]))
    )
      fail(`topValues of column ${name} must be [value, count] pairs`);
    // Each value once: drift finds a value's count by its first listing (drift.ts indexOf).
    const listed = new Set<string>();
    for (const [value] of entries as [string, number][]) {
      if (listed.has(value)) fail(`topValues of column ${name} lists ${JSON.stringify(value)} twice`);
      listed.add(value);
    }
    column.top = { values: entries as [string, number][], other: (top as Json).other as number };
  }
  return column;
}
