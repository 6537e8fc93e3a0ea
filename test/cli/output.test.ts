// writeOut (src/cli/output.ts): long output waits for a full pipe to drain instead of piling up in
// the stream, and a reader that went away never leaves the command waiting.
import * as assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { writeOut } from '../../src/cli/output';

/** A stream that takes 4 bytes before it reports itself full, and passes text on when `release` is called. */
function slowReader() {
  const taken: string[] = [];
  const pending: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 4,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      pending.push(() => {
        taken.push(chunk);
        callback();
      });
    },
  });
  return { stream, taken, release: () => pending.splice(0).forEach((f) => f()) };
}

test('waits while the stream is full, and goes on once it has drained', async () => {
  const { stream, taken, release } = slowReader();
  await writeOut('ab', stream); // under the mark: returns at once
  let done = false;
  const second = writeOut('cdefgh', stream).then(() => (done = true));
  await new Promise(setImmediate);
  assert.equal(done, false, 'writeOut returned while the stream held more than it wants');
  release();
  await new Promise(setImmediate);
  release();
  await second;
  assert.deepEqual(taken, ['ab', 'cdefgh']);
  assert.equal(stream.writableLength, 0);
});

test('a stream that closes or fails while full ends the wait; a closed one is not written to', async () => {
  for (const end of ['destroy', 'error'] as const) {
    const { stream } = slowReader();
    stream.on('error', () => {});
    const waiting = writeOut('a long text', stream);
    if (end === 'destroy') stream.destroy();
    else stream.destroy(Object.assign(new Error('EPIPE'), { code: 'EPIPE' }));
    await waiting;
    assert.ok(stream.destroyed);
    let wrote = false;
    stream.write = () => (wrote = true);
    await writeOut('more', stream);
    assert.equal(wrote, false, `${end}: wrote to a stream that is gone`);
  }
});
