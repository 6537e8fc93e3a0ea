// `mltrace stale` and `inspect` say what changed in a run's code: a run logged by the Python shim
// in a git repository, then commits to its source file, name those commits in the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { git } from '../helpers/git';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');
const PYTHON_DIR = path.resolve(__dirname, '..', '..', 'python');

function mltrace(cwd: string, ...args: string[]): string {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, timeout: 30000 });
  assert.equal(r.status, 0, `mltrace ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const PIPELINE = (body: string) =>
  `from mltrace import register\n\n@register("scale", input_vars=[], output_vars=[])\ndef scale():\n    ${body}\n\nscale()\n`;

describe('mltrace stale and inspect explain a code change with git', () => {
  let root: string;
  let scaled: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cli-git-'));
    fs.mkdirSync(path.join(root, '.mltrace'));
    fs.writeFileSync(path.join(root, '.gitignore'), '.mltrace/\n');
    fs.writeFileSync(path.join(root, 'pipeline.py'), PIPELINE('return 1'));
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'first');
    const py = spawnSync('python3', ['pipeline.py'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: PYTHON_DIR, MLTRACE_DIR: '' },
    });
    assert.equal(py.status, 0, py.stderr);
    fs.writeFileSync(path.join(root, 'pipeline.py'), PIPELINE('return 2'));
    git(root, 'commit', '-q', '-am', 'scale features');
    scaled = git(root, 'rev-parse', '--short=7', 'HEAD');
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('names the commit in stale --json, the human list and inspect', () => {
    const [run] = JSON.parse(mltrace(root, 'stale', '--json')) as Array<{ id: string; stale: string[] }>;
    assert.ok(run, 'the run is stale');
    assert.match(
      run.stale.join('\n'),
      new RegExp(
        `changed since it ran \\(pipeline\\.py:\\d+\\): 1 commit since this run: ${scaled} "scale features"\\.`,
      ),
    );
    assert.match(mltrace(root, 'stale'), new RegExp(`1 commit since this run: ${scaled} "scale features"`));
    assert.match(
      mltrace(root, 'inspect', run.id),
      new RegExp(`1 commit since this run: ${scaled} "scale features"`),
    );
  });
});
