// The CLI's entry runs its bundle from a V8 code cache in $XDG_CACHE_HOME/mltrace/v8
// (src/cli/launch.ts): written by the first command, taken by the next (so not written again),
// replaced when V8 rejects it, one per build; never in the way when it cannot be kept.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { at, Fixture, tempFixture } from '../helpers/lineage';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

function mltrace(fx: Fixture, cache: string, extra: NodeJS.ProcessEnv = {}, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', XDG_CACHE_HOME: cache, ...extra };
  delete env.MLTRACE_DIR;
  if (!('MLTRACE_CODE_CACHE' in extra)) delete env.MLTRACE_CODE_CACHE;
  const r = spawnSync(process.execPath, [CLI, ...(args.length ? args : ['recent', '--json'])], {
    cwd: fx.root,
    encoding: 'utf8',
    env,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
  return r.stdout;
}

function logRuns(fx: Fixture): void {
  const w = fx.writer();
  for (let i = 0; i < 5; i++)
    w.logRun(
      { component: 'train', startTime: at(i * 10), inputs: [{ name: `in${i}.csv` }] },
      { status: 'complete', endTime: at(i * 10 + 1), outputs: [{ name: `model${i}.pt` }] },
    );
  w.close();
}

const v8Dir = (cache: string) => path.join(cache, 'mltrace', 'v8');
const caches = (cache: string) =>
  fs.existsSync(v8Dir(cache)) ? fs.readdirSync(v8Dir(cache)).filter((f) => f.endsWith('.v8')) : [];

describe('the CLI code cache', () => {
  test('the first command writes it; the next takes it without writing it again; answers unchanged', (t) => {
    const fx = tempFixture(t);
    logRuns(fx);
    const cache = path.join(fx.root, 'cache');
    const first = mltrace(fx, cache);
    assert.equal(caches(cache).length, 1);
    const file = path.join(v8Dir(cache), caches(cache)[0]);
    const written = fs.statSync(file, { bigint: true });
    assert.equal(mltrace(fx, cache), first);
    const after = fs.statSync(file, { bigint: true });
    assert.deepEqual(
      [after.ino, after.mtimeNs],
      [written.ino, written.mtimeNs],
      'accepted, not written again',
    );
    assert.equal(mltrace(fx, cache, {}, 'trace', 'model4.pt').includes('train'), true);
  });

  for (const [label, damage] of [
    [
      'its code overwritten',
      (good: Buffer) => Buffer.concat([good.subarray(0, 64), Buffer.alloc(good.length - 64, 0x5a)]),
    ],
    [
      'one byte changed',
      (good: Buffer) => {
        const copy = Buffer.from(good);
        copy[copy.length >> 1] ^= 0x20;
        return copy;
      },
    ],
    ['cut short', (good: Buffer) => good.subarray(0, good.length >> 1)],
  ] as const)
    test(`a damaged cache (${label}) is rejected and replaced; a cache of another build is removed`, (t) => {
      const fx = tempFixture(t);
      logRuns(fx);
      const cache = path.join(fx.root, 'cache');
      const expected = mltrace(fx, cache);
      const file = path.join(v8Dir(cache), caches(cache)[0]);
      const good = fs.readFileSync(file);
      const damaged = damage(good);
      fs.writeFileSync(file, damaged);
      const other = path.join(v8Dir(cache), 'cli-1-2-v0.0.0-x64.v8');
      fs.writeFileSync(other, 'an old build');
      assert.equal(mltrace(fx, cache), expected);
      assert.deepEqual(caches(cache), [path.basename(file)], "the other build's cache is gone");
      assert.notDeepEqual(fs.readFileSync(file), damaged, 'rewritten');
      const rewritten = fs.statSync(file, { bigint: true });
      assert.equal(mltrace(fx, cache), expected);
      assert.equal(fs.statSync(file, { bigint: true }).mtimeNs, rewritten.mtimeNs, 'the new one is taken');
    });

  test('a cache folder that cannot be written, or MLTRACE_CODE_CACHE=0: the command runs as without', (t) => {
    const fx = tempFixture(t);
    logRuns(fx);
    const expected = mltrace(fx, path.join(fx.root, 'cache'));
    const notAFolder = path.join(fx.root, 'file');
    fs.writeFileSync(notAFolder, '');
    assert.equal(mltrace(fx, notAFolder), expected);
    const off = path.join(fx.root, 'off');
    assert.equal(mltrace(fx, off, { MLTRACE_CODE_CACHE: '0' }), expected);
    assert.deepEqual(caches(off), []);
  });
});
