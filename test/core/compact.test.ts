// Compaction (docs/LAYOUT.md): the files of ended writers merged into gzip segments, read by
// ingest as if they were still loose: nothing lost, nothing read twice, a running writer's file
// never touched, and a compaction killed at any step leaves an exact store.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import { compactLog, endedFiles } from '../../src/core/segments/compact';
import { listSegments, readManifest, segmentDataPath } from '../../src/core/segments/manifest';
import { loadSqlJs } from '../../src/core/sql';
import type { LineageStore } from '../../src/core/store';
import { segmentsDir } from '../../src/core/storeDir';
import type { EventWriter } from '../../src/core/writer';
import { at, Fixture, queryState, repoRoot, tempFixture } from '../helpers/lineage';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const PYTHON = process.env.PYTHON ?? 'python3';

/** Runs of a three-stage chain, each reading the previous stage's output: dependencies across files. */
function logChain(writer: EventWriter, n: number, offset: number): void {
  for (let i = 0; i < n; i++) {
    const stage = i % 3;
    writer.logRun(
      {
        component: `stage${stage}`,
        startTime: at(offset + i * 10),
        inputs: stage === 0 ? [{ name: 'raw.csv' }] : [{ name: `out${stage - 1}.csv` }],
        source: {
          sourceFile: `stage${stage}.py`,
          sourceLine: 3,
          code: { language: 'python', source: `def s${stage}(): pass\n` },
        },
      },
      { status: 'complete', endTime: at(offset + i * 10 + 5), outputs: [{ name: `out${stage}.csv` }] },
    );
  }
}

/** Every row of every table of a snapshot, in a fixed order: equal dumps are equal indexes. */
async function dump(snapshot: string): Promise<string> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(snapshot));
  try {
    const tables = db.exec(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)[0].values;
    return tables
      .map(([name]) => {
        const rows = db.exec(`SELECT * FROM "${String(name)}"`)[0]?.values ?? [];
        return `${String(name)}\n${rows
          .map((r) => JSON.stringify(r))
          .sort()
          .join('\n')}`;
      })
      .join('\n\n');
  } finally {
    db.close();
  }
}

/** Every line the store holds, as ingest must see them: loose files, then segments (not their sources). */
function allLines(fx: Fixture): string[] {
  const merged = new Set<string>();
  const lines: string[] = [];
  for (const id of listSegments(fx.storeDir)) {
    const manifest = readManifest(fx.storeDir, id);
    for (const s of manifest.sources) merged.add(s.name);
    const text = gunzipSync(fs.readFileSync(segmentDataPath(fx.storeDir, id))).toString('utf8');
    assert.equal(Buffer.byteLength(text), manifest.bytes, 'the segment holds what its manifest says');
    lines.push(...text.split('\n').filter(Boolean));
  }
  for (const name of fs.readdirSync(fx.eventsDir).filter((n) => n.endsWith('.jsonl'))) {
    if (merged.has(name)) continue;
    lines.push(...fs.readFileSync(fx.file(name), 'utf8').split('\n').filter(Boolean));
  }
  return lines;
}

const jsonlFiles = (fx: Fixture) => fs.readdirSync(fx.eventsDir).filter((n) => n.endsWith('.jsonl'));

function cli(fx: Fixture, args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, ...args, '--dir', fx.storeDir], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

/** Ingests and returns how many events it read (each must be read exactly once overall). */
const eventsRead = (store: LineageStore): number => store.ingest().events;

