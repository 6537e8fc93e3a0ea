/// <reference lib="dom" />
// What the reader chose in the inspector — the tab, and the column shown of each input — kept
// with the webview's state, so that it is still chosen when VS Code recreates the page (a panel
// hidden and shown again) as well as when the store changes and the page is drawn again.
import { getState, setState } from '../common/vscodeApi';

interface InspectorState {
  tab?: string;
  /** Pointer → the column shown of it in the Data tab. */
  columns?: Record<string, string>;
}

const isInspectorState = (value: unknown): value is InspectorState =>
  typeof value === 'object' &&
  value !== null &&
  (!('tab' in value) || typeof value.tab === 'string') &&
  (!('columns' in value) || (typeof value.columns === 'object' && value.columns !== null));

let state: InspectorState | undefined;
const current = (): InspectorState => (state ??= getState(isInspectorState) ?? {});

export const chosenTab = (): string | undefined => current().tab;
export const chosenColumn = (pointer: string): string | undefined => {
  const column = current().columns?.[pointer];
  return typeof column === 'string' ? column : undefined;
};

export function chooseTab(tab: string): void {
  state = { ...current(), tab };
  setState(state);
}

export function chooseColumn(pointer: string, column: string): void {
  state = { ...current(), columns: { ...current().columns, [pointer]: column } };
  setState(state);
}
