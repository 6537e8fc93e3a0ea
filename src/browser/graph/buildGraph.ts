// From the host's plain data to the nodes and edges drawn: runs and pointers (or, past
// MAX_GRAPH_NODES, one node per component), a "N more upstream…" node where the host's window
// of a lineage stopped, minus what the user collapsed. Pure: no DOM.
import type { TracedRun } from '../../core/model';
import type { GraphData, GraphMore, GraphPointer, GraphRoot } from '../../shared/protocol';
import { MAX_GRAPH_NODES } from '../../shared/protocol';
import { runState, RunState } from '../../shared/icons';

export type NodeKind = 'run' | 'pointer' | 'component' | 'more';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  width: number;
  height: number;
  /** Runs: the component; pointers: the file name; components: the name. */
  label: string;
  run?: TracedRun;
  pointer?: GraphPointer;
  /** "N more upstream…": where to expand from. */
  more?: GraphMore;
  /** Components: how many runs, and how many of them stale or failed. */
  group?: { component: string; runs: number; stale: number; failed: number };
  state?: RunState;
  stale: string[];
  flagged: boolean;
  /** Neighbours hidden because this node is collapsed. */
  hidden: number;
  collapsed: boolean;
  root: boolean;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: 'read' | 'write' | 'depends';
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Runs were grouped by component because the graph had `total` nodes. */
  grouped: boolean;
  total: number;
}

export const RUN_SIZE = { width: 196, height: 48 };
export const POINTER_SIZE = { width: 176, height: 34 };

export const runNodeId = (id: string): string => `r:${id}`;
export const pointerNodeId = (name: string): string => `p:${name}`;
export const componentNodeId = (name: string): string => `c:${name}`;
export const moreNodeId = (more: GraphMore): string => `m:${more.direction}:${more.runId}`;
export const rootNodeId = (root: GraphRoot): string =>
  root.kind === 'pointer' ? pointerNodeId(root.name) : runNodeId(root.id);

export function buildModel(data: GraphData, collapsed: ReadonlySet<string>): GraphModel {
  const total = data.runs.length + data.pointers.length;
  const full = total > MAX_GRAPH_NODES ? groupedModel(data) : fullModel(data);
  addMore(full, data);
  return { ...withoutCollapsed(full, data.roots, collapsed), grouped: total > MAX_GRAPH_NODES, total };
}

function pointerNode(name: string, pointers: Map<string, GraphPointer>): GraphNode {
  const pointer = pointers.get(name) ?? { name, type: 'UNKNOWN' as const, flagged: false };
  return {
    id: pointerNodeId(name),
    kind: 'pointer',
    ...POINTER_SIZE,
    label: name,
    pointer,
    stale: [],
    flagged: pointer.flagged,
    hidden: 0,
    collapsed: false,
    root: false,
  };
}

function fullModel(data: GraphData): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const pointers = new Map(data.pointers.map((p) => [p.name, p]));
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const seenPointers = new Set<string>();
  const addPointer = (name: string) => {
    if (seenPointers.has(name)) return;
    seenPointers.add(name);
    nodes.push(pointerNode(name, pointers));
  };
  const seenRuns = new Set<string>();
  for (const run of data.runs) {
    if (seenRuns.has(run.id)) continue;
    seenRuns.add(run.id);
    nodes.push({
      id: runNodeId(run.id),
      kind: 'run',
      ...RUN_SIZE,
      label: run.component,
      run,
      state: runState(run),
      stale: run.stale,
      flagged: false,
      hidden: 0,
      collapsed: false,
      root: false,
    });
    for (const input of run.inputs) {
      addPointer(input);
      edges.push({
        id: `${pointerNodeId(input)}>${runNodeId(run.id)}`,
        source: pointerNodeId(input),
        target: runNodeId(run.id),
        kind: 'read',
      });
    }
    for (const output of run.outputs) {
      addPointer(output);
      edges.push({
        id: `${runNodeId(run.id)}>${pointerNodeId(output)}`,
        source: runNodeId(run.id),
        target: pointerNodeId(output),
        kind: 'write',
      });
    }
  }
  for (const root of data.roots) if (root.kind === 'pointer') addPointer(root.name);
  return { nodes, edges };
}

