// Who ran a run and where (mltrace_run user and host), and staleness that judges a run logged on
// another machine by the log, not by this disk: a teammate's run is not stale because this
// checkout's files or code differ; it is when the log says something newer happened.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { LineageStore } from '../../src/core/store';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter, runOrigin } from '../../src/core/writer';

const FAR = 'gpu-far-away';

function workspace(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-origin-'));
  fs.mkdirSync(path.join(root, '.mltrace'));
  fs.mkdirSync(path.join(root, 'data'));
  return root;
}

const CODE_V1 = 'def train():\n    return fit(data)';
const CODE_V2 = 'def train():\n    return fit(clean(data))';

/** Logs one run of train reading data/x.csv, from train.py holding `code`. */
function logTrain(root: string, code: string): string {
  const writer = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'test');
  const id = writer.logRun(
    {
      component: 'train',
      inputs: [{ name: 'data/x.csv' }],
      source: { sourceFile: 'train.py', sourceLine: 1, code: { language: 'python', source: code } },
    },
    { status: 'complete', outputs: [{ name: 'models/m.pkl' }] },
  );
  writer.close();
  return id;
}

/** Rewrites the host of every event logged so far, as if another machine had logged them. */
function movedToAnotherMachine(root: string): void {
  const events = path.join(root, '.mltrace', 'events');
  const host = JSON.stringify(os.hostname());
  for (const name of fs.readdirSync(events).filter((n) => n.endsWith('.jsonl'))) {
    const file = path.join(events, name);
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(`"host":${host}`).join(`"host":"${FAR}"`));
  }
}

async function staleOf(root: string, id: string): Promise<string[]> {
  const store = await LineageStore.open({ dir: path.join(root, '.mltrace') });
  try {
    return store.inspect(id).stale;
  } finally {
    store.close({ save: false });
  }
}

describe('runs from other machines', () => {
  it('events say who ran them and where; the index keeps it', async () => {
    const root = workspace();
    fs.writeFileSync(path.join(root, 'data', 'x.csv'), 'a\n1\n');
    const id = logTrain(root, CODE_V1);
    const events = path.join(root, '.mltrace', 'events');
    const [file] = fs.readdirSync(events).filter((n) => n.endsWith('.jsonl'));
    const lines = fs.readFileSync(path.join(events, file), 'utf8').trim().split('\n');
    for (const line of lines) {
      const facet = (JSON.parse(line) as { run: { facets: { mltrace_run: Record<string, unknown> } } }).run
        .facets.mltrace_run;
      assert.equal(facet.host, os.hostname());
      assert.equal(facet.user, os.userInfo().username);
    }
    movedToAnotherMachine(root);
    const store = await LineageStore.open({ dir: path.join(root, '.mltrace') });
    try {
      const run = store.inspect(id);
      assert.deepEqual([run.user, run.host], [runOrigin().user, FAR]);
    } finally {
      store.close({ save: false });
    }
  });

  it("a teammate's run is not stale because this disk's input or code differs; a local one is", async () => {
    const root = workspace();
    fs.writeFileSync(path.join(root, 'data', 'x.csv'), 'a\n1\n');
    fs.writeFileSync(path.join(root, 'train.py'), CODE_V1);
    const theirs = logTrain(root, CODE_V1);
    movedToAnotherMachine(root);
    const mine = logTrain(root, CODE_V1);
    // This checkout moves on: other data, other code.
    fs.writeFileSync(path.join(root, 'data', 'x.csv'), 'a\n2\n');
    fs.writeFileSync(path.join(root, 'train.py'), CODE_V2);
    const local = await staleOf(root, mine);
    assert.ok(
      local.some((r) => /Input data\/x\.csv.* changed since this run read it/.test(r)),
      local.join(' | '),
    );
    assert.ok(
      local.some((r) => /code of train .* changed since it ran/.test(r)),
      local.join(' | '),
    );
    const remote = await staleOf(root, theirs);
    assert.ok(!remote.some((r) => /changed since this run read it/.test(r)), remote.join(' | '));
    assert.ok(!remote.some((r) => /code of train .* changed since it ran/.test(r)), remote.join(' | '));
  });

  it("a teammate's run is stale when the log shows newer code or a newer write", async () => {
    const root = workspace();
    fs.writeFileSync(path.join(root, 'data', 'x.csv'), 'a\n1\n');
    const theirs = logTrain(root, CODE_V1);
    movedToAnotherMachine(root);
    // Later, logged here: train with other code, and a new write of its input.
    logTrain(root, CODE_V2);
    const writer = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'test');
    writer.logRun({ component: 'clean' }, { status: 'complete', outputs: [{ name: 'data/x.csv' }] });
    writer.close();
    const reasons = await staleOf(root, theirs);
    assert.ok(
      reasons.some((r) =>
        new RegExp(
          `train \\(run [0-9a-f]+\\) ran on ${FAR}; a later run, train \\(run [0-9a-f]+\\) on ${os.hostname()}, ran other code`,
        ).test(r),
      ),
      reasons.join(' | '),
    );
    assert.ok(
      reasons.some((r) => /Input data\/x\.csv was written again by clean .* after this run started/.test(r)),
      reasons.join(' | '),
    );
  });
  it('the Python shim says the same of its runs', () => {
    const root = workspace();
    fs.writeFileSync(
      path.join(root, 'pipeline.py'),
      'import mltrace\n@mltrace.register("step")\ndef step():\n    pass\nstep()\n',
    );
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PYTHONPATH: path.resolve(__dirname, '..', '..', 'python'),
    };
    delete env.MLTRACE_DIR;
    const r = spawnSync('python3', ['pipeline.py'], { cwd: root, encoding: 'utf8', env });
    assert.equal(r.status, 0, r.stderr);
    const events = path.join(root, '.mltrace', 'events');
    const [file] = fs.readdirSync(events).filter((n) => n.endsWith('.jsonl'));
    const facets = fs
      .readFileSync(path.join(events, file), 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          (JSON.parse(l) as { run: { facets: { mltrace_run: Record<string, unknown> } } }).run.facets
            .mltrace_run,
      );
    assert.equal(facets.length, 2);
    for (const f of facets) assert.deepEqual([f.user, f.host], [os.userInfo().username, os.hostname()]);
  });
});
