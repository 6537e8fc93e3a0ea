// Names come from event files that anyone can put in a repository. The CLI's human output must
// show the control characters and bidirectional controls they hold as visible escapes, keep one
// run on one line, and leave --json with the exact strings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';

const CLI = path.resolve(__dirname, '..', '..', 'dist', 'cli.js');

// Clears the screen, sets the window title, rings the bell, a C1 CSI, DEL, a newline that would
// start a new table row, and a right-to-left override that would reorder what follows.
const CLEAR = '\x1b[2J\x1b[H';
const TITLE = '\x1b]0;pwned\x07';
const COMPONENT = `clean${CLEAR}${TITLE}\u009b31m\x7f`;
const POINTER = `data/raw\u202ecsv.exe\nINJECTED ROW`;
const OUTPUT = `data/out\u2066put\u2069.csv`;
const OWNER = `own\u200fer\u061c`;
const TAG = `tag\rX`;
const DESCRIPTION = `does\x08\x08 things\u202a`;
const NOTES = `line one\nline two \x1b[31mred`;
const ERROR = `boom\x1b[8m hidden`;

/** What may not reach a terminal from data: C0 but newline, DEL, C1, the bidi controls. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function mltrace(cwd: string, ...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.MLTRACE_DIR;
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env, timeout: 30000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function human(cwd: string, ...args: string[]): string {
  const r = mltrace(cwd, ...args);
  assert.equal(r.status, 0, `mltrace ${args.join(' ')}: ${r.stderr}`);
  const raw = RAW.exec(r.stdout) ?? RAW.exec(r.stderr);
  assert.equal(
    raw,
    null,
    `mltrace ${args.join(' ')} printed a raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return r.stdout;
}

describe('mltrace CLI with hostile names in the log', () => {
  let root: string;
  let cleanId: string;
  let trainId: string;

  before(() => {
    assert.ok(fs.existsSync(CLI), 'run npm run build first');
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-hostile-'));
    fs.mkdirSync(path.join(root, '.mltrace'));
    const writer = new EventWriter(storeLocation(path.join(root, '.mltrace')), 'test');
    writer.defineComponent({ name: COMPONENT, owner: OWNER, tags: [TAG], description: DESCRIPTION });
    const t0 = Date.parse('2026-11-01T10:00:00Z');
    cleanId = writer.logRun(
      { component: COMPONENT, startTime: new Date(t0), inputs: [{ name: POINTER }] },
      { status: 'complete', endTime: new Date(t0 + 1000), outputs: [{ name: OUTPUT }] },
    );
    trainId = writer.logRun(
      { component: 'train', startTime: new Date(t0 + 5000), inputs: [{ name: OUTPUT }] },
      {
        status: 'failed',
        endTime: new Date(t0 + 6000),
        outputs: [{ name: 'model.pkl' }],
        error: { message: ERROR, language: 'python' },
      },
    );
    writer.addNotes(cleanId, COMPONENT, NOTES);
    writer.flag('model.pkl', true);
    writer.close();
  });

  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('recent: one row per run, the escape sequences shown as text', () => {
    const out = human(root, 'recent');
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 3, `a header and two rows:\n${out}`);
    assert.ok(lines[2].includes('clean\\x1b[2J\\x1b[H\\x1b]0;pwned\\x07\\x9b31m\\x7f'), lines[2]);
    assert.ok(lines[2].includes('data/raw\\u202ecsv.exe\\nINJECTED ROW'), lines[2]);
  });

  it('inspect, trace (both ways), history, components, tags, review, stale and ingest escape what they print', () => {
    const card = human(root, 'inspect', cleanId.slice(0, 8));
    assert.match(card, /Owner +own\\u200fer\\u061c/);
    assert.ok(card.includes('does\\x08\\x08 things\\u202a'), card);
    assert.match(card, /line one\n +line two \\x1b\[31mred/, 'notes keep their lines, not their escapes');
    assert.ok(card.includes('tag\\rX'), card);
    assert.ok(human(root, 'inspect', trainId.slice(0, 8)).includes('boom\\x1b[8m hidden'));

    const upstream = human(root, 'trace', 'model.pkl');
    assert.ok(upstream.includes('clean\\x1b[2J'), upstream);
    const downstream = human(root, 'trace', '--downstream', OUTPUT);
    assert.ok(downstream.includes('data/out\\u2066put\\u2069.csv'), downstream);
    assert.equal(downstream.trimEnd().split('\n').length, 2, downstream);

    assert.equal(human(root, 'history', COMPONENT).trimEnd().split('\n').length, 2);
    assert.ok(human(root, 'components').includes('own\\u200fer\\u061c'));
    assert.ok(human(root, 'tags').includes('tag\\rX'));
    assert.ok(human(root, 'review').includes('clean\\x1b[2J'));
    human(root, 'stale');
    human(root, 'ingest');
  });

  it('messages about what the user typed escape it too', () => {
    const r = mltrace(root, 'inspect', `zz\x1b]0;x\x07`);
    assert.equal(r.status, 1);
    assert.doesNotMatch(r.stderr, RAW);
    assert.ok(r.stderr.includes('zz\\x1b]0;x\\x07'), r.stderr);
    const unknown = mltrace(root, `re\x1b[2Jcent`);
    assert.equal(unknown.status, 2);
    assert.doesNotMatch(unknown.stderr, RAW);
  });

  it('--json keeps the exact strings', () => {
    const runs = JSON.parse(mltrace(root, 'recent', '--json').stdout) as Array<{
      component: string;
      inputs: string[];
      notes: string;
    }>;
    const clean = runs.find((r) => r.component === COMPONENT);
    assert.ok(clean, 'the hostile component is listed under its exact name');
    assert.deepEqual(clean.inputs, [POINTER]);
    assert.equal(clean.notes, NOTES);
  });
});
