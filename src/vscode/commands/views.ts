// The views and the log behind them: refresh, the log's problems, the tag filter of the
// Components view.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { plural } from '../presentation';
import { tagOf } from './arguments';
import { command, type CommandDefinition, type CommandDeps } from './needs';
import { pickProblem, pickTag } from './pickers';

export function viewCommands({ service, componentsView }: CommandDeps): CommandDefinition[] {
  return [
    command(Commands.refresh, { store: true }, () => {
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
    }),

    command(Commands.showProblems, { store: true }, async ({ store }) => {
      const problem = await pickProblem(store.problems());
      if (!problem) return;
      const line = Math.max(0, problem.line - 1);
      await vscode.window.showTextDocument(vscode.Uri.file(problem.file), {
        selection: new vscode.Range(line, 0, line, 0),
      });
    }),

    command(Commands.filterByTag, { store: true }, async ({ store }, arg?: unknown) => {
      const tag = tagOf(arg) || (await pickTag(store, 'mltrace: Filter Components by Tag'));
      if (tag) componentsView.setTagFilter(tag);
    }),

    command(Commands.clearTagFilter, {}, () => componentsView.setTagFilter(undefined)),
  ];
}
