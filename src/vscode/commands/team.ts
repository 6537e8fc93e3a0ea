// The team store: connect (asks the URI and password, tests them, then saves), sync now,
// disconnect, forget the password. The sync itself runs in ../teamSync.ts.
import * as vscode from 'vscode';
import { serverName, TeamError } from '../../core/team/server';
import { Commands } from '../constants';
import { visible } from '../presentation';
import { splitPassword, type TeamUriSource } from '../teamSync';
import { command, type CommandDefinition, type CommandDeps } from './needs';

export function teamCommands({ team }: CommandDeps): CommandDefinition[] {
  return [
    command(Commands.connectTeamStore, { trust: 'Connecting a team store' }, async () => {
      const entered = await vscode.window.showInputBox({
        title: 'mltrace: Connect Team Store (1/3)',
        prompt:
          'The PostgreSQL URI of the team store. Leave the password out: it is asked next and kept in VS Code’s secret storage.',
        placeHolder: 'postgresql://user@host:5432/database?sslmode=require',
        value: team.configured()?.uri ?? '',
        ignoreFocusOut: true,
        validateInput: (text) =>
          splitPassword(text)
            ? undefined
            : 'A PostgreSQL URI: postgresql://user@host:port/database (options after ?, like sslmode=require)',
      });
      const parts = entered === undefined ? undefined : splitPassword(entered);
      if (!parts) return;
      const { uri } = parts;
      const server = visible(serverName(uri));
      let password = parts.password;
      if (password === undefined) {
        password = await vscode.window.showInputBox({
          title: 'mltrace: Connect Team Store (2/3)',
          prompt: `The password of ${server}. Empty: PGPASSWORD or ~/.pgpass decide (or the server needs none).`,
          password: true,
          ignoreFocusOut: true,
        });
        if (password === undefined) return;
      }
      const secret = password || undefined;
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `mltrace: connecting to ${server}…` },
          () => team.test(uri, secret),
        );
      } catch (error) {
        const message = error instanceof TeamError ? error.message : String((error as Error).message);
        void vscode.window.showErrorMessage(`mltrace: ${visible(message)}. Nothing was saved.`);
        return;
      }
      const scopes: Array<vscode.QuickPickItem & { target: TeamUriSource }> = [
        { label: 'For me', detail: 'User settings: every workspace of mine syncs with it.', target: 'user' },
        {
          label: 'For this workspace',
          detail:
            'Workspace settings (.vscode/settings.json): others who open it are asked before it is used.',
          target: 'workspace',
        },
      ];
      const scope = await vscode.window.showQuickPick(scopes, {
        title: `mltrace: Connect Team Store (3/3): connected to ${server}. Save it where?`,
        ignoreFocusOut: true,
      });
      if (!scope) return;
      await team.save(uri, secret, scope.target);
      void vscode.window.showInformationMessage(
        `mltrace: syncing with ${server}${secret ? '; its password is in VS Code’s secret storage' : ''}.`,
      );
    }),

    command(Commands.syncNow, { trust: 'Syncing with the team store' }, () => team.syncNow()),

    command(Commands.disconnectTeamStore, { trust: 'Disconnecting the team store' }, async () => {
      const config = team.configured();
      if (!(await team.disconnect())) {
        void vscode.window.showInformationMessage('mltrace: no team store is configured.');
        return;
      }
      void vscode.window.showInformationMessage(
        `mltrace: stopped syncing with ${visible(serverName(config?.uri ?? ''))}. Its events pulled so far stay in the local log.`,
      );
    }),

    command(Commands.forgetTeamPassword, {}, async () => {
      const uri = team.configured()?.uri;
      const forgot = await team.forgetPassword();
      void vscode.window.showInformationMessage(
        forgot
          ? `mltrace: forgot the password of ${visible(serverName(uri ?? ''))}.`
          : 'mltrace: no team store password is stored.',
      );
    }),
  ];
}
