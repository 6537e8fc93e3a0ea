// Drift between two profiles (src/core/drift.ts): PSI over the reference's bins, null rates,
// schema changes, too few rows; and resamples of one distribution are not drift. Profiles are
// built from column arrays by the contract (test/helpers/profiles.ts) and read by ingest's parser.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  categoricalPsi,
  compareProfiles,
  CompareOptions,
  DataProfile,
  DRIFT_DEFAULTS,
  driftFigures,
  driftSettings,
  DriftSettings,
  formatPsi,
  psiOf,
  quantileCdf,
  quantilePsi,
  settingsKey,
  summarizeDrift,
} from '../../src/core/drift';
import { readProfile } from '../../src/core/ingest/parseProfile';
import { floatBytes, fromStored, profileOf, tableOf } from '../../src/core/profile/storedProfile';
import { Columns, normal, profileFacets, sample, seeded } from '../helpers/profiles';

/** A table's profile as the index keeps it: through the contract's facets and ingest's parser. */
function profile(columns: Columns): DataProfile {
  const { facets, io } = profileFacets(columns);
  const warnings: string[] = [];
  const stored = readProfile(facets, io, 'sha256:test', 'input t.csv', warnings);
  assert.deepEqual(warnings, []);
  return profileOf(fromStored(stored!.data, floatBytes(stored!.numbers)));
}

const CITIES = Array.from({ length: 30 }, (_, i) => `city-${String(i).padStart(2, '0')}`);

