// Tree nodes shared by the views: a run (expanding to its inputs, outputs, dependencies and
// staleness reasons), a pointer, a group and a reason. Children are read when expanded.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { PointerType, Run } from '../../core/model';
import { Commands, ItemContext } from '../constants';
import type { LineageService } from '../lineageService';
import {
  code,
  elsewhere,
  md,
  plural,
  pointerIcon,
  relativeTime,
  runIcon,
  runState,
  runTooltip,
  shortRunId,
  visible,
} from '../presentation';
import { LineageNode, MessageNode } from './treeBase';

export class RunNode implements LineageNode {
  readonly kind = 'run';

  constructor(
    private readonly service: LineageService,
    readonly run: Run,
    /** Staleness reasons, when the view computed them with the run. */
    private readonly staleReasons: string[] | undefined,
    private readonly idPrefix: string,
    private readonly label: 'component' | 'time' = 'component',
  ) {}

  private reasons(): string[] {
    return this.staleReasons ?? this.service.staleness([this.run]).get(this.run.id) ?? [];
  }

  treeItem(): vscode.TreeItem {
    const reasons = this.reasons();
    const state = runState(this.run, reasons.length > 0);
    const when = relativeTime(this.run.startTime, { compact: true });
    const item = new vscode.TreeItem(
      this.label === 'component' ? visible(this.run.component) : when,
      vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `${this.idPrefix}/run:${this.run.id}`;
    // The state first: a narrow sidebar cuts the end of the description.
    const parts = [shortRunId(this.run.id)];
    if (state !== 'complete') parts.push(state);
    if (this.label === 'component') parts.push(when);
    // A teammate's run (logged on another machine) says whose and where.
    const away = elsewhere(this.run);
    if (away) parts.push(away);
    item.description = parts.join(' · ');
    item.iconPath = runIcon(state);
    item.tooltip = runTooltip(this.run, reasons);
    item.contextValue = this.run.sourceFile ? ItemContext.runWithSource : ItemContext.run;
    item.accessibilityInformation = {
      label: `${visible(this.run.component)} run ${shortRunId(this.run.id)}, ${state}, started ${relativeTime(this.run.startTime)}`,
    };
    return item;
  }

  children(): LineageNode[] {
    const store = this.service.store;
    if (!store) return [];
    const detail = store.inspect(this.run.id);
    const reasons = this.reasons();
    const prefix = `${this.idPrefix}/run:${this.run.id}`;
    const nodes: LineageNode[] = [];
    if (reasons.length) {
      nodes.push(
        new GroupNode(
          'May need re-running',
          'history',
          `${prefix}/stale`,
          () => reasons.map((r) => new ReasonNode(r)),
          true,
          'list.warningForeground',
        ),
      );
    }
    if (detail.error) nodes.push(new MessageNode(detail.error, 'error'));
    const pointers = (list: typeof detail.inputPointers, key: string) => () =>
      list.map((p) => new PointerNode(this.service, p.name, p.type, p.flagged, `${prefix}/${key}`));
    for (const [label, icon, key, list] of [
      ['Inputs', 'arrow-right', 'in', detail.inputPointers],
      ['Outputs', 'arrow-left', 'out', detail.outputPointers],
    ] as const)
      nodes.push(
        new GroupNode(`${label} (${list.length})`, icon, `${prefix}/${key}`, pointers(list, key), true),
      );
    if (detail.dependencies.length) {
      nodes.push(
        new GroupNode(`Depends on (${detail.dependencies.length})`, 'references', `${prefix}/deps`, () => {
          // One step upstream, read when expanded: never the whole trace (it can be 50,000 runs deep).
          return store
            .dependencies(this.run.id)
            .map((r) => new RunNode(this.service, r, undefined, `${prefix}/deps`));
        }),
      );
    }
    if (detail.notes) nodes.push(new MessageNode(`Notes: ${detail.notes.replace(/\s+/g, ' ')}`, 'note'));
    return nodes;
  }
}

export class PointerNode implements LineageNode {
  readonly kind = 'pointer';

  constructor(
    private readonly service: LineageService,
    readonly name: string,
    private readonly type: PointerType,
    readonly flagged: boolean,
    private readonly idPrefix: string,
    private readonly childrenOf?: () => LineageNode[],
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      visible(this.name),
      this.childrenOf ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `${this.idPrefix}/pointer:${this.name}`;
    item.iconPath = pointerIcon(this.type, this.flagged);
    item.description = visible(this.type.toLowerCase());
    item.contextValue = this.flagged ? ItemContext.pointerFlagged : ItemContext.pointer;
    const uri = this.service.pointerUri(this.name);
    const exists = uri ? fs.existsSync(uri.fsPath) : false;
    if (uri && exists) {
      // The file's decorations (flagged, stale) show in the tree too.
      item.resourceUri = uri;
      item.command = { command: Commands.openPointer, title: 'Open', arguments: [this.name] };
    }
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(
      `${this.flagged ? '$(flag) **Flagged as erroneous** — ' : ''}${code(this.name)} (${md(this.type)})\n\n`,
    );
    tip.appendMarkdown(exists ? 'Click to open the file.' : 'The file is not in the workspace now.');
    item.tooltip = tip;
    return item;
  }

  children(): LineageNode[] {
    return this.childrenOf?.() ?? [];
  }
}

export class GroupNode implements LineageNode {
  constructor(
    private readonly label: string,
    private readonly icon: string,
    private readonly id: string,
    private readonly childrenOf: () => LineageNode[],
    private readonly expanded = false,
    private readonly color?: string,
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(
      this.label,
      this.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon(
      this.icon,
      this.color ? new vscode.ThemeColor(this.color) : undefined,
    );
    item.contextValue = ItemContext.group;
    return item;
  }

  children(): LineageNode[] {
    return this.childrenOf();
  }
}

export class ReasonNode implements LineageNode {
  constructor(private readonly reason: string) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(visible(this.reason));
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
    item.tooltip = new vscode.MarkdownString(md(this.reason));
    item.contextValue = ItemContext.reason;
    return item;
  }
}

export class LoadMoreNode implements LineageNode {
  constructor(private readonly loaded: number) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…');
    item.id = `loadMore:${this.loaded}`;
    item.description = `${plural(this.loaded, 'run')} shown`;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.command = { command: Commands.loadMoreRuns, title: 'Load More Runs' };
    item.contextValue = ItemContext.loadMore;
    return item;
  }
}

/** Whether a command's argument is a run's or a file's tree item (see commands/arguments.ts). */
export const isRunNode = (value: unknown): value is RunNode => value instanceof RunNode;
export const isPointerNode = (value: unknown): value is PointerNode => value instanceof PointerNode;
