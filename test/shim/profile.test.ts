// Data profiles at log time (docs/EVENTS.md "Data profiles"): the Python profiler
// (python/mltrace/_profile.py, in real python3 processes) and the Node one
// (src/core/profile/profile.ts, used by the Node shim and `mltrace run`) give the same profile of
// the same file, on a corpus of tricky files and on large sampled ones; profiles ride on COMPLETE
// events once per content version, validate against the OpenLineage schemas, and never break or
// stop logging.
//
// What CI cannot run: Parquet. pyarrow is not in Debian 12 (nor installable from a package index
// here), so the Parquet test below is skipped unless pyarrow is importable; see that test.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { PROFILER, QUANTILE_KEYS } from '../../src/core/profile/facets';
import { profileFile, ROW_LIMIT, type FileProfile } from '../../src/core/profile/profile';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';
import { repoRoot, validateEvent } from '../helpers/openlineage';

const PYTHON = process.env.PYTHON ?? 'python3';
/** Debian's python3, which has python3-numpy (the default python3 here may not). */
const SYSTEM_PYTHON = '/usr/bin/python3';
const SHIM = path.join(repoRoot, 'python');
const CLI = path.join(repoRoot, 'dist', 'cli.js');
const NODE_SHIM = path.join(repoRoot, 'dist', 'mltrace-node.js');
const OURS = 'https://github.com/mltrace-vscode/mltrace-vscode/blob/main/docs/EVENTS.md#';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const temps: string[] = [];
after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(prefix = 'mltrace-profile-'): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  temps.push(dir);
  return dir;
}

/** The profiles of files as the Python shim computes them (null where it records none). */
function pythonProfiles(
  files: string[],
  options: { python?: string; budgetMs?: number; without?: string } = {},
): (Json | null)[] {
  const script = [
    'import json, sys',
    ...(options.without
      ? [`sys.modules[${JSON.stringify(options.without)}] = None  # as if not installed`]
      : []),
    'from mltrace import _profile',
    'budget = float(sys.argv[1])',
    'print(json.dumps([_profile.profile_file(f, budget) for f in sys.argv[2:]]))',
  ].join('\n');
  const result = spawnSync(
    options.python ?? PYTHON,
    ['-c', script, String(options.budgetMs ?? 60_000), ...files],
    {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: SHIM, PYTHONDONTWRITEBYTECODE: '1' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    },
  );
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as (Json | null)[];
}

/** The Node profile as an event carries it (through JSON). */
function nodeProfile(file: string, budgetMs = 60_000): Json | null {
  const found: FileProfile | null = profileFile(file, { budgetMs });
  return found === null ? null : (JSON.parse(JSON.stringify(found)) as Json);
}

// ----------------------------------------------------------------------------------------------
// The corpus

