// `npm run bench`: the engine at 20k and 100k runs, beside raw sql.js doing the same inserts and
// the same recursive query. Prints one JSON object per scale, then one for a chain 50,000 runs
// deep (BENCH_DEEP_RUNS; 0 skips it), then labels at 100,000 runs with 10,000 labels and a fan-in
// of 100,000 runs adding a label each (BENCH_LABEL_RUNS; 0 skips them), then drift
// (BENCH_DRIFT_RUNS), then the log's figures (BENCH_LOG=0 skips them). Each part runs in a fresh
// process of its own (`--part`); BENCH_SCALE_KEEP, BENCH_DEEP_KEEP and BENCH_DRIFT_KEEP keep a
// part's store. Runs bundled (out/bench/, built by scripts/build.mjs), as the CLI and the
// extension run the engine.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LineageStore } from '../src/core/store';
import { SCHEMA } from '../src/core/schema';
import { loadSqlJs, all } from '../src/core/sql';
import { storeLocation } from '../src/core/storeDir';
import { EventWriter, PointerSpec } from '../src/core/writer';
import { retractionEvent } from '../src/core/labels/events';
import { benchDrift, driftCheckOnly, driftIngestCheck } from './drift';

const SCALES = (process.env.BENCH_SCALES ?? '20000,100000').split(',').map(Number);
const DAY = 86400e3;
const CHAIN = ['ingest', 'clean', 'featurize', 'train', 'evaluate'];
const FAN_IN_SOURCES = ['users', 'orders', 'events', 'prices'];
const PARTITIONS = 1000;
const CODE = `def step(inputs, outputs):\n    frame = read(inputs)\n    frame = transform(frame)\n    write(frame, outputs)\n`;

interface RawRun {
  component: string;
  start: number;
  inputs: string[];
  outputs: string[];
}

let peakRss = 0;
const sampleRss = () => (peakRss = Math.max(peakRss, process.memoryUsage().rss));

/** Half the runs in 5-stage chains, half in fan-ins (4 sources merged, then scored), over 60 days. */
function pipelines(total: number): RawRun[] {
  const runs: RawRun[] = [];
  const t0 = Date.now() - 60 * DAY;
  const step = (60 * DAY) / total;
  let t = t0;
  for (let i = 0; runs.length < total; i++) {
    const part = `p${i % PARTITIONS}`;
    if (i % 2 === 0) {
      CHAIN.forEach((component, k) => {
        runs.push({
          component,
          start: (t += step),
          inputs: k === 0 ? [`raw/${part}/source.csv`] : [`chain/${part}/${CHAIN[k - 1]}.parquet`],
          outputs: [k === 3 ? `models/${part}/model.pkl` : `chain/${part}/${component}.parquet`],
        });
      });
    } else {
      for (const source of FAN_IN_SOURCES) {
        runs.push({
          component: `load_${source}`,
          start: (t += step),
          inputs: [`raw/${source}.csv`],
          outputs: [`fanin/${part}/${source}.parquet`],
        });
      }
      runs.push({
        component: 'merge',
        start: (t += step),
        inputs: FAN_IN_SOURCES.map((s) => `fanin/${part}/${s}.parquet`),
        outputs: [`fanin/${part}/merged.parquet`],
      });
    }
  }
  return runs.slice(0, total);
}

function writeLog(storeDir: string, runs: RawRun[]): void {
  const writer = new EventWriter(storeLocation(storeDir), 'bench');
  // Code once per version: the CODE of every run is recorded by the first.
  const spec = (name: string): PointerSpec => ({ name });
  for (const run of runs) {
    writer.logRun(
      {
        component: run.component,
        startTime: new Date(run.start),
        inputs: run.inputs.map(spec),
        source: {
          gitHash: '3f2a9c0d1e',
          sourceFile: `pipelines/${run.component}.py`,
          sourceLine: 12,
          code: { language: 'python', source: CODE },
        },
      },
      { status: 'complete', endTime: new Date(run.start + 1000), outputs: run.outputs.map(spec) },
    );
  }
  writer.close();
}

const time = <T>(fn: () => T): [T, number] => {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
};
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};
const round = (n: number, digits = 2) => Number(n.toFixed(digits));

/**
 * Raw sql.js, for comparison: the same rows (pointers, runs, their inputs and outputs, the
 * dependencies) in the same schema, inserted one by one with prepared statements in one
 * transaction: no parsing and no lineage logic, so the cost of storing the rows and nothing else.
 */
