// The per-user cache of readers' snapshots (src/core/snapshotCache.ts): a use is noted at most once
// a day, and a sweep, at most once a day, removes the reader folders unused for 30 days.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { SNAPSHOT_CACHE_DAYS, tendSnapshotCache } from '../../src/core/snapshotCache';

const DAY = 86_400_000;

test('a sweep removes what nobody used for 30 days, once a day, and only reader folders', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cache-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const now = Date.now();
  const folder = (name: string, ageDays: number) => {
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, 'used'), '/somewhere/.mltrace\n');
    const at = (now - ageDays * DAY) / 1000;
    fs.utimesSync(path.join(root, name, 'used'), at, at);
    fs.utimesSync(path.join(root, name), at, at);
  };
  folder('aaaaaaaaaaaaaaaa', SNAPSHOT_CACHE_DAYS + 1);
  folder('bbbbbbbbbbbbbbbb', SNAPSHOT_CACHE_DAYS - 1);
  folder('not-a-reader', 1000);
  const own = path.join(root, 'cccccccccccccccc');

  tendSnapshotCache(own, '/work/store/.mltrace', now);
  assert.deepEqual(
    fs
      .readdirSync(root)
      .filter((n) => !n.startsWith('.'))
      .sort(),
    ['bbbbbbbbbbbbbbbb', 'cccccccccccccccc', 'not-a-reader'],
  );
  assert.equal(fs.readFileSync(path.join(own, 'used'), 'utf8'), '/work/store/.mltrace\n');

  // Two days on: b is past 30 days, but the sweep of an hour later does nothing.
  tendSnapshotCache(own, '/work/store/.mltrace', now + DAY / 24);
  assert.ok(fs.existsSync(path.join(root, 'bbbbbbbbbbbbbbbb')));
  tendSnapshotCache(own, '/work/store/.mltrace', now + 2 * DAY);
  assert.ok(!fs.existsSync(path.join(root, 'bbbbbbbbbbbbbbbb')), 'swept a day later');
  assert.ok(fs.existsSync(own), 'the folder in use stays');
  assert.ok(fs.statSync(path.join(own, 'used')).mtimeMs >= now + 2 * DAY - 1000, 'its use was noted again');
});

test('a cache that cannot be written is no error', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-cache-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const notAFolder = path.join(root, 'file');
  fs.writeFileSync(notAFolder, '');
  assert.doesNotThrow(() => tendSnapshotCache(path.join(notAFolder, '0123456789abcdef'), '/x/.mltrace'));
});
