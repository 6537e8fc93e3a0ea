/// <reference lib="dom" />
// The lineage graph drawn with d3: nodes, edges, zoom and pan, roving keyboard focus, tooltips.
// Every string from the data goes in with `textContent` or `setAttribute`, never as markup.
import { curveBasis, line, select, Selection, zoom, zoomIdentity, ZoomBehavior, ZoomTransform } from 'd3';
import type { WebviewNodeContext } from '../../shared/protocol';
import { plural, relativeTime, runLabel, shortId, visible } from '../../core/format';
import { COMPONENT_ICON, FLAGGED_ICON, MORE_ICON, POINTER_ICONS, RUN_STATE_ICONS } from '../../shared/icons';
import { baseName, truncate } from '../common/text';
import type { Layout, Point } from './layout';
import type { GraphEdge, GraphModel, GraphNode } from './buildGraph';

export interface GraphViewEvents {
  /** Click or Enter on a node. */
  activate(node: GraphNode): void;
  /** The collapse handle (or `-` / `+`). */
  toggleCollapse(node: GraphNode): void;
  /** The downstream handle (or `>`). */
  expandDownstream(node: GraphNode): void;
  /** Zoom, pan or focus changed: worth saving. */
  stateChanged(): void;
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const XML_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** The smallest scale `fit` uses for small graphs (labels stay legible). */
const READABLE_SCALE = 0.7;

export class GraphView {
  readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: Selection<SVGGElement, unknown, null, undefined>;
  private readonly edgeLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly nodeLayer: Selection<SVGGElement, unknown, null, undefined>;
  private readonly zoomBehavior: ZoomBehavior<SVGSVGElement, unknown>;
  private readonly tooltip: HTMLDivElement;
  private model: GraphModel = { nodes: [], edges: [], grouped: false, total: 0 };
  private layout: Layout | undefined;
  private nodeElements = new Map<string, SVGGElement>();
  private nodesById = new Map<string, GraphNode>();
  private matches: string[] = [];
  private highlight: string | null = null;
  /** Nodes a label reaches (Highlight Label…): marked, the others dimmed; null: no label. */
  private labelMarks: ReadonlySet<string> | null = null;
  /** The view's size while `fit` or `setTransform` applies a transform it was measured for. */
  private measuredSize: { width: number; height: number } | undefined;
  /** The node that holds the tab stop (roving tabindex). */
  focusedId: string | null = null;
  now = Date.now();

