// Components, grouped by tag (or filtered to one tag); a component expands to its recent runs.
import * as vscode from 'vscode';
import type { Component } from '../../core/model';
import { ContextKeys, ItemContext } from '../constants';
import type { LineageService } from '../lineageService';
import { code, md, plural, relativeTime, visible } from '../presentation';
import { RunNode } from './nodes';
import { LineageNode, LineageTreeProvider, MessageNode } from './treeBase';

/** How many runs a component shows when expanded (the rest: "mltrace: Show Component History"). */
const RECENT_RUNS = 10;
const UNTAGGED = 'Untagged';

export class ComponentsView extends LineageTreeProvider {
  private tagFilter: string | undefined;
  /** Components whose latest run is stale, computed once per refresh when first needed. */
  private staleComponents: Set<string> | undefined;

  constructor(service: LineageService) {
    super(service);
  }

  get filter(): string | undefined {
    return this.tagFilter;
  }

  setTagFilter(tag: string | undefined): void {
    this.tagFilter = tag;
    void vscode.commands.executeCommand('setContext', ContextKeys.tagFiltered, tag !== undefined);
    if (this.treeView) this.treeView.description = tag ? `tag: ${visible(tag)}` : undefined;
    this.refresh();
  }

  protected override invalidate(): void {
    this.staleComponents = undefined;
  }

  isStale(component: string): boolean {
    this.staleComponents ??= new Set(this.service.staleRuns().map((r) => r.component));
    return this.staleComponents.has(component);
  }

  protected roots(): LineageNode[] {
    const store = this.service.store!;
    if (this.tagFilter) {
      const tagged = store.components({ tag: this.tagFilter });
      if (tagged.length === 0) return [new MessageNode(`No component has the tag "${this.tagFilter}".`)];
      return tagged.map((c) => new ComponentNode(this, c, `tag:${this.tagFilter}`));
    }
    const components = store.components();
    const tags = store.tags();
    if (tags.length === 0) return components.map((c) => new ComponentNode(this, c, 'all'));
    const nodes: LineageNode[] = tags.map((t) => new TagNode(this, t.tag, t.components));
    const untagged = components.filter((c) => c.tags.length === 0).length;
    if (untagged) nodes.push(new TagNode(this, UNTAGGED, untagged));
    return nodes;
  }

  componentsOf(tag: string): Component[] {
    const store = this.service.store!;
    return tag === UNTAGGED
      ? store.components().filter((c) => c.tags.length === 0)
      : store.components({ tag });
  }

  lineage(): LineageService {
    return this.service;
  }
}

export class TagNode implements LineageNode {
  constructor(
    private readonly view: ComponentsView,
    readonly tag: string,
    private readonly count: number,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(visible(this.tag), vscode.TreeItemCollapsibleState.Expanded);
    item.id = `tag:${this.tag}`;
    item.description = plural(this.count, 'component');
    item.iconPath = new vscode.ThemeIcon('tag');
    item.contextValue = this.tag === UNTAGGED ? ItemContext.group : ItemContext.tag;
    return item;
  }

  children(): LineageNode[] {
    return this.view.componentsOf(this.tag).map((c) => new ComponentNode(this.view, c, `tag:${this.tag}`));
  }
}

export class ComponentNode implements LineageNode {
  readonly kind = 'component';

  constructor(
    private readonly view: ComponentsView,
    readonly component: Component,
    private readonly idPrefix: string,
  ) {}

  treeItem(): vscode.TreeItem {
    const c = this.component;
    const stale = this.view.isStale(c.name);
    const item = new vscode.TreeItem(
      visible(c.name),
      c.runCount ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `${this.idPrefix}/component:${c.name}`;
    item.description = [
      plural(c.runCount, 'run'),
      stale ? 'stale' : '',
      c.lastRunTime ? relativeTime(c.lastRunTime, { compact: true }) : 'never run',
    ]
      .filter(Boolean)
      .join(' · ');
    item.iconPath = new vscode.ThemeIcon(
      'symbol-method',
      stale ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    item.contextValue = ItemContext.component;
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(`**${md(c.name)}**${stale ? ' — $(history) latest run is stale' : ''}\n\n`);
    if (c.description) tip.appendMarkdown(`${md(c.description)}\n\n`);
    tip.appendMarkdown(`Owner: ${c.owner ? md(c.owner) : '_none_'}\n\n`);
    if (c.tags.length) tip.appendMarkdown(`Tags: ${c.tags.map(code).join(' ')}\n\n`);
    tip.appendMarkdown(`${plural(c.runCount, 'run')}, last ${md(relativeTime(c.lastRunTime))}`);
    item.tooltip = tip;
    return item;
  }

  children(): LineageNode[] {
    const service = this.view.lineage();
    const runs = service.store!.history(this.component.name, { limit: RECENT_RUNS });
    const reasons = service.staleness(runs);
    return runs.map(
      (r) =>
        new RunNode(
          service,
          r,
          reasons.get(r.id) ?? [],
          `${this.idPrefix}/component:${this.component.name}`,
          'time',
        ),
    );
  }
}
