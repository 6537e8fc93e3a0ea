// What a command's argument names. Commands are run from tree items, explorer and editor menus
// (a URI), the context menus of a webview (its node's `data-vscode-context`), other commands and
// the webviews (a string), and the palette (nothing: the command then asks with a quick pick).
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { LineageStore } from '../../core/store';
import type { LineageService } from '../lineageService';
import { visible } from '../presentation';
import { ComponentNode, TagNode } from '../views/componentsView';
import { isPointerNode, isRunNode } from '../views/nodes';
import { pointerFromWebviewContext, runIdFromWebviewContext } from '../webviews';

const nonEmptyString = (arg: unknown): string | undefined =>
  typeof arg === 'string' && arg ? arg : undefined;

/** The pointer an argument names: a tree item, a graph node, a URI (explorer, editor) or a name. */
export function pointerOf(service: LineageService, arg: unknown): string | undefined {
  if (isPointerNode(arg)) return arg.name;
  const fromWebview = pointerFromWebviewContext(arg);
  if (fromWebview) return fromWebview;
  if (arg instanceof vscode.Uri) return service.pointerName(arg);
  return nonEmptyString(arg);
}

/** Like `pointerOf`, with a clear message when the file was never logged. */
export function loggedPointer(
  service: LineageService,
  store: LineageStore,
  arg: unknown,
): string | undefined {
  const name = pointerOf(service, arg);
  if (name === undefined) {
    void vscode.window.showWarningMessage(
      'mltrace works on files inside the workspace folder: open or select one there.',
    );
    return undefined;
  }
  if (!store.hasPointer(name)) {
    const shown = visible(name);
    void vscode.window.showInformationMessage(
      `mltrace: "${shown}" was never logged: no run read or wrote it. Log it as an input or output of a run (for example with @register(..., outputs=["${shown}"]) or "mltrace run -- <command>"), then try again.`,
    );
    return undefined;
  }
  return name;
}

/** The run a tree item or a graph node stands for (not a string: that may name a file). */
export function runOfNode(arg: unknown): string | undefined {
  return isRunNode(arg) ? arg.run.id : runIdFromWebviewContext(arg);
}

/** The run id an argument names: a run's tree item, a graph node, or an id (or its prefix). */
export function runIdOf(arg: unknown): string | undefined {
  return runOfNode(arg) ?? nonEmptyString(arg);
}

export function componentOf(arg: unknown): string | undefined {
  return arg instanceof ComponentNode ? arg.component.name : typeof arg === 'string' ? arg : undefined;
}

export function tagOf(arg: unknown): string | undefined {
  return arg instanceof TagNode ? arg.tag : typeof arg === 'string' ? arg : undefined;
}

/** The folder an explorer menu was opened on, else the store's root, else the first folder. */
export function folderOf(service: LineageService, arg: unknown): string | undefined {
  if (arg instanceof vscode.Uri && fs.existsSync(arg.fsPath) && fs.statSync(arg.fsPath).isDirectory())
    return arg.fsPath;
  return (
    service.location?.root ??
    vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath
  );
}
