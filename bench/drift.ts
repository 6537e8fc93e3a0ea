// driftCheck figures of `npm run bench` (issue 9): staleness with drift at 100k runs, 100 columns
// per profile. The pipeline, in cycles of five runs: ingest_live writes data/live.csv, featurize
// writes data/features.csv, train reads it and writes models/model.pkl, score reads the model and
// data/live.csv, report reads the scores. live.csv gets a new content version every 20 cycles,
// features.csv every 100 (so at 100k runs: 1,000 and 200 profiled versions, each profiled once, by
// the first event that carries it, as the shims do). Every score run is stale by rule 3 (live.csv
// changed on disk) with a verdict on drift, and is checked for training–serving skew against what
// its model's train run read. Alone: `npm run build && node --expose-gc out/bench/engine.bench.js
// --part drift` (BENCH_DRIFT_RUNS=20000 for a smaller log). staleAllWithoutDriftMs, the check
// without drift, is a control: this machine's slow phases slow it as much as the check with drift.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROFILER, QUANTILE_KEYS } from '../src/core/profile/facets';
import { LineageStore } from '../src/core/store';

const NUMERIC_COLUMNS = 80;
const CATEGORICAL_COLUMNS = 20;
const ROWS = 10_000;
/** Standard normal quantiles at 0.05 … 0.95, and ±3 for the minimum and maximum. */
const Z = [
  -3, -1.645, -1.2816, -1.0364, -0.8416, -0.6745, -0.5244, -0.3853, -0.2533, -0.1257, 0, 0.1257, 0.2533,
  0.3853, 0.5244, 0.6745, 0.8416, 1.0364, 1.2816, 1.645, 3,
];
const PRODUCER = 'https://github.com/mltrace-vscode/mltrace-vscode/tree/v0.1.0/bench';
const facet = (schemaURL: string, fields: Record<string, unknown>) => ({
  _producer: PRODUCER,
  _schemaURL: schemaURL,
  ...fields,
});

/** The profile facets of version `v` of a table whose means move slowly with v. */
function profile(v: number, seed: number): { facets: object; io: object } {
  const fields: Array<{ name: string; type: string }> = [];
  const columnMetrics: Record<string, unknown> = {};
  const topValues: Record<string, unknown> = {};
  for (let c = 0; c < NUMERIC_COLUMNS; c++) {
    const name = `x${c}`;
    const mean = 100 * c + v * 0.01 * (c % 7) + ((seed * 31 + c) % 5) * 0.001;
    const sd = 10 + (c % 3);
    fields.push({ name, type: 'number' });
    const quantiles = Object.fromEntries(QUANTILE_KEYS.map((key, i) => [key, mean + sd * Z[i]]));
    columnMetrics[name] = {
      nullCount: c % 10 === 0 ? 50 : 0,
      distinctCount: ROWS - 10,
      count: ROWS - (c % 10 === 0 ? 50 : 0),
      sum: mean * ROWS,
      min: mean - 3 * sd,
      max: mean + 3 * sd,
      quantiles,
    };
  }
  for (let c = 0; c < CATEGORICAL_COLUMNS; c++) {
    const name = `c${c}`;
    fields.push({ name, type: 'string' });
    const values: Array<[string, number]> = [];
    let listed = 0;
    for (let k = 0; k < 20; k++) {
      const count = Math.round(ROWS / (k + 2) / 4 + ((v + k) % 3));
      values.push([`value-${c}-${k}`, count]);
      listed += count;
    }
    columnMetrics[name] = { nullCount: 0, distinctCount: 40, count: ROWS };
    topValues[name] = { values, other: Math.max(0, ROWS - listed) };
  }
  return {
    facets: { schema: facet('https://openlineage.io/spec/facets/1-2-0/SchemaDatasetFacet.json', { fields }) },
    io: {
      dataQualityMetrics: facet(
        'https://openlineage.io/spec/facets/1-0-3/DataQualityMetricsInputDatasetFacet.json',
        {
          rowCount: ROWS,
          bytes: ROWS * 800,
          columnMetrics,
        },
      ),
      mltrace_profile: facet(
        'https://github.com/mltrace-vscode/mltrace-vscode/blob/main/docs/EVENTS.md#mltrace_profile',
        {
          profiler: PROFILER,
          rows: ROWS,
          sampled: false,
          topValues,
        },
      ),
    },
  };
}

