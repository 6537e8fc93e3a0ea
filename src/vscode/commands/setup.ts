// Setting a workspace up for mltrace: the example pipeline, the Python shim for CI, a logging
// snippet for the function at the cursor.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { createExamplePipeline, EXAMPLE_FOLDER, runExamplePipeline } from '../../example/pipeline';
import { Commands } from '../constants';
import type { LineageService } from '../lineageService';
import { folderOf } from './arguments';
import { command, type CommandDefinition, type CommandDeps } from './needs';
import { insertLoggingSnippet, writePythonShim } from './shim';

export function setupCommands({ service, log, extensionPath }: CommandDeps): CommandDefinition[] {
  return [
    command(Commands.createExample, { trust: 'Creating the example pipeline' }, () =>
      createExample(service, log, extensionPath),
    ),

    command(Commands.writePythonShim, { trust: 'Writing the Python shim' }, async (_given, arg?: unknown) => {
      const folder = folderOf(service, arg);
      if (!folder) {
        void vscode.window.showWarningMessage(
          'mltrace: open the folder of your pipeline first (File → Open Folder).',
        );
        return;
      }
      const target = await writePythonShim(extensionPath, folder);
      if (!target) return;
      const relative =
        path.relative(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? folder, target) || target;
      void vscode.window.showInformationMessage(
        `mltrace: wrote the Python shim to ${relative}/. Scripts run from ${path.basename(folder)}/ can now \`import mltrace\` without VS Code; commit it for CI.`,
      );
      return target;
    }),

    command(Commands.insertLoggingSnippet, {}, () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        void vscode.window.showInformationMessage(
          'mltrace: open the pipeline file and put the cursor in a function first.',
        );
        return;
      }
      return insertLoggingSnippet(editor);
    }),
  ];
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