  constructor(
    container: HTMLElement,
    private readonly events: GraphViewEvents,
  ) {
    this.svg = select(container)
      .append('svg')
      .attr('class', 'graph')
      .attr('role', 'group')
      .attr('aria-label', 'Lineage graph. Tab to the nodes, arrows to move, Enter to open.');
    this.viewport = this.svg.append('g').attr('class', 'viewport');
    this.edgeLayer = this.viewport.append('g').attr('class', 'edges').attr('aria-hidden', 'true');
    this.nodeLayer = this.viewport.append('g').attr('class', 'nodes');
    this.listenToNodes(this.nodeLayer.node()!);
    this.zoomBehavior = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 4])
      // d3's default extent (the svg's width and height) reads the layout: while `fit` applies a
      // size it measured before the nodes went in, that size, so as not to lay them all out.
      .extent((): [[number, number], [number, number]] => {
        const svg = this.svg.node()!;
        const { width, height } = this.measuredSize ?? {
          width: svg.width.baseVal.value,
          height: svg.height.baseVal.value,
        };
        return [
          [0, 0],
          [width, height],
        ];
      })
      .filter((event: Event) => {
        // Wheel zooms, drag on the background pans; clicks on nodes stay clicks.
        if (event.type === 'dblclick') return false;
        const target = event.target as Element | null;
        return event.type === 'wheel' || !target?.closest('.node');
      })
      .on('zoom', (event: { transform: ZoomTransform }) => {
        this.viewport.attr('transform', event.transform.toString());
        this.events.stateChanged();
      });
    this.svg.call(this.zoomBehavior);
    this.tooltip = document.createElement('div');
    this.tooltip.className = 'tooltip';
    this.tooltip.setAttribute('role', 'tooltip');
    this.tooltip.id = 'graph-tooltip';
    this.tooltip.hidden = true;
    container.append(this.tooltip);
  }

  get transform(): ZoomTransform {
    const node = this.svg.node();
    return node ? (zoomTransformOf(node) ?? zoomIdentity) : zoomIdentity;
  }

  /** `size`: as for `fit`. */
  setTransform(t: { x: number; y: number; k: number }, size?: { width: number; height: number }): void {
    this.applyTransform(zoomIdentity.translate(t.x, t.y).scale(t.k), size);
  }

  private applyTransform(t: ZoomTransform, size: { width: number; height: number } | undefined): void {
    this.measuredSize = size;
    try {
      this.svg.call(this.zoomBehavior.transform, t);
    } finally {
      this.measuredSize = undefined;
    }
  }

  render(model: GraphModel, layout: Layout): void {
    this.model = model;
    this.layout = layout;
    this.now = Date.now();
    const edgePath = line<Point>()
      .x((p) => p.x)
      .y((p) => p.y)
      .curve(curveBasis);
    this.edgeLayer
      .selectAll<SVGPathElement, GraphEdge>('path')
      .data(model.edges, (e) => e.id)
      .join('path')
      .attr('class', (e) => `edge ${e.kind}`)
      .attr('d', (_e, i) => edgePath(layout.edges[i] ?? []) ?? '')
      .attr('marker-end', 'url(#arrow)');
    this.ensureMarker();

    const ids = new Set(model.nodes.map((n) => n.id));
    this.nodesById = new Map(model.nodes.map((n) => [n.id, n]));
    if (!this.focusedId || !ids.has(this.focusedId))
      this.focusedId = model.nodes.find((n) => n.root)?.id ?? model.nodes[0]?.id ?? null;
    for (const [id, element] of this.nodeElements) {
      if (!ids.has(id)) {
        element.remove();
        this.nodeElements.delete(id);
      }
    }
    const matched = new Set(this.matches);
    const fragment = document.createDocumentFragment();
    const hadNodes = this.nodeElements.size > 0;
    for (const node of model.nodes) {
      const old = this.nodeElements.get(node.id);
      const element = this.drawNode(node, matched);
      if (old) old.replaceWith(element);
      else fragment.append(element);
      this.nodeElements.set(node.id, element);
      const p = layout.nodes.get(node.id) ?? { x: 0, y: 0 };
      element.setAttribute('transform', `translate(${p.x - node.width / 2},${p.y - node.height / 2})`);
      // Last, where applyLabelMarks puts it (the exported SVG keeps the attributes' order).
      if (this.labelMarks?.has(node.id))
        element.setAttribute('aria-description', 'reached by the highlighted label');
    }
    this.nodeLayer.node()!.append(fragment);
    // Keep the document order the model's, so that Tab order follows it.
    if (hadNodes)
      for (const node of model.nodes) this.nodeLayer.node()!.append(this.nodeElements.get(node.id)!);
  }

  /** Marks the nodes of `ids` as reached by a label and dims the rest; null clears. */
  setLabelMarks(ids: ReadonlySet<string> | null): void {
    this.labelMarks = ids;
    this.applyLabelMarks();
  }

  /** The size of the drawing area, in CSS pixels (forces a layout of whatever changed). */
  size(): { width: number; height: number } {
    const { width, height } = this.svg.node()!.getBoundingClientRect();
    return { width, height };
  }

  /**
   * Scales and centres the whole graph in the view. `size`: the view's size measured before the
   * nodes went in (the first drawing), so that measuring it does not lay out the graph twice.
   */
  fit(animate = false, size?: { width: number; height: number }): void {
    if (!this.layout || this.model.nodes.length === 0) return;
    const measured = size ?? this.size();
    const { width, height } = measured;
    if (!width || !height) return;
    let k = Math.min(
      1.25,
      Math.max(0.02, Math.min(width / this.layout.width, height / this.layout.height) * 0.95),
    );
    let t = zoomIdentity
      .translate((width - this.layout.width * k) / 2, (height - this.layout.height * k) / 2)
      .scale(k);
    // A long thin lineage would shrink to unreadable: stay readable, centred on the root instead.
    const root = this.model.nodes.find((n) => n.root);
    const p = root && this.layout.nodes.get(root.id);
    if (k < READABLE_SCALE && this.model.nodes.length <= 80 && p) {
      k = READABLE_SCALE;
      // Upstream lineages end at the root (on the right): keep it at the right edge, with as much
      // of what produced it in view as fits; downstream ones start at it (on the left).
      const x = p.x > this.layout.width / 2 ? width - 60 - (this.layout.width - p.x) * k : 60 + p.x * k;
      t = zoomIdentity.translate(x - p.x * k, height / 2 - p.y * k).scale(k);
    }
    if (animate) this.svg.transition().duration(200).call(this.zoomBehavior.transform, t);
    else this.applyTransform(t, measured);
  }

  zoomBy(factor: number): void {
    this.svg.transition().duration(150).call(this.zoomBehavior.scaleBy, factor);
  }

  /** Pans so that the node is in view (keeping the scale). */
  reveal(id: string): void {
    const p = this.layout?.nodes.get(id);
    const svg = this.svg.node()!;
    if (!p) return;
    const { width, height } = svg.getBoundingClientRect();
    const t = this.transform;
    const [sx, sy] = t.apply([p.x, p.y]);
    if (sx > 40 && sx < width - 40 && sy > 40 && sy < height - 40) return;
    this.svg.transition().duration(200).call(this.zoomBehavior.translateTo, p.x, p.y);
  }

  focusNode(id: string): void {
    const element = this.nodeElements.get(id);
    if (!element) return;
    this.focusedId = id;
    this.updateTabStop();
    this.reveal(id);
    element.focus({ preventScroll: true });
    this.events.stateChanged();
  }

  /** Highlights the nodes that match; returns their ids in the model's order. */
  search(query: string): string[] {
    const q = query.trim().toLowerCase();
    this.matches = q
      ? this.model.nodes
          .filter((n) => n.label.toLowerCase().includes(q) || (n.run !== undefined && n.run.id.startsWith(q)))
          .map((n) => n.id)
      : [];
    this.applySearchClasses(q !== '');
    return this.matches;
  }

  /** Marks one run (or nothing): used when the review asks to show a run. */
  setHighlight(id: string | null): void {
    this.highlight = id;
    this.applyHighlight();
  }

  getNode(id: string): GraphNode | undefined {
    return this.nodesById.get(id);
  }

  nodeElement(id: string): SVGGElement | undefined {
    return this.nodeElements.get(id);
  }

  /** The graph as a standalone SVG document, with the theme's colours resolved. */
  exportSvg(): string {
    const source = this.svg.node()!;
    const clone = source.cloneNode(true) as SVGSVGElement;
    const originals = source.querySelectorAll('*');
    const copies = clone.querySelectorAll('*');
    const properties = [
      'fill',
      'stroke',
      'stroke-width',
      'stroke-dasharray',
      'font-family',
      'font-size',
      'font-weight',
      'opacity',
    ];
    originals.forEach((original, i) => {
      const style = getComputedStyle(original);
      const copy = copies[i] as SVGElement;
      for (const property of properties) copy.style.setProperty(property, style.getPropertyValue(property));
      copy.removeAttribute('tabindex');
      copy.removeAttribute('data-vscode-context');
    });
    clone.querySelector('.viewport')?.removeAttribute('transform');
    const width = this.layout?.width ?? 0;
    const height = this.layout?.height ?? 0;
    clone.setAttribute('xmlns', SVG_NS);
    clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
    clone.setAttribute('width', String(width));
    clone.setAttribute('height', String(height));
    clone.style.setProperty(
      'background',
      getComputedStyle(document.body).getPropertyValue('background-color'),
    );
    // Text went in escaped, but a name in an attribute the clone kept may still hold a character
    // XML 1.0 forbids (most C0 controls, U+FFFE/U+FFFF, lone surrogates): escape those too, so
    // the file is well-formed XML whatever the names hold.
    return new XMLSerializer()
      .serializeToString(clone)
      .replace(XML_FORBIDDEN, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }

  /** Arrow keys: left/right follow edges upstream/downstream, up/down move within a column. */
  neighbour(id: string, key: 'ArrowLeft' | 'ArrowRight' | 'ArrowUp' | 'ArrowDown'): string | undefined {
    const here = this.layout?.nodes.get(id);
    if (!here || !this.layout) return undefined;
    let candidates: string[];
    if (key === 'ArrowLeft')
      candidates = this.model.edges.filter((e) => e.target === id).map((e) => e.source);
    else if (key === 'ArrowRight')
      candidates = this.model.edges.filter((e) => e.source === id).map((e) => e.target);
    else {
      candidates = this.model.nodes
        .map((n) => n.id)
        .filter((other) => {
          const p = this.layout!.nodes.get(other);
          if (!p || other === id || Math.abs(p.x - here.x) > 1) return false;
          return key === 'ArrowUp' ? p.y < here.y : p.y > here.y;
        });
    }
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const other of candidates) {
      const p = this.layout.nodes.get(other);
      if (!p) continue;
      const d = Math.abs(p.y - here.y) + Math.abs(p.x - here.x) / 4;
      if (d < bestDistance) {
        bestDistance = d;
        best = other;
      }
    }
    return best;
  }

  showTooltip(node: GraphNode, anchor: Element): void {
    const lines = tooltipLines(node, this.now);
    this.tooltip.replaceChildren();
    lines.forEach((text, i) => {
      const div = document.createElement('div');
      div.className = i === 0 ? 'tooltip-title' : text.startsWith('• ') ? 'tooltip-reason' : 'tooltip-line';
      div.textContent = visible(text);
      this.tooltip.append(div);
    });
    this.tooltip.hidden = false;
    const box = anchor.getBoundingClientRect();
    const host = this.tooltip.parentElement!.getBoundingClientRect();
    const left = Math.min(box.left - host.left, host.width - 360);
    this.tooltip.style.left = `${Math.max(4, left)}px`;
    const below = box.bottom - host.top + 6;
    this.tooltip.style.top = `${below + this.tooltip.offsetHeight > host.height ? Math.max(4, box.top - host.top - this.tooltip.offsetHeight - 6) : below}px`;
  }

  hideTooltip(): void {
    this.tooltip.hidden = true;
  }

  // ---------------------------------------------------------------------------------------------

  private ensureMarker(): void {
    if (!this.svg.select('defs').empty()) return;
    this.svg
      .insert('defs', ':first-child')
      .append('marker')
      .attr('id', 'arrow')
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerWidth', 7)
      .attr('markerHeight', 7)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('class', 'arrow-head')
      .attr('d', 'M 0 0 L 10 5 L 0 10 z');
  }

  private drawNode(node: GraphNode, matches: ReadonlySet<string>): SVGGElement {
    const g = svgElement('g');
    const classes = ['node', node.kind, `state-${node.state ?? 'none'}`];
    if (node.stale.length) classes.push('stale');
    if (node.flagged) classes.push('flagged');
    if (node.root) classes.push('root');
    if (node.collapsed) classes.push('collapsed');
    // Search, highlight and label marks as the apply* methods set them, before the node is in the
    // page (one style computation, not one per change).
    if (matches.has(node.id)) classes.push('match');
    else if (matches.size > 0) classes.push('dim');
    if (node.id === this.highlight) classes.push('highlight');
    const reached = this.labelMarks?.has(node.id) ?? false;
    if (reached) classes.push('label-reached');
    else if (this.labelMarks !== null) classes.push('label-outside');
    g.setAttribute('class', classes.join(' '));
    g.setAttribute('data-id', node.id);
    g.setAttribute('role', 'button');
    g.setAttribute('tabindex', node.id === this.focusedId ? '0' : '-1');
    g.setAttribute('aria-label', visible(ariaLabel(node, this.now)));
    g.setAttribute('aria-describedby', 'graph-tooltip');
    const context = nodeContext(node);
    if (context) g.setAttribute('data-vscode-context', JSON.stringify(context));

    const rect = svgElement('rect');
    rect.setAttribute('class', 'body');
    rect.setAttribute('width', String(node.width));
    rect.setAttribute('height', String(node.height));
    rect.setAttribute('rx', node.kind === 'pointer' ? '3' : '6');
    g.append(rect);

    const glyph = svgElement('text');
    glyph.setAttribute('class', 'glyph');
    glyph.setAttribute('x', '10');
    glyph.setAttribute('y', String(node.height / 2 + 7));
    glyph.textContent = nodeGlyph(node);
    g.append(glyph);

    const title = svgElement('text');
    title.setAttribute('class', 'label');
    title.setAttribute('x', '32');
    if (node.kind === 'pointer' || node.kind === 'more') {
      title.setAttribute('y', String(node.height / 2 + 4));
      title.textContent = truncate(visible(node.kind === 'more' ? node.label : baseName(node.label)), 22);
    } else {
      title.setAttribute('y', '20');
      title.textContent = truncate(visible(node.label), 20);
      const sub = svgElement('text');
      sub.setAttribute('class', 'sub');
      sub.setAttribute('x', '32');
      sub.setAttribute('y', '37');
      sub.textContent = node.run
        ? `${shortId(node.run.id)} · ${relativeTime(node.run.startTime, this.now)}`
        : node.group
          ? `${plural(node.group.runs, 'run')}${node.group.stale ? ` · ${node.group.stale} stale` : ''}`
          : '';
      g.append(sub);
    }
    g.append(title);

    if (node.stale.length || node.flagged) {
      // A second mark besides colour: the history (stale) or flag glyph at the corner.
      const mark = svgElement('text');
      mark.setAttribute('class', `mark ${node.flagged ? 'mark-flag' : 'mark-stale'}`);
      mark.setAttribute('x', String(node.width - 20));
      mark.setAttribute('y', '17');
      mark.textContent = node.flagged ? FLAGGED_ICON.glyph : RUN_STATE_ICONS.stale.glyph;
      g.append(mark);
    }

    if (node.collapsed) addHandles(g, node);
    return g;
  }

  /**
   * One listener per kind of event for all the nodes (not five per node): hover and focus show
   * the tooltip (and the handles), click activates or works the handle clicked.
   */
  private listenToNodes(layer: SVGGElement): void {
    const nodeOf = (target: EventTarget | null): [SVGGElement, GraphNode] | undefined => {
      const g = target instanceof Element ? target.closest<SVGGElement>('g.node') : null;
      const node =
        g &&
        this.nodeElements.get(g.getAttribute('data-id') ?? '') === g &&
        this.getNode(g.getAttribute('data-id')!);
      return g && node ? [g, node] : undefined;
    };
    const hover = (g: SVGGElement, node: GraphNode) => {
      addHandles(g, node);
      this.showTooltip(node, g);
    };
    // mouseover/mouseout bubble, mouseenter/mouseleave do not: moves between a node's own parts
    // are not entering or leaving it.
    layer.addEventListener('mouseover', (event) => {
      const hit = nodeOf(event.target);
      if (hit && !hit[0].contains(event.relatedTarget as Node | null)) hover(...hit);
    });
    layer.addEventListener('mouseout', (event) => {
      const hit = nodeOf(event.target);
      if (hit && !hit[0].contains(event.relatedTarget as Node | null)) this.hideTooltip();
    });
    layer.addEventListener('focusin', (event) => {
      const hit = nodeOf(event.target);
      if (!hit || hit[0] !== event.target) return;
      this.focusedId = hit[1].id;
      this.updateTabStop();
      hover(...hit);
    });
    layer.addEventListener('focusout', (event) => {
      const hit = nodeOf(event.target);
      if (hit && hit[0] === event.target) this.hideTooltip();
    });
    layer.addEventListener('click', (event) => {
      const hit = nodeOf(event.target);
      if (!hit) return;
      const [, node] = hit;
      const handleKind = (event.target as Element).closest('.handle')?.getAttribute('data-handle');
      this.focusedId = node.id;
      this.updateTabStop();
      if (handleKind === 'collapse') this.events.toggleCollapse(node);
      else if (handleKind === 'downstream') this.events.expandDownstream(node);
      else this.events.activate(node);
    });
  }

  private updateTabStop(): void {
    for (const [id, element] of this.nodeElements)
      element.setAttribute('tabindex', id === this.focusedId ? '0' : '-1');
  }

  private applySearchClasses(active = this.matches.length > 0): void {
    const matched = new Set(this.matches);
    for (const [id, element] of this.nodeElements) {
      element.classList.toggle('match', matched.has(id));
      element.classList.toggle('dim', active && !matched.has(id));
    }
  }

  private applyLabelMarks(): void {
    const marks = this.labelMarks;
    for (const [id, element] of this.nodeElements) {
      const reached = marks !== null && marks.has(id);
      element.classList.toggle('label-reached', reached);
      element.classList.toggle('label-outside', marks !== null && !reached);
      if (reached) element.setAttribute('aria-description', 'reached by the highlighted label');
      else element.removeAttribute('aria-description');
    }
  }

  private applyHighlight(): void {
    for (const [id, element] of this.nodeElements)
      element.classList.toggle('highlight', id === this.highlight);
  }
}