/** Writes the log; returns the ids of the score runs, oldest first. */
function writeLog(storeDir: string, total: number): string[] {
  const events = path.join(storeDir, 'events');
  fs.mkdirSync(events, { recursive: true });
  const fd = fs.openSync(path.join(events, 'bench-drift.jsonl'), 'w');
  const profiled = new Set<string>();
  const scores: string[] = [];
  const t0 = Date.UTC(2026, 0, 1);
  let seq = 0;
  const dataset = (
    name: string,
    version: string,
    dir: 'input' | 'output',
    make?: () => ReturnType<typeof profile>,
  ) => {
    const p = make && !profiled.has(version) ? (profiled.add(version), make()) : null;
    return {
      namespace: 'file',
      name,
      facets: {
        version: facet('https://openlineage.io/spec/facets/1-0-1/DatasetVersionDatasetFacet.json', {
          datasetVersion: version,
        }),
        ...(p?.facets ?? {}),
      },
      ...(p ? { [dir === 'input' ? 'inputFacets' : 'outputFacets']: p.io } : {}),
    };
  };
  const run = (job: string, inputs: object[], outputs: object[]): string => {
    const id = `${(++seq).toString(16).padStart(8, '0')}-0000-4000-8000-${seq.toString(16).padStart(12, '0')}`;
    const start = new Date(t0 + seq * 60_000).toISOString();
    const end = new Date(t0 + seq * 60_000 + 1000).toISOString();
    const event = {
      eventType: 'COMPLETE',
      eventTime: end,
      producer: PRODUCER,
      schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
      run: {
        runId: id,
        facets: { mltrace_run: facet(`${PRODUCER}#mltrace_run`, { startTime: start, endTime: end }) },
      },
      job: { namespace: 'bench', name: job },
      inputs,
      outputs,
    };
    fs.writeSync(fd, JSON.stringify(event) + '\n');
    return id;
  };
  for (let cycle = 0; seq < total; cycle++) {
    const live = Math.floor(cycle / 20);
    const features = Math.floor(cycle / 100);
    const liveVersion = `sha256:live-${live}`;
    const featuresVersion = `sha256:features-${features}`;
    run('ingest_live', [], [dataset('data/live.csv', liveVersion, 'output', () => profile(live, 1))]);
    run(
      'featurize',
      [],
      [dataset('data/features.csv', featuresVersion, 'output', () => profile(features * 5, 2))],
    );
    run(
      'train',
      [dataset('data/features.csv', featuresVersion, 'input')],
      [dataset('models/model.pkl', `sha256:model-${cycle}`, 'output')],
    );
    scores.push(
      run(
        'score',
        [
          dataset('models/model.pkl', `sha256:model-${cycle}`, 'input'),
          dataset('data/live.csv', liveVersion, 'input'),
        ],
        [dataset('data/scores.csv', `sha256:scores-${cycle}`, 'output')],
      ),
    );
    run('report', [dataset('data/scores.csv', `sha256:scores-${cycle}`, 'input')], []);
  }
  // A last version of live.csv, which no score run read yet: every score run has a verdict.
  const last = Math.floor(scores.length / 20) + 1;
  run('ingest_live', [], [dataset('data/live.csv', `sha256:live-${last}`, 'output', () => profile(last, 1))]);
  fs.closeSync(fd);
  return scores;
}

/** The result, the wall time and the process's CPU time (ms): on a loaded machine the CPU time says more. */
const time = <T>(fn: () => T): [T, number, number] => {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = fn();
  const used = process.cpuUsage(cpu);
  return [result, performance.now() - start, (used.user + used.system) / 1000];
};
const round = (n: number) => Number(n.toFixed(2));

/**
 * The check of all runs of `score` as `mltrace stale --component score` makes it: in a fresh
 * process that opens the index (read lazily, sql.js's wasm in its baseline tier, as the CLI runs
 * it when there is nothing to ingest), after the latest run's. Not as warm as the check above,
 * which follows the ingest in its process: V8 has optimised the code both use, and SQLite's
 * cache still holds the pages the ingest wrote. Three processes in turn; their times (ms).
 */
function freshProcessChecks(storeDir: string, runs: number): number[] {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    const result = spawnSync(
      process.execPath,
      ['--liftoff-only', process.argv[1], '--drift-check', storeDir],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`--drift-check failed: ${result.stderr}`);
    const { stale, ms } = JSON.parse(result.stdout) as { stale: number; ms: number };
    if (stale !== runs) throw new Error(`--drift-check: ${stale} of ${runs} score runs stale`);
    times.push(ms);
  }
  return times;
}

/** `--drift-check <storeDir>`: freshProcessChecks' process. */
export async function driftCheckOnly(storeDir: string): Promise<void> {
  const store = await LineageStore.open({ dir: storeDir, readLazily: true });
  const [latest] = store.history('score', { limit: 1 });
  store.staleReasons([latest.id]);
  const [stale, ms] = time(() => store.stale({ component: 'score' }));
  store.close({ save: false });
  console.log(JSON.stringify({ stale: stale.length, ms }));
}

/** What one `--drift-ingest` process measured (ms). */
interface IngestCheck {
  latestMs: number;
  allMs: number;
  allCpuMs: number;
  withoutMs: number;
  withoutCpuMs: number;
  againMs: number;
  againCpuMs: number;
  stale: number;
  drifted: number;
}

/**
 * `--drift-ingest <storeDir> <latest score run>`: the index made from the log in this process, as the editor makes
 * it on opening a workspace, then the checks that follow: the latest score run's staleness, then
 * all score runs' with drift (the figure), without (a control), and with drift again (warm).
 */
