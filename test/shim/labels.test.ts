// Labels through real python3 processes (docs/LABELS.md): mltrace's own examples/labels_test.py
// unchanged, the retracted-label guard (a warning within the threshold, RuntimeError past it,
// before the body), versions (a retrained model no longer carries the label), keyed hashes (the
// clear id never reaches the log), and a host with Python alone reading what others wrote.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { retractionEvent } from '../../src/core/labels/events';
import { findLabel } from '../../src/core/labels/lookup';
import { compactLog } from '../../src/core/segments/compact';
import { LineageStore } from '../../src/core/store';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';
import { repoRoot, validateEvent } from '../helpers/openlineage';

const PYTHON = process.env.PYTHON ?? 'python3';
const SHIM = path.join(repoRoot, 'python');
const FIXTURES = path.join(repoRoot, 'test', 'fixtures');
const DAY_MS = 86400e3;

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A workspace with an empty store and copies of the fixture scripts. */
function workspace(...scripts: string[]): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-labels-')));
  dirs.push(root);
  fs.mkdirSync(path.join(root, '.mltrace'));
  for (const script of scripts)
    fs.copyFileSync(path.join(FIXTURES, script), path.join(root, path.basename(script)));
  return root;
}

interface Ran {
  stdout: string;
  stderr: string;
  report: Record<string, unknown>;
}

/** Runs a script of the workspace; `env` entries set to undefined are removed. */
function python(root: string, args: string[], env: NodeJS.ProcessEnv = {}, interpreter = PYTHON): Ran {
  const merged: NodeJS.ProcessEnv = {
    ...process.env,
    PYTHONPATH: SHIM,
    PYTHONDONTWRITEBYTECODE: '1',
    MLTRACE_DIR: path.join(root, '.mltrace'),
    MLTRACE_CONFIG_DIR: path.join(root, '.config'),
  };
  delete merged.MLTRACE_LABEL_KEY;
  delete merged.MLTRACE_LABEL_KEY_FILE;
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete merged[key];
    else merged[key] = value;
  }
  const result = spawnSync(interpreter, args, { cwd: root, env: merged, encoding: 'utf8', timeout: 60_000 });
  assert.equal(
    result.status,
    0,
    `${args.join(' ')} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`,
  );
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return {
    stdout: result.stdout,
    stderr: result.stderr,
    report: last.startsWith('{') ? JSON.parse(last) : {},
  };
}

/** Every line of every loose log file, parsed. */
function events(root: string): Array<Record<string, unknown>> {
  const dir = path.join(root, '.mltrace', 'events');
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.jsonl'))
    .flatMap((n) => fs.readFileSync(path.join(dir, n), 'utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function logBytes(root: string): string {
  const dir = path.join(root, '.mltrace');
  const all: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(d, e.name));
      else all.push(fs.readFileSync(path.join(d, e.name), 'latin1'));
    }
  };
  walk(dir);
  return all.join('\n');
}

async function withStore<T>(root: string, body: (store: LineageStore) => T): Promise<T> {
  const store = await LineageStore.open({ dir: path.join(root, '.mltrace') });
  try {
    assert.deepEqual(store.problems(), [], 'the engine ingests every event without complaint');
    return body(store);
  } finally {
    store.close({ save: false });
  }
}

const runsOf = (root: string, component: string) =>
  new Set(
    events(root)
      .filter((e) => (e.job as { name?: string } | undefined)?.name === component && e.run)
      .map((e) => (e.run as { runId: string }).runId),
  ).size;