async function baseline(runs: RawRun[]): Promise<{ insertRunsPerSec: number; traceMs: number }> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.exec(SCHEMA);
  const pointerIds = new Map<string, number>();
  const latest = new Map<number, number>();
  const insertPointer = db.prepare('INSERT INTO pointers (id, namespace, name, type) VALUES (?, ?, ?, ?)');
  const insertRun =
    db.prepare(`INSERT INTO runs (id, uuid, component_id, lifecycle, status, status_ms, start_ms,
    start_known, end_ms, seq, git_hash, source_file, source_line, code_id) VALUES (?, ?, ?, 1, 'complete', ?, ?, 1, ?, ?, ?, ?, ?, 1)`);
  const insertIo = db.prepare(
    'INSERT INTO run_io (run_id, dir, pointer_id, start_ms, seq) VALUES (?, ?, ?, ?, ?)',
  );
  const insertDep = db.prepare('INSERT OR REPLACE INTO deps (run_id, via, dep_run_id) VALUES (?, ?, ?)');
  const components = new Map<string, number>();
  const pointer = (name: string) => {
    let id = pointerIds.get(name);
    if (id === undefined) {
      pointerIds.set(name, (id = pointerIds.size + 1));
      insertPointer.run([id, 'file', name, 'DATA']);
    }
    return id;
  };
  const [, ms] = time(() => {
    db.exec('BEGIN');
    runs.forEach((run, i) => {
      const id = i + 1;
      let component = components.get(run.component);
      if (component === undefined) components.set(run.component, (component = components.size + 1));
      const uuid = `${randomUUID()}`;
      insertRun.run([
        id,
        uuid,
        component,
        run.start + 1000,
        run.start,
        run.start + 1000,
        id,
        '3f2a9c0d1e',
        `pipelines/${run.component}.py`,
        12,
      ]);
      for (const input of run.inputs) {
        const p = pointer(input);
        insertIo.run([id, 0, p, run.start, id]);
        const writer = latest.get(p);
        if (writer) insertDep.run([id, p, writer]);
      }
      for (const output of run.outputs) {
        const p = pointer(output);
        insertIo.run([id, 1, p, run.start, id]);
        latest.set(p, id);
      }
    });
    db.exec('COMMIT');
  });
  const deepWriter = latest.get(pointerIds.get(deepPointer(runs))!)!;
  const trace =
    db.prepare(`WITH RECURSIVE up(id) AS (SELECT ? UNION SELECT d.dep_run_id FROM deps d JOIN up ON d.run_id = up.id)
    SELECT r.* FROM up JOIN runs r ON r.id = up.id`);
  const times: number[] = [];
  for (let i = 0; i < 50; i++) times.push(time(() => all(trace, [deepWriter]))[1]);
  db.close();
  return {
    insertRunsPerSec: Math.round(runs.length / (ms / 1000)),
    traceMs: round(percentile(times, 50), 3),
  };
}

const deepPointer = (runs: RawRun[]) =>
  [...runs].reverse().find((r) => r.component === 'evaluate')!.outputs[0];
const shallowPointer = (runs: RawRun[]) =>
  [...runs].reverse().find((r) => r.component === 'ingest')!.outputs[0];