export async function driftIngestCheck(storeDir: string, latest: string): Promise<void> {
  for (const file of fs.readdirSync(storeDir))
    if (file.startsWith('lineage.sqlite')) fs.rmSync(path.join(storeDir, file));
  const store = await LineageStore.open({ dir: storeDir, deferIngest: true });
  store.ingest();
  store.save();
  // Cold: the first staleness a fresh index computes, as the editor does after opening.
  const [reasons, latestMs] = time(() => store.staleReasons([latest]));
  const sentence = reasons.get(latest)?.join('\n') ?? '';
  if (!/changed since this run read it( and drifted|; same distribution)/.test(sentence))
    throw new Error(`no verdict on drift for the latest score run: ${sentence}`);
  const [stale, allMs, allCpuMs] = time(() => store.stale({ component: 'score' }));
  const drifted = stale.filter((r) => r.stale.some((s) => / drifted/.test(s))).length;
  // The same without drift, after it (the caches of rule 3 are as warm): what drift adds.
  const [, withoutMs, withoutCpuMs] = time(() => store.stale({ component: 'score', drift: false }));
  const [, againMs, againCpuMs] = time(() => store.stale({ component: 'score' }));
  store.close({ save: false });
  const result: IngestCheck = {
    latestMs,
    allMs,
    allCpuMs,
    withoutMs,
    withoutCpuMs,
    againMs,
    againCpuMs,
    stale: stale.length,
    drifted,
  };
  console.log(JSON.stringify(result));
}

/** Three `--drift-ingest` processes in turn; their results, by the check's time. */
function ingestChecks(storeDir: string, scores: string[]): IngestCheck[] {
  const results: IngestCheck[] = [];
  for (let i = 0; i < 3; i++) {
    const result = spawnSync(
      process.execPath,
      [...process.execArgv, process.argv[1], '--drift-ingest', storeDir, scores[scores.length - 1]],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (result.status !== 0) throw new Error(`--drift-ingest failed: ${result.stderr}`);
    const check = JSON.parse(result.stdout) as IngestCheck;
    if (check.stale !== scores.length)
      throw new Error(`--drift-ingest: ${check.stale} of ${scores.length} score runs stale`);
    results.push(check);
  }
  return results.sort((a, b) => a.allMs - b.allMs);
}

export async function benchDrift(total: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mltrace-bench-drift-${total}-`));
  const storeDir = path.join(dir, '.mltrace');
  try {
    const scores = writeLog(storeDir, total);
    // The files on disk are none of the logged versions: rule 3 fires for every input.
    for (const file of ['data/live.csv', 'data/features.csv', 'models/model.pkl', 'data/scores.csv']) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), 'changed\n');
    }
    // The median of three processes, each indexing the log and checking (one alone varied by a
    // third with this machine's phases); the figures of the process whose check was the median.
    const checks = ingestChecks(storeDir, scores);
    const median = checks[1];

    // The page is timed on its own, not collecting the 20,000 runs' reasons above.
    global.gc?.();
    const reopened = await LineageStore.open({ dir: storeDir });
    const [page, pageMs, pageCpuMs] = time(() => reopened.history('score', { limit: 100 }));
    if (page.length !== 100) throw new Error(`history gave ${page.length} runs`);
    const [, warmPageMs] = time(() => reopened.history('score', { limit: 100 }));
    reopened.close({ save: false });
    const fresh = freshProcessChecks(storeDir, scores.length);
    return {
      driftRuns: total + 1,
      driftScoreRuns: scores.length,
      driftProfiles: Math.ceil(scores.length / 20) + 1 + Math.ceil(scores.length / 100),
      driftColumns: NUMERIC_COLUMNS + CATEGORICAL_COLUMNS,
      driftStaleWithDrift: median.drifted,
      driftCheckLatestMs: round(median.latestMs),
      driftCheckAllMs: round(median.allMs),
      driftCheckAllFastestMs: round(checks[0].allMs),
      driftCheckAllSlowestMs: round(checks[2].allMs),
      driftCheckAllWarmMs: round(median.againMs),
      staleAllWithoutDriftMs: round(median.withoutMs),
      driftHistoryPageMs: round(pageMs),
      driftHistoryPageWarmMs: round(warmPageMs),
      driftCheckAllCpuMs: round(median.allCpuMs),
      driftCheckAllWarmCpuMs: round(median.againCpuMs),
      staleAllWithoutDriftCpuMs: round(median.withoutCpuMs),
      driftHistoryPageCpuMs: round(pageCpuMs),
      driftCheckAllFreshProcessMs: round([...fresh].sort((a, b) => a - b)[1]),
      driftLoadAverage: round(os.loadavg()[0]),
    };
  } finally {
    // BENCH_DRIFT_KEEP=1 keeps the store (its path on stderr) for repeated measurements.
    if (process.env.BENCH_DRIFT_KEEP === '1') console.error(`drift store kept: ${storeDir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}
