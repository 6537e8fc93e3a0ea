// Lineage: trace a file or a run, the runs that read a file, the history of a component.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { visible } from '../presentation';
import { componentOf, loggedPointer, runOfNode } from './arguments';
import { command, type CommandDefinition, type CommandDeps } from './needs';
import { pickComponent, pickPointer, pickRun } from './pickers';

export function lineageCommands({ service, webviews }: CommandDeps): CommandDefinition[] {
  return [
    command(Commands.trace, { store: true }, async ({ store }, arg?: unknown) => {
      // A run (tree item, or a run node of a graph): its lineage from there.
      const runId = runOfNode(arg);
      if (runId) return webviews.openLineageGraph({ runId: store.resolveRunId(runId) });
      const name =
        arg === undefined
          ? await pickPointer(store, 'mltrace: Trace Lineage of…')
          : loggedPointer(service, store, arg);
      if (name) return webviews.openLineageGraph({ pointer: name });
    }),

    command(Commands.showConsumers, { store: true }, async ({ store }, arg?: unknown) => {
      const name =
        arg === undefined
          ? await pickPointer(store, 'mltrace: Show Runs That Read…')
          : loggedPointer(service, store, arg);
      if (!name) return;
      const readers = store.readers(name);
      if (readers.length === 0) {
        void vscode.window.showInformationMessage(`mltrace: no logged run read "${visible(name)}".`);
        return;
      }
      const run = await pickRun(service, readers, `mltrace: Runs That Read ${visible(name)}`);
      if (run) await webviews.openRunInspector(store.resolveRunId(run.id));
    }),

    command(Commands.history, { store: true }, async ({ store }, arg?: unknown) => {
      const component =
        componentOf(arg) ?? (await pickComponent(store, 'mltrace: Show History of Component'));
      if (!component) return;
      store.history(component, { limit: 1 }); // an unknown component: a clear message, no empty panel
      return webviews.openHistory(component);
    }),
  ];
}
