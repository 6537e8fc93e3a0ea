/// <reference lib="dom" />
// The run inspector: mltrace's run card and more (inputs/outputs with actions, dependencies,
// staleness, notes saved as events, the code snapshot and a diff against the code now), and
// in a Data tab each input's data against what staleness compares it with (dataTab.ts).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import type { ParamValue, PointerIO, Run } from '../../core/model';
import type { InspectorData } from '../../shared/protocol';
import { button, clear, custom, el, flagIcon, icon, stateIcon } from '../common/dom';
import { absoluteTime, duration, plural, relativeTime, runLabel, shortId } from '../../core/format';
import { POINTER_ICONS, runState } from '../../shared/icons';
import { formatMetric, formatParam } from '../../core/valueText';
import { connectView, post } from '../common/vscodeApi';
import { dataTab, driftedInputs } from './dataTab';
import { tabs } from './tabs';

const root = el('main', { className: 'inspector', attrs: { 'aria-live': 'polite' } });
document.body.append(root);
let draft = '';

function render(data: InspectorData): void {
  const run = data.run;
  const state = runState(run);
  clear(root);

  root.append(
    el('header', { className: 'card-header' }, [
      el('h1', {}, [
        stateIcon(state, { labelled: true }),
        el('span', { className: 'component', text: run.component }),
        el('span', { className: 'run-id mono muted', text: `run ${shortId(run.id)}`, title: run.id }),
      ]),
      el('div', { className: 'actions' }, [
        button(
          'Trace',
          () => post({ type: 'expand', root: { kind: 'run', id: run.id, direction: 'upstream' } }),
          {
            iconName: 'type-hierarchy',
            secondary: true,
            title: 'Show the lineage graph of this run',
          },
        ),
        button('History', () => post({ type: 'showHistory', component: run.component }), {
          iconName: 'list-ordered',
          secondary: true,
          title: `All runs of ${run.component}`,
        }),
        button('Go to Source', () => post({ type: 'openSource', runId: run.id }), {
          iconName: 'go-to-file',
          secondary: true,
          disabled: !run.sourceFile,
        }),
        button('Compare with Code at Run', () => post({ type: 'compareCode', runId: run.id }), {
          iconName: 'diff',
          secondary: true,
          disabled: !(run.codeSnapshot || run.gitHash) || !data.sourceExists,
          title:
            run.codeSnapshot || run.gitHash
              ? data.sourceExists
                ? "The source file at the run's commit (or the code recorded with the run) beside the file as it is now"
                : 'The source file is not in the workspace any more'
              : 'No commit and no code were recorded for this run',
        }),
      ]),
    ]),
  );
  if (run.description) root.append(el('p', { className: 'description', text: run.description }));
  const [runPanel, dataPanel] = tabs(root, [
    { id: 'run', label: 'Run' },
    {
      id: 'data',
      label: driftedInputs(data.drift)
        ? `Data (${plural(driftedInputs(data.drift), 'input')} drifted)`
        : 'Data',
    },
  ]);
  dataPanel.append(...dataTab(data.drift));

  const took = duration(run);
  const facts: Array<[string, Node | string]> = [
    [
      'Status',
      el('span', {}, [
        stateIcon(state),
        el('span', { text: ` ${run.status}${state === 'stale' ? ' (stale)' : ''}` }),
      ]),
    ],
    ['Owner', run.owner || '—'],
    ['Tags', run.tags.length ? tagList(run.tags) : '—'],
    ['Started', `${absoluteTime(run.startTime)} (${relativeTime(run.startTime)})`],
    ['Ended', run.endTime ? `${absoluteTime(run.endTime)} (${relativeTime(run.endTime)})` : '—'],
    ['Duration', took ?? '—'],
    ['Git commit', run.gitHash ? el('code', { text: run.gitHash.slice(0, 12), title: run.gitHash }) : '—'],
    ['Git tags', run.gitTags.length ? tagList(run.gitTags) : '—'],
    [
      'Source',
      run.sourceFile
        ? el('code', { text: `${run.sourceFile}${run.sourceLine ? `:${run.sourceLine}` : ''}` })
        : '—',
    ],
    ['Run id', el('code', { text: run.id })],
  ];
  const dl = el('dl', { className: 'facts' });
  for (const [term, value] of facts)
    dl.append(
      el('dt', { text: term }),
      el('dd', {}, [typeof value === 'string' ? document.createTextNode(value) : value]),
    );
  runPanel.append(dl);

  const values = valueTable(run.params, run.metrics);
  if (values) runPanel.append(section('Parameters and metrics', [values], 'settings'));

  if (run.error)
    runPanel.append(section('Error', [el('pre', { className: 'error-text', text: run.error })], 'error'));

  if (run.stale.length) {
    runPanel.append(
      section(
        'May need re-running',
        [
          el(
            'ul',
            { className: 'reasons' },
            run.stale.map((r) => el('li', {}, [stateIcon('stale'), el('span', { text: ` ${r}` })])),
          ),
        ],
        'history',
      ),
    );
  }

  runPanel.append(
    section(
      `Inputs (${run.inputPointers.length})`,
      [pointerTable(run.inputPointers, data.trusted)],
      'arrow-right',
    ),
  );
  runPanel.append(
    section(
      `Outputs (${run.outputPointers.length})`,
      [pointerTable(run.outputPointers, data.trusted)],
      'arrow-left',
    ),
  );
  runPanel.append(
    section(`Depends on (${data.dependencies.length})`, [dependencyList(data.dependencies)], 'references'),
  );

  const notesBox = custom('vscode-textarea', {
    attrs: {
      rows: '3',
      placeholder: data.trusted ? 'Add a note to this run…' : 'Trust the workspace to add notes',
      'aria-label': 'New note',
    },
  }) as HTMLElement & { value: string };
  if (!data.trusted) notesBox.setAttribute('disabled', '');
  notesBox.value = draft;
  notesBox.addEventListener('input', () => (draft = notesBox.value));
  const save = button(
    'Add Note',
    () => {
      const text = notesBox.value.trim();
      if (!text) return;
      post({ type: 'saveNotes', runId: run.id, text });
      draft = '';
      notesBox.value = '';
    },
    { iconName: 'note', disabled: !data.trusted },
  );
  runPanel.append(
    section(
      'Notes',
      [
        run.notes
          ? el('pre', { className: 'notes', text: run.notes })
          : el('p', { className: 'muted', text: 'No notes yet.' }),
        el('div', { className: 'notes-editor' }, [notesBox, save]),
      ],
      'note',
    ),
  );

  runPanel.append(
    section(
      'Code snapshot',
      [
        run.codeSnapshot
          ? el('pre', { className: 'code mono', attrs: { tabindex: '0', 'aria-label': 'Recorded code' } }, [
              el('code', { text: run.codeSnapshot }),
            ])
          : el('p', {
              className: 'muted',
              text: 'No code was recorded for this run (runs logged with @register record their function).',
            }),
      ],
      'code',
    ),
  );
}

