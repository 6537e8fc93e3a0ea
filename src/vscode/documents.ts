// Read-only Markdown documents for a trace, a run card and the review of flagged outputs, served
// under the `mltrace:` scheme and re-rendered when the store changes. (The webviews of a later
// issue replace the trace and the run card; `showTrace` is the one place to swap.)
import * as vscode from 'vscode';
import type { RunDetail, TracedRun } from '../core/model';
import { shortId } from '../core/model';
import { DOCUMENT_SCHEME } from './constants';
import type { LineageService } from './lineageService';
import { absoluteTime, duration, plural, relativeTime, runState } from './presentation';

export type DocumentKind = 'trace' | 'run' | 'review';

interface DocumentRequest {
  kind: DocumentKind;
  /** Pointer name (trace) or run id (run); empty for the review. */
  key: string;
}

const STATE_MARK = { complete: '✓', failed: '✗', running: '…', stale: '⚠' } as const;

export class LineageDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.emitter.event;
  private readonly disposables: vscode.Disposable[] = [this.emitter];

  constructor(private readonly service: LineageService) {
    this.disposables.push(
      vscode.workspace.registerTextDocumentContentProvider(DOCUMENT_SCHEME, this),
      service.onDidChange(() => {
        for (const doc of vscode.workspace.textDocuments)
          if (doc.uri.scheme === DOCUMENT_SCHEME) this.emitter.fire(doc.uri);
      }),
    );
  }

  static uri(kind: DocumentKind, key: string): vscode.Uri {
    const title =
      kind === 'trace'
        ? `Lineage of ${key.split('/').pop()}`
        : kind === 'run'
          ? `Run ${shortId(key)}`
          : 'Review of flagged outputs';
    return vscode.Uri.from({
      scheme: DOCUMENT_SCHEME,
      path: `/${kind}/${title}`,
      query: JSON.stringify({ kind, key }),
    });
  }

  /** Opens (or focuses) the document, read-only, beside nothing: in the active editor group. */
  async show(kind: DocumentKind, key: string): Promise<vscode.TextEditor> {
    let doc = await vscode.workspace.openTextDocument(LineageDocuments.uri(kind, key));
    // The title has no .md (tabs read "Lineage of model.pkl"): set the language instead.
    if (doc.languageId !== 'markdown') doc = await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    return vscode.window.showTextDocument(doc, { preview: true });
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const store = this.service.store;
    if (!store) return this.service.openError ?? 'The lineage store is not open yet. Run "mltrace: Refresh".';
    let request: DocumentRequest;
    try {
      request = JSON.parse(uri.query) as DocumentRequest;
    } catch {
      return `This mltrace document link is damaged (${uri.toString()}).`;
    }
    try {
      switch (request.kind) {
        case 'trace':
          return this.renderTrace(request.key);
        case 'run':
          return this.renderRun(store.inspect(request.key));
        case 'review':
          return this.renderReview();
      }
    } catch (error) {
      return `# mltrace\n\n${(error as Error).message}\n`;
    }
    return '';
  }

  private renderTrace(pointer: string): string {
    const store = this.service.store!;
    const up = store.trace(pointer, { staleness: false });
    const down = store.trace(pointer, { downstream: true, staleness: false });
    const reasons = this.service.staleness([...up.runs, ...down.runs]);
    const flagged = store.pointers({ flagged: true }).some((p) => p.name === up.pointer);
    const out: string[] = [`# Lineage of \`${up.pointer}\``, ''];
    if (flagged) out.push('**⚑ Flagged as erroneous.**', '');
    const stale = up.runs.filter((r) => reasons.has(r.id)).length;
    out.push('## Upstream — the runs that produced it', '');
    if (up.runs.length === 0) out.push('_No logged run wrote it: it is only ever read._', '');
    else
      out.push(
        `${plural(up.runs.length, 'run')}${stale ? `, ${stale} stale` : ''}. Indented runs are the dependencies of the run above them.`,
        '',
      );
    out.push(...up.runs.flatMap((r) => this.tracedRun(r, reasons.get(r.id) ?? [])), '');
    out.push('## Downstream — the runs that read it, and what depends on them', '');
    if (down.runs.length === 0) out.push('_No logged run read it._', '');
    out.push(...down.runs.flatMap((r) => this.tracedRun(r, reasons.get(r.id) ?? [])), '');
    return out.join('\n');
  }

  private tracedRun(run: TracedRun, reasons: string[]): string[] {
    const indent = '  '.repeat(run.depth);
    const state = runState(run, reasons.length > 0);
    const where = run.sourceFile ? ` — ${run.sourceFile}${run.sourceLine ? `:${run.sourceLine}` : ''}` : '';
    const lines = [
      `${indent}- ${STATE_MARK[state]} **${run.component}** run \`${shortId(run.id)}\`, ${state}, ${relativeTime(run.startTime)} (${absoluteTime(run.startTime)})${where}`,
    ];
    if (run.inputs.length) lines.push(`${indent}  reads ${run.inputs.map((p) => `\`${p}\``).join(', ')}`);
    if (run.outputs.length) lines.push(`${indent}  writes ${run.outputs.map((p) => `\`${p}\``).join(', ')}`);
    for (const reason of reasons) lines.push(`${indent}  - ⚠ ${reason}`);
    return lines;
  }

  private renderRun(run: RunDetail): string {
    const reasons = this.service.staleness([run]).get(run.id) ?? [];
    const state = runState(run, reasons.length > 0);
    const out = [`# ${STATE_MARK[state]} ${run.component} — run \`${shortId(run.id)}\``, ''];
    out.push(`| | |`, `|---|---|`);
    out.push(`| Run id | \`${run.id}\` |`);
    out.push(`| Status | ${state} |`);
    out.push(`| Started | ${absoluteTime(run.startTime)} (${relativeTime(run.startTime)}) |`);
    out.push(`| Ended | ${absoluteTime(run.endTime)}${duration(run) ? ` (took ${duration(run)})` : ''} |`);
    if (run.owner) out.push(`| Owner | ${run.owner} |`);
    if (run.tags.length) out.push(`| Tags | ${run.tags.join(', ')} |`);
    if (run.sourceFile)
      out.push(`| Source | \`${run.sourceFile}${run.sourceLine ? `:${run.sourceLine}` : ''}\` |`);
    if (run.gitHash)
      out.push(`| Git | \`${run.gitHash}\`${run.gitTags.length ? ` (${run.gitTags.join(', ')})` : ''} |`);
    out.push('');
    if (run.description) out.push(run.description, '');
    if (run.error) out.push('## Error', '', '```', run.error, '```', '');
    if (reasons.length) out.push('## May need re-running', '', ...reasons.map((r) => `- ⚠ ${r}`), '');
    const pointers = (list: RunDetail['inputPointers']) =>
      list.length
        ? list.map(
            (p) =>
              `- \`${p.name}\` (${p.type})${p.flagged ? ' **⚑ flagged**' : ''}${p.fingerprint ? ` — ${p.fingerprint.slice(0, 19)}…` : ''}`,
          )
        : ['_none_'];
    out.push(
      '## Inputs',
      '',
      ...pointers(run.inputPointers),
      '',
      '## Outputs',
      '',
      ...pointers(run.outputPointers),
      '',
    );
    if (run.dependencies.length)
      out.push('## Depends on', '', ...run.dependencies.map((d) => `- run \`${shortId(d)}\``), '');
    if (run.notes) out.push('## Notes', '', run.notes, '');
    if (run.codeSnapshot)
      out.push('## Code', '', '```' + (run.codeLanguage ?? ''), run.codeSnapshot.trimEnd(), '```', '');
    return out.join('\n');
  }

  private renderReview(): string {
    const review = this.service.store!.review();
    const out = ['# Review of flagged outputs', ''];
    if (review.flagged.length === 0) {
      out.push(
        'No output is flagged. Flag an erroneous output from the explorer (right-click → "Flag as Erroneous Output") or with "mltrace: Flag as Erroneous Output".',
      );
      return out.join('\n');
    }
    out.push(`Flagged: ${review.flagged.map((f) => `\`${f}\``).join(', ')}`, '');
    out.push(
      'Runs in the traces of the flagged outputs, most common first. *Coverage*: the share of flagged traces that contain the run; *suspiciousness* (Ochiai) also counts the unflagged outputs the run contributed to.',
      '',
    );
    out.push(
      '| Run | Component | Started | In flagged traces | Coverage | Suspiciousness |',
      '|---|---|---|---|---|---|',
    );
    for (const r of review.runs) {
      out.push(
        `| \`${shortId(r.id)}\` | ${r.component} | ${relativeTime(r.startTime)} | ${r.count} | ${Math.round(r.coverage * 100)}% | ${r.suspiciousness.toFixed(2)} |`,
      );
    }
    return out.join('\n') + '\n';
  }
}

/**
 * Shows the lineage of a pointer. The one entry point of "Trace lineage": the lineage-graph
 * webview of a later issue replaces the body of this function.
 */
export async function showTrace(documents: LineageDocuments, pointer: string): Promise<void> {
  await documents.show('trace', pointer);
}
