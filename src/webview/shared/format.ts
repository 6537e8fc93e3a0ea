// Times and durations as the editor shows them (the same words as src/vscode/presentation.ts).
import type { Run, RunStatus } from '../../core/model';

export const SHORT_ID = 8;
export const shortId = (id: string): string => id.slice(0, SHORT_ID);

const UNITS: Array<[limitSeconds: number, unitSeconds: number, unit: string]> = [
  [60, 1, 'second'],
  [3600, 60, 'minute'],
  [86400, 3600, 'hour'],
  [86400 * 30, 86400, 'day'],
  [86400 * 365, 86400 * 30, 'month'],
  [Infinity, 86400 * 365, 'year'],
];

/** "3 minutes ago", "in 2 hours", "just now". */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const seconds = Math.round((now - then) / 1000);
  const magnitude = Math.abs(seconds);
  if (magnitude < 10) return 'just now';
  const [, unitSeconds, unit] = UNITS.find(([limit]) => magnitude < limit)!;
  const n = Math.floor(magnitude / unitSeconds);
  const text = `${n} ${unit}${n === 1 ? '' : 's'}`;
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

export function duration(run: Pick<Run, 'startTime' | 'endTime'>): string | undefined {
  if (!run.endTime) return undefined;
  const ms = Date.parse(run.endTime) - Date.parse(run.startTime);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export type RunState = RunStatus | 'stale';

/** Stale wins over complete (a stale failed run still shows failed), as in the trees. */
export const runState = (run: Pick<Run, 'status' | 'stale'>): RunState =>
  run.stale.length > 0 && run.status === 'complete' ? 'stale' : run.status;

/** Codicon names and glyphs (for SVG text) per state; shapes, not only colours, tell states apart. */
export const STATE_ICONS: Record<RunState, { name: string; glyph: string; label: string }> = {
  running: { name: 'sync', glyph: '\uea77', label: 'running' },
  complete: { name: 'pass', glyph: '\ueba4', label: 'complete' },
  failed: { name: 'error', glyph: '\uea87', label: 'failed' },
  stale: { name: 'history', glyph: '\uea82', label: 'stale' },
};

export const POINTER_GLYPHS: Record<string, { name: string; glyph: string }> = {
  DATA: { name: 'database', glyph: '\ueace' },
  MODEL: { name: 'beaker', glyph: '\uea79' },
  ENDPOINT: { name: 'globe', glyph: '\ueb01' },
  UNKNOWN: { name: 'file', glyph: '\uea7b' },
  flagged: { name: 'flag', glyph: '\uec3f' },
  component: { name: 'symbol-method', glyph: '\uea8c' },
};

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The last path segment of a pointer name. */
export const baseName = (name: string): string =>
  name.slice(name.replace(/\/+$/, '').lastIndexOf('/') + 1) || name;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
