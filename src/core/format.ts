// Ids, times, durations and counts in words: the same everywhere (CLI, trees, CodeLens, webviews).
// Pure: the webview bundles import it too.

export const SHORT_ID_LENGTH = 8;

/** The 8-character prefix of a run's UUID that people see (every command accepts any unique prefix). */
export const shortId = (id: string): string => id.slice(0, SHORT_ID_LENGTH);

/** "featurize (run 1a2b3c4d)": how a run is named in sentences. */
export const runLabel = (component: string, id: string): string => `${component} (run ${shortId(id)})`;

const UNITS: Array<[limitSeconds: number, unitSeconds: number, unit: string, short: string]> = [
  [60, 1, 'second', 's'],
  [3600, 60, 'minute', 'min'],
  [86400, 3600, 'hour', 'h'],
  [86400 * 30, 86400, 'day', 'd'],
  [86400 * 365, 86400 * 30, 'month', 'mo'],
  [Infinity, 86400 * 365, 'year', 'y'],
];

export interface RelativeTimeOptions {
  now?: number;
  /** "3 min ago" rather than "3 minutes ago". */
  compact?: boolean;
}

/** "3 minutes ago", "in 2 hours", "just now"; compact: "3 min ago", "2 h ago". */
export function relativeTime(
  iso: string | null | undefined,
  options: RelativeTimeOptions | number = {},
): string {
  const { now = Date.now(), compact = false } = typeof options === 'number' ? { now: options } : options;
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 10) return 'just now';
  const [, unitSeconds, unit, short] = UNITS.find(([limit]) => magnitude < limit)!;
  const n = Math.floor(magnitude / unitSeconds);
  const text = compact ? `${n} ${short}` : `${n} ${unit}${n === 1 ? '' : 's'}`;
  return seconds >= 0 ? `${text} ago` : `in ${text}`;
}

/** "2026-11-28 16:40" in local time. */
export function absoluteTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "420 ms", "3.2 s", "4 min 10 s", "2 h 5 min"; undefined while the run has not ended. */
export function duration(run: { startTime: string; endTime: string | null }): string | undefined {
  if (!run.endTime) return undefined;
  const ms = Date.parse(run.endTime) - Date.parse(run.startTime);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(ms / 3_600_000)} h ${Math.round((ms % 3_600_000) / 60_000)} min`;
}

/** "1 run", "3 runs"; `many` where adding an s is wrong ("2 matches"). */
export const plural = (n: number, word: string, many = `${word}s`): string => `${n} ${n === 1 ? word : many}`;

// C0 and C1 controls, DEL, and the Unicode bidirectional controls (ALM, LRM, RLM, the embeddings
// and overrides, the isolates): what lets a name from a log clear a terminal, retitle it, start a
// new table row or reorder the text after it.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_LINES =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeControl(char: string): string {
  const code = char.charCodeAt(0);
  return (
    NAMED[char] ??
    (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`)
  );
}

/**
 * Text from a log as a terminal should show it: every control character and bidirectional
 * control escaped visibly (`\x1b`, `\u202e`, `\n`), so that one line of output stays one line and
 * reads in order. `lines: true` keeps newlines and tabs (code, multi-line notes).
 */
export function visible(text: string, options: { lines?: boolean } = {}): string {
  return text.replace(options.lines ? UNSAFE_BUT_LINES : UNSAFE, escapeControl);
}
