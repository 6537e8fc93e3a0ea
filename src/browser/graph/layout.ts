// Left-to-right DAG layout for the graph webview; pure (no DOM), so it runs anywhere.
// Small graphs go to dagre (network-simplex ranks and Brandes–Köpf positions: the nicest
// pictures). dagre grows much faster than linearly, so past DAGRE_MAX_NODES a layered layout of
// our own (longest-path ranks, barycentre ordering, balanced positions) keeps a 1,000-node
// graph well under a second.
import dagre from '@dagrejs/dagre';

export interface LayoutNode {
  id: string;
  width: number;
  height: number;
}

export interface LayoutEdge {
  source: string;
  target: string;
}

export interface Point {
  x: number;
  y: number;
}

export interface Layout {
  /** Centres of the nodes. */
  nodes: Map<string, Point>;
  /** Polyline of each edge (same order as the input), from the source's border to the target's. */
  edges: Point[][];
  width: number;
  height: number;
  engine: 'dagre' | 'layered';
}

export interface LayoutOptions {
  nodeSep?: number;
  rankSep?: number;
  margin?: number;
  /** Force one engine (tests, benchmarks). */
  engine?: 'dagre' | 'layered';
}

export const DAGRE_MAX_NODES = 120;

export function layoutGraph(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions = {}): Layout {
  const engine = options.engine ?? (nodes.length <= DAGRE_MAX_NODES ? 'dagre' : 'layered');
  const known = new Set(nodes.map((n) => n.id));
  const valid = edges.filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target);
  const layout =
    engine === 'dagre' ? dagreLayout(nodes, valid, options) : layeredLayout(nodes, valid, options);
  if (valid.length === edges.length) return layout;
  // Keep the edge list aligned with the input: dropped edges get no points.
  const byEdge = new Map(valid.map((e, i) => [e, layout.edges[i]]));
  return { ...layout, edges: edges.map((e) => byEdge.get(e) ?? []) };
}

function dagreLayout(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions): Layout {
  const margin = options.margin ?? 20;
  const g = new dagre.graphlib.Graph<
    Record<string, unknown>,
    { width: number; height: number; x?: number; y?: number },
    { points?: Point[] }
  >({ multigraph: true });
  g.setGraph({
    rankdir: 'LR',
    nodesep: options.nodeSep ?? 14,
    ranksep: options.rankSep ?? 56,
    marginx: margin,
    marginy: margin,
  });
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  edges.forEach((e, i) => g.setEdge(e.source, e.target, {}, String(i)));
  dagre.layout(g);
  const positions = new Map<string, Point>();
  for (const n of nodes) {
    const label = g.node(n.id);
    positions.set(n.id, { x: label.x ?? 0, y: label.y ?? 0 });
  }
  const graph = g.graph() as { width?: number; height?: number };
  return {
    nodes: positions,
    edges: edges.map((e, i) => g.edge(e.source, e.target, String(i))?.points ?? []),
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    engine: 'dagre',
  };
}

interface Vertex {
  /** Index into `nodes`, or -1 for a dummy vertex on a long edge. */
  node: number;
  rank: number;
  height: number;
  preds: number[];
  succs: number[];
  order: number;
  y: number;
}

