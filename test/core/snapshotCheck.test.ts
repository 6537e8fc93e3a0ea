// A snapshot whose file status is what it was when its bytes last matched their checksum is not
// hashed again (src/core/snapshotCheck.ts); any write since, a replacement, or a record that says
// something else makes the next open hash it, and rebuild it if it is damaged.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { describe, test } from 'node:test';
import { verifiedPath } from '../../src/core/snapshotCheck';
import { at, Fixture, queryState, tempFixture } from '../helpers/lineage';

function logRuns(fx: Fixture, count: number, offset = 0): void {
  const w = fx.writer();
  for (let i = 0; i < count; i++) {
    const start = offset + i * 10;
    w.logRun(
      { component: i % 2 ? 'train' : 'clean', startTime: at(start), inputs: [{ name: `in${i}.csv` }] },
      { status: 'complete', endTime: at(start + 1), outputs: [{ name: `out${offset + i}.csv` }] },
    );
  }
}

/** An hour ago, in whole seconds (which file times hold exactly). */
const hourAgo = new Date(Math.floor(Date.now() / 1000) * 1000 - 3600_000);

/** Makes the snapshot an hour old, as one saved before today's commands is. */
function ageSnapshot(fx: Fixture): void {
  fs.utimesSync(fx.snapshot, hourAgo, hourAgo);
}

/** A store of 200 runs, saved, aged, and opened once (which hashes it and records its status). */
async function verifiedStore(fx: Fixture, readLazily: boolean): Promise<string> {
  logRuns(fx, 200);
  const store = await fx.open();
  const expected = queryState(store);
  store.close();
  ageSnapshot(fx);
  const first = await fx.open({ readLazily });
  assert.equal(first.snapshotCheckedBy, 'checksum');
  first.close();
  assert.ok(fs.existsSync(verifiedPath(fx.snapshot)), 'the status is recorded');
  return expected;
}

function damageMiddlePage(fx: Fixture): void {
  const size = fs.statSync(fx.snapshot).size;
  const fd = fs.openSync(fx.snapshot, 'r+');
  fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096 * Math.floor(size / 4096 / 2));
  fs.closeSync(fd);
}

describe('snapshot check by file status', () => {
  for (const readLazily of [false, true]) {
    const mode = readLazily ? ' (read lazily)' : '';

    test(`a snapshot unchanged since it was verified is not hashed again${mode}`, async (t) => {
      const fx = tempFixture(t);
      const expected = await verifiedStore(fx, readLazily);
      for (let i = 0; i < 2; i++) {
        const store = await fx.open({ readLazily });
        assert.equal(store.snapshotCheckedBy, 'file status');
        assert.equal(queryState(store), expected);
        store.close();
      }
    });

    for (const restoreTimes of [false, true])
      test(`a snapshot written since it was verified is hashed and rebuilt${restoreTimes ? ', its times set back' : ''}${mode}`, async (t) => {
        const fx = tempFixture(t);
        const expected = await verifiedStore(fx, readLazily);
        damageMiddlePage(fx);
        if (restoreTimes) {
          ageSnapshot(fx); // as it was: only the change time tells
          assert.equal(fs.statSync(fx.snapshot).mtimeMs, hourAgo.getTime());
        }
        const messages: string[] = [];
        const store = await fx.open({ readLazily, onMessage: (m) => messages.push(m) });
        assert.equal(messages.length, 1);
        assert.match(messages[0], /lineage\.sqlite is damaged \(it does not match lineage\.sqlite\.sha256\)/);
        assert.equal(store.snapshotCheckedBy, null, 'rebuilt from the log');
        assert.equal(queryState(store), expected);
        store.close();
      });
  }

  test('a snapshot saved less than 2 s ago is hashed, and its status not recorded', async (t) => {
    const fx = tempFixture(t);
    logRuns(fx, 20);
    (await fx.open()).close();
    for (let i = 0; i < 2; i++) {
      const store = await fx.open({ readLazily: true });
      assert.equal(store.snapshotCheckedBy, 'checksum');
      store.close();
    }
    assert.equal(fs.existsSync(verifiedPath(fx.snapshot)), false);
  });

  test('a save forgets the record; the new snapshot is hashed', async (t) => {
    const fx = tempFixture(t);
    await verifiedStore(fx, true);
    logRuns(fx, 5, 100_000);
    const store = await fx.open({ readLazily: true });
    assert.equal(store.snapshotCheckedBy, 'file status');
    store.close(); // the new runs were ingested: saved
    assert.equal(fs.existsSync(verifiedPath(fx.snapshot)), false);
    ageSnapshot(fx);
    const reopened = await fx.open({ readLazily: true });
    assert.equal(reopened.snapshotCheckedBy, 'checksum');
    assert.equal(reopened.recent({ limit: 1000 }).items.length, 205);
    reopened.close();
  });

  for (const [label, record] of [
    ['not JSON', () => '{"sha256": '],
    ['of another checksum', (r: Record<string, string>) => JSON.stringify({ ...r, sha256: '0'.repeat(64) })],
    [
      'of another file',
      (r: Record<string, string>) => JSON.stringify({ ...r, ino: String(Number(r.ino) + 1) }),
    ],
    ['of another size', (r: Record<string, string>) => JSON.stringify({ ...r, size: '4096' })],
  ] as const)
    test(`a record ${label} is not trusted`, async (t) => {
      const fx = tempFixture(t);
      await verifiedStore(fx, true);
      const file = verifiedPath(fx.snapshot);
      fs.writeFileSync(file, record(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, string>));
      const store = await fx.open({ readLazily: true });
      assert.equal(store.snapshotCheckedBy, 'checksum');
      store.close();
    });
});
