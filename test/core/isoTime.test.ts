// isoTime (src/core/isoTime.ts) writes what Date.prototype.toISOString does: `--json` output of
// traces is compared byte for byte.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoTime } from '../../src/core/isoTime';

test('the text of Date.prototype.toISOString, day boundaries, leap days and the edges of the fast path', () => {
  const day = 86_400_000;
  const times = [
    0,
    1,
    999,
    59_999,
    day - 1,
    day,
    Date.parse('2024-02-29T23:59:59.999Z'),
    Date.parse('2024-03-01T00:00:00.000Z'),
    Date.parse('2026-12-02T04:05:06.007Z'),
    253_402_300_799_999, // 9999-12-31T23:59:59.999Z
    253_402_300_800_000, // +010000-01-01
    8.64e15,
    -1,
    -day - 1,
    -8.64e15,
    1.5, // not a whole number of ms: Date's own rounding
  ];
  let seed = 1;
  for (let i = 0; i < 20_000; i++) times.push((seed = (seed * 48271) % 2147483647) * 117_000);
  // The same day twice, then another, then the first again: the cached day must not leak.
  times.push(day * 3 + 5, day * 3 + 7, day * 9, day * 3 + 11);
  for (const ms of times) assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms));
});

test('a time Date cannot write fails as Date does', () => {
  assert.throws(() => isoTime(Number.NaN), RangeError);
  assert.throws(() => isoTime(8.64e15 + 1), RangeError);
});