describe('compaction', () => {
  test('merging many ended writers keeps the index: nothing read again, the same index rebuilt', async (t) => {
    const fx = tempFixture(t);
    for (let w = 0; w < 40; w++) {
      const writer = fx.writer(`py`);
      logChain(writer, 3, w * 100);
      writer.close();
    }
    const running = fx.writer('running');
    logChain(running, 3, 9000);
    const store = await fx.open({ autoCompact: false });
    const before = queryState(store);
    assert.equal(store.recent({ limit: 1000 }).items.length, 123);
    assert.equal(endedFiles(fx.storeDir).length, 40);

    const report = compactLog(fx.storeDir, { memberBytes: 4096 });
    assert.equal(report.files, 40);
    assert.equal(report.running, 1);
    assert.equal(report.segments, 1);
    assert.ok(
      report.compressedBytes < report.bytes / 4,
      `gzip: ${report.compressedBytes} of ${report.bytes} bytes`,
    );
    assert.deepEqual(jsonlFiles(fx), [path.basename(running.file)], 'only the running writer is left loose');
    assert.deepEqual(
      fs.readdirSync(fx.eventsDir).filter((n) => n.endsWith('.done')),
      [],
      'the markers went with their files',
    );
    const [id] = listSegments(fx.storeDir);
    assert.ok(readManifest(fx.storeDir, id).members.length > 1, 'several gzip members');

    // The index built before the compaction stays valid: nothing is read again.
    const after = store.ingest();
    assert.equal(after.events, 0);
    assert.equal(after.segments, 1, 'the segment is recorded as read');
    assert.equal(queryState(store), before);
    store.close();
    const incremental = await dump(fx.snapshot);
    // Saved: the next command neither reads the manifest nor looks at the merged files again.
    const warm = await fx.open({ autoCompact: false, deferIngest: true });
    assert.deepEqual((({ files, events, segments }) => ({ files, events, segments }))(warm.ingest()), {
      files: 0,
      events: 0,
      segments: 0,
    });
    warm.close({ save: false });

    // From nothing, from the segment: the same index, row for row.
    fs.rmSync(fx.snapshot);
    const rebuilt = await fx.open({ autoCompact: false });
    assert.equal(queryState(rebuilt), before);
    rebuilt.close();
    assert.equal(await dump(fx.snapshot), incremental);
  });

  test('a file read in part before it was merged is read on from where the index stopped', async (t) => {
    const fx = tempFixture(t);
    const writer = fx.writer('py');
    logChain(writer, 4, 0);
    const store = await fx.open({ autoCompact: false });
    assert.equal(eventsRead(store), 0, 'opening read the first part');
    assert.equal(store.recent().items.length, 4);
    logChain(writer, 5, 1000);
    writer.close();
    assert.equal(compactLog(fx.storeDir).files, 1);
    assert.equal(eventsRead(store), 10, 'only the 5 runs appended since');
    assert.equal(eventsRead(store), 0);
    assert.equal(store.recent().items.length, 9);
    const before = queryState(store);
    store.close();
    fs.rmSync(fx.snapshot);
    const rebuilt = await fx.open({ autoCompact: false });
    assert.equal(queryState(rebuilt), before);
  });

  test("a bad line read from a segment is reported at its writer's file and line, not the segment", async (t) => {
    for (const parseInWorker of ['never', 'always'] as const) {
      const fx = tempFixture(t);
      const before = fx.writer('py');
      logChain(before, 2, 0);
      before.close();
      const writer = fx.writer('py');
      logChain(writer, 2, 100);
      // Lines 5 and 6 of this writer's file (after two runs' START and COMPLETE).
      fs.appendFileSync(writer.file, '{"not an event"\n[]\n');
      logChain(writer, 1, 200);
      writer.close();
      const name = path.basename(writer.file);
      assert.equal(compactLog(fx.storeDir).files, 2);
      assert.ok(!fs.existsSync(writer.file), 'merged');

      const store = await fx.open({ autoCompact: false, deferIngest: true, parseInWorker });
      const report = store.ingest();
      assert.equal(report.parsedInWorker, parseInWorker === 'always');
      assert.deepEqual(
        report.problems.map((p) => [p.file, p.line, p.severity]),
        [
          [fx.file(name), 5, 'error'],
          [fx.file(name), 6, 'error'],
        ],
        `${parseInWorker}: the writer's file and its line numbers`,
      );
      assert.deepEqual(
        store.problems().map((p) => [p.file, p.line]),
        [
          [fx.file(name), 5],
          [fx.file(name), 6],
        ],
      );
      assert.equal(store.recent({ limit: 100 }).items.length, 5, 'the runs around the bad lines are kept');
      store.close({ save: false });
    }
  });

  test("a running writer's file is never moved: it keeps appending, and is merged once it ends", async (t) => {
    const fx = tempFixture(t);
    const writer = fx.writer('py');
    logChain(writer, 3, 0);
    const file = writer.file;
    for (let i = 0; i < 3; i++) {
      const report = compactLog(fx.storeDir);
      assert.equal(report.files, 0);
      assert.equal(report.running, 1);
      assert.ok(fs.existsSync(file));
      logChain(writer, 3, 100 * (i + 1));
    }
    writer.close();
    assert.ok(fs.existsSync(`${file}.done`), 'the writer marked its end');
    assert.equal(compactLog(fx.storeDir).files, 1);
    assert.ok(!fs.existsSync(file));
    const store = await fx.open({ autoCompact: false });
    assert.equal(store.recent({ limit: 100 }).items.length, 12);
    // A writer that goes on after close() starts a new file: the merged one is never reopened.
    logChain(writer, 1, 5000);
    assert.notEqual(writer.file, file);
    assert.equal(store.ingest().runs, 1);
  });

  test('a compaction killed at each step leaves the store exact, and the next one finishes it', async (t) => {
    for (const step of ['segment', 'manifest', 'delete']) {
      const fx = tempFixture(t);
      for (let w = 0; w < 12; w++) {
        const writer = fx.writer('py');
        logChain(writer, 2, w * 100);
        writer.close();
      }
      const total = allLines(fx).length;
      // An index that has read half the files before the compaction.
      const half = fx.writer('late');
      const store = await fx.open({ autoCompact: false, deferIngest: true });
      let read = store.ingest().events;
      logChain(half, 2, 5000);
      half.close();

      const killed = cli(fx, ['compact'], { MLTRACE_COMPACT_KILL_AT: step });
      assert.equal(killed.signal, 'SIGKILL', `${step}: ${killed.stderr}`);
      assert.equal(allLines(fx).length, total + 4, `${step}: every line once, before the rerun`);
      read += eventsRead(store);
      assert.equal(read, total + 4, `${step}: read once each, from wherever they are`);

      const rerun = cli(fx, ['compact', '--json']);
      assert.equal(rerun.status, 0, rerun.stderr);
      assert.deepEqual(jsonlFiles(fx), [], `${step}: everything merged`);
      assert.deepEqual(
        fs.readdirSync(segmentsDir(fx.storeDir)).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock')),
        [],
      );
      assert.equal(allLines(fx).length, total + 4);
      assert.equal(eventsRead(store), 0, `${step}: nothing read twice`);
      assert.equal(store.recent({ limit: 100 }).items.length, 26);
      const state = queryState(store);
      store.close();
      fs.rmSync(fx.snapshot);
      const rebuilt = await fx.open({ autoCompact: false });
      assert.equal(queryState(rebuilt), state, `${step}: rebuilt from the segments alone`);
      rebuilt.close();
    }
  });

  test('python writers keep logging while compactions run in a loop: every run exactly once', async (t) => {
    const fx = tempFixture(t);
    const script = path.join(fx.root, 'job.py');
    fs.writeFileSync(
      script,
      [
        'import sys, mltrace',
        '',
        "@mltrace.register('job', input_vars=[], output_vars=[])",
        'def job(i):',
        '    return i * 2',
        '',
        'for i in range(int(sys.argv[1])):',
        '    job(i)',
        '',
      ].join('\n'),
    );
    const env = { ...process.env, PYTHONPATH: path.join(repoRoot, 'python'), MLTRACE_DIR: fx.storeDir };
    const python = (runs: number) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(PYTHON, [script, String(runs)], { cwd: fx.root, env, stdio: 'ignore' });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`python exited ${code}`))));
      });
    const RUNS = 5;
    const PROCESSES = 3;
    const LOOPS = 2;
    let writing = true;
    const writers = (async () => {
      const lanes = Array.from({ length: LOOPS }, async () => {
        for (let p = 0; p < PROCESSES; p++) await python(RUNS);
      });
      await Promise.all(lanes);
      writing = false;
    })();
    // A long-lived writer that is running during every compaction.
    const long = spawn(
      PYTHON,
      [
        '-c',
        `import time, runpy, sys; sys.argv=['job.py','1']; runpy.run_path(${JSON.stringify(script)}); time.sleep(60)`,
      ],
      { cwd: fx.root, env, stdio: 'ignore' },
    );
    t.after(() => long.kill('SIGKILL'));
    const store = await fx.open({ autoCompact: false });
    let read = 0;
    let compactions = 0;
    while (writing) {
      const result = await new Promise<number | null>((resolve) => {
        spawn(process.execPath, [CLI, 'compact', '--dir', fx.storeDir], { stdio: 'ignore' }).on(
          'close',
          resolve,
        );
      });
      assert.equal(result, 0);
      compactions++;
      read += store.ingest().events;
    }
    await writers;
    assert.equal(cli(fx, ['compact']).status, 0);
    read += store.ingest().events;
    const expected = LOOPS * PROCESSES * RUNS + 1;
    assert.ok(compactions >= 2, `${compactions} compactions ran beside the writers`);
    assert.equal(store.recent({ limit: 1000 }).items.length, expected);
    assert.equal(read, expected * 2, 'each START and COMPLETE read once');
    const lines = allLines(fx);
    assert.equal(lines.length, expected * 2);
    assert.equal(new Set(lines).size, lines.length, 'no line twice');
    const loose = jsonlFiles(fx);
    assert.equal(loose.length, 1, 'only the running writer is loose');
    assert.ok(!fs.existsSync(fx.file(`${loose[0]}.done`)));
  });
});
