/// <reference lib="dom" />
// The lineage graph webview: toolbar, search, keyboard, notices, saved state, SVG export, and
// the messages to and from the host. Drawing is view.ts's, placing layout.ts's.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import type { GraphData, GraphRoot, GraphViewState } from '../../shared/protocol';
import { isGraphViewState } from '../../shared/protocol';
import { button, custom, el, icon } from '../common/dom';
import { plural, shortId, visible } from '../../core/format';
import { connectView, getState, post, setState } from '../common/vscodeApi';
import { layoutGraph } from './layout';
import { buildModel, GraphNode, pointerNodeId, rootNodeId, runNodeId } from './buildGraph';
import { GraphView } from './view';

const saved = getState(isGraphViewState);
let data: GraphData | undefined;
const collapsed = new Set<string>(saved?.collapsed ?? []);
let pendingTransform = saved?.transform ?? null;

// ---- layout of the page -------------------------------------------------------------------------

const upstreamBox = custom('vscode-checkbox', {
  attrs: { label: 'Upstream', checked: '' },
  title: 'Show the runs and files it came from',
});
const downstreamBox = custom('vscode-checkbox', {
  attrs: { label: 'Downstream' },
  title: 'Show the runs and files made from it',
});
const searchField = custom('vscode-textfield', {
  attrs: { placeholder: 'Search components, files, run ids', 'aria-label': 'Search the graph' },
  className: 'search',
});
searchField.append(
  custom('span', {
    className: 'codicon codicon-search',
    attrs: { slot: 'content-before', 'aria-hidden': 'true' },
  }),
);
const searchStatus = el('span', { className: 'search-status', attrs: { 'aria-live': 'polite' } });
const toolbar = el('div', { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Graph' } }, [
  el('span', { className: 'title', attrs: { id: 'graph-title' } }),
  upstreamBox,
  downstreamBox,
  searchField,
  searchStatus,
  el('span', { className: 'spacer' }),
  button('', () => view.zoomBy(1.25), { iconName: 'zoom-in', secondary: true, title: 'Zoom in' }),
  button('', () => view.zoomBy(0.8), { iconName: 'zoom-out', secondary: true, title: 'Zoom out' }),
  button('Fit', () => view.fit(true), {
    iconName: 'screen-full',
    secondary: true,
    title: 'Fit the graph in the view',
  }),
  button('Highlight Label…', () => post({ type: 'pickLabel' }), {
    iconName: 'tag',
    secondary: true,
    title: 'Mark the runs and files a label (whose data they hold) reaches',
  }),
  button('Export SVG', () => exportSvg(), {
    iconName: 'export',
    secondary: true,
    title: 'Save the graph as an SVG file',
  }),
]);
const notice = el('div', { className: 'notice', attrs: { role: 'status', id: 'notice' } });
notice.hidden = true;
const labelLegend = el('div', { className: 'label-legend', attrs: { role: 'status', id: 'label-legend' } });
labelLegend.hidden = true;
const canvas = el('div', { className: 'canvas' });
document.body.append(toolbar, notice, labelLegend, canvas);

let saveTimer: number | undefined;
const view = new GraphView(canvas, {
  activate,
  toggleCollapse: (node) => {
    if (collapsed.has(node.id)) collapsed.delete(node.id);
    else collapsed.add(node.id);
    redraw();
  },
  expandDownstream: (node) => expand(node, 'downstream'),
  stateChanged: () => {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(saveState, 200);
  },
});

function activate(node: GraphNode): void {
  if (node.kind === 'pointer' && node.pointer) post({ type: 'openFile', pointer: node.pointer.name });
  else if (node.kind === 'run' && node.run) post({ type: 'inspectRun', runId: node.run.id });
  else if (node.group) post({ type: 'showHistory', component: node.group.component });
  else if (node.more) showMore(node);
}

/** The next window of a lineage: its trace from the run where the window stopped. */
function showMore(node: GraphNode): void {
  const more = node.more!;
  post({ type: 'expand', root: { kind: 'run', id: more.runId, direction: more.direction } });
}

function expand(node: GraphNode, direction: 'upstream' | 'downstream'): void {
  collapsed.delete(node.id);
  if (node.kind === 'pointer' && node.pointer)
    post({ type: 'expand', root: { kind: 'pointer', name: node.pointer.name, direction } });
  else if (node.kind === 'run' && node.run)
    post({ type: 'expand', root: { kind: 'run', id: node.run.id, direction } });
}

// ---- drawing -----------------------------------------------------------------------------------

/** Time of the last layout + draw, for the benchmark. */
export let lastRenderMs = 0;

