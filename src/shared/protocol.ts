// The messages between the extension host and the webviews (DESIGN.md §3): both sides import
// this module. Plain data only (what `postMessage` can clone); the webview never queries the store.
import type { RunInputDrift } from '../core/drift';
import type { LabelSpread } from '../core/labels/model';
import type { HistoryRun, PointerType, Review, Run, RunDetail, TracedRun } from '../core/model';
import type { RegisteredMetricValue, SeriesWindow, TaskSeriesPoint, TaskSummary } from '../core/tasks/model';

export type { SeriesWindow } from '../core/tasks/model';

export type ViewKind = 'graph' | 'inspector' | 'review' | 'history' | 'task';

// ---- data posted by the host ------------------------------------------------------------------

/** A node the lineage graph starts from, or was expanded from. */
export type GraphRoot =
  | { kind: 'pointer'; name: string; direction: 'upstream' | 'downstream' }
  | { kind: 'run'; id: string; direction: 'upstream' | 'downstream' };

export interface GraphPointer {
  name: string;
  type: PointerType;
  flagged: boolean;
}

/**
 * A place where the graph's window of a lineage stops: the run's further lineage (that way) was
 * left out. The view draws "N more upstream…" there; clicking it expands from the run.
 */
export interface GraphMore {
  runId: string;
  direction: Direction;
  /** Runs of that root's lineage not shown (all of them, not only beyond this run). */
  hidden: number;
}

export interface GraphData {
  view: 'graph';
  /** The first root is the one the graph was opened for; the others are expansions. */
  roots: GraphRoot[];
  /** Each root's nearest GRAPH_WINDOW runs (a lineage can be 50,000 runs deep). */
  runs: TracedRun[];
  pointers: GraphPointer[];
  /** Where the windows stopped; absent or empty when every lineage is shown whole. */
  more?: GraphMore[];
  /** Flag, unflag and notes are offered only in a trusted workspace. */
  trusted: boolean;
  /** A label whose spread the graph marks (Highlight Label…), or absent. */
  labelSpread?: LabelSpread;
}

export interface InspectorData {
  view: 'inspector';
  run: RunDetail;
  /** The runs this one depends on (one step upstream). */
  dependencies: Run[];
  /** Whether the source file of the run exists now (for "compare with current code"). */
  sourceExists: boolean;
  trusted: boolean;
  /** Each input's data against what staleness compares it with (the Data tab, docs/DRIFT.md). */
  drift: RunInputDrift[];
}

export interface ReviewTrace {
  pointer: string;
  /** Ids of the runs in the pointer's trace, nearest first: the first of them, if it is long. */
  runIds: string[];
  /** How many runs the whole trace has (more than `runIds` when it was cut). */
  total?: number;
}

export interface ReviewData {
  view: 'review';
  review: Review;
  traces: ReviewTrace[];
  trusted: boolean;
}

export interface HistoryData {
  view: 'history';
  component: string;
  /** Newest first, as `history` returns them (with parameters and metrics); `stale` filled where known. */
  runs: HistoryRun[];
}

/** A task's metric over time (Tasks view → a task), with the runs that logged its outputs. */
export interface TaskData {
  view: 'task';
  task: TaskSummary;
  /** The metrics the chart can show; `metric` is one of them. */
  metricNames: string[];
  metric: string;
  window: SeriesWindow;
  series: TaskSeriesPoint[];
  /** The default metrics over every joined value (as `mltrace metrics` prints them). */
  current: Array<{ name: string; value: number | null; error?: string }>;
  /** The metrics registered for the task (Task.registerMetric, any process), with their values where computable. */
  registered: RegisteredMetricValue[];
  /** The runs that logged outputs, newest first. */
  runs: Run[];
}

export type ViewData = GraphData | InspectorData | ReviewData | HistoryData | TaskData;

// ---- host → view ------------------------------------------------------------------------------

export type HostMessage =
  /** First data, after `ready`. */
  | { type: 'init'; data: ViewData }
  /** New data (the store changed, or an expansion): replaces the old, keeps the view's state. */
  | { type: 'update'; data: ViewData }
  /** Something failed in the host: shown in the view. */
  | { type: 'error'; message: string }
  /** Highlight a run (review → traces; inspector → nothing). */
  | { type: 'highlight'; runId: string | null };

// ---- view → host ------------------------------------------------------------------------------

export type Direction = 'upstream' | 'downstream';