const CORPUS: Record<string, string | Buffer> = {
  'quoted.csv':
    'id,name,note\n1,"Smith, John","line one\nline two"\n2,"He said ""hi""",plain\n3,,"a,b,c"\r\n4,x"y,"multi\r\nline"\n',
  'nulls.csv': 'a,b,c\n1,,NA\n2,null,x\n,NaN,y\nN/A,3,\n5,None,<NA>\n',
  'unicode.csv': 'word,n\n😀,1\n～,2\n😀,3\n～,4\nß,5\nz,6\né,7\n😀x,8\n～y,9\nA,10\n',
  // Equal counts: the order is by code point (U+E000 < U+FF5E < U+1F600), not by UTF-16 unit.
  'ties.csv': 'c\n😀\n\uFF5E\n\uE000\na\n😀\n\uFF5E\n\uE000\na\n',
  'numbers.csv':
    'i,f,e,neg,mix,big\n1,1.5,1e3,-3,1,12345678901234567890\n2,2.25,2.5E-2,-0,2.0,99999999999999999999\n3,.5,-1e+2,-10,3,1\n004,5.,6e0,+7,x,2\n',
  'types.csv': 'b,bi,s,ws\ntrue,1,abc, 1\nFalse,0,def,2 \nTRUE,1,ghi,3\n',
  // Infinities among numbers are nulls; elsewhere, or spelled otherwise ("iNf"), text.
  'infinities.csv':
    'f,i,all,words,odd\n1.5,1,inf,inf,1\ninf,2,-inf,abc,iNf\n-Infinity,3,,inf,2\n2.5,-Inf,+INFINITY,x,3\n',
  'data.tsv': 'a\tb\tc\n1\t"x\ty"\tz\n2\t\tq\n3\tfoo\t"multi\nline"\n',
  'missing.jsonl':
    '{"a": 1, "b": "x"}\n{"a": 2}\n{"b": "y", "c": true}\n\n{"a": null, "c": false, "d": {"k": [1, 2]}}\n',
  'nested.jsonl':
    '{"obj": {"x": 1, "y": [1, 2]}, "arr": [1, 2, 3], "mix": 1}\n{"obj": {"y": [1, 2], "x": 1}, "arr": [], "mix": "1"}\n{"obj": {"x": 1.0, "y": [1, 2.0]}, "arr": [1, 2, 3], "mix": null}\n',
  'keys.jsonl': '{"b": 1, "2": 2, "a": 3, "10": 4, "01": 5}\n{"z": 1, "1": 2}\n',
  'numbers.ndjson':
    '{"i": 1, "f": 1.5, "w": 2.0, "big": 123456789012345678901234567890, "neg": -0.0, "s": "1", "inf": 1e400}\n{"i": 2, "f": -2.5e10, "w": 3, "big": 1, "neg": 0, "s": "2", "inf": 1}\n',
  'escapes.jsonl': '{"s": "\\ud83d\\ude00"}\n{"s": "\\uff5e"}\n{"s": "a\\u0000b"}\n{"s": "\\ud800"}\n',
  'proto.jsonl': '{"__proto__": 1, "constructor": "x"}\n{"toString": 2}\n',
  'booleans.jsonl': '{"t": true}\n{"t": false}\n{"t": true}\n',
  'header-only.csv': 'a,b,c\n',
  'empty.csv': '',
  'empty.jsonl': '',
  'blank-lines.csv': '\n\n\n',
  'bom.csv': '\ufeffa,b\n1,2\n3,4\n',
  'crlf.csv': 'a,b\r\n1,x\r\n2,y\r\n\r\n3,z\r\n',
  'cr.csv': 'a,b\r1,x\r2,y\r',
  'ragged.csv': 'a,b,c\n1\n1,2,3,4,5\n,\n',
  'names.csv': 'a,a,,a.1,\n1,2,3,4,5\n',
  'long-text.csv':
    'id,t\n' + Array.from({ length: 10 }, (_, i) => `${i},${`long${i % 3}`.repeat(60)}\n`).join(''),
  'low-cardinality.csv':
    'k,v\n' +
    Array.from({ length: 500 }, (_, i) => `${((i * 7) % 7) - 3 + (i % 3)},${(i * 37) % 101}\n`).join(''),
};

/** Files that get no profile, on either side. */
const UNPROFILABLE: Record<string, string | Buffer> = {
  'latin1.csv': Buffer.from('a,b\ncaf\xe9,1\n', 'latin1'),
  'binary.csv': Buffer.from(Array.from({ length: 2560 }, (_, i) => i % 256)),
  'nul.csv': 'a,b\n1,\u00002\n',
  'text-after-quote.csv': 'a,b\n"ab"c,2\n',
  'space-after-quote.csv': 'a\n"x"  \n',
  'unterminated.csv': 'a,b\n"x,1\n',
  'not-objects.jsonl': '[1,2]\n',
  'nan.jsonl': '{"a": NaN}\n',
  'broken.jsonl': '{"a": 1\n',
  'deep.jsonl': `{"a": ${'['.repeat(150)}${']'.repeat(150)}}\n`,
  'wide.csv': Array.from({ length: 1001 }, (_, i) => `c${i}`).join(',') + '\n',
};

function writeAll(dir: string, files: Record<string, string | Buffer>): string[] {
  return Object.entries(files).map(([name, content]) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, content);
    return file;
  });
}

const byName = (profile: Json, name: string) => profile.metrics.columnMetrics[name] as Json;
const types = (profile: Json) => Object.fromEntries(profile.schema.map((f: Json) => [f.name, f.type]));

