// The commands: each takes its argument from a tree item, an explorer/editor URI or a string,
// and asks with a quick pick when invoked from the palette without one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createExamplePipeline, EXAMPLE_FOLDER, runExamplePipeline } from '../example/pipeline';
import type { Run } from '../core/model';
import { runLabel, shortId } from '../core/format';
import { LineageError } from '../core/model';
import type { LineageStore } from '../core/store';
import { CommandId, Commands } from './constants';
import type { LineageService } from './lineageService';
import { plural, relativeTime, runCodicon, runState } from './presentation';
import { insertLoggingSnippet, writePythonShim } from './shimCommands';
import type { Trust } from './trust';
import { ComponentNode, ComponentsView, TagNode } from './views/componentsView';
import { isPointerNode, isRunNode } from './views/nodes';
import type { RunsView } from './views/runsView';
import { pointerFromWebviewContext, runIdFromWebviewContext, type Webviews } from './webviews';

export interface CommandDeps {
  /** Where the extension is installed: the Python shim ships in its `python/` folder. */
  extensionPath: string;
  service: LineageService;
  trust: Trust;
  webviews: Webviews;
  componentsView: ComponentsView;
  runsView: RunsView;
  log: vscode.LogOutputChannel;
}

interface RunPick extends vscode.QuickPickItem {
  run: Run;
}

