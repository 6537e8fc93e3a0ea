// The inspector's Data tab data for the webview tests: two profiles of one file, made from seeded
// tables by the profile contract (test/helpers/profiles.ts), read as the index reads them
// (ingest/parseProfile.ts) and compared by the drift engine (src/core/drift.ts) — what the host
// would post, with no figure written by hand.
import { compareProfiles, DataProfile, DRIFT_DEFAULTS, DriftSettings } from '../../src/core/drift';
import type { DriftComparison, DriftSide, RunInputDrift } from '../../src/core/driftQuery';
import { readProfile } from '../../src/core/ingest/parseProfile';
import { floatBytes, fromStored, profileOf } from '../../src/core/profile/storedProfile';
import { Columns, normal, profileFacets, sample, seeded } from '../helpers/profiles';
import { uuid, XSS } from './fixtures';

export function dataProfile(columns: Columns): DataProfile {
  const { facets, io } = profileFacets(columns);
  const warnings: string[] = [];
  const stored = readProfile(facets, io, 'sha256:any', 'the fixture', warnings);
  if (!stored) throw new Error(`the fixture's profile was not read: ${warnings.join('; ')}`);
  // As a report gives it to the webview: columns as objects.
  return profileOf(fromStored(stored.data, floatBytes(stored.numbers)));
}

/** Values of `choices` drawn with the given weights. */
function categories(random: () => number, n: number, choices: string[], weights: number[]): string[] {
  const total = weights.reduce((a, b) => a + b, 0);
  return sample(n, () => {
    let r = random() * total;
    for (let i = 0; i < choices.length; i++) if ((r -= weights[i]) < 0) return choices[i];
    return choices[choices.length - 1];
  });
}

const ROWS = 2000;
const CITIES = ['north', 'south', 'east', 'west'];

/** features.csv as `train` read it (age around 40, cities mostly north). */
export function referenceColumns(): Columns {
  const random = seeded(11);
  return {
    age: sample(ROWS, () => Math.round(normal(random, 40, 10))),
    income: sample(ROWS, () => Math.round(normal(random, 50_000, 8000))),
    city: categories(random, ROWS, CITIES, [4, 3, 2, 1]),
    [XSS]: categories(random, ROWS, [XSS, 'plain'], [1, 1]),
    label: sample(ROWS, () => (random() < 0.3 ? 1 : 0)),
  };
}

/** features.csv now: age moved to around 55, cities turned round, no label, a new device column. */
export function currentColumns(): Columns {
  const random = seeded(12);
  return {
    age: sample(ROWS, () => Math.round(normal(random, 55, 10))),
    income: sample(ROWS, () => Math.round(normal(random, 50_000, 8000))),
    city: categories(random, ROWS, CITIES, [1, 2, 3, 4]),
    [XSS]: categories(random, ROWS, [XSS, 'plain'], [1, 1]),
    device: categories(random, ROWS, ['ios', 'android'], [1, 1]),
  };
}

function side(profile: DataProfile, version: string, how: string, component: string, n: number): DriftSide {
  return {
    pointer: 'data/features.csv',
    version,
    rows: profile.rows,
    fileRows: profile.fileRows,
    sampled: profile.sampled,
    cutShort: profile.cutShort,
    how,
    run: { id: uuid(n), component },
  };
}

export function comparison(
  reference: Columns,
  current: Columns,
  settings: DriftSettings = DRIFT_DEFAULTS,
): DriftComparison {
  const [ref, cur] = [dataProfile(reference), dataProfile(current)];
  const report = compareProfiles(ref, cur, settings);
  return {
    pointer: 'data/features.csv',
    reference: side(ref, 'sha256:aaaa', 'the version train (run 00000002) read', 'train', 2),
    current: side(cur, 'sha256:bbbb', 'the latest logged version', 'featurize', 3),
    settings: { ...settings },
    verdict: report.verdict,
    why: report.why,
    largestPsi: report.largestPsi,
    columns: report.columns,
    sharedOnly: false,
  };
}

/** The Data tab of the fixture's train run: features.csv drifted, the feature store has no profile. */
export function inputDrift(): RunInputDrift[] {
  return [
    {
      pointer: 'data/features.csv',
      comparison: comparison(referenceColumns(), currentColumns()),
      note: null,
    },
    {
      pointer: 'https://feature-store/v1',
      comparison: null,
      note: 'no profile recorded for https://feature-store/v1',
    },
  ];
}

/** A file of `n` numeric columns, the last one shifted. */
export function wideInputDrift(n: number): RunInputDrift[] {
  const columns = (seed: number, shiftLast: boolean): Columns => {
    const random = seeded(seed);
    return Object.fromEntries(
      Array.from({ length: n }, (_, i) => [
        `c${String(i).padStart(3, '0')}`,
        sample(500, () => normal(random, shiftLast && i === n - 1 ? 8 : 0, 1)),
      ]),
    );
  };
  return [
    {
      pointer: 'data/features.csv',
      comparison: comparison(columns(21, false), columns(22, true)),
      note: null,
    },
  ];
}
