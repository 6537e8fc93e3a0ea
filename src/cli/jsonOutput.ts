// `--json` output written a page at a time: exactly the text of JSON.stringify(value, null, 2), for
// a value whose last property is a long array, without holding the array or its text whole.

/**
 * Writes `{ ...head, [key]: [...items of every page] }` as `JSON.stringify(…, null, 2) + '\n'`
 * would, calling `write` once per non-empty page (and for the start and the end).
 */
export function writeJsonArray(
  head: Record<string, unknown>,
  key: string,
  pages: Iterable<readonly unknown[]>,
  write: (text: string) => void = (text) => process.stdout.write(text),
): void {
  for (const text of jsonArrayTexts(head, key, pages)) write(text);
}

/**
 * The texts writeJsonArray writes, one per non-empty page (and the start and the end), each made
 * when asked for: a caller that waits for a full pipe to drain (cli/output.ts) reads no further.
 */
export function* jsonArrayTexts(
  head: Record<string, unknown>,
  key: string,
  pages: Iterable<readonly unknown[]>,
): Generator<string> {
  const fields = Object.entries(head)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `  ${JSON.stringify(name)}: ${indent(JSON.stringify(value, null, 2), '  ')}`);
  let started = false;
  for (const page of pages) {
    if (page.length === 0) continue;
    // The page stringified where it will stand (an array under `key`, two levels in), then cut
    // out of that text: JSON.stringify's own indentation, where re-indenting each item's text
    // took four times as long.
    const text = JSON.stringify({ [key]: page }, null, 2);
    const items = text.slice(`{\n  ${JSON.stringify(key)}: [\n`.length, -'\n  ]\n}'.length);
    yield started ? `,\n${items}` : `{\n${[...fields, `  ${JSON.stringify(key)}: [`].join(',\n')}\n${items}`;
    started = true;
  }
  yield started ? '\n  ]\n}\n' : `{\n${[...fields, `  ${JSON.stringify(key)}: []`].join(',\n')}\n}\n`;
}

/** A nested value's text one level in: its line breaks are all JSON.stringify's own (strings escape theirs). */
const indent = (text: string, by: string): string => text.replaceAll('\n', `\n${by}`);