export type ViewMessage =
  | { type: 'ready' }
  | { type: 'openFile'; pointer: string }
  | { type: 'openSource'; runId: string }
  | { type: 'inspectRun'; runId: string }
  | { type: 'traceFrom'; pointer: string; direction: Direction }
  | { type: 'flag'; pointer: string }
  | { type: 'unflag'; pointer: string }
  | { type: 'saveNotes'; runId: string; text: string }
  | { type: 'compareCode'; runId: string }
  /** Data tab: never count this column as drift (mltrace.drift.ignoreColumns), or count it again. */
  | { type: 'ignoreDriftColumn'; column: string; ignore: boolean }
  | { type: 'showHistory'; component: string }
  | { type: 'exportSvg'; svg: string; fileName: string }
  /** Add the trace of a node to the graph (upstream or downstream). */
  | { type: 'expand'; root: GraphRoot }
  /** Forget expansions (collapse is drawn by the view; the host drops roots it no longer needs). */
  | { type: 'setRoots'; roots: GraphRoot[] }
  /** Graph: choose a label whose spread to mark (the host asks which), or stop marking. */
  | { type: 'pickLabel' }
  | { type: 'clearLabel' }
  /** Task: show this metric over this window. */
  | { type: 'setTaskSeries'; metric: string; window: SeriesWindow };

export type ViewMessageType = ViewMessage['type'];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isDirection = (value: unknown): value is Direction => value === 'upstream' || value === 'downstream';

export function isGraphRoot(value: unknown): value is GraphRoot {
  if (!isObject(value) || !isDirection(value.direction)) return false;
  if (value.kind === 'pointer') return isString(value.name);
  if (value.kind === 'run') return isString(value.id);
  return false;
}

const VIEW_MESSAGE_FIELDS: { [K in ViewMessageType]: (m: Record<string, unknown>) => boolean } = {
  ready: () => true,
  openFile: (m) => isString(m.pointer),
  openSource: (m) => isString(m.runId),
  inspectRun: (m) => isString(m.runId),
  traceFrom: (m) => isString(m.pointer) && isDirection(m.direction),
  flag: (m) => isString(m.pointer),
  unflag: (m) => isString(m.pointer),
  saveNotes: (m) => isString(m.runId) && isString(m.text),
  compareCode: (m) => isString(m.runId),
  ignoreDriftColumn: (m) => isString(m.column) && m.column !== '' && typeof m.ignore === 'boolean',
  showHistory: (m) => isString(m.component),
  exportSvg: (m) => isString(m.svg) && isString(m.fileName),
  expand: (m) => isGraphRoot(m.root),
  setRoots: (m) => Array.isArray(m.roots) && m.roots.every(isGraphRoot),
  pickLabel: () => true,
  clearLabel: () => true,
  setTaskSeries: (m) => isString(m.metric) && isSeriesWindow(m.window),
};

export function isSeriesWindow(value: unknown): value is SeriesWindow {
  if (!isObject(value)) return false;
  if (value.kind === 'all') return true;
  return (value.kind === 'count' || value.kind === 'seconds') && typeof value.size === 'number';
}

/** A message from a webview, checked field by field (a webview is not trusted input). */
export function isViewMessage(value: unknown): value is ViewMessage {
  if (!isObject(value) || !isString(value.type)) return false;
  const check = (VIEW_MESSAGE_FIELDS as Record<string, (m: Record<string, unknown>) => boolean>)[value.type];
  return check !== undefined && check(value);
}

export function isHostMessage(value: unknown): value is HostMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'init':
    case 'update':
      return isObject(value.data) && isString(value.data.view);
    case 'error':
      return isString(value.message);
    case 'highlight':
      return value.runId === null || isString(value.runId);
    default:
      return false;
  }
}

/** What a webview keeps with `setState` (restored after a reload; the host reads `roots`). */
export interface GraphViewState {
  roots: GraphRoot[];
  collapsed: string[];
  transform: { x: number; y: number; k: number } | null;
  selected: string | null;
}

export function isGraphViewState(value: unknown): value is GraphViewState {
  return isObject(value) && Array.isArray(value.roots) && value.roots.every(isGraphRoot);
}

/** `data-vscode-context` of graph nodes, read by `webview/context` menus and the commands they run. */
export interface WebviewNodeContext {
  webviewSection: 'pointer' | 'pointerFlagged' | 'run';
  /** Set on pointers. */
  mltracePointer?: string;
  /** Set on runs. */
  mltraceRunId?: string;
  preventDefaultContextMenuItems: true;
}

/** Above this many nodes the graph groups runs by component. */
export const MAX_GRAPH_NODES = 2000;

/** How many runs of each root's lineage the graph shows at first (the nearest ones). */
export const GRAPH_WINDOW = 200;
