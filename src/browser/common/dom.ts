/// <reference lib="dom" />
// DOM helpers that only ever set text, escaped (names of components and files come from users' logs).
// Also the run-state and flag icons the inspector, review and history pages draw alike.
import { visible } from '../../core/format';
import { FLAGGED_ICON, RUN_STATE_ICONS, RunState } from '../../shared/icons';

export interface ElementOptions {
  className?: string;
  text?: string;
  attrs?: Record<string, string>;
  title?: string;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  options: ElementOptions = {},
  children: Array<Node | null | undefined | false> = [],
): HTMLElementTagNameMap[K] {
  return custom(tag, options, children) as HTMLElementTagNameMap[K];
}

/** Any element (vscode-elements' custom ones too) with attributes and text: text, never HTML. */
export function custom(
  tag: string,
  options: ElementOptions = {},
  children: Array<Node | null | undefined | false> = [],
): HTMLElement {
  const element = document.createElement(tag);
  if (options.className) element.className = options.className;
  // Control and bidi characters in names are shown as escapes, as in the CLI and the editor.
  if (options.text !== undefined) element.textContent = visible(options.text);
  if (options.title !== undefined) element.title = visible(options.title, { lines: true });
  for (const [name, value] of Object.entries(options.attrs ?? {})) element.setAttribute(name, visible(value));
  for (const child of children) if (child) element.append(child);
  return element;
}

/** A codicon (`<span class="codicon codicon-NAME" aria-hidden>`), with an optional label for screen readers. */
export function icon(name: string, label?: string): HTMLSpanElement {
  const span = el('span', { className: `codicon codicon-${name}` });
  if (label) {
    span.setAttribute('role', 'img');
    span.setAttribute('aria-label', label);
    span.title = label;
  } else span.setAttribute('aria-hidden', 'true');
  return span;
}

/** A run state's codicon in the state's colour; `labelled`: read out (else decoration beside words). */
export function stateIcon(state: RunState, { labelled = false } = {}): HTMLSpanElement {
  const { name, label } = RUN_STATE_ICONS[state];
  return el('span', { className: `state-icon state-${state}` }, [icon(name, labelled ? label : undefined)]);
}

/** The flag codicon in the error colour; `label` for screen readers where no words say it. */
export function flagIcon(label?: string): HTMLSpanElement {
  return el('span', { className: 'flag-icon' }, [icon(FLAGGED_ICON.name, label)]);
}

export const clear = (element: Element): void => element.replaceChildren();

/** A `vscode-button` that runs `onClick`; `iconName` a codicon. */
export function button(
  label: string,
  onClick: () => void,
  options: { iconName?: string; secondary?: boolean; disabled?: boolean; title?: string } = {},
): HTMLElement {
  const attrs: Record<string, string> = {};
  if (options.iconName) attrs.icon = options.iconName;
  if (options.secondary) attrs.secondary = '';
  if (options.disabled) attrs.disabled = '';
  const b = custom('vscode-button', { text: label, attrs, title: options.title });
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}

/** An error bar at the top of the body; replaced by the next error, removed by `clearError`. */
export function showError(message: string): void {
  let bar = document.getElementById('host-error');
  if (!bar) {
    bar = el('div', { className: 'error-bar', attrs: { id: 'host-error', role: 'alert' } });
    document.body.prepend(bar);
  }
  bar.replaceChildren(icon('error'), el('span', { text: message }));
}

export function clearError(): void {
  document.getElementById('host-error')?.remove();
}
