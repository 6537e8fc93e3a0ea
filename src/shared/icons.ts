// How a run's state and a pointer's kind look, on both sides of the webview boundary: the host's
// trees, CodeLens and quick picks draw codicons by name, the webviews by name or by glyph (SVG
// text). Shapes, not only colours, tell states apart. Pure: no `vscode`, no DOM.
import type { PointerType, Run, RunStatus } from '../core/model';

/** What a run shows: its status, or `stale` for a complete run that may need re-running. */
export type RunState = RunStatus | 'stale';

/** Stale wins over complete (a stale failed run still shows failed), everywhere. */
export const runState = (
  run: Pick<Run, 'status'> & { stale?: readonly string[] },
  stale = (run.stale?.length ?? 0) > 0,
): RunState => (stale && run.status === 'complete' ? 'stale' : run.status);

export interface Icon {
  /** The codicon's name (`$(name)`, `ThemeIcon`, `codicon-name`). */
  name: string;
  /** Its character in the codicon font, for SVG text. */
  glyph: string;
}

/** Per state: the icon, the word a screen reader says, and the host's theme colour id. */
export const RUN_STATE_ICONS: Record<RunState, Icon & { label: string; color: string }> = {
  running: { name: 'sync', glyph: '\uea77', label: 'running', color: 'charts.blue' },
  complete: { name: 'pass', glyph: '\ueba4', label: 'complete', color: 'testing.iconPassed' },
  failed: { name: 'error', glyph: '\uea87', label: 'failed', color: 'testing.iconFailed' },
  stale: { name: 'history', glyph: '\uea82', label: 'stale', color: 'list.warningForeground' },
};

export const POINTER_ICONS: Record<PointerType, Icon> = {
  DATA: { name: 'database', glyph: '\ueace' },
  MODEL: { name: 'beaker', glyph: '\uea79' },
  ENDPOINT: { name: 'globe', glyph: '\ueb01' },
  UNKNOWN: { name: 'file', glyph: '\uea7b' },
};

export const FLAGGED_ICON: Icon = { name: 'flag', glyph: '\uec3f' };
export const COMPONENT_ICON: Icon = { name: 'symbol-method', glyph: '\uea8c' };
/** More of a lineage than the graph shows: click to show the next runs. */
export const MORE_ICON: Icon = { name: 'ellipsis', glyph: '\uea7c' };
