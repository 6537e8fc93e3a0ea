// How the index stores a data profile (src/core/profile/storedProfile.ts): words as JSON, numbers
// as floats, read back as a table of parallel lists over those floats. What is read back is the
// profile that was stored, whatever its columns hold, and a BLOB that does not match its words is
// an error, not a profile of wrong numbers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DataProfile } from '../../src/core/drift';
import {
  COUNT,
  floatBytes,
  fromStored,
  NULLS,
  profileOf,
  QUANTILE_COUNT,
  QUANTILES_AT,
  tableOf,
  toStored,
} from '../../src/core/profile/storedProfile';

const QUANTILES = Array.from({ length: 21 }, (_, i) => 10 + i * 0.1 + 1e-13 * i);

const PROFILE: DataProfile = {
  profiler: 'mltrace-profile/1',
  rows: 5000,
  fileRows: 123456,
  sampled: true,
  cutShort: false,
  bytes: 98765,
  columns: [
    {
      name: 'age',
      type: 'integer',
      nullCount: 3,
      count: 4997,
      distinctCount: 80,
      min: 18,
      max: 97,
      mean: 41.5,
      quantiles: QUANTILES,
    },
    {
      name: 'kind',
      type: 'integer',
      nullCount: 0,
      count: 5000,
      distinctCount: 3,
      min: 0,
      max: 2,
      mean: 1,
      quantiles: QUANTILES,
      top: {
        values: [
          ['0', 2000],
          ['1', 1800],
          ['2', 1200],
        ],
        other: 0,
      },
    },
    {
      name: 'city "Zürich"\n',
      type: 'string',
      nullCount: 10,
      count: 4990,
      distinctCount: 40,
      top: {
        values: [
          ['São Paulo', 900],
          ['\u202e', 4],
        ],
        other: 4086,
      },
    },
    { name: 'blob', type: 'json', nullCount: 5000, count: 0, distinctCount: 0 },
    {
      name: 'flag',
      type: 'boolean',
      nullCount: 0,
      count: 5000,
      distinctCount: 2,
      top: {
        values: [
          ['true', 2600],
          ['false', 2400],
        ],
        other: 0,
      },
    },
    { name: 'empty', type: 'number', nullCount: 0, count: 0, distinctCount: 0, min: -0, max: 1e308 },
  ],
};

const roundTrip = (profile: DataProfile): DataProfile => {
  const stored = toStored(profile);
  return profileOf(fromStored(stored.data, floatBytes(stored.numbers)));
};

describe('stored profiles', () => {
  test('read back as stored: every field of every kind of column, quantiles exact to the bit', () => {
    const back = roundTrip(PROFILE);
    assert.deepEqual(back, PROFILE);
    assert.ok(Object.is(back.columns[5].min, -0));
    assert.equal(roundTrip({ ...PROFILE, columns: [] }).columns.length, 0);
    assert.deepEqual(profileOf(tableOf(PROFILE)), PROFILE, 'a profile given as objects reads the same');
  });

  test("a table finds each column's figures in one run of floats, as comparisons read them", () => {
    const { data, numbers } = toStored(PROFILE);
    const t = fromStored(data, floatBytes(numbers));
    assert.deepEqual(
      t.names,
      PROFILE.columns.map((c) => c.name),
    );
    assert.deepEqual(
      t.types,
      PROFILE.columns.map((c) => c.type),
    );
    PROFILE.columns.forEach((c, i) => {
      const at = t.at[i];
      assert.equal(t.numbers[at + NULLS], c.nullCount, c.name);
      assert.equal(t.numbers[at + COUNT], c.count, c.name);
      const q = t.numbers[at + QUANTILE_COUNT];
      assert.deepEqual(
        Array.from(t.numbers.subarray(at + QUANTILES_AT, at + QUANTILES_AT + q)),
        c.quantiles ?? [],
      );
      assert.deepEqual(t.top[i], c.top ? c.top.values.map(([v]) => v) : null, c.name);
      if (c.top) {
        const counts = at + QUANTILES_AT + q;
        assert.equal(t.numbers[counts], c.top.other, c.name);
        assert.deepEqual(
          Array.from(t.numbers.subarray(counts + 1, counts + 1 + c.top.values.length)),
          c.top.values.map(([, n]) => n),
        );
      }
    });
  });

  test('numbers stored apart from the words: the JSON holds no quantile', () => {
    const { data, numbers } = toStored(PROFILE);
    assert.ok(!data.includes('10.1'), data);
    assert.equal(numbers.length, 5 + 6 * 7 + 2 * 21 + (1 + 3) + (1 + 2) + (1 + 2));
  });

  test('versions of a table with the same columns and values have one text of words', () => {
    const later: DataProfile = {
      ...PROFILE,
      rows: 7000,
      fileRows: 7000,
      sampled: false,
      cutShort: true,
      bytes: 123,
      columns: PROFILE.columns.map((c) => ({ ...c, nullCount: c.nullCount + 1, count: c.count + 2 })),
    };
    assert.equal(toStored(later).data, toStored(PROFILE).data);
    assert.deepEqual(roundTrip(later), later);
  });

  test('a BLOB or words that do not match are an error', () => {
    const { data, numbers } = toStored(PROFILE);
    const bytes = floatBytes(numbers);
    assert.throws(() => fromStored(data, bytes.subarray(0, bytes.length - 8)), /numbers/);
    assert.throws(() => fromStored(data, bytes.subarray(0, 13)), /not whole floats/);
    const longer = new Float64Array(numbers.length + 1);
    longer.set(numbers);
    assert.throws(() => fromStored(data, floatBytes(longer)), /do not match its columns/);
    const words = JSON.parse(data) as { types: string[] };
    words.types.pop();
    assert.throws(() => fromStored(JSON.stringify(words), bytes), /words do not list each column/);
  });

  test('a BLOB at an offset that is no multiple of 8 is copied, not misread', () => {
    const { data, numbers } = toStored(PROFILE);
    const shifted = new Uint8Array(numbers.byteLength + 3);
    shifted.set(floatBytes(numbers), 3);
    assert.deepEqual(profileOf(fromStored(data, shifted.subarray(3))), PROFILE);
  });
});
