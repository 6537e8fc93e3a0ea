// Drift in staleness (src/core/staleness.ts): rule 3's verdict when both versions have profiles,
// training–serving skew, profiles through ingest (malformed ones reported and skipped, the worker
// thread's path the same as the main thread's), and `drift()` as `mltrace drift` asks it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test, TestContext } from 'node:test';
import { compareProfiles, DataProfile, driftFigures, formatPsi } from '../../src/core/drift';
import { shortId } from '../../src/core/format';
import { readProfile } from '../../src/core/ingest/parseProfile';
import { floatBytes, fromStored, profileOf } from '../../src/core/profile/storedProfile';
import { appendEvents, Fixture, iso, tempFixture, uuid } from '../helpers/lineage';
import {
  Columns,
  MODEL_CONTENT,
  MODEL_VERSION,
  normal,
  pipeline,
  profiledRunEvent,
  profileFacets,
  sample,
  seeded,
} from '../helpers/profiles';

const FEATURIZE_1 = uuid(1);
const TRAIN = uuid(2, '7106a157');
const FEATURIZE_2 = uuid(3);
const SCORE = uuid(4);

/** Features of one population: age (shifted by `shift`), income, city, and optionally more. */
function features(seed: number, n: number, shift = 0, extra: Columns = {}): Columns {
  const random = seeded(seed);
  return {
    age: sample(n, () => Math.round(normal(random, 40 + shift, 12))),
    income: sample(n, () => Math.round(Math.exp(normal(random, 10, 0.6)))),
    city: sample(n, () => ['north', 'south', 'east', 'west'][Math.floor(random() * 4)]),
    ...extra,
  };
}

const asProfile = (columns: Columns): DataProfile => {
  const { facets, io } = profileFacets(columns);
  const stored = readProfile(facets, io, 'v', 'x', [])!;
  return profileOf(fromStored(stored.data, floatBytes(stored.numbers)));
};

const CHANGED = `Input data/features.csv (last written by featurize (run ${shortId(FEATURIZE_2)})) changed since this run read it`;

/** The pipeline with age shifted by one standard deviation in v2; the PSI of age. */
async function shifted(fx: Fixture) {
  const before = features(1, 5000);
  const after = features(2, 5000, 12);
  pipeline(fx, before, after);
  const psi = compareProfiles(asProfile(before), asProfile(after)).columns[0].psi!;
  return { store: await fx.open(), psi };
}

/**
 * train's reasons when neither version has a profile, when only v1 has and when only v2 has (train
 * run on `trainHost`).
 */
async function withoutBothProfiles(t: TestContext, trainHost?: string): Promise<string[][]> {
  const reasons: string[][] = [];
  for (const [first, next] of [
    [undefined, undefined],
    [features(1, 500), undefined],
    [undefined, features(1, 500)],
  ] as const) {
    const fx = tempFixture(t);
    pipeline(fx, first, next, undefined, trainHost);
    reasons.push((await fx.open()).inspect(TRAIN).stale);
  }
  return reasons;
}

