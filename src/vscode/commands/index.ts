// Every command of the extension, by family. Each declares what it needs (a trusted workspace, an
// open store) and needs.ts checks it; pickers.ts asks for what the palette did not pass, and
// arguments.ts reads what a tree item, a menu or a webview did.
import type * as vscode from 'vscode';
import type { CommandId } from '../constants';
import { codeCommands } from './code';
import { driftCommands } from './drift';
import { flagCommands } from './flags';
import { lineageCommands } from './lineage';
import { type CommandDeps, type Needs, registerCommand } from './needs';
import { runCommands } from './runs';
import { setupCommands } from './setup';
import { taskCommands } from './tasks';
import { teamCommands } from './team';
import { viewCommands } from './views';

export type { CommandDeps, Needs } from './needs';

export interface RegisteredCommands {
  /** Unregister the commands. */
  disposables: vscode.Disposable[];
  /** What each command declared it needs. */
  needs: ReadonlyMap<CommandId, Needs>;
}

/** Registers every command in `Commands`. */
export function registerCommands(deps: CommandDeps): RegisteredCommands {
  const definitions = [
    ...lineageCommands(deps),
    ...runCommands(deps),
    ...flagCommands(deps),
    ...viewCommands(deps),
    ...setupCommands(deps),
    ...teamCommands(deps),
    ...codeCommands(deps),
    ...driftCommands(),
    ...taskCommands(deps),
  ];
  return {
    disposables: definitions.map((definition) => registerCommand(definition, deps)),
    needs: new Map(definitions.map((d) => [d.id, d.needs])),
  };
}
