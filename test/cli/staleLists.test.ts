// A run's `stale` field means the same in every command: `recent` and `history` give the reasons
// that `inspect` and `stale` give (here: an input rewritten after the run read it), and their
// human tables mark the run stale.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

function mltrace(cwd: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, timeout: 30000 });
  assert.equal(r.status, 0, `mltrace ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface RunJson {
  id: string;
  component: string;
  stale: string[];
}

describe('staleness in the lists', () => {
  let root: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-stale-lists-'));
    fs.mkdirSync(path.join(root, '.mltrace'));
    fs.writeFileSync(path.join(root, 'raw.csv'), 'a\n1\n');
    mltrace(
      root,
      'run',
      '-c',
      'clean',
      '-i',
      'raw.csv',
      '-o',
      'clean.csv',
      '--',
      'cp',
      'raw.csv',
      'clean.csv',
    );
    mltrace(
      root,
      'run',
      '-c',
      'train',
      '-i',
      'clean.csv',
      '-o',
      'model.pkl',
      '--',
      'cp',
      'clean.csv',
      'model.pkl',
    );
    // Rewritten after clean read it: clean may need re-running.
    fs.writeFileSync(path.join(root, 'raw.csv'), 'a\n2\n');
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('recent, history, inspect and stale give the same reasons', () => {
    const [clean] = (JSON.parse(mltrace(root, 'stale', '--json')) as RunJson[]).filter(
      (r) => r.component === 'clean',
    );
    assert.ok(clean, 'stale lists clean');
    assert.match(clean.stale.join('\n'), /raw\.csv/);
    const inspected = JSON.parse(mltrace(root, 'inspect', clean.id, '--json')) as RunJson;
    const recent = (JSON.parse(mltrace(root, 'recent', '--json')) as RunJson[]).find(
      (r) => r.id === clean.id,
    );
    const history = JSON.parse(mltrace(root, 'history', 'clean', '--json')) as RunJson[];
    assert.deepEqual(inspected.stale, clean.stale);
    assert.deepEqual(recent?.stale, clean.stale, 'recent --json');
    assert.deepEqual(history[0].stale, clean.stale, 'history --json');
    const train = (JSON.parse(mltrace(root, 'recent', '--json')) as RunJson[]).find(
      (r) => r.component === 'train',
    );
    assert.deepEqual(train?.stale, [], 'train read the clean.csv that is still there: fresh');
  });

  it('the human tables mark the run stale', () => {
    const row = (out: string, component: string) =>
      out.split('\n').find((l) => l.includes(` ${component} `)) ?? '';
    assert.match(row(mltrace(root, 'recent'), 'clean'), /complete, stale/);
    assert.match(row(mltrace(root, 'history', 'clean'), 'clean'), /complete, stale/);
    assert.doesNotMatch(row(mltrace(root, 'recent'), 'train'), /stale/);
  });
});