function section(title: string, children: Node[], iconName: string): HTMLElement {
  return el('section', {}, [el('h2', {}, [icon(iconName), el('span', { text: ` ${title}` })]), ...children]);
}

/** A table of the run's parameters, then its metrics (names and values as text); null when it has none. */
function valueTable(params: Record<string, ParamValue>, metrics: Record<string, number>): HTMLElement | null {
  const rows = [
    ...Object.entries(params).map(([name, value]) => ['parameter', name, formatParam(value)]),
    ...Object.entries(metrics).map(([name, value]) => ['metric', name, formatMetric(value)]),
  ];
  if (rows.length === 0) return null;
  return el('table', { className: 'data values' }, [
    el('thead', {}, [
      el(
        'tr',
        {},
        ['Kind', 'Name', 'Value'].map((h) => el('th', { text: h })),
      ),
    ]),
    el(
      'tbody',
      {},
      rows.map(([kind, name, value]) =>
        el('tr', { className: kind }, [
          el('td', { className: 'muted', text: kind }),
          el('td', { className: 'mono', text: name }),
          el('td', { className: 'mono', text: value }),
        ]),
      ),
    ),
  ]);
}

function tagList(tags: string[]): HTMLElement {
  return el(
    'span',
    { className: 'tags' },
    tags.map((t) => el('span', { className: 'badge', text: t })),
  );
}

function pointerTable(pointers: PointerIO[], trusted: boolean): HTMLElement {
  if (pointers.length === 0) return el('p', { className: 'muted', text: 'None.' });
  const body = el('tbody');
  for (const p of pointers) {
    const nameCell = el('td', {}, [
      p.flagged ? flagIcon('flagged') : icon((POINTER_ICONS[p.type] ?? POINTER_ICONS.UNKNOWN).name),
      el('button', { className: 'link', text: ` ${p.name}`, title: `Open ${p.name}` }),
    ]);
    nameCell
      .querySelector('button')!
      .addEventListener('click', () => post({ type: 'openFile', pointer: p.name }));
    body.append(
      el('tr', { className: p.flagged ? 'flagged' : '' }, [
        nameCell,
        el('td', { className: 'muted', text: p.type.toLowerCase() }),
        el('td', {
          className: 'mono muted',
          text: p.fingerprint ? p.fingerprint.slice(0, 12) : '—',
          title: p.fingerprint ?? 'no fingerprint recorded',
        }),
        el('td', { className: 'row-actions' }, [
          button('', () => post({ type: 'traceFrom', pointer: p.name, direction: 'upstream' }), {
            iconName: 'type-hierarchy',
            secondary: true,
            title: `Trace ${p.name}`,
          }),
          button('', () => post({ type: p.flagged ? 'unflag' : 'flag', pointer: p.name }), {
            iconName: p.flagged ? 'circle-slash' : 'flag',
            secondary: true,
            disabled: !trusted,
            title: p.flagged ? `Unflag ${p.name}` : `Flag ${p.name} as erroneous`,
          }),
          button('', () => post({ type: 'openFile', pointer: p.name }), {
            iconName: 'go-to-file',
            secondary: true,
            title: `Open ${p.name}`,
          }),
        ]),
      ]),
    );
  }
  return el('table', { className: 'data' }, [
    el('thead', {}, [
      el('tr', {}, [
        el('th', { text: 'File' }),
        el('th', { text: 'Type' }),
        el('th', { text: 'Fingerprint' }),
        el('th', { text: 'Actions' }),
      ]),
    ]),
    body,
  ]);
}

function dependencyList(runs: Run[]): HTMLElement {
  if (runs.length === 0)
    return el('p', { className: 'muted', text: 'No dependencies: no earlier run wrote what this one read.' });
  return el(
    'ul',
    { className: 'deps' },
    runs.map((r) => {
      const state = runState(r);
      const link = el('button', { className: 'link', text: runLabel(r.component, r.id) });
      link.addEventListener('click', () => post({ type: 'inspectRun', runId: r.id }));
      return el('li', {}, [
        stateIcon(state, { labelled: true }),
        document.createTextNode(' '),
        link,
        el('span', {
          className: 'muted',
          text: ` · ${relativeTime(r.startTime)}${r.stale.length ? ` · ${plural(r.stale.length, 'staleness reason')}` : ''}`,
        }),
      ]);
    }),
  );
}

connectView('inspector', render);
