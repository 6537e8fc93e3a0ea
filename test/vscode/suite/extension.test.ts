// The extension inside a real VS Code, on the example pipeline workspace (src/example/pipeline.ts):
// 5 components, 13 runs, featurize stale (its input was edited after it ran), data/predictions.csv
// flagged. Tests that only read use the workspace's store as generated; each test that writes
// (events, flags, notes, files) works in its own fresh copy of the example (../fixtures.ts), so
// no test depends on what another did before it.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { storeLocation } from '../../../src/core/storeDir';
import { EventWriter } from '../../../src/core/writer';
import type { MltraceApi } from '../../../src/extension';
import { Commands, EXTENSION_ID, SETTINGS_SECTION, Settings, Views } from '../../../src/vscode/constants';
import type { LineageNode } from '../../../src/vscode/views/treeBase';
import { ViewTypes } from '../../../src/vscode/webviews';
import type {
  HistoryPanel,
  LineageGraphPanel,
  ReviewPanel,
  RunInspectorPanel,
} from '../../../src/vscode/webviews/lineagePanels';
import type { GraphData, HostMessage } from '../../../src/shared/protocol';
import {
  type Fixture,
  folder,
  freshStore,
  keepPristineCopy,
  nextChange,
  openStoreDirectory,
  sleep,
  waitFor,
} from '../fixtures';

const fileUri = (rel: string) => vscode.Uri.file(path.join(folder(), ...rel.split('/')));
const labelOf = (node: LineageNode) => {
  const label = node.treeItem().label;
  return typeof label === 'string' ? label : (label?.label ?? '');
};
const descriptionOf = (node: LineageNode) => String(node.treeItem().description ?? '');

/** Resolved CodeLens titles of a document, by line. */
async function lensTitles(uri: vscode.Uri): Promise<Array<{ line: number; title: string }>> {
  await vscode.workspace.openTextDocument(uri); // the provider runs on open documents only
  const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
    'vscode.executeCodeLensProvider',
    uri,
    100,
  );
  return lenses
    .filter((l) => l.command?.title.includes('mltrace') || l.command?.title.includes('Trace'))
    .map((l) => ({ line: l.range.start.line, title: l.command!.title }));
}

