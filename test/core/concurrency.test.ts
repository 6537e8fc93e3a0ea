// Concurrent writers (DESIGN.md §3, docs/EVENTS.md): each writer appends whole lines to a file
// of its own, so nothing is lost or interleaved, even while a reader ingests.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Problem } from '../../src/core/model';
import { at, repoRoot, tempFixture } from '../helpers/lineage';

const CHILD = `
import { EventWriter } from ${JSON.stringify(path.join(repoRoot, 'src', 'core', 'writer'))};
import { storeLocation } from ${JSON.stringify(path.join(repoRoot, 'src', 'core', 'storeDir'))};
const [storeDir, id, countText] = process.argv.slice(2);
const count = Number(countText);
const w = new EventWriter(storeLocation(storeDir, {}), 'child' + id);
const base = Date.parse('2026-01-01T00:00:00Z');
for (let i = 0; i < count; i++) {
  const runId = w.logRun(
    { component: 'child-' + id, startTime: new Date(base + i * 1000 + Number(id)), inputs: [{ name: 'shared-input' }] },
    { status: 'complete', endTime: new Date(base + i * 1000 + 500), outputs: [{ name: 'out-' + id + '-' + i }] },
  );
  // Long lines now and then, so that a reader often finds a line half written.
  if (i % 20 === 0) w.addNotes(runId, 'child-' + id, id + ':' + i + ':' + 'x'.repeat(64 * 1024));
}
w.close();
process.stdout.write(w.file);
`;

function runChild(
  file: string,
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('concurrent writers', () => {
  test('child processes and in-process writers append at once: no lost or interleaved lines', async (t) => {
    const fx = tempFixture(t);
    const childFile = path.join(path.dirname(fx.root), 'child-writer.ts');
    fs.writeFileSync(childFile, CHILD);
    const CHILDREN = 3;
    const PER_CHILD = 200;
    const notesPerChild = Math.ceil(PER_CHILD / 20);

    const store = await fx.open();
    const problems: Problem[] = [];
    let ingestsWithData = 0;
    let done = false;
    const children = Promise.all(
      Array.from({ length: CHILDREN }, (_, i) =>
        runChild(childFile, [fx.storeDir, String(i + 1), String(PER_CHILD)]),
      ),
    ).finally(() => (done = true));

    // Meanwhile: three writers in this process, taking turns line by line, and a reader.
    const IN_PROCESS = 3;
    const PER_WRITER = 100;
    const writers = Array.from({ length: IN_PROCESS }, (_, i) => fx.writer(`local${i}`));
    for (let i = 0; i < PER_WRITER; i++) {
      writers.forEach((w, k) =>
        w.logRun(
          { component: `local-${k}`, startTime: at(i * 10 + k) },
          { status: 'complete', endTime: at(i * 10 + k + 1), outputs: [{ name: `local-${k}-${i}` }] },
        ),
      );
      if (i % 10 === 0) {
        const report = store.ingest();
        problems.push(...report.problems);
        if (report.bytes > 0) ingestsWithData++;
        await sleep(5);
      }
    }
    while (!done) {
      const report = store.ingest();
      problems.push(...report.problems);
      if (report.bytes > 0) ingestsWithData++;
      await sleep(15);
    }
    const results = await children;
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const final = store.ingest();
    problems.push(...final.problems);

    assert.deepEqual(problems, [], 'no reader ever saw a broken line');
    assert.ok(ingestsWithData >= 2, `the reader ingested while writers wrote (${ingestsWithData} times)`);

    const childFiles = results.map((r) => r.stdout);
    assert.equal(new Set(childFiles).size, CHILDREN, 'each process has a file of its own');
    for (const [i, file] of childFiles.entries()) {
      assert.equal(path.dirname(file), fx.eventsDir);
      const text = fs.readFileSync(file, 'utf8');
      assert.ok(text.endsWith('\n'));
      const lines = text.slice(0, -1).split('\n');
      assert.equal(lines.length, PER_CHILD * 2 + notesPerChild, `${file}: every line is there`);
      for (const l of lines) {
        const event = JSON.parse(l) as { job: { name: string } };
        assert.equal(event.job.name, `child-${i + 1}`, 'only its own events, whole');
      }
    }
    for (const w of writers) {
      const lines = fs.readFileSync(w.file, 'utf8').slice(0, -1).split('\n');
      assert.equal(lines.length, PER_WRITER * 2);
      lines.forEach((l) => JSON.parse(l));
    }

    const total = CHILDREN * PER_CHILD + IN_PROCESS * PER_WRITER;
    assert.equal(store.recent({ limit: 100000 }).items.length, total);
    for (let i = 1; i <= CHILDREN; i++) {
      const runs = store.history(`child-${i}`, { limit: 100000 });
      assert.equal(runs.length, PER_CHILD);
      assert.ok(runs.every((r) => r.status === 'complete'));
      const notes = runs.filter((r) => r.notes !== '');
      assert.equal(notes.length, notesPerChild);
      for (const r of notes) assert.match(r.notes, new RegExp(`^${i}:\\d+:x{${64 * 1024}}$`));
    }
    for (let k = 0; k < IN_PROCESS; k++)
      assert.equal(store.history(`local-${k}`, { limit: 100000 }).length, PER_WRITER);
    assert.equal(store.trace('shared-input', { downstream: true }).runs.length, CHILDREN * PER_CHILD);
  });

  test('two writers in one process get different files, and two stores can read the same log', async (t) => {
    const fx = tempFixture(t);
    const a = fx.writer('same');
    const b = fx.writer('same');
    assert.notEqual(a.file, b.file);
    for (let i = 0; i < 50; i++) {
      a.logRun(
        { component: 'a', startTime: at(2 * i) },
        { status: 'complete', endTime: at(2 * i + 1), outputs: [{ name: 'x.csv' }] },
      );
      b.logRun(
        { component: 'b', startTime: at(2 * i + 1), inputs: [{ name: 'x.csv' }] },
        { status: 'complete', endTime: at(2 * i + 2) },
      );
    }
    const one = await fx.open();
    const two = await fx.open();
    const bRuns = one.history('b', { limit: 1000 });
    const aRuns = one.history('a', { limit: 1000 });
    assert.equal(bRuns.length, 50);
    // Each b run depends on the a run that started just before it.
    bRuns.forEach((r, i) => assert.deepEqual(r.dependencies, [aRuns[i].id]));
    assert.deepEqual(two.recent({ limit: 1000 }), one.recent({ limit: 1000 }));
  });
});