describe('profiles: Python and Node agree', () => {
  const dir = tempDir();
  const files = writeAll(dir, CORPUS);
  const python = pythonProfiles(files);
  const node = files.map((f) => nodeProfile(f));

  test('every file of the corpus gets the same profile from both sides', () => {
    files.forEach((file, i) => {
      assert.ok(node[i], `${path.basename(file)}: a profile`);
      assert.deepStrictEqual(node[i], python[i], path.basename(file));
    });
  });

  test('unparseable, binary, too wide or too deep files get none, on either side, and nothing throws', () => {
    const bad = writeAll(dir, UNPROFILABLE);
    assert.deepEqual(
      pythonProfiles(bad),
      bad.map(() => null),
    );
    for (const file of bad) assert.equal(nodeProfile(file), null, path.basename(file));
    assert.equal(nodeProfile(path.join(dir, 'missing.csv')), null);
    assert.equal(nodeProfile(path.join(dir, 'quoted.txt')), null, 'not a tabular file name');
  });

  test('random small files (seeded): the same profile, or none, from both sides', () => {
    let seed = 2026;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const pick = <T>(list: readonly T[]): T => list[next(list.length)];
    const chars = [
      'a',
      ',',
      ',',
      '"',
      '"',
      '\n',
      '\n',
      '\r',
      '1',
      '2',
      '.',
      'é',
      '😀',
      '\uFF5E',
      ' ',
      '\t',
      'e',
      '-',
    ];
    const values = [
      null,
      true,
      false,
      0,
      1,
      -1,
      2.5,
      1e300,
      'a',
      '',
      '😀',
      '\uE000',
      [1, 2],
      { k: 1 },
      'x\ny',
    ];
    const random: Record<string, string> = {};
    for (let i = 0; i < 200; i++) {
      const text = Array.from({ length: next(80) }, () => pick(chars)).join('');
      random[`random${i}.${i % 3 ? 'csv' : 'tsv'}`] = `h1,h2\th3\n${text}`;
    }
    for (let i = 0; i < 60; i++) {
      const lines = Array.from({ length: next(12) }, () =>
        JSON.stringify(
          Object.fromEntries(
            Array.from({ length: next(4) }, () => [pick(['a', 'b', '7', 'z']), pick(values)]),
          ),
        ),
      );
      random[`random${i}.jsonl`] = lines.join('\n');
    }
    const files = writeAll(tempDir(), random);
    const fromPython = pythonProfiles(files);
    let profiled = 0;
    files.forEach((file, i) => {
      const fromNode = nodeProfile(file);
      if (fromNode) profiled++;
      assert.deepStrictEqual(
        fromNode,
        fromPython[i],
        `${path.basename(file)}: ${JSON.stringify(random[path.basename(file)])}`,
      );
    });
    assert.ok(profiled > 100 && profiled < files.length, `${profiled} of ${files.length} profiled`);
  });

  const profile = (name: string) => node[Object.keys(CORPUS).indexOf(name)] as Json;

  test('the rules: nulls, types, quantiles, top values (docs/EVENTS.md)', () => {
    const quoted = profile('quoted.csv');
    assert.deepEqual(types(quoted), { id: 'integer', name: 'string', note: 'string' });
    assert.equal(quoted.metrics.rowCount, 4);
    assert.deepEqual(
      quoted.profile.topValues.name.values.map((v: [string, number]) => v[0]),
      ['He said "hi"', 'Smith, John', 'x"y'],
    );
    assert.equal(byName(quoted, 'name').nullCount, 1);

    const nulls = profile('nulls.csv');
    assert.deepEqual(
      ['a', 'b', 'c'].map((c) => [byName(nulls, c).nullCount, byName(nulls, c).count]),
      [
        [2, 3],
        [4, 1],
        [3, 2],
      ],
    );
    assert.deepEqual(types(nulls), { a: 'integer', b: 'integer', c: 'string' });

    assert.deepEqual(profile('ties.csv').profile.topValues.c, {
      values: [
        ['a', 2],
        ['\uE000', 2],
        ['\uFF5E', 2],
        ['😀', 2],
      ],
      other: 0,
    });
    assert.deepEqual(types(profile('numbers.csv')), {
      i: 'integer',
      f: 'number',
      e: 'number',
      neg: 'integer',
      mix: 'string',
      big: 'integer',
    });
    assert.deepEqual(byName(profile('numbers.csv'), 'i'), {
      nullCount: 0,
      distinctCount: 4,
      count: 4,
      sum: 10,
      min: 1,
      max: 4,
      // Nearest rank: sorted[floor(i / 20 * (n - 1) + 0.5)], so the median of 1, 2, 3, 4 is 3.
      quantiles: Object.fromEntries(
        QUANTILE_KEYS.map((k, i) => [k, [1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4][i]]),
      ),
    });
    const infinities = profile('infinities.csv');
    assert.deepEqual(types(infinities), {
      f: 'number',
      i: 'integer',
      all: 'string',
      words: 'string',
      odd: 'string',
    });
    assert.deepEqual(
      ['f', 'i', 'all', 'words', 'odd'].map((c) => [
        byName(infinities, c).nullCount,
        byName(infinities, c).count,
      ]),
      [
        [2, 2],
        [1, 3],
        [4, 0],
        [0, 4],
        [0, 4],
      ],
    );
    assert.deepEqual([byName(infinities, 'f').min, byName(infinities, 'f').max], [1.5, 2.5]);
    assert.equal(infinities.profile.topValues.all, undefined);
    assert.deepEqual(infinities.profile.topValues.words.values, [
      ['inf', 2],
      ['abc', 1],
      ['x', 1],
    ]);
    assert.deepEqual(types(profile('types.csv')), { b: 'boolean', bi: 'integer', s: 'string', ws: 'string' });
    assert.deepEqual(profile('types.csv').profile.topValues.b, {
      values: [
        ['true', 2],
        ['false', 1],
      ],
      other: 0,
    });

    const missing = profile('missing.jsonl');
    assert.deepEqual(types(missing), { a: 'integer', b: 'string', c: 'boolean', d: 'json' });
    assert.deepEqual(
      ['a', 'b', 'c', 'd'].map((c) => byName(missing, c).nullCount),
      [2, 2, 2, 3],
    );
    const nested = profile('nested.jsonl');
    assert.deepEqual(types(nested), { obj: 'json', arr: 'json', mix: 'json' });
    assert.equal(byName(nested, 'obj').distinctCount, 1, 'key order and 1 vs 1.0 do not matter');
    assert.equal(byName(nested, 'mix').distinctCount, 2, '1 and "1" differ');
    assert.deepEqual(
      profile('keys.jsonl').schema.map((f: Json) => f.name),
      ['2', '10', 'b', 'a', '01', '1', 'z'],
      "ECMAScript's key order",
    );
    assert.deepEqual(types(profile('numbers.ndjson')), {
      i: 'integer',
      f: 'number',
      w: 'integer',
      big: 'integer',
      neg: 'integer',
      s: 'string',
      inf: 'json',
    });

    const headerOnly = profile('header-only.csv');
    assert.equal(headerOnly.metrics.rowCount, 0);
    assert.deepEqual(byName(headerOnly, 'b'), { nullCount: 0, distinctCount: 0, count: 0 });
    assert.deepEqual(profile('empty.csv'), {
      metrics: { rowCount: 0, bytes: 0, columnMetrics: {} },
      schema: [],
      profile: { profiler: PROFILER, rows: 0, sampled: false, topValues: {} },
    });
    assert.deepEqual(
      profile('names.csv').schema.map((f: Json) => f.name),
      ['a', 'a.1', 'Unnamed: 2', 'a.1.1', 'Unnamed: 4'],
    );
    assert.equal(
      profile('long-text.csv').profile.topValues.t,
      undefined,
      'texts over 200 characters are not listed',
    );
    assert.ok(
      profile('low-cardinality.csv').profile.topValues.k,
      'an integer column of few values has top values',
    );
    assert.equal(profile('low-cardinality.csv').profile.topValues.v, undefined);
  });
});

