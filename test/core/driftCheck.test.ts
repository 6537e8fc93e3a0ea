// DriftCheck (src/core/driftCheck.ts) reads a profile for a comparison into the buffer of one it
// let go. Whatever the order of comparisons and the sizes of the profiles, each summary must be the
// one the two profiles give when read afresh.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DRIFT_DEFAULTS, summarizeDrift } from '../../src/core/drift';
import { DriftCheck } from '../../src/core/driftCheck';
import { readProfile } from '../../src/core/ingest/parseProfile';
import { floatBytes, fromStored } from '../../src/core/profile/storedProfile';
import { SCHEMA } from '../../src/core/schema';
import { Database, loadSqlJs } from '../../src/core/sql';
import { Columns, normal, profileFacets, sample, seeded } from '../helpers/profiles';

/**
 * The database as DriftCheck meets it: as sql.js made it, or without the connection's handle that
 * BlobQuery needs (as a sql.js without it would be), so that profiles are read through a Statement.
 */
const HOW = {
  'straight from sql.js memory': (db: Database) => db,
  'through a sql.js Statement': (db: Database) =>
    new Proxy(db, {
      get: (target, name) => {
        if (name === 'db') return undefined;
        const value = Reflect.get(target, name, target) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }),
};

for (const [how, as] of Object.entries(HOW))
  test(`summaries in any order, of profiles of many sizes, each as its two profiles give it (${how})`, async (t) => {
    const SQL = await loadSqlJs();
    const db = new SQL.Database();
    t.after(() => db.close());
    db.exec(SCHEMA);
    // 40 versions of 1 to 9 columns, their means apart: most pairs drift, and differently.
    const versions = Array.from({ length: 40 }, (_, k) => `sha256:v${k}`);
    const stored = versions.map((version, k) => {
      const random = seeded(k + 1);
      const columns: Columns = {};
      for (let c = 0; c <= k % 9; c++) columns[`c${c}`] = sample(300, () => normal(random, (k % 5) * 0.3, 1));
      const { facets, io } = profileFacets(columns);
      const profile = readProfile(facets, io, version, version, [])!;
      return { version, data: profile.data, bytes: floatBytes(profile.numbers) };
    });
    const insert = db.prepare('INSERT INTO profiles (version, data, numbers) VALUES (?, ?, ?)');
    for (const p of stored) insert.run([p.version, p.data, p.bytes]);
    insert.free();
    const fresh = (k: number) => fromStored(stored[k].data, stored[k].bytes.slice());

    const check = new DriftCheck(as(db));
    t.after(() => check.dispose());
    // Pairs in a seeded order, each once (a summary is kept by pair): a profile is read, let go and
    // read again as the cache of 16 turns over, and read into another one's buffer.
    const random = seeded(99);
    const pairs: Array<[number, number]> = [];
    for (let a = 0; a < versions.length; a++)
      for (let b = 0; b < versions.length; b++) if (a !== b && random() < 0.15) pairs.push([a, b]);
    for (let i = pairs.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [pairs[i], pairs[j]] = [pairs[j], pairs[i]];
    }
    assert.ok(pairs.length > 150);
    const verdicts = new Set<string>();
    for (const [a, b] of pairs) {
      const summary = check.summary(versions[a], versions[b], DRIFT_DEFAULTS, 'all');
      assert.deepEqual(summary, summarizeDrift(fresh(a), fresh(b)), `${versions[a]} against ${versions[b]}`);
      assert.equal(check.sharedColumns(versions[a], versions[b]), Math.min(a % 9, b % 9) + 1);
      verdicts.add(summary!.verdict);
    }
    assert.deepEqual([...verdicts].sort(), ['drifted', 'same']);
    // A profile handed out (profile()) is a copy of its own: later comparisons leave it as it was.
    const kept = check.profile(versions[7])!;
    const before = Array.from(kept.numbers);
    for (let k = 8; k < versions.length; k++)
      check.summary(versions[k], versions[0], DRIFT_DEFAULTS, 'shared');
    assert.deepEqual(Array.from(kept.numbers), before);
  });