describe('drift refines rule 3 (the input changed since the run read it)', () => {
  test('a shifted distribution: the reason says it drifted, with the column and its PSI', async (t) => {
    const { store, psi } = await shifted(tempFixture(t));
    assert.ok(psi > 0.2);
    assert.deepEqual(store.inspect(TRAIN).stale, [`${CHANGED} and drifted: age PSI ${formatPsi(psi)}.`]);
  });

  test('a resample of the same distribution: "same distribution", never "drifted"', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, features(1, 5000), features(2, 5000));
    const store = await fx.open();
    const [reason] = store.inspect(TRAIN).stale;
    assert.match(reason, new RegExp(`^${escape(CHANGED)}; same distribution \\(largest PSI 0\\.0\\d\\)\\.$`));
    assert.doesNotMatch(reason, /drifted/);
  });

  test('without profiles (or with only one side profiled), rule 3 is unchanged', async (t) => {
    assert.deepEqual(await withoutBothProfiles(t), Array(3).fill([`${CHANGED}.`]));
  });

  test('schema and null-rate changes are named; fewer than 100 rows give no verdict', async (t) => {
    const fx = tempFixture(t);
    const random = seeded(8);
    const after = features(2, 5000, 0, { label: sample(5000, () => random() < 0.5) });
    after.income = after.income.map((v) => (random() < 0.3 ? null : v));
    pipeline(fx, features(1, 5000), after);
    const store = await fx.open();
    assert.match(
      store.inspect(TRAIN).stale[0],
      new RegExp(
        `^${escape(CHANGED)} and drifted: income null rate 0% → (29|30|31)%, 1 new column \\(label\\)\\.$`,
      ),
    );

    const few = tempFixture(t);
    pipeline(few, features(1, 60), features(2, 5000, 20));
    const fewStore = await few.open();
    assert.deepEqual(fewStore.inspect(TRAIN).stale, [
      `${CHANGED}; too few rows to compare distributions (60, 100 needed).`,
    ]);
  });

  test('the threshold is a setting: stale({ drift: { threshold } })', async (t) => {
    const { store, psi } = await shifted(tempFixture(t));
    const strict = store.stale({ component: 'train' });
    assert.match(strict[0].stale[0], /and drifted: age PSI/);
    const lenient = store.stale({ component: 'train', drift: { threshold: psi + 0.1 } });
    assert.match(lenient[0].stale[0], /; same distribution \(largest PSI/);
  });
});

describe("a teammate's run, judged by the log, carries the verdict on drift", () => {
  const FAR = 'gpu-far-away';
  const AGAIN = `Input data/features.csv was written again by featurize (run ${shortId(FEATURIZE_2)}) after this run started`;

  test('the later logged write against the version read: drifted, or the same distribution', async (t) => {
    const fx = tempFixture(t);
    const before = features(1, 5000);
    const after = features(2, 5000, 12);
    pipeline(fx, before, after, undefined, FAR);
    const store = await fx.open();
    const psi = compareProfiles(asProfile(before), asProfile(after)).columns[0].psi!;
    assert.deepEqual(store.inspect(TRAIN).stale, [`${AGAIN} and drifted: age PSI ${formatPsi(psi)}.`]);
    // The threshold is a setting here too.
    const [lenient] = store.stale({ component: 'train', drift: { threshold: psi + 0.1 } });
    assert.match(lenient.stale[0], new RegExp(`^${escape(AGAIN)}; same distribution \\(largest PSI`));
    // Without drift, the sentence as it was.
    const [plain] = store.stale({ component: 'train', drift: false });
    assert.deepEqual(plain.stale, [`${AGAIN}.`]);

    const same = tempFixture(t);
    pipeline(same, features(1, 5000), features(2, 5000), undefined, FAR);
    const sameStore = await same.open();
    assert.match(
      sameStore.inspect(TRAIN).stale[0],
      new RegExp(`^${escape(AGAIN)}; same distribution \\(largest PSI 0\\.0\\d\\)\\.$`),
    );
  });

  test('without profiles on both sides, the sentence is as it was', async (t) => {
    assert.deepEqual(await withoutBothProfiles(t, FAR), Array(3).fill([`${AGAIN}.`]));
  });
});

