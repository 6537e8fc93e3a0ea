// Runs and where they lead: the recent and the stale runs, a run's card, its source, its files.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { Run } from '../../core/model';
import type { LineageStore } from '../../core/store';
import { Commands } from '../constants';
import { plural, shortRunId, visible } from '../presentation';
import { ComponentNode } from '../views/componentsView';
import { isRunNode } from '../views/nodes';
import { pointerOf, runIdOf } from './arguments';
import { command, type CommandDefinition, type CommandDeps } from './needs';
import { pickRun } from './pickers';

export function runCommands({ service, webviews, runsView }: CommandDeps): CommandDefinition[] {
  const showRun = (store: LineageStore, id: string) => webviews.openRunInspector(store.resolveRunId(id));

  return [
    command(Commands.recent, { store: true }, async ({ store }) => {
      const run = await pickRun(service, store.recent({ limit: 200 }).items, 'mltrace: Recent Runs');
      if (run) await showRun(store, run.id);
    }),

    command(Commands.inspect, { store: true }, async ({ store }, arg?: unknown) => {
      const id =
        runIdOf(arg) ??
        (await pickRun(service, store.recent({ limit: 500 }).items, 'mltrace: Inspect Run'))?.id;
      if (id) return showRun(store, id);
    }),

    command(Commands.showStale, { store: true }, async ({ store }) => {
      const stale = service.staleRuns();
      if (stale.length === 0) {
        void vscode.window.showInformationMessage("mltrace: no component's latest run is stale.");
        return;
      }
      const run = await pickRun(service, stale, `mltrace: ${plural(stale.length, 'stale run')}`);
      if (run) await showRun(store, run.id);
    }),

    command(Commands.openSource, { store: true }, async ({ store }, arg?: unknown) => {
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
          `mltrace: the source file ${visible(run.sourceFile)} is not in the workspace any more.`,
        );
        return;
      }
      const line = Math.max(0, (run.sourceLine ?? 1) - 1);
      await vscode.window.showTextDocument(uri, { selection: new vscode.Range(line, 0, line, 0) });
    }),

    command(Commands.openPointer, {}, async (_given, arg?: unknown) => {
      const name = pointerOf(service, arg);
      const uri = name ? service.pointerUri(name) : undefined;
      if (!uri || !fs.existsSync(uri.fsPath)) {
        void vscode.window.showInformationMessage(
          `mltrace: "${visible(name ?? '?')}" is not a file in the workspace now.`,
        );
        return;
      }
      await vscode.commands.executeCommand('vscode.open', uri);
    }),

    command(Commands.copyRunId, {}, async (_given, arg?: unknown) => {
      const id = runIdOf(arg);
      if (!id) return;
      await vscode.env.clipboard.writeText(id);
      vscode.window.setStatusBarMessage(`Copied run id ${shortRunId(id)}`, 2000);
    }),

    command(Commands.loadMoreRuns, {}, () => runsView.loadMore()),
  ];
}