// ----------------------------------------------------------------------------------------------
// Large files: sampled, deterministic

/** A CSV of `rows` rows, 10 numeric and 5 categorical columns, some quoted with commas and line feeds. */
function largeCsv(file: string, rows: number): void {
  const colors = ['red', 'green', 'blue', '"teal, dark"', '"two\nlines"'];
  let seed = 42;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const lines = ['n0,n1,n2,n3,n4,n5,n6,n7,n8,n9,c0,c1,c2,c3,c4'];
  for (let i = 0; i < rows; i++) {
    const row: string[] = [];
    for (let c = 0; c < 10; c++)
      row.push(c % 3 === 0 ? String(Math.floor(next() * 1e5)) : (next() * 100 - 20).toFixed(4));
    for (let c = 0; c < 5; c++) row.push(next() < 0.02 ? '' : colors[Math.floor(next() * colors.length)]);
    lines.push(row.join(','));
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

describe('profiles of large files: a deterministic sample', () => {
  const dir = tempDir();

  test('a file of more rows than the limit is sampled, the same twice and from both sides', () => {
    const small = path.join(dir, 'medium.csv'); // read into memory, sampled there
    const big = path.join(dir, 'big.csv'); // above 8 MiB: sampled by reads at offsets
    const lines = path.join(dir, 'big.jsonl');
    largeCsv(small, 3 * ROW_LIMIT);
    largeCsv(big, 120_000);
    fs.writeFileSync(
      lines,
      Array.from({ length: 4 * ROW_LIMIT }, (_, i) =>
        JSON.stringify({ i, x: (i * 7919) % 1000, tag: i % 3 ? 'a' : 'b' }),
      ).join('\n') + '\n',
    );
    const files = [small, big, lines];
    const actual = [3 * ROW_LIMIT, 120_000, 4 * ROW_LIMIT];
    const python = pythonProfiles(files);
    const again = pythonProfiles(files);
    files.forEach((file, i) => {
      const node = nodeProfile(file) as Json;
      assert.equal(node.profile.sampled, true, path.basename(file));
      assert.equal(node.profile.cutShort, undefined, `${path.basename(file)} within the budget`);
      assert.ok(
        Math.abs(node.metrics.rowCount - ROW_LIMIT) < ROW_LIMIT * 0.02,
        `${node.metrics.rowCount} rows sampled`,
      );
      assert.ok(
        Math.abs(node.profile.rows - actual[i]) < actual[i] * 0.03,
        `estimated ${node.profile.rows} of ${actual[i]} rows`,
      );
      assert.deepStrictEqual(nodeProfile(file), node, 'Node, twice');
      assert.deepStrictEqual(again[i], python[i], 'Python, twice');
      assert.deepStrictEqual(node, python[i], `${path.basename(file)}: Node and Python`);
    });
    const bigProfile = python[1] as Json;
    assert.ok(fs.statSync(big).size > 8 * 1024 * 1024);
    assert.deepEqual(Object.keys(bigProfile.profile.topValues).sort(), ['c0', 'c1', 'c2', 'c3', 'c4']);
    assert.ok(
      bigProfile.profile.topValues.c0.values.some(([v]: [string]) => v === 'two\nlines'),
      'records with quoted line feeds are sampled whole',
    );
  });

  test('the time budget stops a profile short, and says so; 0 turns profiling off', () => {
    const file = path.join(dir, 'budget.jsonl');
    fs.writeFileSync(file, Array.from({ length: 5000 }, (_, i) => `{"i": ${i}}`).join('\n') + '\n');
    // Out of time from the start: both sides stop at their first check, after 2047 rows.
    const [python] = pythonProfiles([file], { budgetMs: 1e-9 });
    const node = nodeProfile(file, 1e-9) as Json;
    for (const p of [python, node] as Json[]) {
      assert.equal(p.profile.cutShort, true);
      assert.equal(p.metrics.rowCount, 2047);
    }
    assert.deepEqual(pythonProfiles([file], { budgetMs: 0 }), [null]);
    assert.equal(nodeProfile(file, 0), null);
  });
});

// ----------------------------------------------------------------------------------------------
// numpy and pyarrow (Python shim only)

const hasModule = (python: string, module: string): boolean =>
  spawnSync(python, ['-c', `import ${module}`]).status === 0;

describe('profiles of .npy and .parquet files (Python shim)', () => {
  test(
    ".npy through numpy, with Debian's python3 and python3-numpy",
    { skip: !hasModule(SYSTEM_PYTHON, 'numpy') && `${SYSTEM_PYTHON} has no numpy` },
    () => {
      const dir = tempDir();
      const script = [
        'import numpy as np, sys',
        'd = sys.argv[1]',
        'np.save(d + "/matrix.npy", np.array([[1.5, 2.0], [np.nan, 4.0], [3.0, np.inf]]))',
        'np.save(d + "/ints.npy", np.arange(30000, dtype=np.int64) % 7)',
        'np.save(d + "/records.npy", np.array([(1, b"a", True), (2, b"b", False)], dtype=[("id", "i4"), ("tag", "S1"), ("ok", "?")]))',
        'np.save(d + "/objects.npy", np.array([{"a": 1}], dtype=object))',
        'np.save(d + "/cube.npy", np.zeros((2, 2, 2)))',
      ].join('\n');
      const made = spawnSync(SYSTEM_PYTHON, ['-c', script, dir], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      const names = ['matrix.npy', 'ints.npy', 'records.npy', 'objects.npy', 'cube.npy'];
      const [matrix, ints, records, objects, cube] = pythonProfiles(
        names.map((n) => path.join(dir, n)),
        { python: SYSTEM_PYTHON },
      ) as Json[];
      assert.deepEqual(types(matrix), { '0': 'number', '1': 'number' });
      assert.deepEqual(
        [byName(matrix, '0').nullCount, byName(matrix, '1').nullCount],
        [1, 1],
        'NaN and infinities are null',
      );
      assert.equal(byName(matrix, '0').max, 3);
      assert.equal(ints.profile.sampled, true);
      assert.equal(ints.profile.rows, 30000);
      assert.equal(ints.metrics.rowCount, ROW_LIMIT);
      assert.deepEqual(types(ints), { '0': 'integer' });
      assert.equal(ints.profile.topValues['0'].values.length, 7);
      assert.deepEqual(types(records), { id: 'integer', tag: 'string', ok: 'boolean' });
      assert.equal(objects, null, 'object arrays are never unpickled');
      assert.equal(cube, null);
      // A python3 without numpy: no profile, no error.
      assert.deepEqual(
        pythonProfiles([path.join(dir, 'matrix.npy')], { python: SYSTEM_PYTHON, without: 'numpy' }),
        [null],
      );
    },
  );

  // pyarrow is not in Debian 12 and CI has no Python package index: there this test is skipped.
  // It was run once by hand (2026-12-01) with PYTHON set to a virtual environment holding a
  // pyarrow 25 wheel found on the development machine; it has not run in CI.
  test(
    '.parquet through pyarrow: rows and min/max from the footer, the rest from the rows read',
    { skip: !hasModule(PYTHON, 'pyarrow') && 'pyarrow is not installed (not in Debian 12): not run here' },
    () => {
      const dir = tempDir();
      const script = [
        'import datetime, pyarrow as pa, pyarrow.parquet as pq, sys',
        'd = sys.argv[1]',
        'n = 30000',
        'pq.write_table(pa.table({',
        '    "x": list(range(n)),',
        '    "c": ["a" if i % 3 else "b" for i in range(n)],',
        '    "f": [None if i % 10 == 0 else i / 2 for i in range(n)],',
        '}), d + "/big.parquet", row_group_size=5000)',
        'pq.write_table(pa.table({',
        '    "t": [datetime.datetime(2026, 1, 1 + i) for i in range(3)],',
        '    "l": [[1, 2], [], None],',
        '    "b": [True, False, None],',
        '}), d + "/small.parquet")',
      ].join('\n');
      const made = spawnSync(PYTHON, ['-c', script, dir], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
      const [big, small] = pythonProfiles([
        path.join(dir, 'big.parquet'),
        path.join(dir, 'small.parquet'),
      ]) as Json[];
      assert.equal(big.profile.rows, 30000, 'from the footer');
      assert.equal(big.profile.sampled, true);
      assert.equal(big.metrics.rowCount, ROW_LIMIT);
      assert.deepEqual(types(big), { x: 'integer', c: 'string', f: 'number' });
      assert.deepEqual([byName(big, 'x').min, byName(big, 'x').max], [0, 29999], "the footer's statistics");
      const sampledNulls = Array.from({ length: ROW_LIMIT }, (_, k) =>
        Math.floor((k * 30000) / ROW_LIMIT),
      ).filter((row) => row % 10 === 0).length;
      assert.equal(byName(big, 'f').nullCount, sampledNulls, 'rows floor(k × 30000 / 8000)');
      assert.deepEqual(
        big.profile.topValues.c.values.map(([v]: [string]) => v),
        ['a', 'b'],
      );
      assert.equal(small.profile.sampled, false);
      assert.deepEqual(types(small), { t: 'string', l: 'json', b: 'boolean' });
      assert.deepEqual([byName(small, 'l').nullCount, byName(small, 'b').nullCount], [1, 1]);
      // Without pyarrow: no profile, no error.
      assert.deepEqual(pythonProfiles([path.join(dir, 'big.parquet')], { without: 'pyarrow' }), [null]);
    },
  );
});

// ----------------------------------------------------------------------------------------------
// In events: the Python shim, the Node writer (Node shim, mltrace run)

interface Workspace {
  root: string;
  storeDir: string;
  write(rel: string, content: string | Buffer): void;
  events(): Json[];
  ends(): Json[];
}

function workspace(): Workspace {
  const root = tempDir('mltrace-profile-ws-');
  const storeDir = path.join(root, '.mltrace');
  fs.mkdirSync(path.join(storeDir, 'events'), { recursive: true });
  const events = () =>
    fs
      .readdirSync(path.join(storeDir, 'events'))
      .filter((f) => f.endsWith('.jsonl'))
      .sort()
      .flatMap((f) =>
        fs
          .readFileSync(path.join(storeDir, 'events', f), 'utf8')
          .split('\n')
          .filter(Boolean),
      )
      .map((line) => JSON.parse(line) as Json)
      .sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0)); // writers' files: by time
  return {
    root,
    storeDir,
    write(rel, content) {
      fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
      fs.writeFileSync(path.join(root, rel), content);
    },
    events,
    ends: () => events().filter((e) => e.eventType === 'COMPLETE' || e.eventType === 'FAIL'),
  };
}

const PIPELINE = `
import sys
from mltrace import register

@register("featurize", inputs=sys.argv[1].split(","), outputs=sys.argv[2].split(",") if sys.argv[2] else [])
def featurize():
    for name in (sys.argv[2].split(",") if sys.argv[2] else []):
        with open(name, "w") as out:
            out.write('{"id": 1, "score": 0.5}\\n{"id": 2, "score": null}\\n')
    if len(sys.argv) > 3:
        raise ValueError("failed on purpose")

featurize()
`;

function runPython(
  ws: Workspace,
  inputs: string[],
  outputs: string[],
  env: NodeJS.ProcessEnv = {},
  fail = false,
) {
  fs.writeFileSync(path.join(ws.root, 'pipeline.py'), PIPELINE);
  const result = spawnSync(
    PYTHON,
    ['pipeline.py', inputs.join(','), outputs.join(','), ...(fail ? ['fail'] : [])],
    {
      cwd: ws.root,
      encoding: 'utf8',
      env: {
        ...process.env,
        PYTHONPATH: SHIM,
        PYTHONDONTWRITEBYTECODE: '1',
        MLTRACE_DIR: ws.storeDir,
        ...env,
      },
      timeout: 60_000,
    },
  );
  assert.equal(result.status, fail ? 1 : 0, result.stderr);
  assert.doesNotMatch(result.stderr, /MltraceWarning|mltrace:/, 'no warning of ours');
  return result;
}

function runCli(ws: Workspace, args: string[], env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(process.execPath, [CLI, 'run', ...args], {
    cwd: ws.root,
    encoding: 'utf8',
    env: { ...process.env, MLTRACE_DIR: ws.storeDir, ...env },
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '');
  return result;
}

/** name -> the profile facets of that dataset in an event ({} when none). */
function profilesIn(event: Json): Record<string, Json> {
  const found: Record<string, Json> = {};
  for (const [list, key] of [
    ['inputs', 'inputFacets'],
    ['outputs', 'outputFacets'],
  ] as const) {
    for (const dataset of event[list] ?? []) {
      const io = dataset[key] ?? {};
      if (io.dataQualityMetrics || io.mltrace_profile || dataset.facets?.schema) {
        found[dataset.name] = {
          dataQualityMetrics: io.dataQualityMetrics,
          mltrace_profile: io.mltrace_profile,
          schema: dataset.facets?.schema,
          version: dataset.facets?.version?.datasetVersion,
        };
      }
    }
  }
  return found;
}

/** The facets without their _producer (which names the writer). */
function withoutProducer(facets: Json): Json {
  return Object.fromEntries(
    Object.entries(facets).map(([k, v]) => [
      k,
      v && typeof v === 'object' ? { ...v, _producer: undefined } : v,
    ]),
  );
}

const RAW = 'id,city,temp\n1,Oslo,-3.5\n2,"Rio, BR",31\n3,,12.25\n';

describe('profiles in events', () => {
  test('the Python shim: once per content version, on COMPLETE and FAIL, valid OpenLineage', () => {
    const ws = workspace();
    ws.write('data/raw.csv', RAW);
    runPython(ws, ['data/raw.csv'], ['data/features.jsonl']);
    runPython(ws, ['data/raw.csv'], ['data/features.jsonl']);
    ws.write('data/raw.csv', RAW + '4,Lima,19\n');
    runPython(ws, ['data/raw.csv'], [], {}, true);
    const ends = ws.ends();
    assert.deepEqual(
      ends.map((e) => [e.eventType, Object.keys(profilesIn(e)).sort()]),
      [
        ['COMPLETE', ['data/features.jsonl', 'data/raw.csv']],
        ['COMPLETE', []],
        ['FAIL', ['data/raw.csv']],
      ],
    );
    for (const event of ws.events()) assert.deepEqual(validateEvent(event), [], JSON.stringify(event));
    for (const start of ws.events().filter((e) => e.eventType === 'START'))
      assert.deepEqual(profilesIn(start), {});

    const first = ends[0];
    const raw = first.inputs[0];
    assert.equal(
      raw.inputFacets.dataQualityMetrics._schemaURL.includes('DataQualityMetricsInputDatasetFacet'),
      true,
    );
    assert.equal(raw.inputFacets.mltrace_profile._schemaURL, `${OURS}mltrace_profile`);
    assert.deepEqual(raw.facets.schema.fields, [
      { name: 'id', type: 'integer' },
      { name: 'city', type: 'string' },
      { name: 'temp', type: 'number' },
    ]);
    assert.equal(raw.inputFacets.dataQualityMetrics.columnMetrics.city.nullCount, 1);
    const features = first.outputs[0];
    assert.ok(features.outputFacets.dataQualityMetrics, 'an output carries it in outputFacets');
    assert.equal(features.inputFacets, undefined);
    for (const version of [raw, features].map((d) => d.facets.version.datasetVersion as string))
      assert.ok(fs.existsSync(path.join(ws.storeDir, 'profiles', version.replace(':', '-'))), 'the marker');
  });

  test('mltrace run and the Node shim profile like the Python shim, and share its markers', () => {
    const py = workspace();
    const node = workspace();
    for (const ws of [py, node]) ws.write('data/raw.csv', RAW);
    runPython(py, ['data/raw.csv'], []);
    runCli(node, ['-c', 'featurize', '-i', 'data/raw.csv', '--', process.execPath, '-e', '']);
    const fromPython = profilesIn(py.ends()[0])['data/raw.csv'];
    const fromNode = profilesIn(node.ends()[0])['data/raw.csv'];
    assert.ok(fromPython && fromNode);
    assert.deepStrictEqual(withoutProducer(fromNode), withoutProducer(fromPython));
    for (const event of node.events()) assert.deepEqual(validateEvent(event), []);

    // The Python shim's marker holds for the Node writer in the same store, and the other way.
    runCli(py, ['-c', 'again', '-i', 'data/raw.csv', '--', process.execPath, '-e', '']);
    assert.deepEqual(profilesIn(py.ends()[1]), {});
    runPython(node, ['data/raw.csv'], []);
    assert.deepEqual(profilesIn(node.ends()[1]), {});

    // The Node shim, writing an output.
    const script = `
      const fs = require('node:fs');
      const { withRun } = require(${JSON.stringify(NODE_SHIM)});
      withRun('export', { inputs: ['data/raw.csv'], outputs: ['data/out.tsv'] }, () => {
        fs.writeFileSync('data/out.tsv', 'a\\tb\\n1\\tx\\n2\\ty\\n');
      });`;
    const result = spawnSync(process.execPath, ['-e', script], {
      cwd: node.root,
      encoding: 'utf8',
      env: { ...process.env, MLTRACE_DIR: node.storeDir },
    });
    assert.equal(result.status, 0, result.stderr);
    const exported = node.ends().at(-1) as Json;
    assert.deepEqual(Object.keys(profilesIn(exported)), ['data/out.tsv']);
    assert.equal(exported.outputs[0].outputFacets.dataQualityMetrics.rowCount, 2);
    assert.deepEqual(validateEvent(exported), []);
  });

  test('an unparseable or binary file gets no profile and no error, and the run is logged', () => {
    const ws = workspace();
    ws.write('data/blob.csv', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131) % 256)));
    ws.write('data/odd.jsonl', 'not json\n');
    runPython(ws, ['data/blob.csv', 'data/odd.jsonl'], []);
    runCli(ws, [
      '-c',
      'wrapped',
      '-i',
      'data/blob.csv',
      '-i',
      'data/odd.jsonl',
      '--',
      process.execPath,
      '-e',
      '',
    ]);
    const ends = ws.ends();
    assert.equal(ends.length, 2);
    for (const end of ends) {
      assert.equal(end.eventType, 'COMPLETE');
      assert.deepEqual(profilesIn(end), {});
      assert.ok(
        end.inputs.every((d: Json) => d.facets.version),
        'still fingerprinted',
      );
    }
    assert.equal(fs.existsSync(path.join(ws.storeDir, 'profiles')), false);
  });

  test('MLTRACE_PROFILE_BUDGET_MS=0: no profiles, from either side', () => {
    const ws = workspace();
    ws.write('data/raw.csv', RAW);
    runPython(ws, ['data/raw.csv'], ['data/out.jsonl'], { MLTRACE_PROFILE_BUDGET_MS: '0' });
    runCli(ws, ['-c', 'wrapped', '-i', 'data/raw.csv', '--', process.execPath, '-e', ''], {
      MLTRACE_PROFILE_BUDGET_MS: '0',
    });
    assert.deepEqual(ws.ends().map(profilesIn), [{}, {}]);
  });

  test('the Node writer: once per version, a changed file again, one profile per version per event', (t) => {
    const ws = workspace();
    ws.write('a.csv', 'x\n1\n2\n');
    ws.write('copy.csv', 'x\n1\n2\n');
    const writer = new EventWriter(storeLocation(ws.storeDir, {}), 'test');
    t.after(() => writer.close());
    const log = () =>
      writer.logRun(
        { component: 'c', inputs: [{ name: 'a.csv' }, { name: 'copy.csv' }] },
        { status: 'complete', outputs: [{ name: 'a.csv' }] },
      );
    log();
    log();
    ws.write('a.csv', 'x\n1\n2\n3\n');
    log();
    writer.close();
    const ends = ws.ends();
    assert.deepEqual(
      ends.map((e) => Object.keys(profilesIn(e))),
      [['a.csv'], [], ['a.csv']],
    );
    assert.equal(ends[2].inputs[0].inputFacets.dataQualityMetrics.rowCount, 3);
    assert.equal(ends[2].outputs[0].outputFacets, undefined, 'the same version once per event');
    for (const event of ws.events()) assert.deepEqual(validateEvent(event), []);
  });
});