async function benchScale(total: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mltrace-bench-${total}-`));
  const storeDir = path.join(dir, '.mltrace');
  peakRss = 0;
  const rssTimer = setInterval(sampleRss, 50);
  try {
    // Only what the measurements need is kept from the generated runs: the peak memory is the
    // engine's, not the benchmark's (the baseline generates them again).
    const { deep, shallow, flaggable } = (() => {
      const runs = pipelines(total);
      writeLog(storeDir, runs);
      return {
        deep: deepPointer(runs),
        shallow: shallowPointer(runs),
        flaggable: runs
          .filter((r) => r.component === 'evaluate')
          .slice(-100)
          .map((r) => r.outputs[0]),
      };
    })();
    global.gc?.();

    // The index the queries below use (the ingest figures come from fresh processes, further down).
    const store = await LineageStore.open({ dir: storeDir, deferIngest: true });
    const report = store.ingest();
    if (report.runs !== total) throw new Error(`ingested ${report.runs} runs, expected ${total}`);
    if (!report.parsedInWorker) throw new Error('the log was not parsed in the worker thread');
    sampleRss();

    const traceTimes: number[] = [];
    for (let i = 0; i < 200; i++) {
      const [trace, ms] = time(() => store.trace(i % 2 ? shallow : deep));
      if (trace.runs.length === 0) throw new Error('empty trace');
      traceTimes.push(ms);
    }
    const historyTimes: number[] = [];
    for (let i = 0; i < 20; i++) historyTimes.push(time(() => store.history('train', { limit: 100 }))[1]);

    const writer = new EventWriter(store.location, 'bench-flags');
    for (const output of flaggable) writer.flag(output, true);
    writer.close();
    store.ingest();
    const reviewTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const [review, ms] = time(() => store.review());
      if (review.flagged.length !== flaggable.length)
        throw new Error(`review saw ${review.flagged.length} flagged outputs`);
      reviewTimes.push(ms);
    }
    const [, staleMs] = time(() => store.stale({ component: 'train' }));
    const [, snapshotSaveMs] = time(() => store.save());
    sampleRss();
    store.close({ save: false });

    const loadStart = performance.now();
    const reopened = await LineageStore.open({ dir: storeDir });
    const snapshotLoadMs = performance.now() - loadStart;
    reopened.close({ save: false });

    // Bundled into out/bench/ (scripts/build.mjs): the CLI is in dist/.
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    const cliTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, [cli, 'trace', deep, '--dir', storeDir, '--json'], {
        encoding: 'utf8',
        cwd: workspaceOf(storeDir),
      });
      cliTimes.push(performance.now() - start);
      if (result.status !== 0) throw new Error(`mltrace trace failed: ${result.stderr}`);
    }

    // A warm command (nothing new in the log) beside bare Node start-up, as whole processes,
    // interleaved so that both meet the same load. First as a user meets one some time after the
    // index was saved: an index younger than 2 s is hashed at every open (snapshotCheck.ts), which
    // the figure measured right after the save above would be. Then that case too, after a save.
    const snapshot = path.join(storeDir, 'lineage.sqlite');
    const waitMs = fs.statSync(snapshot).mtimeMs + 2100 - Date.now();
    if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
    processMs([cli, 'recent', '--dir', storeDir], workspaceOf(storeDir)); // records the index's status
    const warmTimes: number[] = [];
    const nodeTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      warmTimes.push(processMs([cli, 'recent', '--dir', storeDir], workspaceOf(storeDir)));
      nodeTimes.push(processMs(['-e', '0']));
    }
    const justSavedTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      fs.copyFileSync(snapshot, `${snapshot}.copy`);
      fs.renameSync(`${snapshot}.copy`, snapshot); // as a save replaces it (same bytes and checksum)
      justSavedTimes.push(processMs([cli, 'recent', '--dir', storeDir], workspaceOf(storeDir)));
    }

    // The peak memory is this process's, as users run the engine (above); the ingest figures and
    // the raw sql.js comparison below run elsewhere or after, and are not in it.
    const rssMb = Math.round(peakRss / 1024 / 1024);
    clearInterval(rssTimer);
    const snapshotMb = round(fs.statSync(path.join(storeDir, 'lineage.sqlite')).size / 1024 / 1024, 1);

    const ingest = freshProcessRates(storeDir, total);
    const raw = await baseline(pipelines(total));
    return {
      runs: total,
      ingestRunsPerSec: ingest.worker,
      ingestMainThreadRunsPerSec: ingest.mainThread,
      traceP50Ms: round(percentile(traceTimes, 50), 3),
      traceP95Ms: round(percentile(traceTimes, 95), 3),
      historyMs: round(percentile(historyTimes, 50)),
      reviewMs: round(percentile(reviewTimes, 50)),
      staleMs: round(staleMs),
      snapshotSaveMs: round(snapshotSaveMs),
      snapshotLoadMs: round(snapshotLoadMs),
      coldCliTraceMs: round(percentile(cliTimes, 50)),
      warmCliMs: round(percentile(warmTimes, 50)),
      warmCliJustSavedMs: round(percentile(justSavedTimes, 50)),
      nodeStartMs: round(percentile(nodeTimes, 50)),
      rssMb,
      baselineInsertRunsPerSec: ingest.baseline,
      ingestToBaseline: round(ingest.worker / ingest.baseline),
      // The same inserts in this process, its wasm long optimised (the figure printed before 2026-12-02).
      baselineWarmInsertRunsPerSec: raw.insertRunsPerSec,
      baselineTraceMs: raw.traceMs,
      snapshotMb,
      logMb: round(
        fs
          .readdirSync(path.join(storeDir, 'events'))
          .reduce((n, f) => n + fs.statSync(path.join(storeDir, 'events', f)).size, 0) /
          1024 /
          1024,
        1,
      ),
    };
  } finally {
    clearInterval(rssTimer);
    // BENCH_SCALE_KEEP=1 keeps the scale's store (its path on stderr) for repeated measurements.
    if (process.env.BENCH_SCALE_KEEP === '1') console.error(`store kept: ${storeDir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The folder a user runs `mltrace` in: the store's parent. (Run from elsewhere, the CLI takes the
 * store for a shared one and keeps its index in ~/.cache instead: storeDir.ts `isOwnStore`.)
 */
const workspaceOf = (storeDir: string): string => path.dirname(storeDir);

/** Wall time of `node <args>` as a whole process (in `cwd`, default this one's); throws if it fails. */
function processMs(args: string[], cwd?: string): number {
  const start = performance.now();
  const result = spawnSync(process.execPath, args, { encoding: 'utf8', cwd });
  const ms = performance.now() - start;
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const DEEP_RUNS = Number(process.env.BENCH_DEEP_RUNS ?? 50000);
const LABEL_RUNS = Number(process.env.BENCH_LABEL_RUNS ?? 100000);
const LABELS = 10000;

/** The median time of three calls of `fn`, each answer checked. */
function medianOf3<T>(fn: () => T, check: (value: T) => boolean): number {
  const times: number[] = [];
  for (let i = 0; i < 3; i++) {
    // Each call timed on its own, not collecting the garbage of the one before (an answer of
    // 100,000 carriers is that many objects).
    global.gc?.();
    const [value, ms] = time(fn);
    if (!check(value)) throw new Error('a label query gave a wrong answer');
    times.push(ms);
  }
  return round(percentile(times, 50));
}

/** A store of `total` runs opened on a log written before: ingested, then its labels derived. */
async function labelledStore(storeDir: string, total: number) {
  // The peak memory is the engine's, not that of the writer that made the log.
  global.gc?.();
  peakRss = 0;
  const store = await LineageStore.open({ dir: storeDir, deferIngest: true });
  const [report, ingestMs] = time(() => store.ingest());
  sampleRss();
  const ingestRssMb = Math.round(peakRss / 1024 / 1024);
  if (report.runs !== total) throw new Error(`ingested ${report.runs} runs, expected ${total}`);
  const [sets, deriveMs] = time(() => store.labels.setCount());
  sampleRss();
  return {
    store,
    ingestRunsPerSec: Math.round(total / (ingestMs / 1000)),
    ingestRssMb,
    sets,
    deriveMs: round(deriveMs),
  };
}

/** `fn` on a `.mltrace` folder in a fresh temporary folder, removed afterwards. */
async function inTempStore<T>(prefix: string, fn: (storeDir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return await fn(path.join(dir, '.mltrace'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Labels at scale (docs/LABELS.md): a lineage LABEL_RUNS runs deep whose first run read a raw file
 * holding the data of 10,000 customers (one label each), one of whom asked for deletion. Every
 * version downstream carries all 10,000 labels: the worst case for copying label sets.
 * labelDeriveMs: the label set of every run and version, derived once per change of the store
 * (the first label question after an ingest pays it; labelRetractedAfterIngestMs: what the editor
 * pays for its marks after one more run is logged); then, from the derivation:
 * labelPropagationMs: where one label reaches (every run, and the 100,001 pointers that carry it);
 * labelQueryMs: the labels of the newest artifact (all 10,000); labelListMs: every label with its
 * count of carriers; retractedCarriersMs: the files the editor marks; labelIngestRunsPerSec: the
 * whole log indexed from nothing, labels included.
 */
async function benchLabels(total: number): Promise<Record<string, number>> {
  return inTempStore(`mltrace-bench-labels-${total}-`, async (storeDir) => {
    const writer = new EventWriter(storeLocation(storeDir), 'bench-labels');
    const t0 = Date.now() - total * 60e3;
    const ckpt = (i: number) => `checkpoints/step-${i}.pt`;
    const customers = Array.from({ length: LABELS }, (_, i) => `customer-${i}`);
    const logStep = (i: number) =>
      writer.logRun(
        {
          component: i ? 'finetune' : 'ingest',
          startTime: new Date(t0 + i * 60e3),
          inputs: [i ? { name: ckpt(i - 1) } : { name: 'raw/customers.csv', labels: customers }],
        },
        { status: 'complete', endTime: new Date(t0 + i * 60e3 + 1000), outputs: [{ name: ckpt(i) }] },
      );
    for (let i = 0; i < total; i++) logStep(i);
    writer.append(retractionEvent(['customer-42'], new Date()));
    writer.close();
    const { store, ingestRunsPerSec, ingestRssMb, sets, deriveMs } = await labelledStore(storeDir, total);
    if (sets !== 1) throw new Error(`${sets} label sets for one chain`);
    const figures = {
      labelRuns: total,
      labels: LABELS,
      labelIngestRunsPerSec: ingestRunsPerSec,
      labelDeriveMs: deriveMs,
      labelSets: sets,
      labelPropagationMs: medianOf3(
        () => store.labels.label('customer-42'),
        (d) => d.carriers.length === total + 1 && d.runs === total,
      ),
      labelQueryMs: medianOf3(
        () => store.labels.ofPointer(ckpt(total - 1)),
        (labels) => labels.length === LABELS && labels[0].label === 'customer-42',
      ),
      labelListMs: medianOf3(
        () => store.labels.list(),
        (list) => list.length === LABELS && list[LABELS - 1].pointers === total + 1,
      ),
      retractedCarriersMs: medianOf3(
        () => store.labels.retractedCarriers(),
        (carriers) => carriers.length === total + 1,
      ),
      labelRetractedAfterIngestMs: 0,
      labelIngestRssMb: ingestRssMb,
      labelRssMb: 0,
    };
    sampleRss();
    // One more run logged (a new file of the writer), as the editor sees it: ingest, then the marks asked again.
    logStep(total);
    writer.close();
    store.ingest();
    figures.labelRetractedAfterIngestMs = round(
      time(() => {
        if (store.labels.retractedCarriers().length !== total + 2)
          throw new Error('a label query gave a wrong answer');
      })[1],
    );
    sampleRss();
    figures.labelRssMb = Math.round(peakRss / 1024 / 1024);
    store.close({ save: false });
    return figures;
  });
}

/**
 * The fan-in of docs/LABELS.md: each of LABEL_RUNS runs merges the previous merge with a new
 * customer's file (labelled with that customer) into a new file, so that sets grow by one label a
 * run. Stored as sets of every version, that is n²/2 labels; interned, one set per run
 * (labelFanInSets). Figures as benchLabels', for the first customer (in every merge) and the
 * newest merge (every label).
 */
async function benchLabelFanIn(total: number): Promise<Record<string, number>> {
  return inTempStore(`mltrace-bench-fanin-${total}-`, async (storeDir) => {
    const writer = new EventWriter(storeLocation(storeDir), 'bench-fanin');
    const t0 = Date.now() - total * 60e3;
    const merged = (i: number) => `merged/step-${i}.parquet`;
    for (let i = 0; i < total; i++) {
      writer.logRun(
        {
          component: 'merge',
          startTime: new Date(t0 + i * 60e3),
          inputs: [
            ...(i ? [{ name: merged(i - 1) }] : []),
            { name: `customers/${i}.csv`, labels: [`customer-${i}`] },
          ],
        },
        { status: 'complete', endTime: new Date(t0 + i * 60e3 + 1000), outputs: [{ name: merged(i) }] },
      );
    }
    writer.append(retractionEvent(['customer-0'], new Date()));
    writer.close();
    const { store, ingestRunsPerSec, ingestRssMb, sets, deriveMs } = await labelledStore(storeDir, total);
    const figures = {
      labelFanInRuns: total,
      labelFanInIngestRunsPerSec: ingestRunsPerSec,
      labelFanInDeriveMs: deriveMs,
      labelFanInSets: sets,
      labelFanInPropagationMs: medianOf3(
        () => store.labels.label('customer-0'),
        (d) => d.carriers.length === total + 1 && d.runs === total,
      ),
      labelFanInQueryMs: medianOf3(
        () => store.labels.ofPointer(merged(total - 1)),
        (labels) => labels.length === total && labels[0].label === 'customer-0',
      ),
      labelFanInListMs: medianOf3(
        () => store.labels.list(),
        (list) => list.length === total && list[0].pointers === total + 1,
      ),
      labelFanInRetractedCarriersMs: medianOf3(
        () => store.labels.retractedCarriers(),
        (carriers) => carriers.length === total + 1,
      ),
      labelFanInIngestRssMb: ingestRssMb,
      labelFanInRssMb: 0,
    };
    sampleRss();
    figures.labelFanInRssMb = Math.round(peakRss / 1024 / 1024);
    store.close({ save: false });
    return figures;
  });
}

/**
 * A lineage 50,000 runs deep (a model fine-tuned every hour from its last checkpoint, with a
 * metrics file per run): `mltrace trace` of its end upstream and of its start downstream as whole
 * processes (median of three, like coldCliTraceMs), and review with its last output flagged.
 */
async function benchDeep(total: number): Promise<Record<string, number>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mltrace-bench-deep-${total}-`));
  const storeDir = path.join(dir, '.mltrace');
  try {
    const writer = new EventWriter(storeLocation(storeDir), 'bench-deep');
    const t0 = Date.now() - total * 3600e3;
    const ckpt = (i: number) => `checkpoints/step-${i}.pt`;
    for (let i = 0; i < total; i++) {
      writer.logRun(
        {
          component: 'finetune',
          startTime: new Date(t0 + i * 3600e3),
          inputs: i ? [{ name: ckpt(i - 1) }] : [],
        },
        {
          status: 'complete',
          endTime: new Date(t0 + i * 3600e3 + 1000),
          outputs: [{ name: ckpt(i) }, { name: `metrics/step-${i}.json` }],
        },
      );
    }
    writer.close();
    const store = await LineageStore.open({ dir: storeDir });
    store.save();
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    const cliMs = (...args: string[]) => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const start = performance.now();
        const result = spawnSync(process.execPath, [cli, ...args, '--dir', storeDir, '--json'], {
          encoding: 'utf8',
          cwd: workspaceOf(storeDir),
          maxBuffer: 1 << 30,
        });
        times.push(performance.now() - start);
        if (result.status !== 0) throw new Error(`mltrace ${args.join(' ')} failed: ${result.stderr}`);
        const runs = (JSON.parse(result.stdout) as { runs: unknown[] }).runs.length;
        if (runs < total - 1) throw new Error(`mltrace ${args.join(' ')} listed ${runs} runs`);
      }
      return percentile(times, 50);
    };
    const upMs = cliMs('trace', ckpt(total - 1));
    const downMs = cliMs('trace', ckpt(0), '--downstream');
    const flagger = new EventWriter(store.location, 'bench-deep-flags');
    flagger.flag(ckpt(total - 1), true);
    flagger.close();
    store.ingest();
    const [review, reviewMs] = time(() => store.review());
    if (review.runs.length !== total) throw new Error(`review listed ${review.runs.length} runs`);
    store.close({ save: false });
    return {
      deepChainRuns: total,
      deepTraceMs: round(Math.max(upMs, downMs)),
      deepTraceUpstreamMs: round(upMs),
      deepTraceDownstreamMs: round(downMs),
      deepReviewMs: round(reviewMs),
    };
  } finally {
    // BENCH_DEEP_KEEP=1 keeps the chain's store (its path on stderr) for repeated CPU measurements.
    if (process.env.BENCH_DEEP_KEEP === '1') console.error(`deep store kept: ${storeDir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** `--ingest <storeDir> <mode>`: one ingest of the whole log into a fresh index, in this process. */
async function ingestOnly(storeDir: string, mode: 'auto' | 'never'): Promise<void> {
  for (const file of ['lineage.sqlite', 'lineage.sqlite.sha256'])
    fs.rmSync(path.join(storeDir, file), { force: true });
  const store = await LineageStore.open({ dir: storeDir, deferIngest: true, parseInWorker: mode });
  const [report, ms] = time(() => store.ingest());
  store.close({ save: false });
  console.log(JSON.stringify({ runs: report.runs, ms, parsedInWorker: report.parsedInWorker }));
}

/** `--baseline <total>`: raw sql.js inserting the rows of `total` runs, in this fresh process. */
async function baselineOnly(total: number): Promise<void> {
  console.log(JSON.stringify({ runsPerSec: (await baseline(pipelines(total))).insertRunsPerSec }));
}

/**
 * Ingest as a user meets it (a first `mltrace` command, or opening the workspace): a fresh process
 * and a fresh index. Raw sql.js inserting the same rows is measured the same way, in a fresh
 * process: in this one, after the queries above, V8 has long compiled sql.js's hot wasm functions
 * with its optimising tier, which a fresh ingest is still waiting for (measured at 20k runs, the
 * same inserts ran 2–3× as fast there as in a fresh process). Median of three, the three in turn so that they meet the
 * same load.
 */
function freshProcessRates(
  storeDir: string,
  total: number,
): { worker: number; mainThread: number; baseline: number } {
  const rates: Record<'auto' | 'never' | 'baseline', number[]> = { auto: [], never: [], baseline: [] };
  const child = (args: string[]) => {
    const result = spawnSync(process.execPath, [__filename, ...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${args.join(' ')} failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as unknown;
  };
  for (let i = 0; i < 3; i++) {
    for (const mode of ['auto', 'never'] as const) {
      const result = child(['--ingest', storeDir, mode]) as {
        runs: number;
        ms: number;
        parsedInWorker: boolean;
      };
      if (result.runs !== total) throw new Error(`ingested ${result.runs} runs, expected ${total}`);
      if (result.parsedInWorker !== (mode === 'auto')) throw new Error(`${mode}: parsedInWorker is wrong`);
      rates[mode].push(total / (result.ms / 1000));
    }
    rates.baseline.push((child(['--baseline', String(total)]) as { runsPerSec: number }).runsPerSec);
  }
  return {
    worker: Math.round(percentile(rates.auto, 50)),
    mainThread: Math.round(percentile(rates.never, 50)),
    baseline: Math.round(percentile(rates.baseline, 50)),
  };
}

// ---- the log on disk: what the Python shim writes, before and after `mltrace compact` ----------

/** Runs the Python shim really logs; the log of `total` runs is made of copies of them. */
const PYTHON_RUNS = Number(process.env.BENCH_PYTHON_RUNS ?? 2000);
/** Writer files the copies are spread over (processes that ended). */
const PYTHON_FILES = 50;

const PYTHON_PIPELINE = `import sys
from mltrace import register

@register("step", input_vars=["src"], output_vars=["dst"])
def step(i, src="data/in.csv"):
    dst = "data/out%d.csv" % (i % 100)
    open(dst, "w").write("%s,%d\\n" % (open(src).read(), i))
    return dst

for i in range(int(sys.argv[1])):
    step(i)
`;

const dirBytes = (dir: string): number =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((n, entry) => {
    const file = path.join(dir, entry.name);
    return n + (entry.isDirectory() ? dirBytes(file) : fs.statSync(file).size);
  }, 0);

/**
 * The lines of PYTHON_RUNS runs of a four-line function (reading a file, writing one of 100), as
 * the Python shim logs them: grouped by run, in order.
 */
function pythonRuns(): string[][] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-bench-py-'));
  try {
    fs.mkdirSync(path.join(dir, 'data'));
    fs.writeFileSync(path.join(dir, 'data', 'in.csv'), 'x\n1\n');
    fs.writeFileSync(path.join(dir, 'pipeline.py'), PYTHON_PIPELINE);
    const result = spawnSync(process.env.PYTHON ?? 'python3', ['pipeline.py', String(PYTHON_RUNS)], {
      cwd: dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: path.join(__dirname, '..', '..', 'python'),
        MLTRACE_DIR: path.join(dir, '.mltrace'),
      },
    });
    if (result.status !== 0) throw new Error(`the Python pipeline failed: ${result.stderr}`);
    const events = path.join(dir, '.mltrace', 'events');
    const runs = new Map<string, string[]>();
    for (const name of fs.readdirSync(events).filter((n) => n.endsWith('.jsonl'))) {
      for (const line of fs.readFileSync(path.join(events, name), 'utf8').split('\n').filter(Boolean)) {
        const id = (JSON.parse(line) as { run: { runId: string } }).run.runId;
        runs.set(id, [...(runs.get(id) ?? []), line]);
      }
    }
    if (runs.size !== PYTHON_RUNS) throw new Error(`the Python shim logged ${runs.size} runs`);
    return [...runs.values()];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bytes a run costs on disk at `total` runs: the Python shim's lines (copied with new run ids, in
 * PYTHON_FILES ended writer files), the log before and after `mltrace compact`, then the whole
 * store (log, code registry, index and its checksum) once the index is built.
 */
function logFigures(total: number, runs: string[][]): Record<string, number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mltrace-bench-log-${total}-`));
  const storeDir = path.join(dir, '.mltrace');
  const events = path.join(storeDir, 'events');
  fs.mkdirSync(events, { recursive: true });
  try {
    // The first copy keeps the code's own sourceCode event; later ones only name its hash.
    const perFile = Math.ceil(total / PYTHON_FILES);
    for (let f = 0, n = 0; n < total; f++) {
      const lines: string[] = [];
      for (let i = 0; i < perFile && n < total; i++, n++) {
        const run = runs[n % runs.length];
        const id = randomUUID();
        const original = (JSON.parse(run[0]) as { run: { runId: string } }).run.runId;
        for (const line of run) lines.push(n < runs.length ? line : line.replaceAll(original, id));
      }
      const file = path.join(events, `py-bench-${1000 + f}-${f.toString(16).padStart(6, '0')}.jsonl`);
      fs.writeFileSync(file, lines.join('\n') + '\n');
      fs.writeFileSync(`${file}.done`, '');
    }
    fs.mkdirSync(path.join(storeDir, 'code'));
    const looseBytes = dirBytes(events);
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    const compact = spawnSync(process.execPath, [cli, 'compact', '--dir', storeDir], {
      encoding: 'utf8',
      cwd: workspaceOf(storeDir),
    });
    if (compact.status !== 0) throw new Error(`mltrace compact failed: ${compact.stderr}`);
    const compactedBytes = dirBytes(events);
    const ingest = spawnSync(process.execPath, [cli, 'ingest', '--dir', storeDir, '--json'], {
      encoding: 'utf8',
      cwd: workspaceOf(storeDir),
    });
    if (ingest.status !== 0) throw new Error(`mltrace ingest failed: ${ingest.stderr}`);
    const read = JSON.parse(ingest.stdout) as { runs: number };
    if (read.runs !== total) throw new Error(`ingested ${read.runs} runs, expected ${total}`);
    return {
      runs: total,
      looseLogBytesPerRun: Math.round(looseBytes / total),
      logBytesPerRun: Math.round(compactedBytes / total),
      storeBytesPerRun: Math.round(dirBytes(storeDir) / total),
      storeMb: round(dirBytes(storeDir) / 1024 / 1024, 1),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// ---- many writers: the same runs in one file or in one file per run ---------------------------

const MANY_FILES = Number(process.env.BENCH_MANY_FILES ?? 20000);

/**
 * A warm command (`mltrace recent`, the index saved and up to date) on the same runs logged in one
 * file, in MANY_FILES files of ended writers, and in those files once compacted: its CPU time,
 * median of five.
 */
function manyWriterFigures(): Record<string, number> {
  const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
  /** CPU time (user + system) of `mltrace recent`: the machine's load does not move it. */
  const warm = (storeDir: string): number => {
    // Auto-compaction off: the figure is the command's, on the files as they are.
    const env = { ...process.env, MLTRACE_AUTO_COMPACT: '0' };
    const run = (): number => {
      const result = spawnSync(
        'bash',
        [
          '-c',
          `TIMEFORMAT='%3U %3S'; time "$0" "$1" recent --dir "$2" --json > /dev/null`,
          process.execPath,
          cli,
          storeDir,
        ],
        { encoding: 'utf8', env, cwd: workspaceOf(storeDir) },
      );
      if (result.status !== 0) throw new Error(`mltrace recent failed: ${result.stderr}`);
      const [user, system] = result.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
      return (user + system) * 1000;
    };
    run(); // builds and saves the index
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(run());
    return round(percentile(times, 50));
  };
  const runs = pipelines(MANY_FILES);
  const log = (storeDir: string, perFile: number) => {
    for (let i = 0; i < runs.length; i += perFile) writeLog(storeDir, runs.slice(i, i + perFile));
  };
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-bench-many-'));
  try {
    const one = path.join(base, 'one', '.mltrace');
    log(one, runs.length);
    const many = path.join(base, 'many', '.mltrace');
    log(many, 1);
    const oneFileMs = warm(one);
    const manyFilesMs = warm(many);
    const compact = spawnSync(process.execPath, [cli, 'compact', '--dir', many], {
      encoding: 'utf8',
      cwd: workspaceOf(many),
    });
    if (compact.status !== 0) throw new Error(`mltrace compact failed: ${compact.stderr}`);
    const compactedMs = warm(many);
    return {
      writerFiles: MANY_FILES,
      warmCliOneFileCpuMs: oneFileMs,
      warmCliManyFilesCpuMs: manyFilesMs,
      warmCliCompactedCpuMs: compactedMs,
    };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

/**
 * `--calibrate`: a fixed workload of the kinds the engine does (JSON parsed, rows inserted into and
 * read from sql.js), in a fresh process, timed: run before each part, it tells the machine's slow
 * phases (every figure slower alike, CPU time too) from the code's. Quiet, it takes ~0.4 s here.
 */
async function calibrate(): Promise<void> {
  const text = JSON.stringify(
    Array.from({ length: 20_000 }, (_, i) => ({ id: i, name: `run-${i}`, tags: ['a', 'b'], at: i * 1.5 })),
  );
  const SQL = await loadSqlJs();
  const cpu = process.cpuUsage();
  const [, ms] = time(() => {
    for (let i = 0; i < 3; i++) JSON.parse(text);
    const db = new SQL.Database();
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, at REAL); CREATE INDEX t_at ON t (at)');
    const insert = db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    db.exec('BEGIN');
    for (let i = 0; i < 50_000; i++) insert.run([i, `run-${i}`, (i * 7919) % 50_000]);
    db.exec('COMMIT');
    insert.free();
    all(db.prepare('SELECT name FROM t ORDER BY at DESC LIMIT 5000'));
    db.close();
  });
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  console.log(JSON.stringify({ calibrationMs: round(ms), calibrationCpuMs: round(cpuMs) }));
}

/**
 * One part of the bench, in this process: `--part scale <n>`, `deep`, `labels`, `drift`, `log`.
 */
async function part(name: string, arg: string | undefined): Promise<void> {
  if (name === 'scale') console.log(JSON.stringify(await benchScale(Number(arg))));
  else if (name === 'deep') console.log(JSON.stringify(await benchDeep(DEEP_RUNS)));
  else if (name === 'labels') {
    console.log(JSON.stringify(await benchLabels(LABEL_RUNS)));
    console.log(JSON.stringify(await benchLabelFanIn(LABEL_RUNS)));
  } else if (name === 'drift') console.log(JSON.stringify(await benchDrift(DRIFT_RUNS)));
  else if (name === 'log') {
    const runs = pythonRuns();
    for (const scale of SCALES) console.log(JSON.stringify(logFigures(scale, runs)));
    console.log(JSON.stringify(manyWriterFigures()));
  } else throw new Error(`unknown bench part ${name}`);
}

// Staleness with drift (bench/drift.ts); BENCH_DRIFT_RUNS=0 leaves it out.
const DRIFT_RUNS = Number(process.env.BENCH_DRIFT_RUNS ?? 100000);

(async () => {
  if (process.argv[2] === '--ingest') return ingestOnly(process.argv[3], process.argv[4] as 'auto' | 'never');
  if (process.argv[2] === '--baseline') return baselineOnly(Number(process.argv[3]));
  if (process.argv[2] === '--part') return part(process.argv[3], process.argv[4]);
  if (process.argv[2] === '--calibrate') return calibrate();
  if (process.argv[2] === '--drift-check') return driftCheckOnly(process.argv[3]);
  if (process.argv[2] === '--drift-ingest') return driftIngestCheck(process.argv[3], process.argv[4]);
  // Each part runs in a fresh process of its own, so that none measures in the heap, the page
  // cache or the background threads (GC, wasm tiering) that an earlier one left behind.
  // BENCH_ENGINE=0 / BENCH_LOG=0 / BENCH_DEEP_RUNS=0 / BENCH_LABEL_RUNS=0 leave out the engine's
  // figures, those of the log on disk, the deep chain, or the labels.
  const parts: string[][] = [];
  if (process.env.BENCH_ENGINE !== '0') for (const scale of SCALES) parts.push(['scale', String(scale)]);
  if (DEEP_RUNS > 0) parts.push(['deep']);
  if (LABEL_RUNS > 0) parts.push(['labels']);
  if (DRIFT_RUNS > 0) parts.push(['drift']);
  if (process.env.BENCH_LOG !== '0') parts.push(['log']);
  for (const args of parts) {
    // The machine's speed just before the part (calibrate), printed on its own line.
    spawnSync(process.execPath, [__filename, '--calibrate'], { stdio: 'inherit' });
    const result = spawnSync(process.execPath, [...process.execArgv, __filename, '--part', ...args], {
      stdio: 'inherit',
    });
    if (result.status !== 0)
      throw new Error(`bench part ${args.join(' ')} failed (${result.status ?? result.signal})`);
  }
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