describe('comparisons are kept by pair of versions and settings', () => {
  test('a new version logged, or other settings, give a new verdict on the same store', async (t) => {
    const fx = tempFixture(t);
    const { store, psi } = await shifted(fx);
    const drifted = [`${CHANGED} and drifted: age PSI ${formatPsi(psi)}.`];
    assert.deepEqual(store.inspect(TRAIN).stale, drifted);
    // Other settings, then the defaults again: each their own verdict, none kept for the other.
    const [lenient] = store.stale({ component: 'train', drift: { threshold: psi + 0.1 } });
    assert.match(lenient.stale[0], new RegExp(`^${escape(CHANGED)}; same distribution \\(largest PSI`));
    assert.deepEqual(store.stale({ component: 'train' })[0].stale, drifted);
    // featurize logs v3, like v1 again: the latest logged version is v3, and the verdict is on it.
    const featurize3 = uuid(5);
    appendEvents(fx, 'log.jsonl', [
      profiledRunEvent({
        runId: featurize3,
        job: 'featurize',
        start: iso(30),
        end: iso(35),
        outputs: [{ name: 'data/features.csv', version: 'sha256:v3', columns: features(3, 5000) }],
      }),
    ]);
    store.ingest();
    assert.match(
      store.inspect(TRAIN).stale[0],
      new RegExp(
        `^Input data/features\\.csv \\(last written by featurize \\(run ${shortId(featurize3)}\\)\\) changed since this run read it; same distribution \\(largest PSI 0\\.0\\d\\)\\.$`,
      ),
    );
  });
});

/** A later run, `peek`, reads v2 of data/features.csv and logs `columns` as its profile. */
function peekAtV2(fx: Fixture, columns: Columns): void {
  appendEvents(fx, 'log.jsonl', [
    profiledRunEvent({
      runId: uuid(9),
      job: 'peek',
      start: iso(40),
      end: iso(41),
      inputs: [{ name: 'data/features.csv', version: 'sha256:v2', columns }],
    }),
  ]);
}

/** The pipeline, then score reads the model and data/live.csv. */
function scoring(fx: Fixture, live: Columns): void {
  pipeline(fx, features(1, 5000), undefined);
  // The model and the live data are on disk as score read them (rule 3 has nothing to say).
  const written = (rel: string, content: string) => {
    fx.writeFile(rel, content);
    return `sha256:${createHash('sha256').update(content).digest('hex')}`;
  };
  const model = written('models/model.pkl', MODEL_CONTENT);
  const liveVersion = written('data/live.csv', 'age,income\n');
  appendEvents(fx, 'log.jsonl', [
    profiledRunEvent({
      runId: SCORE,
      job: 'score',
      start: iso(30),
      end: iso(35),
      inputs: [
        { name: 'models/model.pkl', version: model },
        { name: 'data/live.csv', version: liveVersion, columns: live },
      ],
      outputs: [{ name: 'data/scores.csv', version: 'sha256:s1' }],
    }),
  ]);
}

describe('training–serving skew', () => {
  test("live data that drifted from the model's training data is a reason, naming both files, the run and the figures", async (t) => {
    const fx = tempFixture(t);
    const live = features(5, 5000, 12, {
      session: sample(5000, (i) => `s${i % 7}`),
      device: sample(5000, () => 'web'),
    });
    scoring(fx, live);
    const store = await fx.open();
    const psi = compareProfiles(asProfile(features(1, 5000)), asProfile(live), undefined, {
      columns: 'shared',
    }).columns.find((c) => c.name === 'age')!.psi!;
    assert.deepEqual(store.inspect(SCORE).stale, [
      `data/live.csv has drifted from data/features.csv, which train (run 7106a157) fitted models/model.pkl on: age PSI ${formatPsi(psi)}, 2 new columns (device, session).`,
    ]);
    // `mltrace stale` (the latest run of each component) carries it.
    assert.deepEqual(store.stale().find((r) => r.component === 'score')?.stale, store.inspect(SCORE).stale);
  });

  test('live data like the training data (and missing its label column) is no reason', async (t) => {
    const fx = tempFixture(t);
    const live = features(6, 5000);
    delete live.city;
    scoring(fx, live);
    const store = await fx.open();
    assert.deepEqual(store.inspect(SCORE).stale, []);
  });
});

