// Flags, review and notes: what a user writes to the log about its outputs and runs. Each of
// these writes events, so each needs a trusted workspace.
import * as vscode from 'vscode';
import type { LineageStore } from '../../core/store';
import { Commands } from '../constants';
import { plural, runTitle, visible } from '../presentation';
import { loggedPointer, runIdOf } from './arguments';
import { command, type CommandDefinition, type CommandDeps } from './needs';
import { pickPointer, pickRun } from './pickers';

export function flagCommands({ service, webviews }: CommandDeps): CommandDefinition[] {
  /** Flags or unflags the files the argument names (an explorer multi-selection: all of them). */
  async function setFlag(store: LineageStore, arg: unknown, selection: unknown, flagged: boolean) {
    const verb = flagged ? 'Flag' : 'Unflag';
    // Explorer multi-selection: (clicked, [all selected]).
    const targets =
      Array.isArray(selection) && selection.length > 1 ? selection : arg === undefined ? [] : [arg];
    let names: string[];
    if (targets.length === 0) {
      const picked = await pickPointer(store, `mltrace: ${verb} Output`, !flagged);
      names = picked ? [picked] : [];
    } else {
      names = targets
        .map((t) => loggedPointer(service, store, t))
        .filter((n): n is string => n !== undefined);
    }
    if (names.length === 0) return;
    service.write((w) => {
      for (const name of names) {
        const { namespace, name: bare } = store.pointerIdentity(name);
        w.flag(bare, flagged, namespace);
      }
    });
    vscode.window.setStatusBarMessage(
      `mltrace: ${flagged ? 'flagged' : 'unflagged'} ${names.map((n) => visible(n)).join(', ')}`,
      3000,
    );
  }

  return [
    command(
      Commands.flag,
      { trust: 'Flagging', store: true },
      ({ store }, arg?: unknown, selection?: unknown) => setFlag(store, arg, selection, true),
    ),
    command(
      Commands.unflag,
      { trust: 'Unflagging', store: true },
      ({ store }, arg?: unknown, selection?: unknown) => setFlag(store, arg, selection, false),
    ),

    command(Commands.unflagAll, { trust: 'Unflagging', store: true }, async ({ store }) => {
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
    }),

    command(Commands.review, { store: true }, () => webviews.openReview()),

    command(
      Commands.addNotes,
      { trust: 'Adding notes', store: true },
      async ({ store }, arg?: unknown, notesArg?: unknown) => {
        const id =
          runIdOf(arg) ??
          (await pickRun(service, store.recent({ limit: 500 }).items, 'mltrace: Add Notes to Run'))?.id;
        if (!id) return;
        const run = store.inspect(id);
        const notes =
          typeof notesArg === 'string'
            ? notesArg
            : await vscode.window.showInputBox({
                title: `Notes for ${runTitle(run)}`,
                prompt: "Added to the run's notes (notes accumulate).",
                ignoreFocusOut: true,
              });
        if (!notes?.trim()) return;
        service.write((w) => w.addNotes(run.id, run.component, notes.trim()));
      },
    ),
  ];
}
