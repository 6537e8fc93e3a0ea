/// <reference lib="dom" />
// A tab strip as the WAI-ARIA tabs pattern has it: buttons with role=tab in a tablist, one tab in
// the Tab order, Left/Right/Home/End move between tabs and select them (automatic activation),
// each panel labelled by its tab. Plain buttons rather than vscode-tabs: its panels live in slots
// of a shadow root, which the page's tests and the render-from-scratch of each update do not suit.
import { el } from '../common/dom';
import { chooseTab, chosenTab } from './viewState';

export interface TabSpec {
  id: string;
  label: string;
}

/** Appends a tab strip and one panel per tab to `parent`; returns the panels, in order. */
export function tabs(parent: HTMLElement, specs: TabSpec[]): HTMLElement[] {
  const kept = chosenTab();
  const current = specs.some((t) => t.id === kept) ? kept : specs[0].id;
  const list = el('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': 'Run inspector' } });
  const panels: HTMLElement[] = [];
  const buttons = specs.map((spec) => {
    const tab = el('button', {
      className: 'tab',
      text: spec.label,
      attrs: { role: 'tab', id: `tab-${spec.id}`, 'aria-controls': `panel-${spec.id}`, type: 'button' },
    });
    panels.push(
      el('div', {
        className: 'tab-panel',
        attrs: { role: 'tabpanel', id: `panel-${spec.id}`, 'aria-labelledby': `tab-${spec.id}` },
      }),
    );
    return tab;
  });
  const select = (i: number, focus: boolean) => {
    if (specs[i].id !== chosenTab()) chooseTab(specs[i].id);
    buttons.forEach((b, k) => {
      b.setAttribute('aria-selected', String(k === i));
      b.tabIndex = k === i ? 0 : -1;
      panels[k].hidden = k !== i;
    });
    if (focus) buttons[i].focus();
  };
  buttons.forEach((b, i) => {
    b.addEventListener('click', () => select(i, false));
    b.addEventListener('keydown', (event) => {
      const last = buttons.length - 1;
      const next =
        event.key === 'ArrowRight'
          ? (i + 1) % buttons.length
          : event.key === 'ArrowLeft'
            ? (i + last) % buttons.length
            : event.key === 'Home'
              ? 0
              : event.key === 'End'
                ? last
                : null;
      if (next === null) return;
      event.preventDefault();
      select(next, true);
    });
  });
  list.append(...buttons);
  parent.append(list, ...panels);
  select(
    specs.findIndex((t) => t.id === current),
    false,
  );
  return panels;
}
