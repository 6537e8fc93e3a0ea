// Human output of `mltrace labels` and `mltrace label <id>` (docs/LABELS.md). Labels come from
// logs: every one goes through `visible()`, hashed ones shortened.
import { plural, relativeTime as sentenceTime, runLabel, visible } from '../core/format';
import { displayLabel } from '../core/labels/keyedHash';
import type { LabelDetail, LabelSummary } from '../core/labels/queries';
import { dim, relativeTime, table } from './tables';

const retracted = (iso: string | null) => (iso === null ? '—' : `${relativeTime(iso)} (${iso.slice(0, 10)})`);

export function labelsTable(labels: LabelSummary[]): string {
  if (labels.length === 0)
    return dim('No labels: attach them with Component.run(input_vars={"path": "labels"}).');
  return table(
    ['LABEL', 'POINTERS', 'RETRACTED'],
    labels.map((l) => [visible(displayLabel(l.label)), String(l.pointers), retracted(l.retractedAt)]),
  );
}

export function labelCard(detail: LabelDetail): string {
  const head =
    `${visible(detail.label)}: ` +
    (detail.retractedAt
      ? `retracted ${visible(sentenceTime(detail.retractedAt))} (${detail.retractedAt.slice(0, 10)}); `
      : 'not retracted; ') +
    `${plural(detail.pointers, 'pointer')} carry it now, read by ${plural(detail.runs, 'run')}.`;
  if (detail.carriers.length === 0) return head;
  return [
    head,
    '',
    table(
      ['POINTER', 'WRITTEN BY', 'WHEN'],
      detail.carriers.map((c) => [
        visible(c.pointer),
        c.runId && c.component ? visible(runLabel(c.component, c.runId)) : dim('— (attached where read)'),
        c.writtenAt ? relativeTime(c.writtenAt) : '',
      ]),
    ),
  ].join('\n');
}
