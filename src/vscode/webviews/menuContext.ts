// What the `webview/context` menus hand to commands: the node's `data-vscode-context` plus
// `webview` (the panel's view type). The commands read their pointer or run from it with these
// (src/vscode/commands/arguments.ts).
import type { WebviewNodeContext } from '../../shared/protocol';

type MenuArgument = Partial<WebviewNodeContext> & { webview?: unknown };

const isMenuArgument = (arg: unknown): arg is MenuArgument =>
  typeof arg === 'object' && arg !== null && 'webviewSection' in arg;

/** The pointer of a graph node the user right-clicked, if `arg` is such a menu argument. */
export function pointerFromWebviewContext(arg: unknown): string | undefined {
  return isMenuArgument(arg) && typeof arg.mltracePointer === 'string' ? arg.mltracePointer : undefined;
}

/** The run id of a graph node the user right-clicked, if `arg` is such a menu argument. */
export function runIdFromWebviewContext(arg: unknown): string | undefined {
  return isMenuArgument(arg) && typeof arg.mltraceRunId === 'string' ? arg.mltraceRunId : undefined;
}
