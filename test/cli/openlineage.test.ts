// `mltrace sync --openlineage` sends this machine's events to an OpenLineage HTTP backend. Marquez
// cannot run here: a local HTTP receiver (test/helpers/olReceiver.ts) stands in for it and checks
// what the standard's API (../shared/openlineage/spec/OpenLineage.yml, POST /lineage) requires:
// POST, a JSON body that is a valid OpenLineage event, gzip when configured, the bearer token; it
// answers 201 as Marquez does.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';
import { receiver } from '../helpers/olReceiver';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const KEY = 'secret-api-key-123';

/** The CLI, asynchronously (the receiver runs in this process). */
function mltrace(cwd: string, args: string[], env: NodeJS.ProcessEnv) {
  const base: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', HOME: cwd };
  for (const k of Object.keys(base))
    if (k.startsWith('OPENLINEAGE_') || k.startsWith('MLTRACE_')) delete base[k];
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function workspace(runs: number): { root: string; ids: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-ol-'));
  const writer = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'test');
  const ids: string[] = [];
  for (let i = 0; i < runs; i++)
    ids.push(writer.logRun({ component: 'clean', inputs: [{ name: 'raw.csv' }] }, { status: 'complete' }));
  writer.flag('raw.csv', true);
  writer.close();
  return { root, ids };
}

describe('mltrace sync --openlineage', () => {
  const backend = receiver();
  let url: string;
  const roots: string[] = [];

  before(async () => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    url = await backend.listen();
  });
  after(async () => {
    await backend.close();
    for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
  });

  it('OPENLINEAGE_URL and OPENLINEAGE_API_KEY: every event once, valid, in order, with the token', async () => {
    const { root, ids } = workspace(3);
    roots.push(root);
    const env = { OPENLINEAGE_URL: url, OPENLINEAGE_API_KEY: KEY };
    const first = await mltrace(root, ['sync', '--openlineage', '--json'], env);
    assert.equal(first.status, 0, first.stderr);
    assert.equal(
      (JSON.parse(first.stdout) as { sent: number }).sent,
      7,
      'START and COMPLETE of 3 runs, a flag',
    );
    assert.deepEqual(backend.problems, []);
    assert.deepEqual(
      backend.received.map((r) => [r.path, r.auth, r.gzip]),
      Array(7).fill(['/api/v1/lineage', `Bearer ${KEY}`, false]),
    );
    assert.deepEqual(
      backend.received.filter((r) => r.event.run).map((r) => [r.event.run!.runId, r.event.eventType]),
      ids.flatMap((id) => [
        [id, 'START'],
        [id, 'COMPLETE'],
      ]),
    );
    const again = await mltrace(root, ['sync', '--openlineage', '--json'], env);
    assert.equal((JSON.parse(again.stdout) as { sent: number }).sent, 0, 'nothing twice');
    assert.equal(backend.received.length, 7);
  });

  it('openlineage.yml: endpoint, api_key auth and gzip compression', async () => {
    const { root } = workspace(1);
    roots.push(root);
    fs.writeFileSync(
      path.join(root, 'openlineage.yml'),
      `transport:\n  type: http\n  url: ${url}/\n  endpoint: /custom/lineage\n  compression: gzip\n  timeout: 2\n  auth:\n    type: api_key\n    apiKey: ${KEY}\n`,
    );
    const before = backend.received.length;
    const r = await mltrace(root, ['sync', '--openlineage'], {});
    assert.equal(r.status, 0, r.stderr);
    const got = backend.received.slice(before);
    assert.equal(got.length, 3);
    for (const g of got)
      assert.deepEqual([g.path, g.gzip, g.auth], ['/custom/lineage', true, `Bearer ${KEY}`]);
    assert.deepEqual(backend.problems, []);
  });

  it('a backend that fails midway: one line without the key, exit 1; the rest goes next time, none twice', async () => {
    const { root } = workspace(5);
    roots.push(root);
    const env = { OPENLINEAGE_URL: url, OPENLINEAGE_API_KEY: KEY };
    const before = backend.received.length;
    backend.failOnce(4);
    const failed = await mltrace(root, ['sync', '--openlineage'], env);
    assert.equal(failed.status, 1);
    const lines = failed.stderr.trim().split('\n');
    assert.equal(lines.length, 1, failed.stderr);
    assert.match(
      lines[0],
      /sent 3 events to http:\/\/127\.0\.0\.1:\d+\/api\/v1\/lineage, then stopped: .*answered 500/,
    );
    assert.ok(!failed.stderr.includes(KEY));
    const rest = await mltrace(root, ['sync', '--openlineage', '--json'], env);
    assert.equal(rest.status, 0, rest.stderr);
    assert.equal((JSON.parse(rest.stdout) as { sent: number }).sent, 8);
    const got = backend.received.slice(before).map((r) => JSON.stringify(r.event));
    assert.equal(got.length, 11);
    assert.equal(new Set(got).size, 11, 'no event twice');
  });

  it('unreachable, disabled or unconfigured: a clear message, never a crash', async () => {
    const { root } = workspace(1);
    roots.push(root);
    const down = await mltrace(root, ['sync', '--openlineage'], { OPENLINEAGE_URL: 'http://127.0.0.1:9' });
    assert.equal(down.status, 1);
    assert.match(down.stderr, /cannot reach http:\/\/127\.0\.0\.1:9\/api\/v1\/lineage/);
    const disabled = await mltrace(root, ['sync', '--openlineage'], {
      OPENLINEAGE_URL: url,
      OPENLINEAGE_DISABLED: 'true',
    });
    assert.equal(disabled.status, 2);
    assert.match(disabled.stderr, /needs a backend/);
    fs.writeFileSync(path.join(root, 'openlineage.yml'), 'transport:\n  type: kafka\n');
    const kafka = await mltrace(root, ['sync', '--openlineage'], {});
    assert.equal(kafka.status, 2);
    assert.match(kafka.stderr, /transport type "kafka" is not supported here/);
  });
});
