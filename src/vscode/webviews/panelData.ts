// The data each webview shows, from the engine's queries. No `vscode` here: plain functions of the
// store, so they can be tested and benchmarked without an editor.
import type { DriftSettings } from '../../core/drift';
import type { Run, TracedRun } from '../../core/model';
import { GRAPH_WINDOW } from '../../shared/protocol';
import type {
  GraphData,
  GraphMore,
  GraphPointer,
  GraphRoot,
  HistoryData,
  InspectorData,
  ReviewData,
} from '../../shared/protocol';
import type { LineageQueries } from './panelHost';

export type Staleness = (runs: ReadonlyArray<Run>) => Map<string, string[]>;

/**
 * The union of the lineages of every root, each run once at its smallest depth: of each, its
 * nearest `window` runs, and where that window stopped (a lineage can be 50,000 runs deep; the
 * view draws "N more…" there and expands from it on a click).
 */
export function graphData(
  store: LineageQueries,
  roots: GraphRoot[],
  options: { trusted: boolean; staleness?: Staleness; window?: number },
): GraphData {
  const runs = new Map<string, TracedRun>();
  const add = (list: TracedRun[]) => {
    for (const run of list) {
      const known = runs.get(run.id);
      if (!known || known.depth > run.depth) runs.set(run.id, run);
    }
  };
  const staleness = options.staleness === undefined;
  const more: GraphMore[] = [];
  for (const root of roots) {
    const window = store.lineageWindow(root, { limit: options.window ?? GRAPH_WINDOW, staleness });
    add(window.runs);
    const hidden = window.total - window.runs.length;
    for (const runId of window.frontier) more.push({ runId, direction: root.direction, hidden });
  }
  const list = [...runs.values()];
  const reasons = options.staleness
    ? options.staleness(list)
    : roots.some((r) => r.kind === 'run')
      ? store.staleReasons(list.filter((r) => r.stale.length === 0).map((r) => r.id))
      : new Map<string, string[]>();
  for (const run of list) {
    const found = reasons.get(run.id);
    if (found) run.stale = found;
    else if (options.staleness) run.stale = [];
  }
  return {
    view: 'graph',
    roots,
    runs: list,
    pointers: pointersOf(store, list, roots),
    trusted: options.trusted,
    // A window's edge that another root's window covers is not an edge of the graph.
    more: more.filter(
      (m) => !roots.some((r) => r.kind === 'run' && r.id === m.runId && r.direction === m.direction),
    ),
  };
}

function pointersOf(store: LineageQueries, runs: TracedRun[], roots: GraphRoot[]): GraphPointer[] {
  const names = new Set<string>();
  for (const run of runs) for (const name of [...run.inputs, ...run.outputs]) names.add(name);
  for (const root of roots) if (root.kind === 'pointer') names.add(root.name);
  if (names.size === 0) return [];
  const known = store.pointersNamed(names);
  return [...names].map((name) => {
    const p = known.get(name);
    return { name, type: p?.type ?? 'UNKNOWN', flagged: p?.flagged ?? false };
  });
}

export function inspectorData(
  store: LineageQueries,
  runId: string,
  options: {
    trusted: boolean;
    sourceExists: (sourceFile: string) => boolean;
    drift?: Partial<DriftSettings>;
  },
): InspectorData {
  const run = store.inspect(runId);
  const dependencies = store.dependencies(run.id);
  const reasons = store.staleReasons(dependencies.map((r) => r.id));
  for (const dep of dependencies) dep.stale = reasons.get(dep.id) ?? [];
  return {
    view: 'inspector',
    run,
    dependencies,
    sourceExists: run.sourceFile ? options.sourceExists(run.sourceFile) : false,
    trusted: options.trusted,
    drift: store.runDrift(run.id, { drift: options.drift }),
  };
}

/** Runs listed per flagged trace in the review view (a trace can be 50,000 runs deep). */
const REVIEW_TRACE_CHIPS = 200;

export function reviewData(store: LineageQueries, options: { trusted: boolean; limit?: number }): ReviewData {
  const review = store.review({ limit: options.limit ?? 200 });
  const traces = review.flagged.map((pointer) => {
    try {
      const trace = store.trace(pointer, { staleness: false, limit: REVIEW_TRACE_CHIPS });
      return { pointer, runIds: trace.runs.map((r) => r.id), total: trace.total };
    } catch {
      return { pointer, runIds: [], total: 0 };
    }
  });
  return { view: 'review', review, traces, trusted: options.trusted };
}

export function historyData(
  store: LineageQueries,
  component: string,
  options: { staleness?: Staleness; limit?: number },
): HistoryData {
  const runs = store.history(component, { limit: options.limit ?? 1000 });
  const reasons = options.staleness ? options.staleness(runs) : store.staleReasons(runs.map((r) => r.id));
  for (const run of runs) run.stale = reasons.get(run.id) ?? [];
  return { view: 'history', component, runs };
}
