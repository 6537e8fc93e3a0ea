// The shims and `mltrace run` send events to an OpenLineage HTTP backend as they log (Python:
// python/mltrace/_openlineage.py; Node: src/core/openlineage/live.ts). Marquez cannot run here: a
// local HTTP receiver (test/helpers/olReceiver.ts) stands in for it and checks what the standard's
// API requires (POST, a valid OpenLineage event as JSON, gzip when configured, the bearer token).
// Pipelines run as real processes, started asynchronously so that the receiver, in this process,
// can answer them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { receiver } from '../helpers/olReceiver';
import { repoRoot } from '../helpers/openlineage';

const CLI = path.join(repoRoot, 'dist', 'cli.js');
const SHIM = path.join(repoRoot, 'dist', 'mltrace-node.js');
const NODE_PIPELINE = path.join(repoRoot, 'test', 'fixtures', 'node', 'pipeline.js');
const PYTHON_PATH = path.join(repoRoot, 'python');
const KEY = 'live-secret-key-456';

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Result> {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: cwd };
  for (const k of Object.keys(base))
    if (k.startsWith('OPENLINEAGE_') || k.startsWith('MLTRACE_') || k.startsWith('PG')) delete base[k];
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd,
      // A generous exit wait: what is checked here is what is sent, on a machine that may be busy.
      env: {
        ...base,
        PYTHONPATH: PYTHON_PATH,
        MLTRACE_NODE_SHIM: SHIM,
        MLTRACE_OPENLINEAGE_EXIT_WAIT: '30',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function workspace(): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-ol-live-')));
  fs.mkdirSync(path.join(root, '.mltrace'));
  fs.mkdirSync(path.join(root, 'data'));
  fs.writeFileSync(path.join(root, 'data', 'raw.csv'), 'x\n1\n');
  fs.writeFileSync(
    path.join(root, 'pipeline.py'),
    [
      'import mltrace',
      '@mltrace.register("clean", input_vars=["src"], output_vars=["dst"])',
      'def clean():',
      '    src = "data/raw.csv"',
      '    dst = "data/clean.csv"',
      '    open(dst, "w").write("x\\n1\\n")',
      '@mltrace.register("train", input_vars=["src"], output_vars=["dst"])',
      'def train():',
      '    src = "data/clean.csv"',
      '    dst = "models/model.pkl"',
      '    import os; os.makedirs("models", exist_ok=True); open(dst, "w").write("m")',
      'clean()',
      'train()',
    ].join('\n') + '\n',
  );
  return root;
}

/** Every non-blank line of the store's writer files, parsed. */
function logged(root: string): Array<{ eventType?: string; run?: { runId: string } }> {
  const events = path.join(root, '.mltrace', 'events');
  return fs
    .readdirSync(events)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      fs
        .readFileSync(path.join(events, f), 'utf8')
        .split('\n')
        .filter((l) => l.trim()),
    )
    .map((l) => JSON.parse(l) as { eventType?: string; run?: { runId: string } });
}

const key = (e: { eventType?: string; run?: { runId: string } }) => `${e.run?.runId} ${e.eventType}`;

