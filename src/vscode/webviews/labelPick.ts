// The quick pick of the lineage graph's "Highlight Label…": every label, retracted ones first (as
// the Labels view lists them). Labels come from logs: shown through visible().
import * as vscode from 'vscode';
import { displayLabel } from '../../core/labels/keyedHash';
import type { LabelSummary } from '../../core/labels/queries';
import { plural, visible } from '../presentation';

/** The label chosen (its recorded name), or undefined when the pick was dismissed. */
export async function pickLabel(labels: LabelSummary[], current: string | null): Promise<string | undefined> {
  if (labels.length === 0) {
    void vscode.window.showInformationMessage('mltrace: no label was attached in this log yet.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    labels.map((l) => ({
      label: visible(displayLabel(l.label)),
      description: `${l.retractedAt ? `retracted ${l.retractedAt.slice(0, 10)} · ` : ''}${plural(l.pointers, 'file')}`,
      picked: l.label === current,
      name: l.label,
    })),
    { title: 'mltrace: Highlight Label in the Lineage Graph', placeHolder: 'The label whose spread to mark' },
  );
  return picked?.name;
}
