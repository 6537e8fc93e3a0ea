// `mltrace` on a lineage thousands of runs deep, as a whole process: no stack overflow, output that
// grows linearly with the trace (the tree's indent is capped), and review that answers.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const N = 12_000;
const BASE = Date.parse('2026-01-01T00:00:00Z');

function mltrace(cwd: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  return spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env,
    timeout: 60_000,
    maxBuffer: 1 << 30,
  });
}

describe(`mltrace on a chain ${N.toLocaleString('en')} runs deep`, () => {
  let root: string;
  const ids: string[] = [];

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-deep-'));
    fs.mkdirSync(path.join(root, '.mltrace'));
    const w = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'test');
    for (let i = 0; i < N; i++) {
      ids.push(
        w.logRun(
          {
            component: 'finetune',
            startTime: new Date(BASE + i * 3600e3),
            inputs: i ? [{ name: `ckpt/${i - 1}.pt` }] : [],
          },
          {
            status: 'complete',
            endTime: new Date(BASE + i * 3600e3 + 1000),
            outputs: [{ name: `ckpt/${i}.pt` }],
          },
        ),
      );
    }
    w.flag(`ckpt/${N - 1}.pt`, true);
    w.close();
  });
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  test('trace upstream from its end, as JSON and as a tree', () => {
    const json = mltrace(root, 'trace', `ckpt/${N - 1}.pt`, '--json');
    assert.equal(json.status, 0, json.stderr);
    const runs = (JSON.parse(json.stdout) as { runs: Array<{ id: string; depth: number }> }).runs;
    assert.equal(runs.length, N);
    assert.deepEqual(runs[N - 1], { ...runs[N - 1], id: ids[0], depth: N - 1 });
    const text = mltrace(root, 'trace', `ckpt/${N - 1}.pt`);
    assert.equal(text.status, 0, text.stderr);
    const lines = text.stdout.trimEnd().split('\n');
    assert.equal(lines.length, N + 1);
    // The indent stops growing: a deep run says its depth instead.
    assert.ok(
      lines.every((l) => l.length < 200),
      `longest line: ${Math.max(...lines.map((l) => l.length))} characters`,
    );
    assert.match(lines[N], new RegExp(`\\b${N - 1}\\b.*finetune ${ids[0].slice(0, 8)}`));
  });

  test('a reader that stops early (| head) ends the command quietly', async () => {
    for (const args of [
      ['trace', `ckpt/${N - 1}.pt`],
      ['trace', `ckpt/${N - 1}.pt`, '--json'],
    ]) {
      const child = spawn(process.execPath, [CLI, ...args], {
        cwd: root,
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      // The first chunk read, the pipe is closed: the rest of a long trace has nowhere to go.
      child.stdout.once('data', () => child.stdout.destroy());
      const [code, signal] = await new Promise<[number | null, string | null]>((resolve) =>
        child.on('close', (c, s) => resolve([c, s])),
      );
      assert.equal(stderr, '', `mltrace ${args.join(' ')} wrote to stderr`);
      assert.deepEqual([code, signal], [0, null]);
    }
  });

  test('trace downstream from its start', () => {
    const result = mltrace(root, 'trace', 'ckpt/0.pt', '--downstream', '--json');
    assert.equal(result.status, 0, result.stderr);
    const runs = (JSON.parse(result.stdout) as { runs: Array<{ id: string; depth: number }> }).runs;
    assert.equal(runs.length, N - 1);
    assert.equal(runs[N - 2].depth, N - 2);
  });

  test('review with its last output flagged', () => {
    const result = mltrace(root, 'review', '--limit', '3', '--json');
    assert.equal(result.status, 0, result.stderr);
    const review = JSON.parse(result.stdout) as {
      flagged: string[];
      runs: Array<{ id: string; count: number }>;
    };
    assert.deepEqual(review.flagged, [`ckpt/${N - 1}.pt`]);
    assert.deepEqual(
      review.runs.map((r) => [r.id, r.count]),
      [
        [ids[N - 1], 1],
        [ids[N - 2], 1],
        [ids[N - 3], 1],
      ],
    );
  });
});
