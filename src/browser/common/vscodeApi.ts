/// <reference lib="dom" />
// The webview side of the channel: `acquireVsCodeApi` once, typed posts, state, and host messages.
import type { HostMessage, ViewMessage } from '../../shared/protocol';
import { isHostMessage } from '../../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
const vscode = (): VsCodeApi => (api ??= acquireVsCodeApi());

export const post = (message: ViewMessage): void => vscode().postMessage(message);

export function getState<T>(guard: (value: unknown) => value is T): T | undefined {
  const state = vscode().getState();
  return guard(state) ? state : undefined;
}

export const setState = (state: unknown): void => vscode().setState(state);

/**
 * Listens to the host, then says `ready` (the host sends data only after that). A `ready` sent
 * while the panel is still being set up can be lost: it is said again until the host answers.
 */
export function connect(onMessage: (message: HostMessage) => void): void {
  let answered = false;
  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    if (!isHostMessage(event.data)) return;
    answered = true;
    onMessage(event.data);
  });
  let attempts = 0;
  const sayReady = () => {
    if (answered || attempts++ >= 20) return;
    post({ type: 'ready' });
    setTimeout(sayReady, 500);
  };
  sayReady();
}
