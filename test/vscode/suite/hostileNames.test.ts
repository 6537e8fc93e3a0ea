// Names come from event files that anyone can put in a repository. Wherever the editor shows them
// — tree items, Markdown tooltips and hovers, Problems, CodeLens, the status bar, quick picks,
// notifications, input boxes, webview panel titles — their control characters (C0, C1, DEL) and
// bidirectional controls must show as visible escapes (`\x1b`, `\u202e`), and a newline in a
// name must not break a line. The CLI's side is test/cli/hostileNames.test.ts.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { visible } from '../../../src/core/format';
import { storeLocation } from '../../../src/core/storeDir';
import { EventWriter } from '../../../src/core/writer';
import type { MltraceApi } from '../../../src/extension';
import { Commands } from '../../../src/vscode/constants';
import type { LineageNode, LineageTreeProvider } from '../../../src/vscode/views/treeBase';
import type {
  HistoryPanel,
  LineageGraphPanel,
  RunInspectorPanel,
} from '../../../src/vscode/webviews/lineagePanels';
import { activatedWithFreshStore, type Fixture, waitFor } from '../fixtures';

// Clears the screen, sets the window title (ending with BEL), a C1 CSI, DEL, newlines and
// carriage returns, right-to-left overrides and isolates.
const CLEAR = '\x1b[2J';
const TITLE = '\x1b]0;t\x07';
const COMPONENT = `clean${CLEAR}${TITLE}\u009b31m\x7f\n\u202erows`;
const DOWNSTREAM = `train\u2066${CLEAR}\u2069\x7f`;
const FAILING = `fail\u009b2J\u202e`;
/** A run id that is no UUID: ids come from the log too (lower-cased). Its first 8 characters are shown. */
const FAILING_ID = `f\x1b[2jail-0000-4000-8000-000000000000`;
const POINTER = `data/raw\u202ecsv.exe\nINJECTED ROW${CLEAR}`;
/** No newline: it is written in a string literal of hostile.py, for the hover. */
const OUTPUT = `data/out${CLEAR}\u202e\u2066.csv`;
const MODEL = `models/m${TITLE}\u202e.pkl`;
const OWNER = `own\u200fer\u061c${CLEAR}`;
const TAG = `tag\rX\u202e`;
const DESCRIPTION = `does\x08\x08 things\u202a`;
const NOTES = `line one\nline two \x1b[31mred\u202e`;
const ERROR = `boom\x1b[8m hidden\u2066`;
const GONE_SOURCE = `gone\u202e.py`;
const BAD_LOG = `bad\u202e.jsonl`;

/** What may not reach the screen raw from a name: C0 (newline too), DEL, C1, the bidi controls. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** The same, but newlines: multi-line surfaces (Problems, Markdown) have lines of their own. */
const RAW_BUT_NEWLINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

function assertNoRaw(what: string, text: string, lines = false): void {
  const raw = (lines ? RAW_BUT_NEWLINE : RAW).exec(text);
  assert.equal(
    raw,
    null,
    `${what} shows a raw U+${raw?.[0].charCodeAt(0).toString(16).padStart(4, '0')}: ${JSON.stringify(text)}`,
  );
}