describe('many profiled versions in one check', () => {
  test('more versions than the profile cache holds: each run as a check of it alone, skew after rule 3', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, features(1, 500), undefined);
    // 24 versions of live.csv, each written by ingest and read by a score run with the model: more
    // than the profiles kept (16), so the check of all of them reads evicted profiles again.
    const versions = 24;
    const scores: string[] = [];
    const live = (k: number) => features(100 + k, 500, 6 * k);
    for (let k = 1; k <= versions; k++) {
      const ingest = uuid(100 + k);
      const score = uuid(200 + k);
      scores.push(score);
      appendEvents(fx, 'log.jsonl', [
        profiledRunEvent({
          runId: ingest,
          job: 'ingest',
          start: iso(100 * k),
          end: iso(100 * k + 5),
          outputs: [{ name: 'data/live.csv', version: `sha256:live-${k}`, columns: live(k) }],
        }),
        profiledRunEvent({
          runId: score,
          job: 'score',
          start: iso(100 * k + 10),
          end: iso(100 * k + 15),
          inputs: [
            { name: 'models/model.pkl', version: MODEL_VERSION },
            { name: 'data/live.csv', version: `sha256:live-${k}` },
          ],
        }),
      ]);
    }
    // On disk, none of the logged versions: rule 3 fires for every score run.
    fx.writeFile('data/live.csv', 'age,income,city\n1,2,north\n');
    fx.writeFile('models/model.pkl', MODEL_CONTENT);
    const all = await fx.open();
    const together = new Map(all.stale({ component: 'score' }).map((r) => [r.id, r.stale]));
    assert.equal(together.size, versions);
    // Each run checked alone on a store of its own, newest first (another order of the caches).
    const alone = await fx.open();
    for (const score of [...scores].reverse())
      assert.deepEqual(together.get(score), alone.inspect(score).stale);
    // The first run: rule 3's verdict against the latest version, then skew against the training data.
    const [rule3, skew] = together.get(scores[0])!;
    const latest = compareProfiles(asProfile(live(1)), asProfile(live(versions)));
    assert.equal(latest.verdict, 'drifted');
    assert.equal(
      rule3,
      `Input data/live.csv (last written by ingest (run ${shortId(uuid(100 + versions))})) changed since this run read it and drifted: ${driftFigures(latest)}.`,
    );
    assert.match(
      skew,
      /^data\/live\.csv has drifted from data\/features\.csv, which train \(run 7106a157\) fitted models\/model\.pkl on: age PSI /,
    );
    alone.close({ save: false });
    all.close({ save: false });
  });
  test('profiles of different sizes, more than are kept: each verdict as the two profiles give it', async (t) => {
    // The check copies each profile's floats into the buffer of one it let go (driftCheck.ts): a
    // profile read into a buffer that held a larger or smaller one must compare as itself.
    const fx = tempFixture(t);
    pipeline(fx, features(1, 500), undefined);
    const versions = 21;
    const live = (k: number) => {
      const random = seeded(300 + k);
      // From 1 to 7 more columns: profiles of seven sizes, in turn. Those with as many as the
      // latest (k = 7, 14) have its distributions; the others differ from it in their columns.
      const extra: Columns = {};
      for (let c = 0; c <= k % 7; c++) extra[`m${c}`] = sample(500, () => normal(random, c, 1));
      return features(100 + k, 500, 0, extra);
    };
    const scores: string[] = [];
    for (let k = 1; k <= versions; k++) {
      scores.push(uuid(200 + k));
      appendEvents(fx, 'log.jsonl', [
        profiledRunEvent({
          runId: uuid(100 + k),
          job: 'ingest',
          start: iso(100 * k),
          end: iso(100 * k + 5),
          outputs: [{ name: 'data/live.csv', version: `sha256:live-${k}`, columns: live(k) }],
        }),
        profiledRunEvent({
          runId: uuid(200 + k),
          job: 'score',
          start: iso(100 * k + 10),
          end: iso(100 * k + 15),
          inputs: [{ name: 'data/live.csv', version: `sha256:live-${k}` }],
        }),
      ]);
    }
    fx.writeFile('data/live.csv', 'age,income,city\n1,2,north\n');
    const store = await fx.open();
    t.after(() => store.close({ save: false }));
    const reasons = new Map(store.stale({ component: 'score' }).map((r) => [r.id, r.stale]));
    const latest = asProfile(live(versions));
    const verdicts = new Set<string>();
    scores.forEach((score, i) => {
      const report = compareProfiles(asProfile(live(i + 1)), latest);
      verdicts.add(report.verdict);
      const verdict =
        i + 1 === versions
          ? ''
          : report.verdict === 'drifted'
            ? ` and drifted: ${driftFigures(report)}`
            : report.verdict === 'same'
              ? `; same distribution (largest PSI ${formatPsi(report.largestPsi!)})`
              : `; ${report.why}`;
      assert.deepEqual(reasons.get(score), [
        `Input data/live.csv (last written by ingest (run ${shortId(uuid(100 + versions))})) changed since this run read it${verdict}.`,
      ]);
    });
    // Both verdicts met, so that a profile read wrong would change some sentence.
    assert.deepEqual([...verdicts].sort(), ['drifted', 'same']);
  });
});

