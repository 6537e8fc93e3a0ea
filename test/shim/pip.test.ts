// The Python shim installs with pip, offline (`--no-index`: nothing may come from a package
// index), from the project's python/ folder and from the wheel `npm run package` builds, and the
// installed `mltrace` logs a run that the engine reads.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { LineageStore } from '../../src/core/store';
import { repoRoot } from '../helpers/openlineage';

const PYTHON = process.env.PYTHON ?? 'python3';
const SHIM = path.join(repoRoot, 'python');
const temps: string[] = [];
after(() => temps.forEach((t) => fs.rmSync(t, { recursive: true, force: true })));

function temp(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-pip-')));
  temps.push(dir);
  return dir;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 120_000, ...options });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const PIPELINE = `
from mltrace import register

@register("clean", input_vars=["raw"], output_vars=["out"])
def clean(raw, out="clean.csv"):
    open(out, "w").write(open(raw).read().strip())

clean("raw.csv")
`;

/** Runs the pipeline in a fresh workspace with only `site` on the path; returns the store's runs. */
async function logWith(site: string) {
  const ws = temp();
  fs.writeFileSync(path.join(ws, 'raw.csv'), 'a\n1\n');
  fs.writeFileSync(path.join(ws, 'pipeline.py'), PIPELINE);
  fs.mkdirSync(path.join(ws, '.mltrace'));
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: site, PYTHONDONTWRITEBYTECODE: '1' };
  delete env.MLTRACE_DIR;
  const where = run(PYTHON, ['-c', 'import mltrace; print(mltrace.__file__)'], { cwd: ws, env });
  assert.ok(where.startsWith(site), `mltrace is imported from the installed copy: ${where}`);
  run(PYTHON, ['pipeline.py'], { cwd: ws, env });
  const store = await LineageStore.open({ dir: path.join(ws, '.mltrace') });
  try {
    return store.recent().items.map((r) => [r.component, r.status, r.inputs, r.outputs]);
  } finally {
    store.close({ save: false });
  }
}

describe('the Python shim installed with pip, offline', () => {
  it('pip install --no-index <python folder>', async () => {
    const site = temp();
    run(PYTHON, ['-m', 'pip', 'install', '--no-index', '--no-cache-dir', '--target', site, SHIM]);
    assert.ok(fs.existsSync(path.join(site, 'mltrace_vscode-0.1.0.dist-info', 'METADATA')));
    assert.deepEqual(await logWith(site), [['clean', 'complete', ['raw.csv'], ['clean.csv']]]);
  });

  it('the wheel npm run package builds, installed with pip --no-index', async () => {
    const out = temp();
    const code =
      'import sys; sys.path.insert(0, sys.argv[1]); import backend; print(backend.build_wheel(sys.argv[2]))';
    const wheel = run(PYTHON, ['-c', code, path.join(SHIM, '_build'), out]).trim();
    assert.equal(wheel, 'mltrace_vscode-0.1.0-py3-none-any.whl');
    const again = temp();
    run(PYTHON, ['-c', code, path.join(SHIM, '_build'), again]);
    assert.ok(
      fs.readFileSync(path.join(out, wheel)).equals(fs.readFileSync(path.join(again, wheel))),
      'the same sources give the same wheel, byte for byte',
    );
    const site = temp();
    run(PYTHON, [
      '-m',
      'pip',
      'install',
      '--no-index',
      '--no-cache-dir',
      '--target',
      site,
      path.join(out, wheel),
    ]);
    assert.deepEqual(await logWith(site), [['clean', 'complete', ['raw.csv'], ['clean.csv']]]);
  });
});
