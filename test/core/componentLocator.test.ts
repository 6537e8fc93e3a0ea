// Finding components' functions in source text (the CodeLens and Problems anchors), and the
// relative times every surface shows.
import * as assert from 'node:assert/strict';
import { describe as suite, test } from 'node:test';
import { locateComponents, scanDecorators } from '../../src/core/componentLocator';
import { relativeTime } from '../../src/core/format';
import type { Run } from '../../src/core/model';

const run = (component: string, sourceLine: number | null): Run => ({
  id: `${component}-0000-0000`,
  component,
  status: 'complete',
  startTime: '2026-01-01T00:00:00.000Z',
  endTime: null,
  inputs: [],
  outputs: [],
  dependencies: [],
  stale: [],
  gitHash: null,
  gitTags: [],
  sourceFile: 'p.py',
  sourceLine,
  notes: '',
  error: null,
});

const SOURCE = `import mltrace
from mltrace import Component, register

scorer = Component("scorer", "ml-team", "Scores rows")


@register("ingest", outputs=["data/raw.csv"])
def ingest():
    pass


@register(
    component_name="clean",
    inputs=["data/raw.csv"],
)
@timed
def clean():
    pass


@register
def bare():
    pass


@scorer.run(input_filenames=["src"])
async def score(src):
    pass


def helper():
    pass
`;

suite('component locator', () => {
  test('finds @register (one line, several lines, bare) and Component.run decorators', () => {
    const anchors = scanDecorators(SOURCE);
    assert.deepEqual(
      anchors.map((a) => [a.component, a.line, a.def?.line]),
      [
        ['ingest', 6, 7],
        ['clean', 11, 16],
        ['bare', 20, 21],
        ['scorer', 25, 26],
      ],
    );
    const clean = anchors[1].def!;
    assert.equal(SOURCE.split('\n')[clean.line].slice(clean.start, clean.end), 'clean');
  });

  test('decorators win over recorded lines; recorded lines place components no decorator names', () => {
    const anchors = locateComponents(SOURCE, [
      run('ingest', 3),
      run('helper', 31),
      run('gone', 999),
      run('nowhere', null),
    ]);
    assert.deepEqual(
      anchors.map((a) => [a.component, a.line, a.recorded]),
      [
        ['ingest', 6, true],
        ['clean', 11, false],
        ['bare', 20, false],
        ['scorer', 25, false],
        ['helper', 30, true],
        ['gone', 32, true], // clamped to the last line
      ],
    );
  });
});

suite('relative times', () => {
  const now = Date.parse('2026-11-28T12:00:00Z');
  const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString();
  test('long and compact forms', () => {
    assert.equal(relativeTime(ago(3), { now }), 'just now');
    assert.equal(relativeTime(ago(90), { now }), '1 minute ago');
    assert.equal(relativeTime(ago(3 * 3600), { now }), '3 hours ago');
    assert.equal(relativeTime(ago(3 * 3600), { now, compact: true }), '3 h ago');
    assert.equal(relativeTime(ago(-2 * 86400), { now }), 'in 2 days');
    assert.equal(relativeTime(null), 'never');
  });
});