function layeredLayout(nodes: LayoutNode[], edges: LayoutEdge[], options: LayoutOptions): Layout {
  const nodeSep = options.nodeSep ?? 14;
  const rankSep = options.rankSep ?? 56;
  const margin = options.margin ?? 20;
  const n = nodes.length;
  const index = new Map(nodes.map((node, i) => [node.id, i]));
  const out: number[][] = nodes.map(() => []);
  const edgeEnds = edges.map((e) => [index.get(e.source)!, index.get(e.target)!] as [number, number]);

  // 1. Break cycles (lineage is acyclic, but input is input): reverse the back edges of a DFS.
  const reversed = new Array<boolean>(edges.length).fill(false);
  const outEdges: number[][] = nodes.map(() => []);
  edgeEnds.forEach(([s], i) => outEdges[s].push(i));
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  for (let start = 0; start < n; start++) {
    if (state[start]) continue;
    const stack: Array<[number, number]> = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const list = outEdges[top[0]];
      if (top[1] < list.length) {
        const e = list[top[1]++];
        const t = edgeEnds[e][1];
        if (state[t] === 1) reversed[e] = true;
        else if (state[t] === 0) {
          state[t] = 1;
          stack.push([t, 0]);
        }
      } else {
        state[top[0]] = 2;
        stack.pop();
      }
    }
  }
  const inn: number[][] = nodes.map(() => []);
  const dag = edgeEnds.map(([s, t], i) => (reversed[i] ? [t, s] : [s, t]) as [number, number]);
  for (const [s, t] of dag) {
    out[s].push(t);
    inn[t].push(s);
  }

  // 2. Ranks: longest path from the sources, then sources pulled next to their first consumer.
  const rank = new Int32Array(n);
  const indegree = inn.map((l) => l.length);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) if (indegree[i] === 0) queue.push(i);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head];
    for (const w of out[v]) {
      rank[w] = Math.max(rank[w], rank[v] + 1);
      if (--indegree[w] === 0) queue.push(w);
    }
  }
  for (let i = 0; i < n; i++) {
    if (inn[i].length === 0 && out[i].length > 0) {
      let min = Infinity;
      for (const w of out[i]) min = Math.min(min, rank[w]);
      rank[i] = min - 1;
    }
  }

  // 3. Vertices per rank, with a dummy vertex wherever an edge crosses a rank.
  const vertices: Vertex[] = nodes.map((node, i) => ({
    node: i,
    rank: rank[i],
    height: node.height,
    preds: [],
    succs: [],
    order: 0,
    y: 0,
  }));
  const chains: number[][] = dag.map(([s, t]) => {
    const chain = [s];
    let previous = s;
    for (let r = rank[s] + 1; r < rank[t]; r++) {
      const id = vertices.length;
      vertices.push({ node: -1, rank: r, height: 2, preds: [previous], succs: [], order: 0, y: 0 });
      vertices[previous].succs.push(id);
      chain.push(id);
      previous = id;
    }
    vertices[previous].succs.push(t);
    vertices[t].preds.push(previous);
    chain.push(t);
    return chain;
  });
  const maxRank = vertices.reduce((m, v) => Math.max(m, v.rank), 0);
  const layers: number[][] = Array.from({ length: maxRank + 1 }, () => []);
  // Initial order: depth-first from the sources, so that chains start out together.
  const placed = new Uint8Array(vertices.length);
  const visit = (root: number) => {
    const stack = [root];
    while (stack.length) {
      const v = stack.pop()!;
      if (placed[v]) continue;
      placed[v] = 1;
      layers[vertices[v].rank].push(v);
      const succs = vertices[v].succs;
      for (let i = succs.length - 1; i >= 0; i--) if (!placed[succs[i]]) stack.push(succs[i]);
    }
  };
  for (let i = 0; i < n; i++) if (inn[i].length === 0) visit(i);
  for (let v = 0; v < vertices.length; v++) if (!placed[v]) visit(v);
  const renumber = (layer: number[]) => layer.forEach((v, i) => (vertices[v].order = i));
  layers.forEach(renumber);

  // 4. Fewer crossings: barycentre sweeps, down then up.
  const sweep = (layer: number[], neighbours: (v: Vertex) => number[]) => {
    const keys = new Map<number, number>();
    for (const v of layer) {
      const list = neighbours(vertices[v]);
      if (list.length === 0) keys.set(v, vertices[v].order);
      else {
        let sum = 0;
        for (const w of list) sum += vertices[w].order;
        keys.set(v, sum / list.length);
      }
    }
    layer.sort((a, b) => keys.get(a)! - keys.get(b)! || vertices[a].order - vertices[b].order);
    renumber(layer);
  };
  for (let iteration = 0; iteration < 4; iteration++) {
    for (let r = 1; r <= maxRank; r++) sweep(layers[r], (v) => v.preds);
    for (let r = maxRank - 1; r >= 0; r--) sweep(layers[r], (v) => v.succs);
  }

  // 5. Vertical positions: stacked, then pulled towards the neighbours' mean without overlapping.
  const separation = (a: number, b: number) => vertices[a].height / 2 + vertices[b].height / 2 + nodeSep;
  for (const layer of layers) {
    let y = 0;
    layer.forEach((v, i) => {
      if (i > 0) y += separation(layer[i - 1], v);
      vertices[v].y = y;
    });
  }
  const align = (layer: number[], neighbours: (v: Vertex) => number[]) => {
    if (layer.length === 0) return;
    const desired = layer.map((v) => {
      const list = neighbours(vertices[v]);
      if (list.length === 0) return vertices[v].y;
      let sum = 0;
      for (const w of list) sum += vertices[w].y;
      return sum / list.length;
    });
    const forward = desired.slice();
    for (let i = 1; i < layer.length; i++)
      forward[i] = Math.max(desired[i], forward[i - 1] + separation(layer[i - 1], layer[i]));
    const backward = desired.slice();
    for (let i = layer.length - 2; i >= 0; i--)
      backward[i] = Math.min(desired[i], backward[i + 1] - separation(layer[i], layer[i + 1]));
    layer.forEach((v, i) => (vertices[v].y = (forward[i] + backward[i]) / 2));
  };
  for (let iteration = 0; iteration < 3; iteration++) {
    for (let r = 1; r <= maxRank; r++) align(layers[r], (v) => v.preds);
    for (let r = maxRank - 1; r >= 0; r--) align(layers[r], (v) => v.succs);
  }

  // 6. Horizontal positions: one column per rank, as wide as its widest node.
  const columnWidth = layers.map((layer) =>
    layer.reduce((m, v) => Math.max(m, vertices[v].node >= 0 ? nodes[vertices[v].node].width : 0), 0),
  );
  const columnX: number[] = [];
  let x = margin;
  for (let r = 0; r <= maxRank; r++) {
    columnX.push(x + columnWidth[r] / 2);
    x += columnWidth[r] + rankSep;
  }
  let minY = Infinity;
  let maxY = -Infinity;
  for (const v of vertices) {
    minY = Math.min(minY, v.y - v.height / 2);
    maxY = Math.max(maxY, v.y + v.height / 2);
  }
  if (!Number.isFinite(minY)) minY = maxY = 0;
  const shift = margin - minY;
  const point = (v: number): Point => ({ x: columnX[vertices[v].rank], y: vertices[v].y + shift });
  const positions = new Map<string, Point>();
  nodes.forEach((node, i) => positions.set(node.id, point(i)));
  const edgePoints = chains.map((chain, i) => {
    const points = chain.map(point);
    const first = points[0];
    const last = points[points.length - 1];
    first.x += nodes[chain[0]].width / 2;
    last.x -= nodes[chain[chain.length - 1]].width / 2;
    return reversed[i] ? points.reverse() : points;
  });
  return {
    nodes: positions,
    edges: edgePoints,
    width: x - rankSep + margin,
    height: maxY - minY + 2 * margin,
    engine: 'layered',
  };
}