/**
 * Builds, places and draws the graph. The bars above the canvas (title, notice, label legend) are
 * set first and `beforeDraw` runs before the nodes go in: the first drawing measures the canvas
 * there, so that fitting the graph to it does not lay out all the nodes once more.
 */
function redraw(beforeDraw?: () => void): void {
  if (!data) return;
  const started = performance.now();
  const model = buildModel(data, collapsed);
  const layout = layoutGraph(model.nodes, model.edges);
  const root = data.roots[0];
  const title = document.getElementById('graph-title')!;
  title.textContent = root ? visible(root.kind === 'pointer' ? root.name : `run ${shortId(root.id)}`) : '';
  if (model.grouped) {
    notice.hidden = false;
    notice.replaceChildren(
      icon('info'),
      el('span', {
        text: `This lineage has ${model.total.toLocaleString('en')} nodes, too many to draw one by one: runs are grouped by component (${plural(model.nodes.filter((n) => n.kind === 'component').length, 'component')}). Click a component for its history.`,
      }),
    );
  } else if (data.more?.length) {
    notice.hidden = false;
    const hidden = Math.max(...data.more.map((m) => m.hidden));
    notice.replaceChildren(
      icon('info'),
      el('span', {
        text: `This lineage is larger than the graph draws at once: it shows the nearest ${plural(data.runs.length, 'run')} (${hidden.toLocaleString('en')} more not shown). Click a “more” node to show the next ones.`,
      }),
    );
  } else if (model.nodes.length === 0) {
    notice.hidden = false;
    notice.replaceChildren(icon('info'), el('span', { text: 'No logged run wrote or read this yet.' }));
  } else notice.hidden = true;
  const marks = showLabelSpread(new Set(model.nodes.map((n) => n.id)));
  view.setLabelMarks(marks); // before render: the new nodes are drawn marked
  beforeDraw?.();
  view.render(model, layout);
  lastRenderMs = performance.now() - started;
  document.body.dataset.renderMs = String(Math.round(lastRenderMs));
  document.body.dataset.layout = layout.engine;
  if (searchQuery()) runSearch(false);
  saveState();
}

function syncDirectionBoxes(): void {
  const roots = data?.roots ?? [];
  const first = roots[0];
  const same = roots.filter((r) => first && rootNodeId(r) === rootNodeId(first));
  setChecked(
    upstreamBox,
    same.some((r) => r.direction === 'upstream'),
  );
  setChecked(
    downstreamBox,
    same.some((r) => r.direction === 'downstream'),
  );
}

function setChecked(box: HTMLElement, checked: boolean): void {
  (box as HTMLElement & { checked: boolean }).checked = checked;
  if (checked) box.setAttribute('checked', '');
  else box.removeAttribute('checked');
}

function isChecked(box: HTMLElement): boolean {
  return (box as HTMLElement & { checked?: boolean }).checked === true;
}

function onDirectionChange(): void {
  if (!data || data.roots.length === 0) return;
  const first = data.roots[0];
  let up = isChecked(upstreamBox);
  const down = isChecked(downstreamBox);
  if (!up && !down) {
    up = true;
    setChecked(upstreamBox, true);
  }
  const others = data.roots.filter((r) => rootNodeId(r) !== rootNodeId(first));
  const at = (direction: 'upstream' | 'downstream'): GraphRoot =>
    first.kind === 'pointer'
      ? { kind: 'pointer', name: first.name, direction }
      : { kind: 'run', id: first.id, direction };
  const roots: GraphRoot[] = [
    ...(up ? [at('upstream')] : []),
    ...(down ? [at('downstream')] : []),
    ...others,
  ];
  post({ type: 'setRoots', roots });
}
upstreamBox.addEventListener('change', onDirectionChange);
downstreamBox.addEventListener('change', onDirectionChange);

/**
 * The legend of the label the host marks (data.labelSpread), with a way to clear; returns the
 * nodes to mark (null: no label). `shown`: the ids of the nodes about to be drawn.
 */
