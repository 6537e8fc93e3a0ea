// `npm run bench` (last): what a data profile costs the Python shim at log time (docs/EVENTS.md
// "Data profiles"). A 1 MB and a 100 MB CSV of 10 numeric and 5 categorical columns are profiled
// by real Python processes, timing the profile call itself (python/mltrace/_profile.py
// profile_file), then the cost of a content version profiled before (the marker check the shim
// makes instead). Prints one JSON object: wall and CPU milliseconds, medians of five calls.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const PYTHON = process.env.PYTHON ?? 'python3';
const SHIM = path.join(__dirname, '..', 'python');

/** A CSV of about `bytes` bytes: 10 numeric columns (integers and decimals), 5 categorical ones. */
function writeCsv(file: string, bytes: number): number {
  const categories = [
    ['red', 'green', 'blue', 'yellow'],
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
    ['north', 'south', 'east', 'west'],
    Array.from({ length: 50 }, (_, i) => `x${i}`),
    ['yes', 'no'],
  ];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const fd = fs.openSync(file, 'w');
  let written = 0;
  let rows = 0;
  const header =
    [...Array.from({ length: 10 }, (_, i) => `n${i}`), ...categories.map((_, i) => `c${i}`)].join(',') + '\n';
  written += fs.writeSync(fd, header);
  while (written < bytes) {
    const lines: string[] = [];
    for (let r = 0; r < 10000; r++) {
      const row: string[] = [];
      for (let c = 0; c < 10; c++)
        row.push(c % 3 === 0 ? String(Math.floor(next() * 100000)) : (next() * 40 + 30).toFixed(4));
      for (const values of categories) row.push(values[Math.floor(next() * values.length)]);
      lines.push(row.join(','));
    }
    let chunk = lines.join('\n') + '\n';
    if (written + chunk.length > bytes) {
      const cut = chunk.lastIndexOf('\n', bytes - written);
      chunk = chunk.slice(0, cut + 1);
      if (!chunk) break;
    }
    written += fs.writeSync(fd, chunk);
    rows += chunk.split('\n').length - 1;
  }
  fs.closeSync(fd);
  return rows;
}

const SCRIPT = `
import json, os, sys, time
from mltrace import _events, _profile, _store

def median(values):
    return sorted(values)[len(values) // 2]

out = {"rowLimit": _profile.ROW_LIMIT}
for key, path in (("1Mb", sys.argv[1]), ("100Mb", sys.argv[2])):
    walls, cpus = [], []
    for _ in range(5):
        # The budget (a safety stop) out of the way: the figure is what the profile costs.
        wall, cpu = time.perf_counter(), time.process_time()
        found = _profile.profile_file(path, 60000)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    out["profileCsv%sMs" % key] = round(median(walls), 1)
    out["profileCsv%sCpuMs" % key] = round(median(cpus), 1)
    out["profileCsv%sRows" % key] = found["profile"]["rows"]
    out["profileCsv%sSampled" % key] = found["profile"]["sampled"]

# A version profiled before: logging it again costs the marker check in place of the profile.
_store.set_store_dir(sys.argv[3])
first = _events.Pointer(sys.argv[2]).take_fingerprint()
profiled = set()
first.dataset("input", profiled)
for version in profiled:
    _store.record_profile(version)
_store._profiled.clear()  # as a new process finds it: from the marker file
repeat = []
for i in range(5):
    pointer = _events.Pointer(sys.argv[2]).take_fingerprint()
    wall = time.perf_counter()
    facets = pointer._profile_facets({}, set())
    repeat.append((time.perf_counter() - wall) * 1000)
    assert facets is None
    _store._profiled.clear()
out["profileCsvRepeatMs"] = round(median(repeat), 3)
print(json.dumps(out))
`;

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-bench-profile-'));
  try {
    const small = path.join(dir, '1mb.csv');
    const large = path.join(dir, '100mb.csv');
    const smallRows = writeCsv(small, 1e6);
    const largeRows = writeCsv(large, 1e8);
    const result = spawnSync(PYTHON, ['-c', SCRIPT, small, large, path.join(dir, '.mltrace')], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONPATH: SHIM, PYTHONDONTWRITEBYTECODE: '1', MLTRACE_PROFILE_BUDGET_MS: '' },
      timeout: 300_000,
    });
    if (result.status !== 0) throw new Error(`the Python profile bench failed: ${result.stderr}`);
    const figures = JSON.parse(result.stdout) as Record<string, unknown>;
    const [load1] = os.loadavg();
    console.log(
      JSON.stringify({
        ...figures,
        profileCsv1MbActualRows: smallRows,
        profileCsv100MbActualRows: largeRows,
        loadAverage: Math.round(load1 * 10) / 10,
        cpus: os.cpus().length,
      }),
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
