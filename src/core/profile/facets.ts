// The contract between the profilers (Python shim, Node shim, `mltrace run`) and the readers
// (ingest, drift): what a data profile looks like in an event. docs/EVENTS.md "Data profiles"
// says the same for people; change both together.

/** Facet names. `dataQualityMetrics` and `schema` are OpenLineage's; `mltrace_profile` is ours. */
export const PROFILE_FACETS = {
  metrics: 'dataQualityMetrics',
  schema: 'schema',
  ours: 'mltrace_profile',
} as const;

/** Version of the profiling rules. Profiles of different versions are not compared. */
export const PROFILER = 'mltrace-profile/1';

/**
 * The quantile keys every numeric column carries, exactly these strings: 0, 0.05, …, 0.95, 1.
 * Quantile i/20 of n sorted values is `sorted[Math.floor((i / 20) * (n - 1) + 0.5)]` (nearest
 * rank, no interpolation, so that Python and Node give the same numbers).
 */
export const QUANTILE_KEYS: readonly string[] = Array.from({ length: 21 }, (_, i) => String(i / 20));

/** Column types in the `schema` facet. */
export type ColumnType = 'integer' | 'number' | 'string' | 'boolean' | 'json';

/** Per column, in `dataQualityMetrics.columnMetrics`. Numbers only for integer/number columns. */
export interface ColumnMetrics {
  nullCount: number;
  distinctCount: number;
  count: number;
  sum?: number;
  min?: number;
  max?: number;
  quantiles?: Record<string, number>;
}

/** `dataQualityMetrics` (standard facet, DataQualityMetricsInputDatasetFacet 1-0-3). */
export interface DataQualityMetrics {
  /** Rows evaluated: all rows, or the sample's. */
  rowCount: number;
  bytes: number;
  columnMetrics: Record<string, ColumnMetrics>;
}

/** `mltrace_profile` (ours). */
export interface ProfileFacet {
  profiler: typeof PROFILER;
  /** Rows in the file: exact when not sampled, else estimated from the sample's line lengths. */
  rows: number;
  /** The profile is of an evenly spaced sample of `rowCount` rows, not of every row. */
  sampled: boolean;
  /** The time budget stopped the profile early: it covers the rows read until then. */
  cutShort?: boolean;
  /**
   * Up to 20 most frequent values per string, boolean, or low-cardinality (≤ 20 distinct)
   * integer column: [value as text, count] by count descending, then value ascending by code
   * point; `other` counts the remaining non-null values. A column with no non-null value, or whose
   * listed values include one longer than 200 code points (free text), has no entry.
   */
  topValues: Record<string, { values: [string, number][]; other: number }>;
}

/** What a reader keeps of one content version's profile. */
export interface Profile {
  version: string;
  metrics: DataQualityMetrics;
  schema: { name: string; type: ColumnType }[];
  profile: ProfileFacet;
}
