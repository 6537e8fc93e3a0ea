// Data profiles for tests, computed from column arrays exactly as the contract says
// (src/core/profile/facets.ts, docs/EVENTS.md "Data profiles"): nearest-rank quantiles, top values
// for string, boolean and low-cardinality integer columns. The real profilers (the shims, `mltrace
// run`) are tested on their own; these build the facets they write, for events made by hand.
import {
  DatasetRef,
  eventSchemaURL,
  Facet,
  Facets,
  ourFacet,
  RunEvent,
  standardFacet,
} from '../../src/core/events';
import { PROFILER, QUANTILE_KEYS } from '../../src/core/profile/facets';
import type { ColumnType } from '../../src/core/profile/facets';
import { createHash } from 'node:crypto';
import { appendEvents, Fixture, iso, uuid } from './lineage';

export type Cell = number | string | boolean | null;
export type Columns = Record<string, Cell[]>;

const PRODUCER = 'https://github.com/mltrace-vscode/mltrace-vscode/tree/v0.1.0/test';
const SPEC = 'https://openlineage.io/spec/facets';
const standard = (schemaURL: string, fields: Record<string, unknown>): Facet => ({
  _producer: PRODUCER,
  _schemaURL: `${SPEC}/${schemaURL}`,
  ...fields,
});
const TOP = 20;

/** A seeded generator (mulberry32): the same numbers on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A normal variate (Box–Muller) from a uniform generator. */
export function normal(random: () => number, mean: number, sd: number): number {
  const u = 1 - random();
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** `n` values of `make`. */
export const sample = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i));

function typeOf(values: Cell[]): ColumnType {
  const present = values.filter((v) => v !== null);
  if (present.length > 0 && present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.length > 0 && present.every((v) => typeof v === 'number'))
    return present.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
  return 'string';
}

const text = (v: Cell): string => String(v);
const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The profile facets of a table: `facets` (schema) and the dataset's input or output facets. */
export function profileFacets(columns: Columns): { facets: Facets; io: Facets } {
  const names = Object.keys(columns);
  const rows = names.length ? columns[names[0]].length : 0;
  const fields: Array<{ name: string; type: ColumnType }> = [];
  const columnMetrics: Record<string, unknown> = {};
  const topValues: Record<string, unknown> = {};
  for (const name of names) {
    const values = columns[name];
    const type = typeOf(values);
    fields.push({ name, type });
    const present = values.filter((v): v is Exclude<Cell, null> => v !== null);
    const distinct = new Set(present.map(text));
    const metrics: Record<string, unknown> = {
      nullCount: values.length - present.length,
      distinctCount: distinct.size,
      count: present.length,
    };
    if ((type === 'integer' || type === 'number') && present.length) {
      const sorted = (present as number[]).slice().sort((a, b) => a - b);
      const n = sorted.length;
      metrics.sum = sorted.reduce((s, v) => s + v, 0);
      metrics.min = sorted[0];
      metrics.max = sorted[n - 1];
      metrics.quantiles = Object.fromEntries(
        QUANTILE_KEYS.map((key, i) => [key, sorted[Math.floor((i / 20) * (n - 1) + 0.5)]]),
      );
    }
    columnMetrics[name] = metrics;
    if (type === 'string' || type === 'boolean' || (type === 'integer' && distinct.size <= TOP)) {
      const counts = new Map<string, number>();
      for (const v of present) counts.set(text(v), (counts.get(text(v)) ?? 0) + 1);
      const ranked = [...counts].sort((a, b) => b[1] - a[1] || byCodePoint(a[0], b[0]));
      const kept = ranked.slice(0, TOP);
      topValues[name] = { values: kept, other: present.length - kept.reduce((s, [, c]) => s + c, 0) };
    }
  }
  return {
    facets: { schema: standard('1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet', { fields }) },
    io: {
      dataQualityMetrics: standard(
        '1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet',
        { rowCount: rows, bytes: rows * 16, columnMetrics },
      ),
      mltrace_profile: ourFacet(
        'mltrace_profile',
        { profiler: PROFILER, rows, sampled: false, topValues },
        PRODUCER,
      ),
    },
  };
}

