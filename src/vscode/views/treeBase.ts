// What the three trees share: nodes that compute their children only when expanded, and a
// provider that refreshes only while its view is visible (a hidden view is refreshed when shown).
import * as vscode from 'vscode';
import type { LineageService } from '../lineageService';
import { visible } from '../presentation';

export interface LineageNode {
  treeItem(): vscode.TreeItem;
  children?(): LineageNode[];
}

export abstract class LineageTreeProvider implements vscode.TreeDataProvider<LineageNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<LineageNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  protected readonly disposables: vscode.Disposable[] = [this.emitter];
  private view: vscode.TreeView<LineageNode> | undefined;
  private stale = false;

  constructor(protected readonly service: LineageService) {
    this.disposables.push(service.onDidChange(() => this.refresh()));
  }

  /** Creates the tree view; the provider owns it. */
  createView(id: string): vscode.TreeView<LineageNode> {
    this.view = vscode.window.createTreeView(id, { treeDataProvider: this, showCollapseAll: true });
    this.disposables.push(
      this.view,
      this.view.onDidChangeVisibility(({ visible }) => {
        if (visible && this.stale) this.refresh();
      }),
    );
    return this.view;
  }

  get treeView(): vscode.TreeView<LineageNode> | undefined {
    return this.view;
  }

  /** Re-reads the tree now if it is visible, else when it is next shown. */
  refresh(): void {
    this.invalidate();
    if (this.view && !this.view.visible) {
      this.stale = true;
      return;
    }
    this.stale = false;
    this.emitter.fire(undefined);
  }

  getTreeItem(node: LineageNode): vscode.TreeItem {
    return node.treeItem();
  }

  getChildren(node?: LineageNode): LineageNode[] {
    const store = this.service.store;
    if (!store) return [];
    try {
      return node ? (node.children?.() ?? []) : this.roots();
    } catch (error) {
      return [new MessageNode(`Could not read the lineage: ${(error as Error).message}`, 'error')];
    }
  }

  /** Drops what the provider cached for the previous state of the store. */
  protected invalidate(): void {}

  protected abstract roots(): LineageNode[];

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** A line of text in a tree (an error, notes, "no runs yet"): it may quote the log, so it is escaped. */
export class MessageNode implements LineageNode {
  constructor(
    private readonly text: string,
    private readonly icon = 'info',
  ) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(visible(this.text));
    item.iconPath = new vscode.ThemeIcon(this.icon);
    return item;
  }
}
