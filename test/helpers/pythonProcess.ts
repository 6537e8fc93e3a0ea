// Real python3 processes over the shim (python/mltrace) in a temporary workspace of their own,
// for the shim tests of tasks, metrics and the smaller API (test/shim/pythonTasks.test.ts).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { LineageStore } from '../../src/core/store';
import { repoRoot, validateEvents } from './openlineage';

export const PYTHON = process.env.PYTHON ?? 'python3';
export const SHIM_DIR = path.join(repoRoot, 'python');
export const PY_FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'python');

export interface PyWorkspace {
  root: string;
  storeDir: string;
  /** Runs a script of the workspace (or `-c` code) with `python` (default PYTHON); fails the test on an unexpected exit. */
  run(
    script: string,
    options?: { args?: string[]; env?: NodeJS.ProcessEnv; expectStatus?: number; python?: string },
  ): PyResult;
  /** Every event the store holds, each checked against the OpenLineage schemas. */
  events(): Array<Record<string, unknown>>;
}

export interface PyResult {
  stdout: string;
  stderr: string;
  status: number | null;
}

/** A fresh workspace holding copies of the named files (fixture name, or [source, name in workspace]). */
export function pyWorkspace(t: TestContext, files: Array<string | [string, string]>): PyWorkspace {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-pytask-')));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const file of files) {
    const [source, name] = typeof file === 'string' ? [path.join(PY_FIXTURES, file), file] : file;
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.copyFileSync(source, path.join(root, name));
  }
  const storeDir = path.join(root, '.mltrace');
  return {
    root,
    storeDir,
    run(script, options = {}) {
      const argv = script === '-c' ? ['-c', ...(options.args ?? [])] : [script, ...(options.args ?? [])];
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        PYTHONPATH: SHIM_DIR,
        PYTHONDONTWRITEBYTECODE: '1',
        MLTRACE_DIR: storeDir,
        MLTRACE_CONFIG_DIR: path.join(root, '.config'),
        ...options.env,
      };
      delete env.MLTRACE_NAMESPACE;
      const result = spawnSync(options.python ?? PYTHON, argv, {
        cwd: root,
        env,
        encoding: 'utf8',
        timeout: 120_000,
      });
      if (result.error) throw result.error;
      assert.equal(
        result.status,
        options.expectStatus ?? 0,
        `${script} exited with ${result.status}:\n${result.stdout}\n${result.stderr}`,
      );
      return { stdout: result.stdout, stderr: result.stderr, status: result.status };
    },
    events() {
      const dir = path.join(storeDir, 'events');
      const events = fs
        .readdirSync(dir)
        .filter((name) => name.endsWith('.jsonl'))
        .sort()
        .flatMap((name) =>
          fs
            .readFileSync(path.join(dir, name), 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as Record<string, unknown>),
        );
      assert.deepEqual(validateEvents(events), [], 'every event is valid OpenLineage');
      return events;
    },
  };
}

/** Opens the engine on a store, checks that it ingested every event without complaint, runs `body`. */
export async function withStore<T>(storeDir: string, body: (store: LineageStore) => T): Promise<T> {
  const store = await LineageStore.open({ dir: storeDir });
  try {
    assert.deepEqual(store.problems(), [], 'the engine ingests every event without complaint');
    return body(store);
  } finally {
    store.close({ save: false });
  }
}