describe('profiles through ingest', () => {
  test('a malformed profile facet is reported with file and line and skipped; the run is read', async (t) => {
    const fx = tempFixture(t);
    const bad = profileFacets(features(1, 500));
    const metrics = bad.io.dataQualityMetrics as unknown as {
      columnMetrics: Record<string, { quantiles?: Record<string, number> }>;
    };
    delete metrics.columnMetrics.age.quantiles!['0.5'];
    pipeline(fx, features(1, 500), features(2, 500), bad.io);
    const store = await fx.open({ deferIngest: true });
    const report = store.ingest();
    assert.deepEqual(
      report.problems.map((p) => [path.basename(p.file), p.line, p.severity, p.reason]),
      [
        [
          'log.jsonl',
          3,
          'warning',
          'data profile of output data/features.csv ignored: quantiles of column age must have exactly the keys 0, 0.05, … 1',
        ],
      ],
    );
    assert.equal(report.runs, 3);
    assert.deepEqual(store.inspect(TRAIN).stale, [`${CHANGED}.`]);
  });

  test('each malformed shape is named', () => {
    const good = profileFacets(features(1, 200));
    // Facets as plain JSON, to break.
    type Io = {
      dataQualityMetrics: {
        rowCount: number;
        columnMetrics: Record<string, { quantiles: Record<string, number> }>;
      };
      mltrace_profile: { sampled: unknown; topValues: Record<string, { values: unknown[] }> };
    };
    const cases: Array<[string, (io: Io) => void, RegExp]> = [
      [
        'quantile keys',
        (io) => delete io.dataQualityMetrics.columnMetrics.age.quantiles['0.5'],
        /quantiles of column age must have exactly the keys/,
      ],
      [
        'top values',
        (io) => (io.mltrace_profile.topValues.city.values = [['north', 'x']]),
        /topValues of column city must be \[value, count\] pairs/,
      ],
      [
        'a top value listed twice',
        (io) =>
          (io.mltrace_profile.topValues.city.values = [
            ['north', 5],
            ['south', 4],
            ['north', 3],
          ]),
        /topValues of column city lists "north" twice/,
      ],
      ['rowCount', (io) => (io.dataQualityMetrics.rowCount = -1), /rowCount must be a whole number/],
      ['sampled', (io) => (io.mltrace_profile.sampled = 'no'), /sampled must be true or false/],
    ];
    for (const [what, breakIt, expected] of cases) {
      const io = structuredClone(good.io) as unknown as Io;
      breakIt(io);
      const warnings: string[] = [];
      assert.equal(
        readProfile(
          good.facets,
          io as unknown as Record<string, unknown>,
          'sha256:x',
          'input t.csv',
          warnings,
        ),
        null,
        what,
      );
      assert.equal(warnings.length, 1, what);
      assert.match(warnings[0], expected, what);
    }
    const warnings: string[] = [];
    assert.equal(readProfile(good.facets, good.io, null, 'input t.csv', warnings), null);
    assert.deepEqual(warnings, [
      'data profile of input t.csv ignored: the dataset has no version facet to key it by',
    ]);
  });

  test('the worker thread carries profiles: the same reasons and the same snapshot as the main thread', async (t) => {
    const main = tempFixture(t);
    pipeline(main, features(1, 5000), features(2, 5000, 12));
    const worker = tempFixture(t);
    fs.cpSync(main.root, worker.root, { recursive: true });
    const inMain = await main.open({ deferIngest: true, parseInWorker: 'never' });
    const inWorker = await worker.open({ deferIngest: true, parseInWorker: 'always' });
    assert.equal(inMain.ingest().parsedInWorker, false);
    assert.equal(inWorker.ingest().parsedInWorker, true);
    assert.match(inWorker.inspect(TRAIN).stale[0], /and drifted: age PSI/);
    assert.deepEqual(inWorker.inspect(TRAIN).stale, inMain.inspect(TRAIN).stale);
    assert.deepEqual(inWorker.drift('data/features.csv'), inMain.drift('data/features.csv'));
    inMain.save();
    inWorker.save();
    assert.ok(
      fs.readFileSync(main.snapshot).equals(fs.readFileSync(worker.snapshot)),
      'the snapshots differ',
    );
  });

  test('a version profiled twice keeps the first profile read', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, features(1, 5000), features(2, 5000, 12));
    // Another event claims a different profile for v2: the first one read stands.
    peekAtV2(fx, features(1, 5000));
    const store = await fx.open();
    assert.match(store.inspect(TRAIN).stale[0], /and drifted: age PSI/);
  });
});

