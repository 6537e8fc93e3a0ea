// The documentation's links between its own files: each file linked exists, and each #anchor is a
// heading of that file, as GitHub makes anchors of headings (so a renamed heading or a moved page
// cannot leave a reader at a dead link).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..');
const PAGES = [
  'README.md',
  'CHANGELOG.md',
  ...fs
    .readdirSync(path.join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without its fenced code, where `](…)` is no link. */
const prose = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');

/** GitHub's anchor of a heading: its text (links as their words), lower case, punctuation dropped. */
function anchorOf(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a page's headings (a repeated heading gets -1, -2, … as on GitHub). */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, heading] of prose(file).matchAll(/^#{1,6} (.+)$/gm)) {
    const anchor = anchorOf(heading);
    const n = seen.get(anchor) ?? 0;
    seen.set(anchor, n + 1);
    anchors.add(n === 0 ? anchor : `${anchor}-${n}`);
  }
  return anchors;
}

test("GitHub's anchors of headings", () => {
  assert.equal(anchorOf("Drift's check, session by session"), 'drifts-check-session-by-session');
  assert.equal(
    anchorOf('Labels (whose data an artifact holds; [LABELS.md](LABELS.md))'),
    'labels-whose-data-an-artifact-holds-labelsmd',
  );
  assert.equal(anchorOf('Scale: interned sets, derived once'), 'scale-interned-sets-derived-once');
});

test('every link between the documentation pages reaches a file, and its #anchor a heading', () => {
  const dead: string[] = [];
  let links = 0;
  for (const page of PAGES) {
    for (const [, link] of prose(page).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z+.-]*:/i.test(link)) continue; // https:, mailto:, …
      links++;
      const [file, anchor] = link.split('#');
      const target = file ? path.posix.normalize(path.posix.join(path.posix.dirname(page), file)) : page;
      if (!fs.existsSync(path.join(ROOT, target))) dead.push(`${page}: ${link} (no such file)`);
      else if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor))
        dead.push(`${page}: ${link} (no such heading)`);
    }
  }
  assert.ok(links > 30, `only ${links} links found: the pattern no longer matches`);
  assert.deepEqual(dead, []);
});