/** Markdown as read: backslash escapes of punctuation undone (a code span keeps its text as is). */
const unescapeMarkdown = (value: string) => value.replace(/\\([!-/:-@[-`{-~])/g, '$1');

/** The text of a tooltip or hover content: plain, or Markdown (checked raw, returned as read). */
function shownText(what: string, value: string | vscode.MarkdownString | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    assertNoRaw(what, value, true);
    return value;
  }
  assertNoRaw(what, value.value, true);
  return unescapeMarkdown(value.value);
}

function assertShows(what: string, text: string, ...names: string[]): void {
  for (const name of names)
    assert.ok(
      text.includes(visible(name)),
      `${what} shows ${JSON.stringify(visible(name))}: ${JSON.stringify(text)}`,
    );
}

/** Every item of a tree down to `depth`: what it shows, checked for raw characters on the way. */
function treeText(view: LineageTreeProvider, depth = 4): string {
  const texts: string[] = [];
  const visit = (node: LineageNode | undefined, level: number) => {
    for (const child of view.getChildren(node)) {
      const item = child.treeItem();
      const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
      const where = `tree item ${JSON.stringify(label)}`;
      assertNoRaw(`the label of ${where}`, label);
      const description = typeof item.description === 'string' ? item.description : '';
      assertNoRaw(`the description of ${where}`, description);
      const accessible = item.accessibilityInformation?.label ?? '';
      assertNoRaw(`the accessibility label of ${where}`, accessible);
      const tooltip = shownText(`the tooltip of ${where}`, item.tooltip);
      texts.push(label, description, accessible, tooltip);
      if (level < depth) visit(child, level + 1);
    }
  };
  visit(undefined, 1);
  return texts.join('\n');
}

type Window = Record<string, unknown>;

/** Replaces `vscode.window[name]` (the extension shares this API object) until `restore()`. */
function stubWindow(name: string, fake: (...args: unknown[]) => unknown): { restore(): void } {
  const window = vscode.window as unknown as Window;
  const original = window[name];
  window[name] = fake;
  assert.equal(window[name], fake, `vscode.window.${name} can be replaced in a test`);
  return {
    restore() {
      window[name] = original;
    },
  };
}

suite('mltrace with hostile names in the log', () => {
  let api: MltraceApi;
  let fixture: Fixture;
  let cleanId: string;

  suiteSetup(async function () {
    this.timeout(60_000);
    ({ api, fixture } = await activatedWithFreshStore('hostile'));
    // The source file the runs record, with the output's name in a string literal (the hover).
    fs.writeFileSync(
      path.join(fixture.root, 'hostile.py'),
      [
        '# Runs with hostile names record this file as their source.',
        `OUTPUT = "${OUTPUT}"`,
        '',
        'def clean():',
        '    pass',
        '',
        '',
        'def train():',
        '    pass',
        '',
      ].join('\n'),
    );
    const writer = new EventWriter(storeLocation(path.join(fixture.root, '.mltrace'), {}), 'hostile');
    writer.defineComponent({ name: COMPONENT, owner: OWNER, tags: [TAG], description: DESCRIPTION });
    const t0 = Date.now() - 3 * 3600_000;
    const at = (hours: number) => new Date(t0 + hours * 3600_000);
    const clean = { sourceFile: 'hostile.py', sourceLine: 4 };
    writer.logRun(
      { component: COMPONENT, startTime: at(0), inputs: [{ name: POINTER }], source: clean },
      { status: 'complete', endTime: at(0.1), outputs: [{ name: OUTPUT }] },
    );
    // Reads the output, which the next run of COMPONENT writes again: stale, its reason naming both.
    writer.logRun(
      {
        component: DOWNSTREAM,
        startTime: at(1),
        inputs: [{ name: OUTPUT }],
        source: { sourceFile: 'hostile.py', sourceLine: 8 },
      },
      { status: 'complete', endTime: at(1.1), outputs: [{ name: MODEL }] },
    );
    cleanId = writer.logRun(
      { component: COMPONENT, startTime: at(2), inputs: [{ name: POINTER }], source: clean },
      { status: 'complete', endTime: at(2.1), outputs: [{ name: OUTPUT }] },
    );
    writer.addNotes(cleanId, COMPONENT, NOTES);
    writer.logRun(
      {
        component: FAILING,
        runId: FAILING_ID,
        startTime: at(2.5),
        source: { sourceFile: GONE_SOURCE, sourceLine: 1 },
      },
      { status: 'failed', endTime: at(2.6), error: { message: ERROR, language: 'python' } },
    );
    writer.flag(OUTPUT, true);
    writer.close();
    // A malformed line whose JSON error quotes it, in a log file with a bidi control in its name.
    fs.writeFileSync(
      path.join(fixture.root, '.mltrace', 'events', BAD_LOG),
      `{"eventTime": ${CLEAR}\u202e}\n`,
    );
    api.service.refresh();
    assert.ok(api.service.store!.hasPointer(OUTPUT), 'the hostile events were read');
  });

  suiteTeardown(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await fixture?.dispose();
  });

  test('tree items: labels, descriptions, tooltips and accessibility labels', () => {
    const components = treeText(api.views.components);
    assertShows('the Components view', components, TAG, COMPONENT, DOWNSTREAM, OWNER, DESCRIPTION, POINTER);
    assertShows('the Components view', components, NOTES.split('\n')[1], ERROR);
    const runs = treeText(api.views.runs, 3);
    assertShows(
      'the Runs view',
      runs,
      COMPONENT,
      DOWNSTREAM,
      FAILING,
      FAILING_ID.slice(0, 8),
      POINTER,
      OUTPUT,
      MODEL,
    );
    assertShows('the Runs view', runs, ERROR, NOTES.split('\n')[1]);
    const reason = runs.split('\n').find((l) => l.includes('written again by'));
    assert.ok(reason, 'the staleness reason of the downstream run');
    assertShows('the staleness reason', reason, OUTPUT, COMPONENT);
    assertShows('the Flagged view', treeText(api.views.flagged, 2), OUTPUT, COMPONENT);
  });

  test('Components view filtered by a hostile tag: the view description and an empty filter', async () => {
    try {
      await vscode.commands.executeCommand(Commands.filterByTag, TAG);
      const description = api.views.components.treeView?.description ?? '';
      assertNoRaw('the view description', description);
      assertShows('the view description', description, TAG);
      assertShows('the filtered view', treeText(api.views.components, 1), COMPONENT);
      await vscode.commands.executeCommand(Commands.filterByTag, `none${CLEAR}`);
      assertShows('the empty filtered view', treeText(api.views.components, 1), `none${CLEAR}`);
    } finally {
      await vscode.commands.executeCommand(Commands.clearTagFilter);
    }
  });

  test('Problems: the stale warning and a malformed line quoted by its JSON error', async () => {
    const source = fixture.uri('hostile.py');
    const stale = await waitFor('the stale warning', () =>
      vscode.languages.getDiagnostics(source).find((d) => d.source === 'mltrace'),
    );
    assertNoRaw('the stale warning', stale.message, true);
    assertShows('the stale warning', stale.message, DOWNSTREAM, OUTPUT, COMPONENT);
    const log = fixture.uri(`.mltrace/events/${BAD_LOG}`);
    const [problem] = await waitFor('the log problem', () => {
      const list = vscode.languages.getDiagnostics(log);
      return list.length ? list : undefined;
    });
    assertNoRaw('the log problem', problem.message, true);
    assertShows('the log problem', problem.message, CLEAR);
  });

  test('CodeLens: titles and tooltips', async () => {
    const uri = fixture.uri('hostile.py');
    await vscode.workspace.openTextDocument(uri);
    const lenses = await waitFor('the lenses of hostile.py', async () => {
      const list = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        uri,
        100,
      );
      return list.filter((l) => l.command?.title).length >= 4 ? list : undefined;
    });
    const texts = lenses.map((l) => {
      assertNoRaw('a CodeLens title', l.command!.title);
      return `${l.command!.title}\n${shownText('a CodeLens tooltip', l.command!.tooltip)}`;
    });
    const text = texts.join('\n');
    assertShows('the CodeLens', text, OUTPUT, COMPONENT, DOWNSTREAM);
    assert.ok(
      lenses.some((l) => l.command?.arguments?.[0] === OUTPUT),
      'the trace lens still passes the exact name',
    );
  });

  test('hover on a string that names a hostile output', async () => {
    const uri = fixture.uri('hostile.py');
    const document = await vscode.workspace.openTextDocument(uri);
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(1, document.lineAt(1).text.indexOf('data/out') + 2),
    );
    const text = hovers
      .flatMap((h) => h.contents)
      .map((c) => shownText('the hover', typeof c === 'string' ? c : (c as vscode.MarkdownString)))
      .join('\n');
    assertShows('the hover', text, OUTPUT, COMPONENT);
  });

  test('status bar: text and tooltip; file decorations', () => {
    const item = api.statusBar.item;
    assertNoRaw('the status bar text', item.text);
    const tooltip = shownText('the status bar tooltip', item.tooltip as vscode.MarkdownString);
    assertShows('the status bar tooltip', tooltip, DOWNSTREAM, OUTPUT);
    const decoration = api.decorations.provideFileDecoration(fixture.uri(MODEL));
    assert.ok(decoration, 'the stale output is decorated');
    assertNoRaw('the decoration tooltip', decoration.tooltip ?? '');
    assertShows('the decoration tooltip', decoration.tooltip ?? '', DOWNSTREAM);
  });

  test('quick picks: items and titles', async () => {
    const shown: Array<{ items: vscode.QuickPickItem[]; options?: vscode.QuickPickOptions }> = [];
    const stub = stubWindow('showQuickPick', async (items, options) => {
      shown.push({
        items: await (items as Thenable<vscode.QuickPickItem[]>),
        options: options as vscode.QuickPickOptions,
      });
      return undefined;
    });
    try {
      await vscode.commands.executeCommand(Commands.recent);
      await vscode.commands.executeCommand(Commands.history);
      await vscode.commands.executeCommand(Commands.trace);
      await vscode.commands.executeCommand(Commands.filterByTag);
      await vscode.commands.executeCommand(Commands.showProblems);
      await vscode.commands.executeCommand(Commands.showConsumers, OUTPUT);
    } finally {
      stub.restore();
    }
    assert.equal(shown.length, 6, 'a quick pick for each command');
    const text = shown
      .flatMap(({ items, options }) => [
        options?.title ?? '',
        ...items.flatMap((i) => [i.label, i.description ?? '', i.detail ?? '']),
      ])
      .map((t) => {
        assertNoRaw('a quick pick', t);
        return t;
      })
      .join('\n');
    assertShows('the quick picks', text, COMPONENT, DOWNSTREAM, FAILING, FAILING_ID.slice(0, 8));
    assertShows('the quick picks', text, POINTER, OUTPUT, MODEL, OWNER, TAG, DESCRIPTION, BAD_LOG, CLEAR);
  });

  test('notifications, the notes input box and the status bar message', async () => {
    const messages: string[] = [];
    const notify =
      (kind: string) =>
      (message: unknown): Promise<undefined> => {
        messages.push(`${kind}: ${String(message)}`);
        return Promise.resolve(undefined);
      };
    const stubs = [
      stubWindow('showInformationMessage', notify('info')),
      stubWindow('showWarningMessage', notify('warning')),
      stubWindow('showErrorMessage', notify('error')),
      stubWindow('setStatusBarMessage', (message) => {
        messages.push(`status: ${String(message)}`);
        return new vscode.Disposable(() => undefined);
      }),
      stubWindow('showInputBox', (options) => {
        const { title = '', prompt = '' } = options as vscode.InputBoxOptions;
        messages.push(`input: ${title} ${prompt}`);
        return Promise.resolve(undefined);
      }),
    ];
    try {
      await vscode.commands.executeCommand(Commands.showConsumers, MODEL); // nobody read it
      await vscode.commands.executeCommand(Commands.trace, `never/logged${CLEAR}`);
      await vscode.commands.executeCommand(Commands.history, `nobody${CLEAR}`); // a LineageError
      await vscode.commands.executeCommand(Commands.openPointer, OUTPUT); // not a file
      await vscode.commands.executeCommand(Commands.openSource, FAILING_ID); // not a run id
      await vscode.commands.executeCommand(Commands.addNotes, cleanId);
      await vscode.commands.executeCommand(Commands.flag, MODEL);
    } finally {
      for (const stub of stubs) stub.restore();
    }
    assert.equal(messages.length, 7, messages.join('\n'));
    for (const message of messages) assertNoRaw('a notification', message);
    const text = messages.join('\n');
    assertShows(
      'the notifications',
      text,
      MODEL,
      `never/logged${CLEAR}`,
      `nobody${CLEAR}`,
      OUTPUT,
      FAILING_ID,
    );
    assertShows('the notes input box', text, COMPONENT);
  });

  test('webview panel titles', async () => {
    const inspector = await vscode.commands.executeCommand<RunInspectorPanel>(Commands.inspect, cleanId);
    await inspector.currentData();
    const history = await vscode.commands.executeCommand<HistoryPanel>(Commands.history, COMPONENT);
    const graph = await vscode.commands.executeCommand<LineageGraphPanel>(Commands.trace, OUTPUT);
    const titles = [inspector, history, graph].map((p) => p.panel.title);
    for (const title of titles) assertNoRaw('a panel title', title);
    assertShows('the inspector title', titles[0], COMPONENT);
    assertShows('the history title', titles[1], COMPONENT);
    assertShows('the lineage title', titles[2], path.basename(OUTPUT));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});