/** Registers every command in `Commands`; the returned disposables unregister them. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { service, trust, webviews, componentsView, runsView } = deps;

  /** The store, or undefined after telling the user what to do. */
  const storeOrExplain = async (): Promise<LineageStore | undefined> => {
    const store = await service.whenReady();
    if (store) return store;
    void vscode.window.showWarningMessage(
      service.openError ??
        'mltrace needs a folder: open the folder of your pipeline (File → Open Folder), then try again.',
    );
    return undefined;
  };

  const pickRun = async (runs: Run[], title: string): Promise<Run | undefined> => {
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(
        'mltrace: no runs are logged yet. Log a run (see the mltrace view), or run "mltrace: Create Example Pipeline".',
      );
      return undefined;
    }
    const reasons = service.staleness(runs);
    const items: RunPick[] = runs.map((run) => {
      const state = runState(run, reasons.has(run.id));
      return {
        run,
        label: `${runCodicon(state)} ${run.component}`,
        description: `${shortId(run.id)} · ${relativeTime(run.startTime)} · ${state}`,
        detail:
          [
            run.inputs.length ? `reads ${run.inputs.join(', ')}` : '',
            run.outputs.length ? `writes ${run.outputs.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' · ') || undefined,
      };
    });
    const pick = await vscode.window.showQuickPick(items, {
      title,
      placeHolder: 'Type a component, a run id prefix or a file name',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    return pick?.run;
  };

  const pickComponent = async (store: LineageStore, title: string): Promise<string | undefined> => {
    const components = store.components();
    if (components.length === 0) {
      void vscode.window.showInformationMessage(
        'mltrace: no components are logged yet. Log a run first, or run "mltrace: Create Example Pipeline".',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      components.map((c) => ({
        label: `$(symbol-method) ${c.name}`,
        name: c.name,
        description: `${plural(c.runCount, 'run')} · last ${relativeTime(c.lastRunTime)}`,
        detail:
          [
            c.description,
            c.owner ? `owner: ${c.owner}` : '',
            c.tags.length ? `tags: ${c.tags.join(', ')}` : '',
          ]
            .filter(Boolean)
            .join(' · ') || undefined,
      })),
      { title, matchOnDescription: true, matchOnDetail: true },
    );
    return pick?.name;
  };

  const pickPointer = async (
    store: LineageStore,
    title: string,
    flagged?: boolean,
  ): Promise<string | undefined> => {
    const pointers = store.pointers(flagged === undefined ? {} : { flagged });
    if (pointers.length === 0) {
      const what = flagged
        ? 'No output is flagged.'
        : flagged === false
          ? 'Every logged output is already flagged.'
          : 'No file or dataset is logged yet: log a run first.';
      void vscode.window.showInformationMessage(`mltrace: ${what}`);
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      pointers.map((p) => ({
        label: `$(${p.flagged ? 'flag' : 'file'}) ${p.name}`,
        name: p.name,
        description: `${p.type.toLowerCase()} · written by ${plural(p.writers, 'run')}, read by ${plural(p.readers, 'run')}${p.flagged ? ' · flagged' : ''}`,
      })),
      { title, matchOnDescription: true },
    );
    return pick?.name;
  };

  /** The pointer a command argument names: a tree item, a URI (explorer, editor) or a name. */
  const pointerOf = (arg: unknown): string | undefined => {
    if (isPointerNode(arg)) return arg.name;
    const fromWebview = pointerFromWebviewContext(arg);
    if (fromWebview) return fromWebview;
    if (arg instanceof vscode.Uri) return service.pointerName(arg);
    if (typeof arg === 'string' && arg) return arg;
    return undefined;
  };

  /** Like `pointerOf`, with a clear message when the file was never logged. */
  const loggedPointer = (store: LineageStore, arg: unknown): string | undefined => {
    const name = pointerOf(arg);
    if (name === undefined) {
      void vscode.window.showWarningMessage(
        'mltrace works on files inside the workspace folder: open or select one there.',
      );
      return undefined;
    }
    if (!store.hasPointer(name)) {
      void vscode.window.showInformationMessage(
        `mltrace: "${name}" was never logged: no run read or wrote it. Log it as an input or output of a run (for example with @register(..., outputs=["${name}"]) or "mltrace run -- <command>"), then try again.`,
      );
      return undefined;
    }
    return name;
  };

  const runIdOf = (arg: unknown): string | undefined => {
    if (isRunNode(arg)) return arg.run.id;
    const fromWebview = runIdFromWebviewContext(arg);
    if (fromWebview) return fromWebview;
    if (typeof arg === 'string' && arg) return arg;
    return undefined;
  };

  const showRun = (store: LineageStore, id: string) => webviews.openRunInspector(store.resolveRunId(id));

  const handlers: Record<CommandId, (...args: unknown[]) => unknown> = {
    [Commands.recent]: async () => {
      const store = await storeOrExplain();
      if (!store) return;
      const run = await pickRun(store.recent({ limit: 200 }).items, 'mltrace: Recent Runs');
      if (run) await showRun(store, run.id);
    },

    [Commands.history]: async (arg?: unknown) => {
      const store = await storeOrExplain();
      if (!store) return;
      const component =
        arg instanceof ComponentNode
          ? arg.component.name
          : typeof arg === 'string'
            ? arg
            : await pickComponent(store, 'mltrace: Show History of Component');
      if (!component) return;
      store.history(component, { limit: 1 }); // an unknown component: a clear message, no empty panel
      return webviews.openHistory(component);
    },

    [Commands.inspect]: async (arg?: unknown) => {
      const store = await storeOrExplain();
      if (!store) return;
      const id =
        runIdOf(arg) ?? (await pickRun(store.recent({ limit: 500 }).items, 'mltrace: Inspect Run'))?.id;
      if (id) return showRun(store, id);
    },

    [Commands.trace]: async (arg?: unknown) => {
      const store = await storeOrExplain();
      if (!store) return;
      // A run (tree item, or a run node of a graph): its lineage from there.
      const runId = isRunNode(arg) ? arg.run.id : runIdFromWebviewContext(arg);
      if (runId) return webviews.openLineageGraph({ runId: store.resolveRunId(runId) });
      const name =
        arg === undefined
          ? await pickPointer(store, 'mltrace: Trace Lineage of…')
          : loggedPointer(store, arg);
      if (name) return webviews.openLineageGraph({ pointer: name });
    },

    [Commands.showConsumers]: async (arg?: unknown) => {
      const store = await storeOrExplain();
      if (!store) return;
      const name =
        arg === undefined
          ? await pickPointer(store, 'mltrace: Show Runs That Read…')
          : loggedPointer(store, arg);
      if (!name) return;
      const readers = store.readers(name);
      if (readers.length === 0) {
        void vscode.window.showInformationMessage(`mltrace: no logged run read "${name}".`);
        return;
      }
      const run = await pickRun(readers, `mltrace: Runs That Read ${name}`);
      if (run) await showRun(store, run.id);
    },

    [Commands.flag]: async (arg?: unknown, selection?: unknown) => setFlag(arg, selection, true),
    [Commands.unflag]: async (arg?: unknown, selection?: unknown) => setFlag(arg, selection, false),

    [Commands.unflagAll]: async () => {
      if (!trust.requireTrust('Unflagging')) return;
      const store = await storeOrExplain();
      if (!store) return;
      const flagged = store.pointers({ flagged: true });
      if (flagged.length === 0) {
        void vscode.window.showInformationMessage('mltrace: no output is flagged.');
        return;
      }
      const choice = await vscode.window.showWarningMessage(
        `Unflag all ${plural(flagged.length, 'flagged output')}?`,
        { modal: true },
        'Unflag All',
      );
      if (choice !== 'Unflag All') return;
      service.write((w) => w.unflagAll());
      void vscode.window.showInformationMessage(`mltrace: unflagged ${plural(flagged.length, 'output')}.`);
    },

    [Commands.review]: async () => {
      const store = await storeOrExplain();
      if (store) return webviews.openReview();
    },

    [Commands.filterByTag]: async (arg?: unknown) => {
      const store = await storeOrExplain();
      if (!store) return;
      let tag = arg instanceof TagNode ? arg.tag : typeof arg === 'string' ? arg : undefined;
      if (!tag) {
        const tags = store.tags();
        if (tags.length === 0) {
          void vscode.window.showInformationMessage(
            'mltrace: no component has tags yet. Tag components with create_component(..., tags=[...]) or tag_component().',
          );
          return;
        }
        tag = (
          await vscode.window.showQuickPick(
            tags.map((t) => ({
              label: `$(tag) ${t.tag}`,
              tag: t.tag,
              description: plural(t.components, 'component'),
            })),
            { title: 'mltrace: Filter Components by Tag' },
          )
        )?.tag;
      }
      if (tag) componentsView.setTagFilter(tag);
    },

    [Commands.clearTagFilter]: () => componentsView.setTagFilter(undefined),

    [Commands.addNotes]: async (arg?: unknown, notesArg?: unknown) => {
      if (!trust.requireTrust('Adding notes')) return;
      const store = await storeOrExplain();
      if (!store) return;
      const id =
        runIdOf(arg) ?? (await pickRun(store.recent({ limit: 500 }).items, 'mltrace: Add Notes to Run'))?.id;
      if (!id) return;
      const run = store.inspect(id);
      const notes =
        typeof notesArg === 'string'
          ? notesArg
          : await vscode.window.showInputBox({
              title: `Notes for ${runLabel(run.component, run.id)}`,
              prompt: "Added to the run's notes (notes accumulate).",
              ignoreFocusOut: true,
            });
      if (!notes?.trim()) return;
      service.write((w) => w.addNotes(run.id, run.component, notes.trim()));
    },

    [Commands.refresh]: async () => {
      const store = await storeOrExplain();
      if (!store) return;
      // Staleness also depends on files and code on disk, so re-render even when the log did not grow.
      const report = service.refresh();
      if (report?.problems.length) {
        void vscode.window
          .showWarningMessage(
            `mltrace: ${plural(report.problems.length, 'problem')} in the event log.`,
            'Show Problems',
          )
          .then((c) => {
            if (c) void vscode.commands.executeCommand(Commands.showProblems);
          });
      }
    },

    [Commands.showProblems]: async () => {
      const store = await storeOrExplain();
      if (!store) return;
      const problems = store.problems();
      if (problems.length === 0) {
        void vscode.window.showInformationMessage('mltrace: the event log has no problems.');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        problems.map((p) => ({
          label: `$(${p.severity === 'error' ? 'error' : 'warning'}) ${p.reason}`,
          description: `${path.basename(p.file)}:${p.line}`,
          problem: p,
        })),
        {
          title: `mltrace: ${plural(problems.length, 'problem')} in the event log`,
          matchOnDescription: true,
        },
      );
      if (!pick) return;
      const line = Math.max(0, pick.problem.line - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(pick.problem.file), {
        selection: new vscode.Range(line, 0, line, 0),
      });
    },

    [Commands.showStale]: async () => {
      const store = await storeOrExplain();
      if (!store) return;
      const stale = service.staleRuns();
      if (stale.length === 0) {
        void vscode.window.showInformationMessage("mltrace: no component's latest run is stale.");
        return;
      }
      const run = await pickRun(stale, `mltrace: ${plural(stale.length, 'stale run')}`);
      if (run) await showRun(store, run.id);
    },

    [Commands.openSource]: async (arg?: unknown) => {
      const store = await storeOrExplain();
      if (!store) return;
      let run: Run | undefined = isRunNode(arg) ? arg.run : undefined;
      if (arg instanceof ComponentNode)
        run = store.history(arg.component.name, { limit: 20 }).find((r) => r.sourceFile);
      const id = run ? undefined : runIdOf(arg);
      if (id) run = store.inspect(id);
      if (!run?.sourceFile) {
        void vscode.window.showInformationMessage(
          'mltrace: no source location was recorded for this run. Runs logged with @register record their source file and line.',
        );
        return;
      }
      const uri = service.sourceUri(run.sourceFile);
      if (!uri || !fs.existsSync(uri.fsPath)) {
        void vscode.window.showWarningMessage(
          `mltrace: the source file ${run.sourceFile} is not in the workspace any more.`,
        );
        return;
      }
      const line = Math.max(0, (run.sourceLine ?? 1) - 1);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0) });
    },

    [Commands.openPointer]: async (arg?: unknown) => {
      const name = pointerOf(arg);
      const uri = name ? service.pointerUri(name) : undefined;
      if (!uri || !fs.existsSync(uri.fsPath)) {
        void vscode.window.showInformationMessage(
          `mltrace: "${name ?? '?'}" is not a file in the workspace now.`,
        );
        return;
      }
      await vscode.commands.executeCommand('vscode.open', uri);
    },

    [Commands.copyRunId]: async (arg?: unknown) => {
      const id = runIdOf(arg);
      if (!id) return;
      await vscode.env.clipboard.writeText(id);
      vscode.window.setStatusBarMessage(`Copied run id ${shortId(id)}`, 2000);
    },

    [Commands.loadMoreRuns]: () => runsView.loadMore(),

    [Commands.createExample]: async () => {
      if (!trust.requireTrust('Creating the example pipeline')) return;
      await createExample(service, deps.log, deps.extensionPath);
    },

    [Commands.writePythonShim]: async (arg?: unknown) => {
      if (!trust.requireTrust('Writing the Python shim')) return;
      const folder =
        arg instanceof vscode.Uri && fs.existsSync(arg.fsPath) && fs.statSync(arg.fsPath).isDirectory()
          ? arg.fsPath
          : (service.location?.root ??
            vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath);
      if (!folder) {
        void vscode.window.showWarningMessage(
          'mltrace: open the folder of your pipeline first (File → Open Folder).',
        );
        return;
      }
      const target = await writePythonShim(deps.extensionPath, folder);
      if (!target) return;
      const relative =
        path.relative(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? folder, target) || target;
      void vscode.window.showInformationMessage(
        `mltrace: wrote the Python shim to ${relative}/. Scripts run from ${path.basename(folder)}/ can now \`import mltrace\` without VS Code; commit it for CI.`,
      );
      return target;
    },

    [Commands.insertLoggingSnippet]: async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage(
          'mltrace: open the pipeline file and put the cursor in a function first.',
        );
        return;
      }
      return insertLoggingSnippet(editor);
    },
  };

  async function setFlag(arg: unknown, selection: unknown, flagged: boolean): Promise<void> {
    if (!trust.requireTrust(flagged ? 'Flagging' : 'Unflagging')) return;
    const store = await storeOrExplain();
    if (!store) return;
    const verb = flagged ? 'Flag' : 'Unflag';
    // Explorer multi-selection: (clicked, [all selected]).
    const targets =
      Array.isArray(selection) && selection.length > 1 ? selection : arg === undefined ? [] : [arg];
    let names: string[];
    if (targets.length === 0) {
      const picked = await pickPointer(store, `mltrace: ${verb} Output`, !flagged);
      names = picked ? [picked] : [];
    } else {
      names = targets.map((t) => loggedPointer(store, t)).filter((n): n is string => n !== undefined);
    }
    if (names.length === 0) return;
    service.write((w) => {
      for (const name of names) {
        const { namespace, name: bare } = store.pointerIdentity(name);
        w.flag(bare, flagged, namespace);
      }
    });
    vscode.window.setStatusBarMessage(
      `mltrace: ${flagged ? 'flagged' : 'unflagged'} ${names.join(', ')}`,
      3000,
    );
  }

  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        if (error instanceof LineageError) {
          void vscode.window.showWarningMessage(`mltrace: ${error.message}`);
        } else {
          deps.log.error(`${id} failed: ${(error as Error).stack ?? String(error)}`);
          void vscode.window.showErrorMessage(
            `mltrace: ${(error as Error).message}. See the "mltrace" output channel for details.`,
          );
        }
        return undefined;
      }
    }),
  );
}