export interface Dataset {
  name: string;
  /** The content version (datasetVersion). */
  version: string;
  /** Its table: the dataset carries its profile. */
  columns?: Columns;
  /** Raw facets to merge into the profile's (to make them malformed). */
  io?: Facets;
}

function datasetRef(d: Dataset, dir: 'input' | 'output'): DatasetRef {
  const profile = d.columns ? profileFacets(d.columns) : null;
  const ioKey = dir === 'input' ? 'inputFacets' : 'outputFacets';
  const io = { ...(profile?.io ?? {}), ...(d.io ?? {}) };
  return {
    namespace: 'file',
    name: d.name,
    facets: {
      version: standardFacet('version', { datasetVersion: d.version }, PRODUCER),
      ...(profile?.facets ?? {}),
    },
    ...(Object.keys(io).length ? { [ioKey]: io } : {}),
  };
}

export interface ProfiledRun {
  runId: string;
  job: string;
  /** Start and end, as ISO times. */
  start: string;
  end: string;
  inputs?: Dataset[];
  outputs?: Dataset[];
  /** The run's source file (relative to the root) and line, for the editor's surfaces. */
  source?: { path: string; line: number };
  /** The machine that ran it (mltrace_run host); none: unknown, judged by this disk. */
  host?: string;
}

/** A COMPLETE event (start time in mltrace_run) whose datasets carry versions and profiles. */
export function profiledRunEvent(r: ProfiledRun): RunEvent {
  return {
    eventType: 'COMPLETE',
    eventTime: r.end,
    producer: PRODUCER,
    schemaURL: eventSchemaURL('RunEvent'),
    run: {
      runId: r.runId,
      facets: {
        mltrace_run: ourFacet(
          'mltrace_run',
          { startTime: r.start, endTime: r.end, ...(r.host ? { host: r.host } : {}) },
          PRODUCER,
        ),
      },
    },
    job: {
      namespace: 'ws',
      name: r.job,
      ...(r.source
        ? {
            facets: {
              sourceCodeLocation: standardFacet(
                'sourceCodeLocation',
                { type: 'file', url: `file:///${r.source.path}#L${r.source.line}`, path: r.source.path },
                PRODUCER,
              ),
            },
          }
        : {}),
    },
    inputs: (r.inputs ?? []).map((d) => datasetRef(d, 'input')),
    outputs: (r.outputs ?? []).map((d) => datasetRef(d, 'output')),
  };
}

/** The content of models/model.pkl in pipeline(), and its version. */
export const MODEL_CONTENT = 'weights';
export const MODEL_VERSION = `sha256:${createHash('sha256').update(MODEL_CONTENT).digest('hex')}`;

/** The ids of the runs pipeline() logs. */
export const PIPELINE_RUNS = {
  featurize1: uuid(1),
  train: uuid(2, '7106a157'),
  featurize2: uuid(3),
} as const;

/**
 * Runs uuid(1) featurize, uuid(2, '7106a157') train and uuid(3) featurize: featurize writes data/features.csv (v1), train reads it and writes the model, then featurize
 * writes v2 (`next`). The file on disk is neither (rule 3 compares fingerprints). `trainHost`: the
 * machine train ran on (another than this one: train is judged by the log, not by this disk).
 */
export function pipeline(
  fx: Fixture,
  first: Columns | undefined,
  next: Columns | undefined,
  nextFacets?: Facets,
  trainHost?: string,
): void {
  fx.writeFile('data/features.csv', 'age,income,city\n41,20000,north\n');
  appendEvents(fx, 'log.jsonl', [
    profiledRunEvent({
      runId: uuid(1),
      job: 'featurize',
      start: iso(0),
      end: iso(5),
      outputs: [{ name: 'data/features.csv', version: 'sha256:v1', columns: first }],
    }),
    profiledRunEvent({
      runId: uuid(2, '7106a157'),
      job: 'train',
      start: iso(10),
      end: iso(15),
      inputs: [{ name: 'data/features.csv', version: 'sha256:v1' }],
      outputs: [{ name: 'models/model.pkl', version: MODEL_VERSION }],
      host: trainHost,
    }),
    profiledRunEvent({
      runId: uuid(3),
      job: 'featurize',
      start: iso(20),
      end: iso(25),
      outputs: [{ name: 'data/features.csv', version: 'sha256:v2', columns: next, io: nextFacets }],
    }),
  ]);
}
