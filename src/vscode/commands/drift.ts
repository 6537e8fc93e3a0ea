// Ignore a Column in Drift: a column that moves by design (a row id, a timestamp) into
// `mltrace.drift.ignoreColumns`, or out of it again. The run inspector's Data tab offers it on the
// column shown; from the palette it asks for the name.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { setDriftColumnIgnored } from '../settings';
import { command, type CommandDefinition } from './needs';

export function driftCommands(): CommandDefinition[] {
  return [
    command(
      Commands.ignoreDriftColumn,
      { trust: 'Ignoring a column in drift' },
      async (_given, column?: unknown, ignore?: unknown) => {
        let name = typeof column === 'string' && column !== '' ? column : undefined;
        name ??= await vscode.window.showInputBox({
          title: 'mltrace: Ignore a Column in Drift',
          prompt: 'A column name; * matches any text (id, *_at). It will never count as drift.',
          validateInput: (value) => (value === '' ? 'A column name is needed.' : null),
        });
        if (!name) return;
        await setDriftColumnIgnored(name, ignore !== false);
      },
    ),
  ];
}
