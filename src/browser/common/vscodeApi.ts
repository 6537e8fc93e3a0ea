/// <reference lib="dom" />
// The webview side of the channel: `acquireVsCodeApi` once, typed posts, state, and host messages
// (`connectView`: what every page does with them, so that each page says only what is its own).
import type { HostMessage, ViewData, ViewKind, ViewMessage } from '../../shared/protocol';
import { isHostMessage } from '../../shared/protocol';
import { clearError, showError } from './dom';

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

/**
 * `connect` for one page: the host's data for `view` (init or update) clears the error bar and
 * goes to `render`; an error goes to the error bar; anything else (`highlight`) to `other`.
 */
export function connectView<K extends ViewKind>(
  view: K,
  render: (data: Extract<ViewData, { view: K }>, first: boolean) => void,
  other: (message: HostMessage) => void = () => {},
): void {
  let first = true;
  connect((message) => {
    if (message.type === 'error') showError(message.message);
    else if (message.type === 'init' || message.type === 'update') {
      if (message.data.view !== view) return;
      clearError();
      render(message.data as Extract<ViewData, { view: K }>, first);
      first = false;
    } else other(message);
  });
}