function zoomTransformOf(node: SVGSVGElement): ZoomTransform | undefined {
  return (node as unknown as { __zoom?: ZoomTransform }).__zoom;
}

function svgElement<K extends keyof SVGElementTagNameMap>(tag: K): SVGElementTagNameMap[K] {
  return document.createElementNS(SVG_NS, tag);
}

/** The expand / collapse handles, made when first needed (most nodes of a big graph never are). */
function addHandles(g: SVGGElement, node: GraphNode): void {
  if (node.kind === 'component' || node.kind === 'more' || g.querySelector(':scope > .handle')) return;
  g.append(
    handle(
      'collapse',
      0,
      node.height / 2,
      node.collapsed ? `+${node.hidden || ''}` : '−',
      node.collapsed ? 'Expand' : 'Collapse',
    ),
  );
  g.append(handle('downstream', node.width, node.height / 2, '›', 'Show downstream'));
}

function handle(
  kind: 'collapse' | 'downstream',
  cx: number,
  cy: number,
  text: string,
  label: string,
): SVGGElement {
  const g = svgElement('g');
  g.setAttribute('class', `handle handle-${kind}`);
  g.setAttribute('data-handle', kind);
  g.setAttribute('transform', `translate(${cx},${cy})`);
  const title = svgElement('title');
  title.textContent = label;
  const circle = svgElement('circle');
  circle.setAttribute('r', '8');
  const t = svgElement('text');
  t.setAttribute('text-anchor', 'middle');
  t.setAttribute('y', '4');
  t.textContent = text;
  g.append(title, circle, t);
  return g;
}