describe('python shim: labels', () => {
  test("mltrace's examples/labels_test.py runs unchanged: Alice's label reaches the topic model, one warning", async () => {
    const root = workspace('mltrace-examples/labels_test.py');
    const ran = python(root, ['labels_test.py']);
    assert.match(ran.stdout, /Customer Alice requesting data deletion/);
    const warnings = ran.stderr.split('\n').filter((l) => l.includes('You are reading label Alice'));
    assert.equal(warnings.length, 1, ran.stderr);
    assert.match(
      warnings[0],
      /deleted 0 days ago \(in topic_classification\.joblib\): retrain within 30 days/,
    );
    for (const event of events(root)) assert.deepEqual(validateEvent(event), [], JSON.stringify(event));
    await withStore(root, (store) => {
      assert.deepEqual(
        store.labels.ofPointer('topic_classification.joblib').map((l) => l.label),
        ['Alice'],
      );
      assert.deepEqual(store.labels.ofPointer('spam_filter.joblib'), []);
      const [alice] = store.labels.list();
      assert.equal(alice.label, 'Alice');
      assert.ok(alice.retractedAt);
      assert.equal(alice.pointers, 6, 'the raw file, two ingested, the model, two topic outputs');
    });
  });

  test('the guard: a warning within the threshold; past it RuntimeError before the body; gone once retrained', async () => {
    const root = workspace('python/labels_guard.py');
    const pipeline = python(root, ['labels_guard.py', 'pipeline']).report;
    assert.deepEqual(pipeline.labels, ['Alice', 'Bob']);
    assert.deepEqual(pipeline.pointers, ['data/a.csv', 'models/topic.joblib', 'raw/customer.csv']);
    const guard = python(root, ['labels_guard.py', 'guard']).report;
    assert.equal(guard.unknown, 'Label Nobody does not exist.');
    assert.deepEqual(guard.retracted, ['Alice']);
    assert.deepEqual(guard.warnings, [
      'You are reading label Alice, which was deleted 0 days ago (in models/topic.joblib): retrain within 30 days.',
    ]);
    assert.match(
      String(guard.blocked),
      /^Label\(s\) \['Alice'\] have been deleted: retracted more than 0 days ago/,
    );
    assert.match(String(guard.blocked), /models\/topic\.joblib still hold their data/);
    assert.equal(guard.body_ran, false, 'the body of the blocked run never ran');
    assert.equal(guard.spam, null, 'a model without the data is read without a word');
    assert.equal(guard.retrained, null, 'the retrained model no longer carries the label');
    // The lenient run's output was made from the old model: it still holds the data.
    assert.deepEqual(guard.pointers_after, ['data/a.csv', 'out/lenient.csv', 'raw/customer.csv']);
    assert.equal(runsOf(root, 'score'), 2, 'the blocked run left no event at all');
    await withStore(root, (store) => {
      assert.deepEqual(store.labels.ofPointer('models/topic.joblib'), [{ label: 'Bob', retractedAt: null }]);
      assert.deepEqual(
        store.labels.label('Alice').carriers.map((c) => c.pointer),
        ['data/a.csv', 'out/lenient.csv', 'raw/customer.csv'],
      );
      assert.deepEqual(
        store.labels.ofPointer('out/spam.csv').map((l) => l.label),
        ['Bob'],
      );
    });
  });

  test('keyed hashes: the clear id never reaches the log, and the guard and the CLI lookup still work', async () => {
    const root = workspace('python/labels_guard.py');
    const who = 'alice@example.com';
    const env = { WHO: who, MLTRACE_LABEL_KEY: 'kept-on-this-machine' };
    const hash = (label: string) =>
      'hmac-sha256:' + createHmac('sha256', 'kept-on-this-machine').update(label).digest('hex');
    const hashed = hash(who);
    const pipeline = python(root, ['labels_guard.py', 'pipeline'], env).report;
    assert.deepEqual(pipeline.labels, [hashed, hash('Bob')].sort());
    assert.deepEqual(pipeline.pointers, ['data/a.csv', 'models/topic.joblib', 'raw/customer.csv']);
    const guard = python(root, ['labels_guard.py', 'guard'], env).report;
    assert.deepEqual(guard.retracted, [hashed]);
    assert.match(String(guard.blocked), /have been deleted/);
    assert.equal(guard.body_ran, false);
    const bytes = logBytes(root);
    assert.ok(bytes.includes(hashed));
    assert.ok(!bytes.includes(who) && !bytes.includes('alice@'), 'no trace of the clear id in .mltrace');
    await withStore(root, (store) => {
      assert.throws(() => findLabel(store.labels, who, {}), /No label "alice@example.com"/);
      const found = findLabel(store.labels, who, { MLTRACE_LABEL_KEY: 'kept-on-this-machine' });
      assert.deepEqual(
        found.carriers.map((c) => c.pointer),
        ['data/a.csv', 'out/lenient.csv', 'raw/customer.csv'],
      );
    });
  });

  test('a host with Python alone answers from the log: segments, and a retraction written elsewhere', () => {
    const root = workspace('python/labels_guard.py');
    python(root, ['labels_guard.py', 'pipeline']);
    // Another machine retracted Alice 40 days ago (past the default 30 days); its file came by sync.
    const elsewhere = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'team');
    elsewhere.append(retractionEvent(['Alice'], new Date(Date.now() - 40 * DAY_MS)));
    elsewhere.close();
    const compacted = compactLog(path.join(root, '.mltrace'));
    assert.ok(compacted.files >= 2, 'the Python writer and the other one were merged into a segment');
    const emptyPath = fs.mkdtempSync(path.join(os.tmpdir(), 'no-node-'));
    dirs.push(emptyPath);
    const read = python(root, ['labels_guard.py', 'read'], { PATH: emptyPath }, '/usr/bin/python3').report;
    assert.equal(read.node, null, 'no node on this host');
    assert.deepEqual(read.labels, ['Alice', 'Bob']);
    assert.deepEqual(read.retracted, ['Alice']);
    assert.deepEqual(read.pointers, ['data/a.csv', 'models/topic.joblib', 'raw/customer.csv']);
    assert.match(
      String(read.blocked),
      /Label\(s\) \['Alice'\] have been deleted: retracted more than 30 days ago/,
    );
    assert.equal(read.spam, null);
  });
});