describe('sending to OpenLineage as events are logged', () => {
  const backend = receiver();
  let url: string;
  const roots: string[] = [];
  const make = () => {
    const root = workspace();
    roots.push(root);
    return root;
  };

  before(async () => {
    assert.ok(fs.existsSync(CLI) && fs.existsSync(SHIM), 'run npm run build first');
    url = await backend.listen();
  });
  after(async () => {
    await backend.close();
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it('the Python shim sends every event it logs, in order, with the token; mltrace sync --openlineage then sends none again', async () => {
    const root = make();
    const before = backend.received.length;
    const env = { OPENLINEAGE_URL: url, OPENLINEAGE_API_KEY: KEY };
    const r = await run('python3', ['pipeline.py'], root, env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const got = backend.received.slice(before);
    assert.deepEqual(backend.problems, []);
    assert.deepEqual(
      got.map((g) => g.event).map(key),
      logged(root).map(key),
      'what the log holds, in its order',
    );
    assert.equal(got.length, 4, 'START and COMPLETE of clean and train');
    for (const g of got)
      assert.deepEqual([g.path, g.auth, g.gzip], ['/api/v1/lineage', `Bearer ${KEY}`, false]);
    const sync = await run(process.execPath, [CLI, 'sync', '--openlineage', '--json'], root, env);
    assert.equal(sync.status, 0, sync.stderr);
    assert.equal((JSON.parse(sync.stdout) as { sent: number }).sent, 0, 'nothing twice');
  });

  it('openlineage.yml with gzip, read with PyYAML; without PyYAML it is skipped, said once', async () => {
    const root = make();
    fs.writeFileSync(
      path.join(root, 'openlineage.yml'),
      `transport:\n  type: http\n  url: ${url}\n  endpoint: api/v1/lineage\n  compression: gzip\n  auth:\n    type: api_key\n    apiKey: ${KEY}\n`,
    );
    const before = backend.received.length;
    const withYaml = await run('/usr/bin/python3', ['pipeline.py'], root, {});
    assert.equal(withYaml.status, 0, withYaml.stderr);
    const got = backend.received.slice(before);
    assert.equal(got.length, 4);
    for (const g of got) assert.deepEqual([g.gzip, g.auth], [true, `Bearer ${KEY}`]);
    assert.deepEqual(backend.problems, []);

    // PyYAML made unimportable, as on a Python without it.
    const hide = path.join(root, 'no-yaml', 'yaml');
    fs.mkdirSync(hide, { recursive: true });
    fs.writeFileSync(path.join(hide, '__init__.py'), 'raise ImportError("no PyYAML here")\n');
    const count = backend.received.length;
    const skipped = await run('/usr/bin/python3', ['pipeline.py'], root, {
      PYTHONPATH: `${path.join(root, 'no-yaml')}${path.delimiter}${PYTHON_PATH}`,
    });
    assert.equal(skipped.status, 0, skipped.stderr);
    assert.equal(skipped.stderr.match(/openlineage\.yml was skipped: reading it needs PyYAML/g)?.length, 1);
    assert.equal(backend.received.length, count, 'nothing sent');
  });

  it('a backend that is down: the pipeline finishes with one warning, and mltrace sync --openlineage sends it all later', async () => {
    const root = make();
    const down = await run('python3', ['pipeline.py'], root, {
      OPENLINEAGE_URL: 'http://127.0.0.1:9',
      OPENLINEAGE_API_KEY: KEY,
    });
    assert.equal(down.status, 0, down.stderr);
    const warnings = down.stderr.split('\n').filter((l) => l.includes('could not send events'));
    assert.equal(warnings.length, 1, down.stderr);
    assert.match(warnings[0], /http:\/\/127\.0\.0\.1:9\/api\/v1\/lineage/);
    assert.ok(!down.stderr.includes(KEY), 'the key is never printed');
    const before = backend.received.length;
    const sync = await run(process.execPath, [CLI, 'sync', '--openlineage', '--json'], root, {
      OPENLINEAGE_URL: url,
    });
    assert.equal(sync.status, 0, sync.stderr);
    assert.equal((JSON.parse(sync.stdout) as { sent: number }).sent, 4);
    assert.deepEqual(
      backend.received.slice(before).map((g) => key(g.event)),
      logged(root).map(key),
    );
  });

  it('the Node shim sends as it logs, and exits when its work is done', async () => {
    const root = make();
    fs.copyFileSync(NODE_PIPELINE, path.join(root, 'pipeline.js'));
    const before = backend.received.length;
    const env = { OPENLINEAGE_URL: url, OPENLINEAGE_API_KEY: KEY };
    const r = await run(process.execPath, ['pipeline.js'], root, env);
    assert.equal(r.status, 0, r.stderr);
    const got = backend.received.slice(before);
    assert.deepEqual(backend.problems, []);
    assert.deepEqual(
      got.map((g) => key(g.event)),
      logged(root).map(key),
    );
    assert.ok(got.length >= 6, 'three runs, a flag');
    const sync = await run(process.execPath, [CLI, 'sync', '--openlineage', '--json'], root, env);
    assert.equal((JSON.parse(sync.stdout) as { sent: number }).sent, 0, 'nothing twice');
  });

  it('mltrace run sends its START and COMPLETE', async () => {
    const root = make();
    const before = backend.received.length;
    const r = await run(
      process.execPath,
      [CLI, 'run', '-c', 'copy', '-i', 'data/raw.csv', '--', process.execPath, '-e', '0'],
      root,
      { OPENLINEAGE_URL: url },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(
      backend.received.slice(before).map((g) => g.event.eventType),
      ['START', 'COMPLETE'],
    );
  });
});
