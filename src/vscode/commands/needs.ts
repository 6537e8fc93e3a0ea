// The one place a command's needs are checked. A command declares what it needs — a trusted
// workspace (it writes to it), an open store — and `registerCommand` checks those before the
// handler runs, in that order, telling the user what to do when one is missing. Errors the handler
// throws end here too: a `LineageError` as a warning, anything else logged and shown.
import * as vscode from 'vscode';
import { LineageError } from '../../core/model';
import type { LineageStore } from '../../core/store';
import type { CommandId } from '../constants';
import type { RunCode } from '../codeAtRun';
import type { LineageService } from '../lineageService';
import { visible } from '../presentation';
import type { TeamSyncService } from '../teamSync';
import type { Trust } from '../trust';
import type { ComponentsView } from '../views/componentsView';
import type { RunsView } from '../views/runsView';
import type { Webviews } from '../webviews';

/** What the commands work with. */
export interface CommandDeps {
  /** Where the extension is installed: the Python shim ships in its `python/` folder. */
  extensionPath: string;
  service: LineageService;
  trust: Trust;
  webviews: Webviews;
  componentsView: ComponentsView;
  runsView: RunsView;
  log: vscode.LogOutputChannel;
  team: TeamSyncService;
  /** A run's code at its commit (git) or as recorded: Compare with Code at Run. */
  runCode: RunCode;
}

export interface Needs {
  /**
   * The command writes to the workspace: refused in Restricted Mode. The action, as the
   * warning names it: "<action> writes to the workspace, which is in Restricted Mode."
   */
  readonly trust?: string;
  /** The command reads the store: waits for it to open, and explains when there is none. */
  readonly store?: true;
}

/** What the checks hand to the handler: the open store, when the command needs one. */
export type Given<N extends Needs> = N extends { store: true } ? { store: LineageStore } : object;

export interface CommandDefinition {
  readonly id: CommandId;
  readonly needs: Needs;
  readonly run: (given: { store?: LineageStore }, ...args: unknown[]) => unknown;
}

/** Declares a command: its id, what it needs, and the handler that runs once those are met. */
export function command<const N extends Needs>(
  id: CommandId,
  needs: N,
  run: (given: Given<N>, ...args: unknown[]) => unknown,
): CommandDefinition {
  return { id, needs, run: run as CommandDefinition['run'] };
}

/** Registers one declared command; the handler runs only when its needs are met. */
export function registerCommand(definition: CommandDefinition, deps: CommandDeps): vscode.Disposable {
  const { id, needs, run } = definition;
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      if (needs.trust !== undefined && !deps.trust.requireTrust(needs.trust)) return undefined;
      if (!needs.store) return await run({}, ...args);
      const store = await storeOrExplain(deps.service);
      if (!store) return undefined;
      return await run({ store }, ...args);
    } catch (error) {
      if (error instanceof LineageError) {
        void vscode.window.showWarningMessage(`mltrace: ${visible(error.message)}`);
      } else {
        deps.log.error(`${id} failed: ${(error as Error).stack ?? String(error)}`);
        void vscode.window.showErrorMessage(
          `mltrace: ${visible((error as Error).message)}. See the "mltrace" output channel for details.`,
        );
      }
      return undefined;
    }
  });
}

/** The store, or undefined after telling the user what to do. */
async function storeOrExplain(service: LineageService): Promise<LineageStore | undefined> {
  const store = await service.whenReady();
  if (store) return store;
  void vscode.window.showWarningMessage(
    service.openError ??
      'mltrace needs a folder: open the folder of your pipeline (File → Open Folder), then try again.',
  );
  return undefined;
}
