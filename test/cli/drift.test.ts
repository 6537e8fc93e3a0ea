// `mltrace drift` and drift reasons in `mltrace stale`, as a user runs them: the built bundle in a
// real node process, over a log whose events carry data profiles (test/helpers/profiles.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { tempFixture, uuid } from '../helpers/lineage';
import { Columns, normal, pipeline, sample, seeded } from '../helpers/profiles';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

function mltrace(cwd: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  return spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, timeout: 30000 });
}

function features(seed: number, shift = 0): Columns {
  const random = seeded(seed);
  return {
    age: sample(5000, () => Math.round(normal(random, 40 + shift, 12))),
    city: sample(5000, () => ['north', 'south', 'east', 'west'][Math.floor(random() * 4)]),
  };
}

/** featurize writes v1, train reads it, featurize writes v2 with age shifted. */
function workspace(t: Parameters<typeof tempFixture>[0]) {
  const fx = tempFixture(t);
  pipeline(fx, features(1), features(2, 12));
  return fx;
}

describe('mltrace drift', () => {
  test('human output: the two versions, then per column PSI, null rates and summaries, drifted first', (t) => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    const fx = workspace(t);
    const result = mltrace(fx.root, 'drift', 'data/features.csv');
    assert.equal(result.status, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^data\/features\.csv: drifted \(PSI threshold 0\.2\)$/);
    assert.match(
      lines[1],
      /^ {2}current {4}data\/features\.csv sha256:v2 {2}5,000 rows — the latest logged version$/,
    );
    assert.match(
      lines[2],
      /^ {2}reference {2}data\/features\.csv sha256:v1 {2}5,000 rows — the version train \(run 7106a157\), its latest reader, read$/,
    );
    assert.match(lines[4], /^COLUMN\s+TYPE\s+PSI\s+NULLS\s+REFERENCE\s+CURRENT\s+VERDICT$/);
    assert.match(
      lines[5],
      /^age\s+integer\s+\d+\.\d\d\s+0% → 0%\s+median 40 \[.*\]\s+median 52 \[.*\]\s+drifted$/,
    );
    assert.match(
      lines[6],
      /^city\s+string\s+0\.0\d\s+0% → 0%\s+\w+ 2\d%, \w+ 2\d%, \w+ 2\d% \+1\s+.*\s+same$/,
    );

    // A threshold above every PSI: the same distribution.
    const lenient = mltrace(fx.root, 'drift', 'data/features.csv', '--drift-threshold', '100');
    assert.match(lenient.stdout.split('\n')[0], /: same distribution \(PSI threshold 100\)$/);
    const bad = mltrace(fx.root, 'drift', 'data/features.csv', '--drift-threshold', 'high');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--drift-threshold needs a positive number/);
    // An ignored column is listed last, as ignored, and counts for nothing.
    const ignoring = mltrace(
      fx.root,
      'drift',
      'data/features.csv',
      '--drift-ignore',
      'a*',
      '--drift-ignore',
      'zip',
    );
    assert.equal(ignoring.status, 0, ignoring.stderr);
    const ignoredLines = ignoring.stdout.trimEnd().split('\n');
    assert.match(ignoredLines[0], /: same distribution \(PSI threshold 0\.2; ignoring a\*, zip\)$/);
    assert.match(ignoredLines[5], /^city\s.*\ssame$/);
    assert.match(ignoredLines[6], /^age\s+integer\s+\d+\.\d\d\s.*\signored$/);
    const empty = mltrace(fx.root, 'drift', 'data/features.csv', '--drift-ignore', '');
    assert.equal(empty.status, 2);
    assert.match(empty.stderr, /--drift-ignore needs a column name/);
    const missing = mltrace(fx.root, 'drift', 'data/nothing.csv');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /No logged run read or wrote "data\/nothing\.csv"/);
  });

  test('--json: the comparison with every column; --against a run', (t) => {
    const fx = workspace(t);
    const result = mltrace(fx.root, 'drift', 'data/features.csv', '--against', uuid(1).slice(0, 8), '--json');
    assert.equal(result.status, 0, result.stderr);
    const json = JSON.parse(result.stdout) as {
      pointer: string;
      verdict: string;
      reference: { version: string; how: string };
      current: { version: string };
      columns: Array<{
        name: string;
        status: string;
        psi: number;
        nullRate: { reference: number; current: number };
      }>;
    };
    assert.equal(json.pointer, 'data/features.csv');
    assert.equal(json.verdict, 'drifted');
    assert.equal(json.reference.version, 'sha256:v1');
    assert.equal(json.reference.how, `the version featurize (run ${uuid(1).slice(0, 8)}) wrote`);
    assert.equal(json.current.version, 'sha256:v2');
    assert.deepEqual(
      json.columns.map((c) => [c.name, c.status]),
      [
        ['age', 'drifted'],
        ['city', 'same'],
      ],
    );
    assert.ok(json.columns[0].psi > 0.2);
    assert.deepEqual(json.columns[0].nullRate, { reference: 0, current: 0 });
  });
});

describe('mltrace stale with drift', () => {
  test('--json carries the drift reason; --drift-threshold changes the verdict', (t) => {
    const fx = workspace(t);
    const stale = (...args: string[]) => {
      const result = mltrace(fx.root, 'stale', '--json', ...args);
      assert.equal(result.status, 0, result.stderr);
      return (JSON.parse(result.stdout) as Array<{ component: string; stale: string[] }>).find(
        (r) => r.component === 'train',
      )!.stale;
    };
    const [reason] = stale();
    assert.match(
      reason,
      /^Input data\/features\.csv \(last written by featurize \(run 00000003\)\) changed since this run read it and drifted: age PSI \d+\.\d\d\.$/,
    );
    assert.match(stale('--drift-threshold', '100')[0], /; same distribution \(largest PSI \d+\.\d\d\)\.$/);
    assert.match(stale('--drift-ignore', 'age')[0], /; same distribution \(largest PSI 0\.0\d\)\.$/);
    const human = mltrace(fx.root, 'stale');
    assert.match(human.stdout, /! Input data\/features\.csv .* and drifted: age PSI/);
  });
});
