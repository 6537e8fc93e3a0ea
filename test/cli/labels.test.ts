// `mltrace labels` and `mltrace label <id>` (docs/LABELS.md): the built CLI in a real node process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { retractionEvent } from '../../src/core/labels/events';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const DAY_MS = 86400e3;

function mltrace(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const merged: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...env };
  delete merged.MLTRACE_DIR;
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: merged, timeout: 30000 });
}

describe('mltrace labels / label', () => {
  let root: string;
  let alice: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cli-labels-'));
    fs.mkdirSync(path.join(root, '.mltrace'));
    const w = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'cli-test');
    const now = Date.now();
    const run = (component: string, ago: number, inputs: Array<[string, string[]?]>, output: string) =>
      w.logRun(
        {
          component,
          startTime: new Date(now - ago),
          inputs: inputs.map(([name, labels]) => ({ name, labels })),
        },
        { status: 'complete', endTime: new Date(now - ago + 1000), outputs: [{ name: output }] },
      );
    run('ingest', 5 * DAY_MS, [['raw/alice.csv', ['Alice']]], 'data/a.csv');
    run('ingest', 5 * DAY_MS - 10, [['raw/bob.csv', ['Bob', 'Carol']]], 'data/b.csv');
    alice = run('train', 4 * DAY_MS, [['data/a.csv'], ['data/b.csv']], 'models/topic.joblib');
    // A label with a terminal escape in it, as anyone may write.
    run('ingest', 4 * DAY_MS, [['raw/x.csv', ['evil\x1b[31mred']]], 'data/x.csv');
    w.append(retractionEvent(['Alice'], new Date(now - 3 * DAY_MS)));
    w.close();
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('labels: each label, how many pointers carry it, retracted when; retracted first', () => {
    const result = mltrace(root, ['labels']);
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^LABEL\s+POINTERS\s+RETRACTED$/);
    assert.match(lines[1], /^Alice\s+3\s+3 d ago \(\d{4}-\d\d-\d\d\)$/);
    assert.match(lines[2], /^Bob\s+3\s+—$/);
    assert.match(lines[3], /^Carol\s+3\s+—$/);
    assert.ok(!result.stdout.includes('\x1b'), 'no escape sequence from a label reaches the terminal');
    const json = JSON.parse(mltrace(root, ['labels', '--json']).stdout) as Array<Record<string, unknown>>;
    assert.deepEqual(
      json.map((l) => [l.label, l.pointers, typeof l.retractedAt]),
      [
        ['Alice', 3, 'string'],
        ['Bob', 3, 'object'],
        ['Carol', 3, 'object'],
        ['evil\x1b[31mred', 2, 'object'],
      ],
    );
  });

  it('label <id>: the pointers that carry it and the runs that wrote them', () => {
    const result = mltrace(root, ['label', 'Alice']);
    assert.equal(result.status, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Alice: retracted 3 days ago \(\d{4}-\d\d-\d\d\); 3 pointers carry it now, read by 2 runs\./,
    );
    assert.match(result.stdout, /models\/topic\.joblib\s+train \(run [0-9a-f]{8}\)\s+4 d ago/);
    assert.match(result.stdout, /raw\/alice\.csv\s+— \(attached where read\)/);
    const json = JSON.parse(mltrace(root, ['label', 'Alice', '--json']).stdout) as {
      carriers: Array<{ pointer: string; runId: string | null }>;
    };
    assert.deepEqual(
      json.carriers.map((c) => c.pointer),
      ['data/a.csv', 'models/topic.joblib', 'raw/alice.csv'],
    );
    assert.equal(json.carriers[1].runId, alice);
  });

  it('an unknown label exits 1 with one line; the help lists both commands', () => {
    const result = mltrace(root, ['label', 'Zed']);
    assert.equal(result.status, 1);
    assert.equal(result.stderr, 'mltrace: No label "Zed" was attached or retracted in this log.\n');
    const help = mltrace(root, ['--help']).stdout;
    assert.match(help, /labels\s+labels: how many pointers carry each/);
    assert.match(help, /label <id>\s+the pointers that carry a label now/);
  });
});
