// The Labels view: every label, retracted ones first; each expands to the files whose latest
// version carries it (docs/LABELS.md). Labels come from logs: shown through visible().
import * as vscode from 'vscode';
import { displayLabel } from '../../core/labels/keyedHash';
import type { LabelSummary } from '../../core/labels/queries';
import { inferPointerType } from '../../core/pointers';
import type { LineageService } from '../lineageService';
import { md, plural, visible } from '../presentation';
import { readSettings } from '../settings';
import { PointerNode } from '../views/nodes';
import { LineageNode, LineageTreeProvider, MessageNode } from '../views/treeBase';
import { retractionAdvice } from './messages';

export class LabelsView extends LineageTreeProvider {
  constructor(service: LineageService) {
    super(service);
  }

  protected roots(): LineageNode[] {
    return this.service.store!.labels.list().map((label) => new LabelNode(this.service, label));
  }
}

export class LabelNode implements LineageNode {
  readonly kind = 'label';

  constructor(
    private readonly service: LineageService,
    readonly label: LabelSummary,
  ) {}

  treeItem(): vscode.TreeItem {
    const { label, retractedAt, pointers } = this.label;
    const item = new vscode.TreeItem(
      visible(displayLabel(label)),
      pointers ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
    );
    item.id = `label:${label}`;
    item.contextValue = retractedAt ? 'mltrace.label.retracted' : 'mltrace.label';
    const files = plural(pointers, 'file');
    item.description = retractedAt ? `retracted ${retractedAt.slice(0, 10)} · ${files}` : files;
    item.iconPath = new vscode.ThemeIcon(
      retractedAt ? 'warning' : 'tag',
      retractedAt ? new vscode.ThemeColor('list.warningForeground') : undefined,
    );
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`Label **${md(displayLabel(label))}**: ${md(files)} carry it now.`);
    if (retractedAt) {
      const { stalenessThresholdDays } = readSettings();
      const advice = retractionAdvice(retractedAt, stalenessThresholdDays).message;
      tip.appendMarkdown(`\n\n${md(advice.charAt(0).toUpperCase() + advice.slice(1))} (${md(retractedAt)}).`);
    }
    item.tooltip = tip;
    return item;
  }

  children(): LineageNode[] {
    const detail = this.service.store!.labels.label(this.label.label);
    if (detail.carriers.length === 0) return [new MessageNode('No file carries it now.')];
    return detail.carriers.map(
      (c) =>
        new PointerNode(
          this.service,
          c.pointer,
          inferPointerType(c.pointer),
          false,
          `label:${this.label.label}`,
        ),
    );
  }
}
