// The Node shim (dist/mltrace-node.js) in a real node process running a small pipeline, read back
// by the engine. Build first (npm test does).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LineageStore } from '../../src/core/store';
import { repoRoot, validateEvent } from '../helpers/openlineage';

const SHIM = path.join(repoRoot, 'dist', 'mltrace-node.js');
const PIPELINE = path.join(repoRoot, 'test', 'fixtures', 'node', 'pipeline.js');

function runPipeline(cwd: string, env: NodeJS.ProcessEnv) {
  const script = path.join(cwd, 'pipeline.js');
  fs.copyFileSync(PIPELINE, script);
  return spawnSync(process.execPath, [script], {
    cwd,
    encoding: 'utf8',
    timeout: 30000,
    env: { ...process.env, MLTRACE_NODE_SHIM: SHIM, ...env },
  });
}

describe('Node shim', () => {
  it('logs runs with lineage, source location, failures and flags; events validate', async () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-node-')));
    try {
      fs.mkdirSync(path.join(root, '.mltrace'));
      const result = runPipeline(root, { MLTRACE_DIR: '' });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /caught RangeError: total 3 is out of range/);

      const eventsDir = path.join(root, '.mltrace', 'events');
      const lines = fs
        .readdirSync(eventsDir)
        .filter((f) => f.endsWith('.jsonl'))
        .flatMap((f) => fs.readFileSync(path.join(eventsDir, f), 'utf8').trim().split('\n'));
      for (const line of lines) assert.deepEqual(validateEvent(JSON.parse(line)), [], line);

      const store = await LineageStore.open({ dir: path.join(root, '.mltrace') });
      try {
        const trace = store.trace('data/total.txt');
        assert.deepEqual(
          trace.runs.map((r) => [r.component, r.depth, r.status]),
          [
            ['transform', 0, 'complete'],
            ['extract', 1, 'complete'],
          ],
        );
        const transform = trace.runs[0];
        assert.equal(transform.sourceFile, 'pipeline.js');
        assert.equal(transform.sourceLine, 11, 'the line of the withRun call');
        const [publish] = store.history('publish');
        assert.equal(publish.status, 'failed');
        assert.equal(publish.error, 'RangeError: total 3 is out of range');
        assert.deepEqual(publish.dependencies, [transform.id]);
        assert.deepEqual(store.review().flagged, ['data/total.txt']);
        assert.deepEqual(
          store.components({ tag: 'etl' }).map((c) => [c.name, c.owner]),
          [['extract', 'ana']],
        );
        assert.equal(store.inspect(transform.id).codeLanguage, 'javascript');
        assert.deepEqual(store.stale(), [], 'nothing changed since the runs');
        fs.writeFileSync(
          path.join(root, 'pipeline.js'),
          fs
            .readFileSync(path.join(root, 'pipeline.js'), 'utf8')
            .replace('reduce((a, b) => a + b, 0)', 'reduce((a, b) => a + b, 1)'),
        );
        const stale = store.stale();
        assert.ok(
          stale.some(
            (r) =>
              r.component === 'transform' &&
              r.stale.some((s) =>
                /The code of transform \(run [0-9a-f]{8}\) changed since it ran \(pipeline\.js:11\)\./.test(
                  s,
                ),
              ),
          ),
          JSON.stringify(stale),
        );
      } finally {
        store.close();
      }
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('never breaks the pipeline when the store cannot be written: one warning', () => {
    const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-node-ro-')));
    try {
      // The store path is a file, so no events folder can be made inside it.
      fs.writeFileSync(path.join(root, 'not-a-folder'), '');
      const result = runPipeline(root, { MLTRACE_DIR: path.join(root, 'not-a-folder') });
      assert.equal(result.status, 0, result.stderr);
      assert.match(result.stdout, /caught RangeError/);
      assert.equal(
        result.stderr.match(/mltrace: logging is off for this process/g)?.length,
        1,
        result.stderr,
      );
      assert.ok(fs.existsSync(path.join(root, 'data', 'total.txt')), 'the pipeline did its work');
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
