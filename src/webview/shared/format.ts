// What the webviews show of runs: ids, states and their icons; times come from src/core/format.ts.
import type { Run, RunStatus } from '../../core/model';
export { absoluteTime, duration, plural, relativeTime } from '../../core/format';

export const SHORT_ID = 8;
export const shortId = (id: string): string => id.slice(0, SHORT_ID);

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

/** The last path segment of a pointer name. */
export const baseName = (name: string): string =>
  name.slice(name.replace(/\/+$/, '').lastIndexOf('/') + 1) || name;

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}