/** "N more upstream…" beside each run (or its component) where a window of the lineage stopped. */
function addMore(model: { nodes: GraphNode[]; edges: GraphEdge[] }, data: GraphData): void {
  const ids = new Set(model.nodes.map((n) => n.id));
  const componentOf = new Map(data.runs.map((r) => [r.id, r.component]));
  for (const more of data.more ?? []) {
    const id = moreNodeId(more);
    const component = componentOf.get(more.runId);
    const anchor = ids.has(runNodeId(more.runId))
      ? runNodeId(more.runId)
      : component !== undefined && ids.has(componentNodeId(component))
        ? componentNodeId(component)
        : null;
    if (anchor === null || ids.has(id)) continue;
    ids.add(id);
    const single = (data.more ?? []).filter((m) => m.direction === more.direction).length === 1;
    model.nodes.push({
      id,
      kind: 'more',
      ...POINTER_SIZE,
      // The count is exact only where one place of a window was cut.
      label: single
        ? `${more.hidden.toLocaleString('en')} more ${more.direction}…`
        : `More ${more.direction}…`,
      more,
      stale: [],
      flagged: false,
      hidden: 0,
      collapsed: false,
      root: false,
    });
    const [source, target] = more.direction === 'upstream' ? [id, anchor] : [anchor, id];
    model.edges.push({ id: `${source}>${target}`, source, target, kind: 'depends' });
  }
}

/** One node per component; edges where a run of one depends on a run of the other. */
function groupedModel(data: GraphData): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const componentOf = new Map(data.runs.map((r) => [r.id, r.component]));
  const groups = new Map<string, { runs: number; stale: number; failed: number; reasons: string[] }>();
  for (const run of data.runs) {
    const g = groups.get(run.component) ?? { runs: 0, stale: 0, failed: 0, reasons: [] };
    g.runs++;
    if (run.stale.length) {
      g.stale++;
      if (g.reasons.length < 5) g.reasons.push(...run.stale.slice(0, 5 - g.reasons.length));
    }
    if (run.status === 'failed') g.failed++;
    groups.set(run.component, g);
  }
  const nodes: GraphNode[] = [...groups].map(([component, g]) => ({
    id: componentNodeId(component),
    kind: 'component',
    ...RUN_SIZE,
    label: component,
    group: { component, runs: g.runs, stale: g.stale, failed: g.failed },
    state: g.failed ? 'failed' : g.stale ? 'stale' : 'complete',
    stale: g.reasons,
    flagged: false,
    hidden: 0,
    collapsed: false,
    root: false,
  }));
  const edges = new Map<string, GraphEdge>();
  const link = (source: string, target: string, kind: GraphEdge['kind']) => {
    const id = `${source}>${target}`;
    if (source !== target && !edges.has(id)) edges.set(id, { id, source, target, kind });
  };
  for (const run of data.runs) {
    for (const dep of run.dependencies) {
      const from = componentOf.get(dep);
      if (from) link(componentNodeId(from), componentNodeId(run.component), 'depends');
    }
  }
  const pointers = new Map(data.pointers.map((p) => [p.name, p]));
  for (const root of data.roots) {
    if (root.kind !== 'pointer') continue;
    nodes.push(pointerNode(root.name, pointers));
    for (const run of data.runs) {
      if (run.outputs.includes(root.name))
        link(componentNodeId(run.component), pointerNodeId(root.name), 'write');
      if (run.inputs.includes(root.name))
        link(pointerNodeId(root.name), componentNodeId(run.component), 'read');
    }
  }
  return { nodes, edges: [...edges.values()] };
}

/**
 * Collapsing a node hides what is reachable only through it: the nodes reached from the roots
 * (following edges either way) without passing through a collapsed node stay.
 */
function withoutCollapsed(
  model: { nodes: GraphNode[]; edges: GraphEdge[] },
  roots: GraphRoot[],
  collapsed: ReadonlySet<string>,
): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const byId = new Map(model.nodes.map((n) => [n.id, n]));
  const rootIds = roots.map(rootNodeId).filter((id) => byId.has(id));
  for (const id of rootIds) byId.get(id)!.root = true;
  if (collapsed.size === 0 || rootIds.length === 0) return model;
  const neighbours = new Map<string, string[]>();
  const add = (a: string, b: string) => {
    const list = neighbours.get(a);
    if (list) list.push(b);
    else neighbours.set(a, [b]);
  };
  for (const e of model.edges) {
    add(e.source, e.target);
    add(e.target, e.source);
  }
  const visible = new Set<string>(rootIds);
  const queue = [...rootIds];
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    if (collapsed.has(id)) continue;
    for (const next of neighbours.get(id) ?? []) {
      if (!visible.has(next)) {
        visible.add(next);
        queue.push(next);
      }
    }
  }
  const nodes = model.nodes.filter((n) => visible.has(n.id));
  for (const node of nodes) {
    if (!collapsed.has(node.id)) continue;
    node.collapsed = true;
    node.hidden = (neighbours.get(node.id) ?? []).filter((id) => !visible.has(id)).length;
  }
  return { nodes, edges: model.edges.filter((e) => visible.has(e.source) && visible.has(e.target)) };
}