suite('mltrace extension', () => {
  let api: MltraceApi;

  suiteSetup(async function () {
    this.timeout(60_000);
    const extension = vscode.extensions.getExtension<MltraceApi>(EXTENSION_ID);
    assert.ok(extension, `extension ${EXTENSION_ID} is installed`);
    // Activated by workspaceContains:.mltrace, without being asked.
    await waitFor('activation on workspaceContains:.mltrace', () => extension.isActive, 30_000);
    api = extension.exports;
    const store = await api.service.whenReady();
    assert.ok(store, api.service.openError ?? 'the store opened');
    keepPristineCopy();
  });

  test('activates on the pipeline workspace and reads its log', () => {
    const store = api.service.store!;
    assert.equal(store.components().length, 5);
    assert.equal(store.recent({ limit: 100 }).items.length, 13);
    assert.equal(api.service.location?.root, folder());
  });

  test('every contributed command is registered, and every registered one contributed', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: { commands: Array<{ command: string; category: string }> };
    };
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    const constants = Object.values(Commands).sort();
    assert.deepEqual(contributed, constants, 'package.json commands = Commands constants');
    for (const c of manifest.contributes.commands)
      assert.equal(c.category, 'mltrace', `${c.command} has category mltrace`);
    // (VS Code adds `<view id>.focus` etc. for each view: not ours.)
    const viewIds = Object.values(Views);
    const registered = (await vscode.commands.getCommands(true))
      .filter((c) => c.startsWith('mltrace.') && !viewIds.some((v) => c.startsWith(`${v}.`)))
      .sort();
    assert.deepEqual(registered, constants, 'registered commands = Commands constants');
    assert.deepEqual([...api.commandNeeds.keys()].sort(), constants, 'each declares what it needs');
  });

  test('the commands that need trust are the ones package.json hides or disables in Restricted Mode', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
      contributes: {
        commands: Array<{ command: string; enablement?: string }>;
        menus: { commandPalette: Array<{ command: string; when?: string }> };
      };
    };
    const untrustedOff = (clause: string | undefined) => clause?.includes('isWorkspaceTrusted') ?? false;
    const guarded = new Set([
      ...manifest.contributes.commands.filter((c) => untrustedOff(c.enablement)).map((c) => c.command),
      ...manifest.contributes.menus.commandPalette.filter((m) => untrustedOff(m.when)).map((m) => m.command),
    ]);
    const needTrust = [...api.commandNeeds].filter(([, needs]) => needs.trust).map(([id]) => id);
    assert.deepEqual([...guarded].sort(), needTrust.sort());
  });

  test('Components view: grouped by tag, components expand to their runs', () => {
    const view = api.views.components;
    const tags = view.getChildren();
    assert.deepEqual(tags.map(labelOf), ['etl', 'features', 'ml']);
    const etl = view.getChildren(tags[0]);
    assert.deepEqual(etl.map(labelOf), ['clean', 'ingest']);
    const features = view.getChildren(tags[1]);
    assert.match(descriptionOf(features[0]), /^2 runs · stale · 1 d ago$/);
    const tooltip = features[0].treeItem().tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /ml\\-team/);
    const ml = view.getChildren(tags[2]);
    const train = ml.find((n) => labelOf(n) === 'train')!;
    const runs = view.getChildren(train);
    assert.equal(runs.length, 4);
    assert.ok(
      runs.some((r) => descriptionOf(r).includes('failed')),
      'the failed train run shows as failed',
    );
  });

  test('Components view: filter by tag', async () => {
    await vscode.commands.executeCommand(Commands.filterByTag, 'ml');
    try {
      assert.deepEqual(api.views.components.getChildren().map(labelOf), ['predict', 'train']);
    } finally {
      await vscode.commands.executeCommand(Commands.clearTagFilter);
    }
    assert.equal(api.views.components.getChildren().length, 3);
  });

  test('Runs view: newest first; a run expands to staleness, inputs, outputs and dependencies', () => {
    const view = api.views.runs;
    const runs = view.getChildren();
    assert.equal(runs.length, 13, 'one page, no "load more"');
    assert.deepEqual(runs.slice(0, 2).map(labelOf), ['predict', 'train']);
    const featurize = runs.find((r) => labelOf(r) === 'featurize' && descriptionOf(r).includes('stale'));
    assert.ok(featurize, 'the latest featurize run shows as stale');
    assert.equal((featurize.treeItem().iconPath as vscode.ThemeIcon).id, 'history');
    const groups = view.getChildren(featurize);
    assert.deepEqual(groups.map(labelOf), [
      'May need re-running',
      'Inputs (1)',
      'Outputs (1)',
      'Depends on (1)',
    ]);
    const [reason] = view.getChildren(groups[0]);
    assert.match(labelOf(reason), /Input data\/clean\.csv .*changed since this run read it/);
    assert.deepEqual(view.getChildren(groups[1]).map(labelOf), ['data/clean.csv']);
    assert.deepEqual(view.getChildren(groups[3]).map(labelOf), ['clean']);
  });

  test('Flagged outputs view lists the flagged output and its trace', () => {
    const view = api.views.flagged;
    const [flagged, ...rest] = view.getChildren();
    assert.equal(rest.length, 0);
    assert.equal(labelOf(flagged), 'data/predictions.csv');
    assert.equal(flagged.treeItem().contextValue, 'mltrace.pointer.flagged');
    assert.deepEqual(view.getChildren(flagged).map(labelOf), [
      'predict',
      'train',
      'featurize',
      'clean',
      'ingest',
    ]);
  });

  test('CodeLens above each component function, with run count, status and staleness', async () => {
    const uri = fileUri('pipeline.py');
    await vscode.window.showTextDocument(uri);
    const lenses = await waitFor('CodeLens', async () => {
      const titles = await lensTitles(uri);
      return titles.length >= 10 ? titles : undefined;
    });
    const lines = fs.readFileSync(uri.fsPath, 'utf8').split('\n');
    const featurizeLine = lines.findIndex((l) => l.startsWith('@register("featurize"'));
    const atFeaturize = lenses.filter((l) => l.line === featurizeLine).map((l) => l.title);
    assert.equal(atFeaturize.length, 2, JSON.stringify(lenses));
    assert.match(atFeaturize[0], /last run .* ago · 2 runs · stale \(1 reason\)/);
    assert.match(atFeaturize[1], /Trace data\/features\.csv/);
    const trainLine = lines.findIndex((l) => l.startsWith('@register("train"'));
    assert.match(lenses.find((l) => l.line === trainLine)!.title, /4 runs · complete/);
  });

  test("Problems: a warning at the stale component's function", async () => {
    const uri = fileUri('pipeline.py');
    const diagnostics = await waitFor('diagnostics', () => {
      const list = vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mltrace');
      return list.length ? list : undefined;
    });
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.match(d.message, /featurize: its latest run .* may need re-running/);
    const doc = await vscode.workspace.openTextDocument(uri);
    assert.equal(doc.getText(d.range), 'featurize');
  });

  test('file decorations: flagged, stale and logged outputs', () => {
    const badge = (rel: string) => api.decorations.provideFileDecoration(fileUri(rel))?.badge;
    assert.equal(badge('data/predictions.csv'), '!');
    assert.equal(badge('data/features.csv'), 'S');
    assert.equal(badge('data/raw.csv'), 'L');
    assert.equal(badge('pipeline.py'), undefined);
  });

  test('hover on a string that names a logged file', async () => {
    const uri = fileUri('pipeline.py');
    const doc = await vscode.workspace.openTextDocument(uri);
    const line = doc
      .getText()
      .split('\n')
      .findIndex((l) => l.startsWith('@register("predict"'));
    const column = doc.lineAt(line).text.indexOf('data/features.csv') + 3;
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
      'vscode.executeHoverProvider',
      uri,
      new vscode.Position(line, column),
    );
    const text = hovers
      .flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)))
      .join('\n');
    assert.match(text, /Produced by \*\*featurize\*\*/);
    assert.match(text, /command:mltrace\.trace/);
  });

  test('status bar: runs and stale runs', () => {
    assert.match(api.statusBar.item.text, /13 runs .*1 stale/);
    assert.equal(api.statusBar.item.command, Commands.showStale);
  });

  /** The data a webview panel was given once its page loaded and said it was ready. */
  async function shownData<D>(panel: {
    lastPosted?: HostMessage;
    onDidPost: vscode.Event<HostMessage>;
    view: string;
    isReady: boolean;
    panel: vscode.WebviewPanel;
  }): Promise<D> {
    const message = await waitFor(
      () =>
        `the ${panel.view} webview to load, say it is ready and get its data (ready: ${String(panel.isReady)}, visible: ${String(panel.panel.visible)})`,
      () => {
        if (panel.lastPosted?.type === 'error')
          throw new Error(`the view shows an error: ${panel.lastPosted.message}`);
        return panel.lastPosted?.type === 'init' || panel.lastPosted?.type === 'update'
          ? panel.lastPosted
          : undefined;
      },
      15_000,
    );
    return message.data as D;
  }

  const webviewTabs = (viewType: string) =>
    vscode.window.tabGroups.all
      .flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(viewType));

  test('explorer "Trace lineage" on a file opens the lineage graph, whose page loads in VS Code', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const panel = await vscode.commands.executeCommand<LineageGraphPanel>(
      Commands.trace,
      fileUri('data/predictions.csv'),
    );
    assert.ok(panel, 'a graph panel');
    const data = await shownData<GraphData>(panel);
    assert.deepEqual(data.roots[0], { kind: 'pointer', name: 'data/predictions.csv', direction: 'upstream' });
    assert.deepEqual(
      data.runs.map((r) => [r.component, r.depth]),
      [
        ['predict', 0],
        ['train', 1],
        ['featurize', 2],
        ['clean', 3],
        ['ingest', 4],
      ],
    );
    assert.ok(
      data.pointers.some((p) => p.name === 'data/predictions.csv' && p.flagged),
      'the flagged output',
    );
    assert.ok(data.runs.find((r) => r.component === 'featurize')!.stale.length > 0, 'featurize is stale');
    assert.equal(webviewTabs(ViewTypes.lineage).length, 1);
    assert.equal(panel.panel.title, 'Lineage: predictions.csv');
  });

  test('"Trace lineage" on a file that was never logged opens nothing', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const panel = await vscode.commands.executeCommand(Commands.trace, fileUri('README.md'));
    await sleep(300);
    assert.equal(panel, undefined);
    assert.equal(webviewTabs(ViewTypes.lineage).length, 0);
  });

  // Only the graph above waits for its page to load: in code-server (VS Code for the web 1.100),
  // a webview created soon after another can stay blank, its host page waiting forever for a
  // service worker "controllerchange" (microsoft/vscode#312020 reworks that wait). That is the
  // web workbench, not the extension; the pages themselves are tested in Chromium (test/browser).
  test('run inspector, review and history open as webview panels with their data', async () => {
    const run = api.service.store!.history('train', { limit: 1 })[0];
    const inspector = await vscode.commands.executeCommand<RunInspectorPanel>(
      Commands.inspect,
      run.id.slice(0, 8),
    );
    const card = await inspector.currentData();
    assert.equal(card.run.id, run.id);
    assert.deepEqual(
      card.run.inputPointers.map((p) => [p.name, p.type]),
      [['data/features.csv', 'DATA']],
    );
    assert.equal(inspector.panel.title, `Run ${run.id.slice(0, 8)}: train`);
    const review = await (await vscode.commands.executeCommand<ReviewPanel>(Commands.review)).currentData();
    assert.deepEqual(review.review.flagged, ['data/predictions.csv']);
    assert.equal(review.review.runs[0].component, 'predict');
    assert.deepEqual(
      review.traces.map((t) => t.pointer),
      ['data/predictions.csv'],
    );
    const history = await (
      await vscode.commands.executeCommand<HistoryPanel>(Commands.history, 'train')
    ).currentData();
    assert.equal(history.component, 'train');
    assert.equal(history.runs.length, 4, 'the four train runs');
    assert.ok(
      history.runs.every((r) => r.component === 'train'),
      'only train runs',
    );
    // The workbench's tab model follows the panels asynchronously.
    await waitFor('a tab for each panel', () =>
      [ViewTypes.inspector, ViewTypes.review, ViewTypes.history].every((t) => webviewTabs(t).length === 1),
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** Runs `body` on a fresh copy of the example, its store open in place of the workspace's. */
  async function onFreshStore(name: string, body: (fixture: Fixture) => Promise<void>): Promise<void> {
    const fixture = await freshStore(api, name);
    try {
      await body(fixture);
    } finally {
      await fixture.dispose();
    }
  }

  test('flag and unflag a file from the explorer', () =>
    onFreshStore('flag', async (fixture) => {
      const uri = fixture.uri('data/raw.csv');
      await vscode.commands.executeCommand(Commands.flag, uri);
      assert.deepEqual(api.views.flagged.getChildren().map(labelOf), [
        'data/predictions.csv',
        'data/raw.csv',
      ]);
      assert.equal(api.decorations.provideFileDecoration(uri)?.badge, '!');
      await vscode.commands.executeCommand(Commands.unflag, uri);
      assert.deepEqual(api.views.flagged.getChildren().map(labelOf), ['data/predictions.csv']);
      assert.equal(api.decorations.provideFileDecoration(uri)?.badge, 'L');
    }));

  test('add notes to a run', () =>
    onFreshStore('notes', async () => {
      const run = api.service.store!.history('predict', { limit: 1 })[0];
      await vscode.commands.executeCommand(Commands.addNotes, run.id, 'checked by the test suite');
      assert.match(api.service.store!.inspect(run.id).notes, /checked by the test suite/);
    }));

  test('live: a pipeline appending events refreshes views, CodeLens and status bar within a second', () =>
    onFreshStore('live', async (fixture) => {
      const changed = nextChange(api).then(() => Date.now());
      const writer = new EventWriter(storeLocation(path.join(fixture.root, '.mltrace'), {}), 'livetest');
      const started = Date.now();
      // A burst: three runs, written as a pipeline would.
      for (let i = 0; i < 3; i++) {
        writer.logRun(
          {
            component: 'featurize',
            inputs: [{ name: 'data/clean.csv' }],
            source: { sourceFile: 'pipeline.py', sourceLine: 33 },
          },
          { status: 'complete', outputs: [{ name: 'data/features.csv' }] },
        );
      }
      writer.close();
      const written = Date.now();
      const at = await Promise.race([changed, sleep(5000).then(() => 0)]);
      assert.ok(at > 0, 'the store changed after the appends');
      const latency = at - started;
      console.log(
        `      (views refreshed ${latency} ms after the first append, ${at - written} ms after the last)`,
      );
      assert.ok(latency < 1000, `refreshed after ${latency} ms`);
      assert.equal(api.views.runs.getChildren().length, 16);
      assert.match(api.statusBar.item.text, /16 runs$/, 'featurize is fresh again: nothing stale');
      const uri = fixture.uri('pipeline.py');
      const titles = await lensTitles(uri);
      assert.ok(
        titles.some((t) => /5 runs · complete/.test(t.title)),
        JSON.stringify(titles),
      );
      await waitFor(
        'the stale warning to go',
        () => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'mltrace').length === 0,
      );
    }));

  test('Problems: a malformed event line is reported on the log file and line', () =>
    onFreshStore('malformed', async (fixture) => {
      const file = path.join(fixture.root, '.mltrace', 'events', 'broken.jsonl');
      fs.writeFileSync(file, '{"eventType":"START"}\nnot json at all\n');
      const uri = vscode.Uri.file(file);
      const diagnostics = await waitFor('log diagnostics', () => {
        const list = vscode.languages.getDiagnostics(uri);
        return list.length >= 2 ? list : undefined;
      });
      assert.deepEqual(
        diagnostics.map((d) => d.range.start.line),
        [0, 1],
      );
      for (const d of diagnostics) {
        assert.equal(d.severity, vscode.DiagnosticSeverity.Error, d.message);
        assert.match(d.message, /fix or remove it/);
      }
    }));

  test('trusted workspace: terminals get MLTRACE_DIR, the Python shim and the CLI; the snapshot is saved', async () => {
    const storeDir = path.join(folder(), '.mltrace');
    assert.equal(api.terminal.collection.get('MLTRACE_DIR')?.value, storeDir);
    const pythonPath = api.terminal.collection.get('PYTHONPATH');
    assert.equal(pythonPath?.type, vscode.EnvironmentVariableMutatorType.Prepend);
    assert.ok(
      fs.existsSync(path.join(pythonPath.value.split(path.delimiter)[0], 'mltrace', '__init__.py')),
      pythonPath.value,
    );
    const bin = api.terminal.collection.get('PATH')?.value.split(path.delimiter)[0] ?? '';
    assert.ok(fs.existsSync(path.join(bin, 'mltrace')), bin);
    await waitFor('the snapshot', () => fs.existsSync(path.join(storeDir, 'lineage.sqlite')), 5000);
  });

  test('terminals get the data profile budget, mltrace.profile.budgetMs, as MLTRACE_PROFILE_BUDGET_MS', async () => {
    const budget = () => api.terminal.collection.get('MLTRACE_PROFILE_BUDGET_MS')?.value;
    assert.equal(budget(), '200', 'the default');
    const config = vscode.workspace.getConfiguration('mltrace');
    await config.update('profile.budgetMs', 0, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the new budget', () => budget() === '0', 5000);
    } finally {
      await config.update('profile.budgetMs', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('the default again', () => budget() === '200', 5000);
  });

  test('the store directory setting reopens the store; a store created by a first run is picked up live', async () => {
    const elsewhere = path.join(folder(), 'elsewhere');
    await openStoreDirectory(api, 'elsewhere/.mltrace');
    try {
      assert.equal(api.views.runs.getChildren().length, 0, 'an empty store');
      assert.equal(fs.existsSync(elsewhere), false, 'opening creates nothing');
      const firstRun = nextChange(api);
      const writer = new EventWriter(storeLocation(path.join(elsewhere, '.mltrace'), {}), 'first');
      writer.logRun({ component: 'hello' }, { status: 'complete', outputs: [{ name: 'hello.txt' }] });
      writer.close();
      await Promise.race([
        firstRun,
        sleep(5000).then(() => Promise.reject(new Error('the first run was not seen'))),
      ]);
      assert.deepEqual(api.views.runs.getChildren().map(labelOf), ['hello']);
    } finally {
      await openStoreDirectory(api, undefined);
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  test('a large store is indexed in the background (a worker thread parses it) while the extension host keeps running', async () => {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const storeDir = path.join(folder(), 'big', '.mltrace');
    // About 18 MB of events: above the progress threshold (16 MiB) and the worker's (4 MiB).
    const writer = new EventWriter(storeLocation(storeDir, {}), 'big');
    // Each run its own version of the code: a version is recorded once (docs/EVENTS.md), and this
    // log must stay large.
    const body = 'x = 1\n'.repeat(400);
    for (let i = 0; i < 3600; i++) {
      writer.logRun(
        {
          component: `stage${i % 3}`,
          inputs: [{ name: `in/${i % 7}.csv` }],
          source: { sourceFile: 'big.py', code: { language: 'python', source: `${body}# version ${i}\n` } },
        },
        { status: 'complete', outputs: [{ name: `out/${i}.csv` }] },
      );
    }
    writer.close();
    const size = fs
      .readdirSync(path.join(storeDir, 'events'))
      .reduce((n, f) => n + fs.statSync(path.join(storeDir, 'events', f)).size, 0);
    assert.ok(size >= 16 * 1024 * 1024, `${size} bytes`);
    // This suite runs in the extension host: its own timers fire only if indexing lets them.
    let turnsWhileIndexing = 0;
    const ticker = setInterval(() => {
      if (api.service.isIndexing) turnsWhileIndexing++;
    }, 5);
    await config.update(Settings.storeDirectory, 'big/.mltrace', vscode.ConfigurationTarget.Workspace);
    try {
      // Indexed in the background: the views refresh when it is done.
      await waitFor(
        'the large store indexed',
        () => api.service.location?.storeDir === storeDir && api.service.lastIngest !== undefined,
        30000,
      );
      const report = api.service.lastIngest;
      assert.deepEqual(
        {
          runs: report?.runs,
          events: report?.events,
          parsedInWorker: report?.parsedInWorker,
          problems: report?.problems.length,
        },
        { runs: 3600, events: 7200, parsedInWorker: true, problems: 0 },
      );
      assert.equal(api.service.store?.recent({ limit: 1 }).items[0]?.component, 'stage2');
      assert.ok(
        turnsWhileIndexing >= 3,
        `the extension host turned ${turnsWhileIndexing} times while indexing`,
      );
    } finally {
      clearInterval(ticker);
      await openStoreDirectory(api, undefined);
      fs.rmSync(path.join(folder(), 'big'), { recursive: true, force: true });
    }
  });

  test("the auto-compaction setting: ended writers' files are merged once as many wait as it says; 0 never", () =>
    onFreshStore('autocompact', async (fixture) => {
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      const storeDir = path.join(fixture.root, '.mltrace');
      const segments = () => {
        const dir = path.join(storeDir, 'events', 'segments');
        return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
      };
      const runs = () => api.service.store?.recent({ limit: 100 }).items.length ?? 0;
      const logEnded = (n: number) => {
        for (let i = 0; i < n; i++) {
          const writer = new EventWriter(storeLocation(storeDir, {}), 'ended');
          writer.logRun({ component: 'compacted' }, { status: 'complete', outputs: [{ name: `c${i}.csv` }] });
          writer.close();
        }
      };
      const before = runs();
      /** Changes the setting and waits for the store it reopens. */
      const setThreshold = async (value: number | undefined) => {
        const old = api.service.store;
        await config.update(Settings.autoCompactEndedFiles, value, vscode.ConfigurationTarget.Workspace);
        await waitFor(
          'the store reopened',
          () => api.service.store !== undefined && api.service.store !== old,
        );
      };
      await setThreshold(0);
      try {
        logEnded(3);
        await waitFor('three more runs', () => runs() === before + 3);
        // Past the save that follows an ingest, when the extension compacts if the setting lets it.
        await sleep(3500);
        assert.deepEqual(segments(), [], '0: never merged');
        await setThreshold(4);
        logEnded(1);
        await waitFor('four ended files merged', () => segments().length === 1, 10000);
        assert.equal(runs(), before + 4, 'every run still listed');
      } finally {
        await config.update(Settings.autoCompactEndedFiles, undefined, vscode.ConfigurationTarget.Workspace);
      }
    }));

  test('Problems severity and decorations follow their settings', () =>
    onFreshStore('severity', async (fixture) => {
      const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
      const flagged = fixture.uri('data/predictions.csv');
      // featurize is stale in the example (its input changed after its latest run).
      const stale = () =>
        vscode.languages.getDiagnostics(fixture.uri('pipeline.py')).filter((d) => d.source === 'mltrace');
      await waitFor('the stale warning', () => stale().length === 1);
      await config.update(Settings.problemsSeverity, 'error', vscode.ConfigurationTarget.Workspace);
      await config.update(Settings.decorationsEnabled, false, vscode.ConfigurationTarget.Workspace);
      try {
        await waitFor('an error', () => stale()[0]?.severity === vscode.DiagnosticSeverity.Error);
        await waitFor('no decorations', () => api.decorations.provideFileDecoration(flagged) === undefined);
        await config.update(Settings.problemsEnabled, false, vscode.ConfigurationTarget.Workspace);
        await waitFor('no problems', () => stale().length === 0);
      } finally {
        await config.update(Settings.problemsSeverity, undefined, vscode.ConfigurationTarget.Workspace);
        await config.update(Settings.decorationsEnabled, undefined, vscode.ConfigurationTarget.Workspace);
        await config.update(Settings.problemsEnabled, undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('decorations back', () => api.decorations.provideFileDecoration(flagged)?.badge === '!');
      await waitFor('the warning back', () => stale()[0]?.severity === vscode.DiagnosticSeverity.Warning);
    }));

  test("saving an edit to a component's code makes its latest run stale", () =>
    onFreshStore('edit', async (fixture) => {
      const uri = fixture.uri('pipeline.py');
      const editor = await vscode.window.showTextDocument(uri);
      const line = editor.document
        .getText()
        .split('\n')
        .findIndex((l) => l.startsWith('def train'));
      const trainWarning = () =>
        vscode.languages
          .getDiagnostics(uri)
          .find((d) => d.source === 'mltrace' && d.message.startsWith('train:'));
      assert.equal(trainWarning(), undefined);
      await editor.edit((edit) => edit.insert(new vscode.Position(line + 1, 0), '    # tuned by hand\n'));
      await editor.document.save();
      const warning = await waitFor('the code-changed warning', trainWarning);
      assert.match(warning.message, /The code of train \(run [0-9a-f]{8}\) changed since it ran/);
      await editor.edit((edit) => edit.delete(new vscode.Range(line + 1, 0, line + 2, 0)));
      await editor.document.save();
      await waitFor('the warning to go', () => trainWarning() === undefined);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }));

  test('Runs view pages with "Load more…"; a running run shows as running', () =>
    onFreshStore('paging', async (fixture) => {
      const writer = new EventWriter(storeLocation(path.join(fixture.root, '.mltrace'), {}), 'paging');
      for (let i = 0; i < 12; i++)
        writer.logRun({ component: 'ingest' }, { status: 'complete', outputs: [{ name: 'data/raw.csv' }] });
      writer.startRun({ component: 'train', inputs: [{ name: 'data/features.csv' }] });
      writer.close();
      api.service.ingestNow();
      // The example's 13 runs, 12 more and a running one.
      assert.equal(api.service.store!.recent({ limit: 1000 }).items.length, 26);
      const view = api.views.runs;
      const first = view.getChildren();
      assert.equal(first.length, 26, '25 runs and "Load more…"');
      const more = first[25].treeItem();
      assert.equal(more.label, 'Load more…');
      assert.equal(more.command?.command, Commands.loadMoreRuns);
      assert.equal((first[0].treeItem().iconPath as vscode.ThemeIcon).id, 'sync~spin');
      assert.match(descriptionOf(first[0]), /running/);
      await vscode.commands.executeCommand(Commands.loadMoreRuns);
      assert.equal(view.getChildren().length, 26, 'all 26 runs, nothing more to load');
    }));

  test('the CodeLens setting registers and unregisters the provider', async () => {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const uri = fileUri('pipeline.py');
    await config.update(Settings.codeLensEnabled, false, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('lenses to go', async () => (await lensTitles(uri)).length === 0);
    } finally {
      await config.update(Settings.codeLensEnabled, undefined, vscode.ConfigurationTarget.Workspace);
    }
    await waitFor('lenses to come back', async () => (await lensTitles(uri)).length > 0);
  });
  test('"Write Python Shim to Workspace" copies the shim; a real python3 there can import it', async () => {
    // A folder of its own: were the shim there already, the command would ask before replacing it.
    const target = fs.mkdtempSync(path.join(folder(), 'ci-jobs-'));
    try {
      const written = await vscode.commands.executeCommand<string>(
        Commands.writePythonShim,
        vscode.Uri.file(target),
      );
      assert.equal(written, path.join(target, 'mltrace'));
      assert.ok(fs.existsSync(path.join(target, 'mltrace', '__init__.py')));
      assert.ok(!fs.existsSync(path.join(target, 'mltrace', '__pycache__')), 'no bytecode copied');
      const result = spawnSync('python3', ['-c', 'import mltrace, sys; sys.stdout.write(mltrace.__file__)'], {
        cwd: target,
        encoding: 'utf8',
        env: { ...process.env, PYTHONPATH: '' },
      });
      assert.equal(result.status, 0, result.stderr);
      assert.equal(result.stdout, path.join(target, 'mltrace', '__init__.py'));
    } finally {
      fs.rmSync(target, { recursive: true, force: true });
    }
  });

  test('"Log This Function as a Component" decorates the Python function at the cursor', async () => {
    const document = await vscode.workspace.openTextDocument({
      language: 'python',
      content: [
        '"""Scoring."""',
        'import json',
        '',
        '',
        '@cache',
        'def score(rows):',
        '    total = 0',
        '    return total',
        '',
      ].join('\n'),
    });
    const editor = await vscode.window.showTextDocument(document);
    editor.selection = new vscode.Selection(6, 4, 6, 4);
    assert.equal(await vscode.commands.executeCommand(Commands.insertLoggingSnippet), true);
    const lines = document.getText().split('\n');
    assert.equal(lines[0], 'from mltrace import register');
    const decorator = lines.findIndex((l) => l.startsWith('@register('));
    assert.equal(lines[decorator], '@register("score", inputs=[], outputs=[])');
    assert.equal(lines[decorator + 1], '@cache', 'above the existing decorators');
    assert.equal(lines[decorator + 2], 'def score(rows):');
    // A second time: already logged.
    editor.selection = new vscode.Selection(decorator + 3, 4, decorator + 3, 4);
    assert.equal(await vscode.commands.executeCommand(Commands.insertLoggingSnippet), false);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