describe('drift(): what `mltrace drift` shows', () => {
  test('by default, against what the latest reader read; --against a run or a pointer', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, features(1, 5000), features(2, 5000, 12));
    const store = await fx.open();
    const result = store.drift('data/features.csv');
    assert.equal(result.verdict, 'drifted');
    assert.equal(result.current.version, 'sha256:v2');
    assert.equal(result.current.how, 'the latest logged version');
    assert.equal(result.reference.version, 'sha256:v1');
    assert.equal(result.reference.how, 'the version train (run 7106a157), its latest reader, read');
    assert.deepEqual(
      result.columns.map((c) => [c.name, c.status]),
      [['age', 'drifted'], ...result.columns.slice(1).map((c) => [c.name, 'same'])],
    );
    assert.deepEqual(result.columns.map((c) => c.name).sort(), ['age', 'city', 'income']);
    assert.equal(
      store.drift('data/features.csv', { against: FEATURIZE_1.slice(0, 8) }).reference.how,
      `the version featurize (run ${shortId(FEATURIZE_1)}) wrote`,
    );
    assert.equal(store.drift('data/features.csv', { drift: { threshold: 50 } }).verdict, 'same');
    assert.throws(
      () => store.drift('data/features.csv', { against: 'nothing-like-this' }),
      /"nothing-like-this" is neither a logged pointer nor a run id\./,
    );
  });

  test('a profile logged after a first look is seen by the next one on the same store', async (t) => {
    const fx = tempFixture(t);
    pipeline(fx, features(1, 5000), undefined);
    const store = await fx.open();
    assert.throws(
      () => store.drift('data/features.csv'),
      /sha256:v2, the latest logged version\) has no data profile/,
    );
    // A later reader records v2's profile (the first event that carries one wins).
    peekAtV2(fx, features(2, 5000, 12));
    store.ingest();
    assert.equal(store.drift('data/features.csv', { against: FEATURIZE_1.slice(0, 8) }).verdict, 'drifted');
  });

  test("a model's scoring input is compared with the model's training data by default", async (t) => {
    const fx = tempFixture(t);
    scoring(fx, features(5, 5000, 12));
    const store = await fx.open();
    const result = store.drift('data/live.csv');
    assert.equal(result.reference.pointer, 'data/features.csv');
    assert.equal(result.reference.how, 'what train (run 7106a157) fitted models/model.pkl on');
    assert.equal(result.sharedOnly, true);
    assert.equal(result.columns[0].name, 'age');
    assert.equal(result.verdict, 'drifted');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
