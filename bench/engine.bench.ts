// `npm run bench`: the engine at 10k and 100k runs, beside raw sql.js doing the same inserts and
// the same recursive query. Prints one JSON object per scale, then one for a chain 50,000 runs
// deep (BENCH_DEEP_RUNS; 0 skips it). Runs bundled (out/bench/, built by
// scripts/build.mjs), as the CLI and the extension run the engine.
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

const SCALES = (process.env.BENCH_SCALES ?? '10000,100000').split(',').map(Number);
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
      });
      cliTimes.push(performance.now() - start);
      if (result.status !== 0) throw new Error(`mltrace trace failed: ${result.stderr}`);
    }

    // The peak memory is this process's, as users run the engine (above); the ingest figures and
    // the raw sql.js comparison below run elsewhere or after, and are not in it.
    const rssMb = Math.round(peakRss / 1024 / 1024);
    clearInterval(rssTimer);
    const snapshotMb = round(fs.statSync(path.join(storeDir, 'lineage.sqlite')).size / 1024 / 1024, 1);

    const ingest = ingestRunsPerSec(storeDir, total);
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
      rssMb,
      baselineInsertRunsPerSec: raw.insertRunsPerSec,
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
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const DEEP_RUNS = Number(process.env.BENCH_DEEP_RUNS ?? 50000);

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
    fs.rmSync(dir, { recursive: true, force: true });
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

/**
 * Ingest as a user meets it (a first `mltrace` command, or opening the workspace): a fresh process
 * and a fresh index. Median of three, each mode in turn.
 */
function ingestRunsPerSec(storeDir: string, total: number): { worker: number; mainThread: number } {
  const rates: Record<'auto' | 'never', number[]> = { auto: [], never: [] };
  for (let i = 0; i < 3; i++) {
    for (const mode of ['auto', 'never'] as const) {
      const child = spawnSync(process.execPath, [__filename, '--ingest', storeDir, mode], {
        encoding: 'utf8',
      });
      if (child.status !== 0) throw new Error(`ingest (${mode}) failed: ${child.stderr}`);
      const result = JSON.parse(child.stdout) as { runs: number; ms: number; parsedInWorker: boolean };
      if (result.runs !== total) throw new Error(`ingested ${result.runs} runs, expected ${total}`);
      if (result.parsedInWorker !== (mode === 'auto')) throw new Error(`${mode}: parsedInWorker is wrong`);
      rates[mode].push(total / (result.ms / 1000));
    }
  }
  return {
    worker: Math.round(percentile(rates.auto, 50)),
    mainThread: Math.round(percentile(rates.never, 50)),
  };
}

(async () => {
  if (process.argv[2] === '--ingest') return ingestOnly(process.argv[3], process.argv[4] as 'auto' | 'never');
  for (const scale of SCALES) console.log(JSON.stringify(await benchScale(scale)));
  if (DEEP_RUNS > 0) console.log(JSON.stringify(await benchDeep(DEEP_RUNS)));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
