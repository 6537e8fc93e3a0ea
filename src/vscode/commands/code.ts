// Compare with Code at Run: the diff editor between a run's source file at its commit (or, without
// git, the code the log recorded with it) and the file as it is now.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeAtRunLabel } from '../../core/codeExplanation';
import type { RunDetail } from '../../core/model';
import type { RunCode } from '../codeAtRun';
import { Commands } from '../constants';
import type { LineageService } from '../lineageService';
import { runTitle, visible } from '../presentation';
import { runIdOf } from './arguments';
import { command, type CommandDefinition, type CommandDeps } from './needs';
import { pickRun } from './pickers';

export function codeCommands({ service, runCode }: CommandDeps): CommandDefinition[] {
  return [
    command(Commands.compareCode, { store: true }, async ({ store }, arg?: unknown) => {
      let id = runIdOf(arg);
      if (!id) {
        const withSource = store.recent({ limit: 500 }).items.filter((r) => r.sourceFile);
        if (store.recent({ limit: 1 }).items.length > 0 && withSource.length === 0) {
          void vscode.window.showInformationMessage(
            'mltrace: no run recorded its source file. Runs logged with @register (Python) or the Node shim record it.',
          );
          return;
        }
        id = (await pickRun(service, withSource, 'mltrace: Compare with Code at Run'))?.id;
      }
      if (id) await compareWithCodeAtRun(store.inspect(id), service, runCode);
    }),
  ];
}

async function compareWithCodeAtRun(
  run: RunDetail,
  service: LineageService,
  runCode: RunCode,
): Promise<void> {
  if (!run.sourceFile) {
    void vscode.window.showInformationMessage(
      `mltrace: ${runTitle(run)} recorded no source file, so there is nothing to compare.`,
    );
    return;
  }
  const current = service.sourceUri(run.sourceFile);
  if (!current || !fs.existsSync(current.fsPath)) {
    void vscode.window.showWarningMessage(
      `mltrace: the source file ${visible(run.sourceFile)} is not in the workspace any more.`,
    );
    return;
  }
  const code = await runCode.codeAt(run);
  if (!code) {
    void vscode.window.showInformationMessage(
      `mltrace: ${runTitle(run)} recorded no code, and git cannot give ${visible(run.sourceFile)} at its commit.`,
    );
    return;
  }
  const name = visible(path.basename(run.sourceFile));
  await vscode.commands.executeCommand(
    'vscode.diff',
    runCode.uriFor(run),
    current,
    `${name} (${visible(codeAtRunLabel(run, code))}) ↔ ${name} now`,
    { preview: true },
  );
}
