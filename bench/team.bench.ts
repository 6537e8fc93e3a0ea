// The team store's figures (issue 8), against one PostgreSQL cluster started here on loopback
// (test/helpers/postgres.ts; Debian's postgresql package). Prints one JSON object:
//   teamPushEventsPerSec  events stored per second when one store pushes RUNS runs (2 events each)
//   teamPullEventsPerSec  events written per second when another store pulls them all
//   teamVisibleMs         median of 20: from a run's COMPLETE written on one store, pushed as the
//                         Python shim pushes (right after the write), to that run answering
//                         `inspect` on another store that LISTENs, pulls on NOTIFY and ingests
// Targets: ≥ 20,000 events/s each way; teamVisibleMs ≤ 1,000.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { LineageStore } from '../src/core/store';
import { storeLocation } from '../src/core/storeDir';
import { CHANNEL } from '../src/core/team/schema';
import { connect } from '../src/core/team/server';
import { syncTeam } from '../src/core/team/sync';
import { EventWriter } from '../src/core/writer';
import { startPostgres } from '../test/helpers/postgres';

const RUNS = Number(process.env.TEAM_BENCH_RUNS ?? 100_000);
const VISIBLE_SAMPLES = 20;

function newStore(tmp: string, name: string): string {
  const dir = path.join(tmp, name, '.mltrace');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

async function main(): Promise<void> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-team-bench-'));
  const pg = await startPostgres();
  const options = { password: pg.adminPassword };
  try {
    // A year of a busy team: RUNS runs in one store, each reading the previous one's output.
    const alice = newStore(tmp, 'alice');
    const writer = new EventWriter(storeLocation(alice), 'bench');
    for (let i = 0; i < RUNS; i++)
      writer.logRun(
        { component: `step${i % 50}`, inputs: [{ name: `data/${i}.csv` }] },
        { status: 'complete', outputs: [{ name: `data/${i + 1}.csv` }] },
      );
    writer.close();

    let started = performance.now();
    const pushed = await syncTeam(alice, pg.adminUri, { ...options, pull: false });
    const pushSeconds = (performance.now() - started) / 1000;

    const bob = newStore(tmp, 'bob');
    started = performance.now();
    const pulled = await syncTeam(bob, pg.adminUri, { ...options, push: false });
    const pullSeconds = (performance.now() - started) / 1000;
    if (pushed.pushed !== RUNS * 2 || pulled.pulled !== RUNS * 2)
      throw new Error(`pushed ${pushed.pushed}, pulled ${pulled.pulled}, expected ${RUNS * 2} each`);

    const visible = await measureVisible(tmp, pg.adminUri, pg.adminPassword);
    console.log(
      JSON.stringify({
        teamRuns: RUNS,
        teamPushEventsPerSec: Math.round(pushed.pushed / pushSeconds),
        teamPullEventsPerSec: Math.round(pulled.pulled / pullSeconds),
        teamVisibleMs: visible,
      }),
    );
  } finally {
    pg.remove();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Median milliseconds from a COMPLETE written on one store to `inspect` answering on another. */
async function measureVisible(tmp: string, uri: string, password: string): Promise<number> {
  const writerDir = newStore(tmp, 'carol');
  const readerDir = newStore(tmp, 'dave');
  await syncTeam(readerDir, uri, { password, push: false });
  const reader = await LineageStore.open({ dir: readerDir });
  const listener = await connect(uri, { password });
  await listener.query(`LISTEN ${CHANNEL}`);
  const writer = new EventWriter(storeLocation(writerDir), 'bench');
  const samples: number[] = [];
  try {
    for (let i = 0; i < VISIBLE_SAMPLES; i++) {
      const arrived = new Promise<void>((resolve) => listener.once('notification', () => resolve()));
      const handle = writer.startRun({ component: 'live', inputs: [{ name: 'data/in.csv' }] });
      writer.endRun(handle, { status: 'complete', outputs: [{ name: 'data/out.csv' }] });
      const written = performance.now();
      await syncTeam(writerDir, uri, { password, pull: false });
      await arrived;
      for (;;) {
        await syncTeam(readerDir, uri, { password, push: false });
        reader.ingest();
        try {
          reader.inspect(handle.runId);
          break;
        } catch {
          // not there yet: the notification came before the commit was visible to this pull
        }
      }
      samples.push(performance.now() - written);
    }
  } finally {
    writer.close();
    reader.close({ save: false });
    await listener.end();
  }
  samples.sort((a, b) => a - b);
  return Math.round(samples[Math.floor(samples.length / 2)]);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