function nodeGlyph(node: GraphNode): string {
  if (node.kind === 'pointer')
    return node.flagged
      ? FLAGGED_ICON.glyph
      : (POINTER_ICONS[node.pointer?.type ?? 'UNKNOWN'] ?? POINTER_ICONS.UNKNOWN).glyph;
  if (node.kind === 'component') return COMPONENT_ICON.glyph;
  if (node.kind === 'more') return MORE_ICON.glyph;
  return RUN_STATE_ICONS[node.state ?? 'complete'].glyph;
}

function nodeContext(node: GraphNode): WebviewNodeContext | undefined {
  if (node.kind === 'pointer' && node.pointer)
    return {
      webviewSection: node.flagged ? 'pointerFlagged' : 'pointer',
      mltracePointer: node.pointer.name,
      preventDefaultContextMenuItems: true,
    };
  if (node.kind === 'run' && node.run)
    return { webviewSection: 'run', mltraceRunId: node.run.id, preventDefaultContextMenuItems: true };
  return undefined;
}

export function ariaLabel(node: GraphNode, now: number): string {
  if (node.kind === 'pointer') {
    return `${node.flagged ? 'Flagged ' : ''}${(node.pointer?.type ?? 'UNKNOWN').toLowerCase()} ${node.label}${node.collapsed ? ', collapsed' : ''}`;
  }
  if (node.kind === 'more') return `${node.label} Press Enter to show the next runs.`;
  if (node.kind === 'component' && node.group) {
    return `Component ${node.label}, ${plural(node.group.runs, 'run')}${node.group.stale ? `, ${node.group.stale} stale` : ''}`;
  }
  const run = node.run!;
  return `Run ${shortId(run.id)} of ${run.component}, ${RUN_STATE_ICONS[node.state ?? 'complete'].label}, started ${relativeTime(run.startTime, now)}${node.collapsed ? ', collapsed' : ''}`;
}

export function tooltipLines(node: GraphNode, now: number): string[] {
  const lines = [node.kind === 'run' ? runLabel(node.label, node.run!.id) : node.label];
  if (node.run) {
    lines.push(`${node.run.status}, started ${relativeTime(node.run.startTime, now)}`);
    if (node.run.error) lines.push(`Error: ${node.run.error}`);
  }
  if (node.pointer)
    lines.push(`${node.pointer.type.toLowerCase()}${node.flagged ? ' · flagged as erroneous' : ''}`);
  if (node.group) lines.push(`${plural(node.group.runs, 'run')} grouped: click for the component's history`);
  if (node.more)
    lines.push(
      `The graph shows the nearest runs of this lineage: click for the next ones ${node.more.direction}.`,
    );
  if (node.stale.length) {
    lines.push('May need re-running:');
    for (const reason of node.stale) lines.push(`• ${reason}`);
  }
  return lines;
}