function showLabelSpread(shown: ReadonlySet<string>): Set<string> | null {
  const spread = data?.labelSpread;
  if (!spread) {
    labelLegend.hidden = true;
    return null;
  }
  const ids = new Set([...spread.runIds.map(runNodeId), ...spread.pointers.map(pointerNodeId)]);
  const shownRuns = spread.runIds.filter((id) => shown.has(runNodeId(id))).length;
  const shownFiles = spread.pointers.filter((p) => shown.has(pointerNodeId(p))).length;
  labelLegend.hidden = false;
  labelLegend.replaceChildren(
    el('span', { className: 'swatch', attrs: { 'aria-hidden': 'true' } }),
    el('span', {
      text: `Label “${spread.label}”${spread.retractedAt ? ` (retracted ${spread.retractedAt.slice(0, 10)})` : ''} reaches ${plural(spread.runIds.length, 'run')} and ${plural(spread.pointers.length, 'file')} whose latest version carries it; marked here: ${plural(shownRuns, 'run')}, ${plural(shownFiles, 'file')}. The rest is dimmed.`,
    }),
    button('Clear', () => post({ type: 'clearLabel' }), {
      iconName: 'close',
      secondary: true,
      title: 'Stop marking the label',
    }),
  );
  return ids;
}

// ---- search ------------------------------------------------------------------------------------

let matchIndex = -1;
const searchQuery = (): string => (searchField as HTMLElement & { value?: string }).value ?? '';

function runSearch(moveFocus: boolean): void {
  const matches = view.search(searchQuery());
  if (!searchQuery()) {
    searchStatus.textContent = '';
    return;
  }
  if (matches.length === 0) {
    searchStatus.textContent = 'No match';
    return;
  }
  if (moveFocus) {
    matchIndex = (matchIndex + 1) % matches.length;
    view.focusNode(matches[matchIndex]);
  }
  searchStatus.textContent = `${matchIndex >= 0 ? `${matchIndex + 1} of ` : ''}${plural(matches.length, 'match', 'matches')}`;
}
searchField.addEventListener('input', () => {
  matchIndex = -1;
  runSearch(false);
});
searchField.addEventListener('keydown', (event: KeyboardEvent) => {
  if (event.key === 'Enter') runSearch(true);
  if (event.key === 'Escape') {
    (searchField as HTMLElement & { value: string }).value = '';
    runSearch(false);
  }
});

// ---- keyboard ----------------------------------------------------------------------------------

canvas.addEventListener('keydown', (event: KeyboardEvent) => {
  const id = view.focusedId;
  const node = id ? nodeById(id) : undefined;
  if (!id || !node) return;
  switch (event.key) {
    case 'ArrowLeft':
    case 'ArrowRight':
    case 'ArrowUp':
    case 'ArrowDown': {
      const next = view.neighbour(id, event.key);
      if (next) view.focusNode(next);
      event.preventDefault();
      break;
    }
    case 'Enter':
    case ' ':
      activate(node);
      event.preventDefault();
      break;
    case '-':
      collapsed.add(node.id);
      redraw();
      view.focusNode(node.id);
      break;
    case '+':
    case '=':
      if (collapsed.delete(node.id)) redraw();
      else expand(node, 'upstream');
      view.focusNode(node.id);
      break;
    case '>':
      expand(node, 'downstream');
      break;
    case '<':
      expand(node, 'upstream');
      break;
  }
});
document.addEventListener('keydown', (event: KeyboardEvent) => {
  if ((event.ctrlKey || event.metaKey) && event.key === 'f') {
    searchField.focus();
    event.preventDefault();
  }
});

function nodeById(id: string): GraphNode | undefined {
  return view.getNode(id);
}

// ---- state and export --------------------------------------------------------------------------

function saveState(): void {
  if (!data) return;
  const t = view.transform;
  const state: GraphViewState = {
    roots: data.roots,
    collapsed: [...collapsed],
    transform: { x: t.x, y: t.y, k: t.k },
    selected: view.focusedId,
  };
  setState(state);
}

function exportSvg(): void {
  const root = data?.roots[0];
  const name = root ? (root.kind === 'pointer' ? root.name : root.id.slice(0, 8)) : 'lineage';
  post({
    type: 'exportSvg',
    svg: view.exportSvg(),
    fileName: `lineage-${name.replace(/[^\w.-]+/g, '_')}.svg`,
  });
}

// ---- messages ----------------------------------------------------------------------------------

window.addEventListener('resize', () => {
  if (data && !getState(isGraphViewState)?.transform) view.fit();
});

connectView(
  'graph',
  (graph, first) => {
    data = graph;
    syncDirectionBoxes();
    let size: { width: number; height: number } | undefined;
    redraw(first ? () => (size = view.size()) : undefined);
    if (first) {
      if (pendingTransform) view.setTransform(pendingTransform, size);
      else view.fit(false, size);
      pendingTransform = null;
      if (saved?.selected) view.focusedId = saved.selected;
    }
  },
  (message) => {
    if (message.type === 'highlight') view.setHighlight(message.runId ? `r:${message.runId}` : null);
  },
);