/** A table of one population: normal age, skewed income, 30 cities (Zipf), a small integer, a flag. */
function population(seed: number, n: number, shift: { age?: number; cities?: boolean } = {}): Columns {
  const random = seeded(seed);
  // Zipf weights; shifted, the rarest city becomes the most frequent and so on.
  const weights = CITIES.map((_, i) => 1 / (shift.cities ? CITIES.length - i : i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const city = () => {
    let u = random() * total;
    for (let i = 0; i < CITIES.length; i++) if ((u -= weights[i]) <= 0) return CITIES[i];
    return CITIES[CITIES.length - 1];
  };
  return {
    age: sample(n, () => Math.round(normal(random, 40 + (shift.age ?? 0), 12))),
    income: sample(n, () => Math.round(Math.exp(normal(random, 10, 0.6)))),
    score: sample(n, () => normal(random, 0, 1)),
    city: sample(n, city),
    children: sample(n, () => Math.floor(random() * random() * 5)),
    member: sample(n, () => random() < 0.3),
  };
}

describe('drift: resamples of one distribution are not drift', () => {
  test('two independent samples of 5,000 rows, for ten pairs of seeds: same distribution, every PSI small', () => {
    for (let seed = 1; seed <= 10; seed++) {
      const report = compareProfiles(profile(population(seed, 5000)), profile(population(seed + 100, 5000)));
      assert.equal(report.verdict, 'same', `seeds ${seed}/${seed + 100}: ${driftFigures(report)}`);
      assert.ok(report.largestPsi! < 0.05, `seeds ${seed}/${seed + 100}: largest PSI ${report.largestPsi}`);
      assert.deepEqual(
        report.columns.map((c) => c.status),
        Array(6).fill('same'),
      );
      assert.deepEqual(Object.fromEntries(report.columns.map((c) => [c.name, c.bins])), {
        age: 'quantiles',
        income: 'quantiles',
        score: 'quantiles',
        city: 'top values',
        children: 'top values',
        member: 'top values',
      });
    }
  });

  test('small samples: PSI has more noise than the threshold, and the noise floor keeps resamples of 200 rows quiet', () => {
    let above = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const report = compareProfiles(profile(population(seed, 200)), profile(population(seed + 100, 200)));
      assert.equal(report.verdict, 'same', `seeds ${seed}/${seed + 100}: ${driftFigures(report)}`);
      above += report.columns.filter((c) => c.psi! >= DRIFT_DEFAULTS.threshold).length;
      for (const c of report.columns)
        assert.ok(c.noise! > DRIFT_DEFAULTS.threshold / 2, `${c.name} noise ${c.noise}`);
    }
    assert.ok(above > 0, 'without the noise floor some resample would be reported');
    // A real shift of that size is still found.
    const shifted = compareProfiles(profile(population(1, 200)), profile(population(2, 200, { age: 18 })));
    assert.equal(shifted.columns[0].name, 'age');
    assert.equal(shifted.verdict, 'drifted');
  });

  test('the same profile against itself: PSI 0 everywhere', () => {
    const p = profile(population(3, 2000));
    const report = compareProfiles(p, p);
    assert.equal(report.verdict, 'same');
    assert.equal(report.largestPsi, 0);
  });
});

describe('drift: what is reported', () => {
  test('a shifted numeric distribution drifts, with its column and figure; the others stay the same', () => {
    const report = compareProfiles(profile(population(1, 5000)), profile(population(2, 5000, { age: 12 })));
    assert.equal(report.verdict, 'drifted');
    const [first, ...rest] = report.columns;
    assert.equal(first.name, 'age');
    assert.equal(first.status, 'drifted');
    assert.ok(first.psi! > 0.5, `PSI ${first.psi}`);
    assert.ok(rest.every((c) => c.status === 'same'));
    assert.equal(driftFigures(report), `age PSI ${formatPsi(first.psi!)}`);
    // A threshold above the figure: no longer drift.
    const lenient = compareProfiles(
      profile(population(1, 5000)),
      profile(population(2, 5000, { age: 12 })),
      driftSettings({ threshold: first.psi! + 0.01 }),
    );
    assert.equal(lenient.verdict, 'same');
  });

  test('categorical drift: the cities change their frequencies', () => {
    const report = compareProfiles(
      profile(population(1, 5000)),
      profile(population(2, 5000, { cities: true })),
    );
    assert.equal(report.verdict, 'drifted');
    assert.equal(report.columns[0].name, 'city');
    assert.equal(report.columns[0].bins, 'top values');
    assert.ok(report.columns[0].psi! >= 0.2);
  });

  test('a new category that takes a third of the rows drifts; values missing from a complete list count 0', () => {
    const random = seeded(9);
    const before = profile({ color: sample(1000, () => (random() < 0.5 ? 'red' : 'blue')) });
    const after = profile({
      color: sample(1000, () => (random() < 0.33 ? 'green' : random() < 0.5 ? 'red' : 'blue')),
    });
    const report = compareProfiles(before, after);
    assert.equal(report.verdict, 'drifted');
    assert.ok(report.columns[0].psi! > 1, `PSI ${report.columns[0].psi}`);
    // Exactly: a doubles, b (absent from a complete list) counts 0, so epsilon; "other" stays empty.
    const top = (values: [string, number][], other: number) => ({ values, other });
    const psi = categoricalPsi(
      top(
        [
          ['a', 50],
          ['b', 50],
        ],
        0,
      ),
      top([['a', 50]], 0),
      DRIFT_DEFAULTS,
    );
    const expected = (1 - 0.5) * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
    assert.ok(Math.abs(psi - expected) < 1e-12, `${psi} vs ${expected}`);
    // Values found wherever the other side ranks them (a list names each value once: ingest drops
    // a profile that lists one twice): b moved to the top, c fell off a complete list.
    const reordered = categoricalPsi(
      top(
        [
          ['a', 50],
          ['b', 30],
          ['c', 20],
        ],
        0,
      ),
      top(
        [
          ['b', 60],
          ['a', 40],
        ],
        0,
      ),
      DRIFT_DEFAULTS,
    );
    const shares: Array<[number, number]> = [
      [0.5, 0.4],
      [0.3, 0.6],
      [0.2, 1e-4],
      [1e-4, 1e-4],
    ];
    const expectedReordered = shares.reduce((sum, [r, c]) => sum + (c - r) * Math.log(c / r), 0);
    assert.ok(Math.abs(reordered - expectedReordered) < 1e-12, `${reordered} vs ${expectedReordered}`);
  });

  test('the null rate moving by 10 points or more drifts, and says so', () => {
    const random = seeded(4);
    const ages = (nullShare: number) =>
      sample(2000, () => (random() < nullShare ? null : Math.round(normal(random, 40, 12))));
    const report = compareProfiles(profile({ age: ages(0.02) }), profile({ age: ages(0.2) }));
    assert.equal(report.verdict, 'drifted');
    const age = report.columns[0];
    assert.equal(age.nullRateMoved, true);
    assert.equal(age.psiMoved, false, 'the non-null values did not move');
    assert.match(driftFigures(report), /^age null rate \d+% → (1[89]|2[0-2])%$/);
    // Five points is not enough.
    const small = compareProfiles(profile({ age: ages(0.02) }), profile({ age: ages(0.07) }));
    assert.equal(small.verdict, 'same');
  });

  test('schema change: added, removed and retyped columns drift; integer ↔ number is no retype', () => {
    const random = seeded(5);
    const n = 500;
    const before = profile({
      id: sample(n, (i) => i),
      zip: sample(n, () => Math.floor(random() * 90000) + 10000),
      age: sample(n, () => Math.round(normal(random, 40, 12))),
      old: sample(n, () => 'x'),
    });
    const after = profile({
      id: sample(n, (i) => i),
      zip: sample(n, () => `Z${Math.floor(random() * 90000) + 10000}`),
      age: sample(n, () => normal(random, 40, 12)),
      extra1: sample(n, () => 1),
      extra2: sample(n, () => 2),
    });
    const report = compareProfiles(before, after);
    assert.equal(report.verdict, 'drifted');
    const status = Object.fromEntries(report.columns.map((c) => [c.name, c.status]));
    assert.deepEqual(status, {
      id: 'same',
      zip: 'retyped',
      age: 'same',
      old: 'removed',
      extra1: 'added',
      extra2: 'added',
    });
    assert.equal(
      driftFigures(report),
      'zip retyped integer → string, 2 new columns (extra1, extra2), 1 column removed (old)',
    );
    // Only the shared columns count (skew): new and missing columns are no drift, a retype is.
    const shared = compareProfiles(before, after, DRIFT_DEFAULTS, { columns: 'shared' });
    assert.equal(shared.verdict, 'drifted');
    const noRetype = compareProfiles(
      profile({ id: sample(n, (i) => i), old: sample(n, () => 'x') }),
      profile({ id: sample(n, (i) => i), new: sample(n, () => 'y') }),
      DRIFT_DEFAULTS,
      { columns: 'shared' },
    );
    assert.equal(noRetype.verdict, 'same');
  });

  test('ignoreColumns: a named or matched column is listed as ignored and counts for nothing', () => {
    const random = seeded(8);
    const n = 500;
    // A new batch: its ids and timestamps move on, its ages do not.
    const before = profile({
      id: sample(n, (i) => i),
      created_at: sample(n, (i) => 1_700_000_000 + i),
      age: sample(n, () => Math.round(normal(random, 40, 12))),
      note: sample(n, () => 'x'),
    });
    const after = profile({
      id: sample(n, (i) => n + i),
      created_at: sample(n, (i) => 1_800_000_000 + i),
      age: sample(n, () => Math.round(normal(random, 40, 12))),
      updated_at: sample(n, () => 'soon'),
    });
    const plain = compareProfiles(before, after);
    assert.equal(plain.verdict, 'drifted');
    assert.match(driftFigures(plain), /^(id|created_at) PSI/);

    const settings = driftSettings({ ignoreColumns: ['id', '*_at', 'note', ''] });
    assert.deepEqual(settings.ignoreColumns, ['*_at', 'id', 'note'], 'sorted, once each, no empty name');
    const report = compareProfiles(before, after, settings);
    assert.equal(report.verdict, 'same');
    const status = Object.fromEntries(report.columns.map((c) => [c.name, c.status]));
    assert.deepEqual(status, {
      age: 'same',
      created_at: 'ignored',
      id: 'ignored',
      note: 'ignored',
      updated_at: 'ignored',
    });
    assert.deepEqual(report.columns.map((c) => c.name).slice(0, 1), ['age'], 'ignored columns come last');
    const id = report.columns.find((c) => c.name === 'id')!;
    assert.ok(id.psi! > 5 && !id.psiMoved, 'its figure is shown, and does not move the verdict');
    assert.ok(report.largestPsi! < 0.2, `largest PSI ${report.largestPsi} is of the columns that count`);
    assert.equal(driftFigures(report), '');
    assert.deepEqual(summarizeDrift(tableOf(before), tableOf(after), settings), {
      verdict: 'same',
      why: null,
      largestPsi: report.largestPsi,
      figures: '',
    });
    // A pattern is the whole name, `*` any text; other characters are themselves.
    const some = compareProfiles(before, after, driftSettings({ ignoreColumns: ['i', 'created_*', '.*'] }));
    assert.deepEqual(
      some.columns.filter((c) => c.status === 'ignored').map((c) => c.name),
      ['created_at'],
    );
    assert.equal(some.verdict, 'drifted');
    assert.notEqual(settingsKey(settings), settingsKey(DRIFT_DEFAULTS), 'caches tell them apart');
  });

  test('fewer than 100 rows on either side: no verdict on the distributions', () => {
    const small = profile(population(1, 99));
    const large = profile(population(2, 5000, { age: 30 }));
    const report = compareProfiles(small, large);
    assert.equal(report.verdict, 'no verdict');
    assert.equal(report.why, 'too few rows to compare distributions (99, 100 needed)');
    assert.ok(report.columns.every((c) => c.status === 'no verdict'));
    assert.ok(report.columns.find((c) => c.name === 'age')!.psi! > 1, 'the figure is still computed');
    // The minimum is a setting.
    assert.equal(compareProfiles(small, large, driftSettings({ minRows: 50 })).verdict, 'drifted');
    // A schema change does not depend on the number of rows.
    const fewer = profile({ a: sample(10, (i) => i) });
    const renamed = profile({ b: sample(10, (i) => i) });
    assert.equal(compareProfiles(fewer, renamed).verdict, 'drifted');
  });

  test('profiles of different profilers are not compared', () => {
    const a = profile(population(1, 500));
    const b = { ...profile(population(1, 500)), profiler: 'mltrace-profile/2' };
    const report = compareProfiles(a, b);
    assert.equal(report.verdict, 'no verdict');
    assert.match(report.why!, /different profilers/);
  });
});

describe('the CDF of 21 quantiles', () => {
  test('is linear between quantiles, 0 below the minimum, 1 from the maximum, and jumps over repeated values', () => {
    const q = Array.from({ length: 21 }, (_, i) => i * 10);
    assert.equal(quantileCdf(q, -1), 0);
    assert.equal(quantileCdf(q, 0), 0);
    assert.equal(quantileCdf(q, 15), 0.075);
    assert.equal(quantileCdf(q, 200), 1);
    const ties = [...Array(11).fill(0), ...Array.from({ length: 10 }, (_, i) => i + 1)];
    assert.equal(quantileCdf(ties, 0), 0.5, 'half the rows are 0');
    assert.equal(quantileCdf(ties, -0.5), 0);
  });

  test("quantilePsi's bins are quantileCdf at the reference's edges, ties and sides that do not overlap included", () => {
    const random = seeded(21);
    // Quantiles of small integers: many ties; some sides wholly below or above the other.
    const side = (offset: number, spread: number) =>
      Array.from({ length: 21 }, () => offset + Math.floor(random() * spread)).sort((a, b) => a - b);
    for (let n = 0; n < 300; n++) {
      const reference = side(0, 1 + (n % 7));
      const current = side((n % 5) - 2, 1 + (n % 9));
      for (const bins of [2, 4, 5, 10, 20]) {
        const settings = { ...DRIFT_DEFAULTS, bins };
        // The edges as quantilePsi makes them: the reference's quantiles at k/bins, each once.
        const edges: number[] = [];
        for (let k = 1; k < bins; k++) {
          const edge = reference[Math.round((k * 20) / bins)];
          if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
        }
        const fractionsOf = (q: number[]) => {
          const at = edges.map((edge) => quantileCdf(q, edge));
          return [...at.map((v, i) => v - (i ? at[i - 1] : 0)), 1 - (at.length ? at[at.length - 1] : 0)];
        };
        const expected = psiOf(fractionsOf(reference), fractionsOf(current), settings.epsilon);
        assert.equal(
          quantilePsi(reference, current, settings),
          expected,
          `${reference} | ${current} | ${bins}`,
        );
      }
    }
  });
});

// summarizeDrift: what a staleness sentence says of a comparison, made without putting every
// column of the report in order. It must say exactly what compareProfiles and driftFigures say.
/**
 * A wide table: numeric columns whose means move by `shift` times their own step (so that several
 * drift, by different amounts, and some by the same amount: ties broken by name), a column whose
 * nulls come and go, categories, and the columns `extra` names.
 */
function table(seed: number, n: number, shift: number, extra: Columns = {}): Columns {
  const random = seeded(seed);
  const columns: Columns = {};
  for (let c = 0; c < 12; c++)
    columns[`x${String(c).padStart(2, '0')}`] = sample(n, () =>
      normal(random, 100 + shift * (c % 4) * 3, 10),
    );
  columns.maybe = sample(n, () => (random() < 0.05 + shift * 0.1 ? null : random()));
  columns.city = sample(n, () => `city-${Math.floor(random() * random() * (8 + shift * 6))}`);
  return { ...columns, ...extra };
}

/** What staleness kept before summarizeDrift: the report, then its figures. */
function viaReport(a: DataProfile, b: DataProfile, settings: DriftSettings, options: CompareOptions) {
  const report = compareProfiles(a, b, settings, options);
  return {
    verdict: report.verdict,
    why: report.why,
    largestPsi: report.largestPsi,
    figures: report.verdict === 'drifted' ? driftFigures(report, options) : '',
  };
}

describe('summarizeDrift', () => {
  test('says what compareProfiles and driftFigures say, for drift, ties, schema changes, few rows and settings', () => {
    const n = 800;
    const base = profile(table(1, n, 0, { gone: sample(n, (i) => i), kind: sample(n, (i) => i % 3) }));
    const profiles = [
      profile(table(2, n, 0, { gone: sample(n, (i) => i), kind: sample(n, (i) => i % 3) })),
      profile(table(3, n, 1, { gone: sample(n, (i) => i), kind: sample(n, (i) => i % 3) })),
      profile(
        table(4, n, 2, {
          kind: sample(n, (i) => `k${i % 3}`),
          new2: sample(n, () => 1),
          new1: sample(n, () => 2),
        }),
      ),
      profile(table(5, n, 3)),
      profile(table(6, 50, 2)),
      { ...profile(table(7, n, 1)), profiler: 'mltrace-profile/2' },
    ];
    const settings = [
      DRIFT_DEFAULTS,
      driftSettings({ threshold: 0.05, bins: 5, topValues: 3 }),
      driftSettings({ minRows: 10 }),
      driftSettings({ ignoreColumns: ['x01', 'x1*', 'new1', 'kind', 'gone'] }),
    ];
    let drifted = 0;
    let manyParts = 0;
    for (const s of settings)
      for (const columns of ['all', 'shared'] as const)
        for (const other of profiles)
          for (const [a, b] of [
            [base, other],
            [other, base],
          ]) {
            const expected = viaReport(a, b, s, { columns });
            assert.deepEqual(summarizeDrift(tableOf(a), tableOf(b), s, { columns }), expected);
            if (expected.verdict === 'drifted') drifted++;
            if (/more drifted column/.test(expected.figures)) manyParts++;
          }
    // The cases cover what the order decides: more drifted columns than a sentence names.
    assert.ok(drifted >= 20, `${drifted} drifted`);
    assert.ok(manyParts >= 6, `${manyParts} with more drifted columns than named`);
  });
});