/** Creates the example pipeline (with logged runs) in a folder the user chooses, then opens it. */
async function createExample(
  service: LineageService,
  log: vscode.LogOutputChannel,
  extensionPath: string,
): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file');
  const here = folder ? path.join(folder.uri.fsPath, EXAMPLE_FOLDER) : undefined;
  const choices: string[] = [];
  if (here) choices.push(`Create in ${EXAMPLE_FOLDER}/ and Open`);
  choices.push('Choose a Folder…');
  const choice = await vscode.window.showInformationMessage(
    'Create an example pipeline (ingest → clean → featurize → train → predict) with logged runs, one of them stale and one output flagged?',
    { modal: true },
    ...choices,
  );
  if (!choice) return;
  let target = here;
  if (choice.startsWith('Choose')) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFolders: true,
      canSelectFiles: false,
      openLabel: 'Create Example Here',
      title: 'Folder for the example pipeline',
    });
    if (!picked?.[0]) return;
    target = path.join(picked[0].fsPath, EXAMPLE_FOLDER);
  }
  if (!target) return;
  if (fs.existsSync(path.join(target, '.mltrace'))) {
    void vscode.window.showWarningMessage(
      `${target} already holds an mltrace store. Delete it or choose another folder, then run the command again.`,
    );
    return;
  }
  const summary = createExamplePipeline(target);
  log.info(`Created the example pipeline in ${target}: ${summary.runs} runs.`);
  const pythonError = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: 'mltrace: running the example pipeline (python3 pipeline.py)…',
    },
    () => runExamplePipeline(target, path.join(extensionPath, 'python')),
  );
  if (pythonError)
    log.warn(`The example pipeline did not run: ${pythonError}. The example keeps its written history.`);
  if (service.location && path.resolve(service.location.root) === path.resolve(target)) {
    service.ingestNow();
    return;
  }
  await vscode.commands.executeCommand('vscode.openFolder', vscode.Uri.file(target), {
    forceNewWindow: false,
  });
}
