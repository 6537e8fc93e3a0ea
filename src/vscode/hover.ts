// Hover on a string literal that names a logged pointer: who produced it, when, its flag, and
// links to trace it or list its readers.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LineageStore } from '../core/store';
import type { RunCode } from './codeAtRun';
import { Commands } from './constants';
import type { LineageService } from './lineageService';
import { code, md, plural, relativeTime, runCodicon, runState, shortRunId } from './presentation';

const STRING_LITERAL = /(["'`])((?:\\.|(?!\1)[^\\\n])*)\1/g;
/** Longer strings are not file names: not worth a lookup. */
const MAX_NAME = 400;

export class PointerHoverProvider implements vscode.HoverProvider {
  constructor(
    private readonly service: LineageService,
    private readonly runCode?: RunCode,
  ) {}

  async provideHover(
    document: vscode.TextDocument,
    position: vscode.Position,
    token: vscode.CancellationToken,
  ): Promise<vscode.Hover | undefined> {
    const store = this.service.store;
    if (!store) return undefined;
    const line = document.lineAt(position.line).text;
    for (const m of line.matchAll(STRING_LITERAL)) {
      const start = m.index + 1;
      const end = start + m[2].length;
      if (position.character < start || position.character > end) continue;
      if (!m[2] || m[2].length > MAX_NAME || token.isCancellationRequested) return undefined;
      const name = this.resolve(store, m[2], document.uri);
      if (!name) return undefined;
      return new vscode.Hover(
        await this.render(store, name),
        new vscode.Range(position.line, start, position.line, end),
      );
    }
    return undefined;
  }

  /** The logged pointer a string names: as written, or as a path relative to the document. */
  private resolve(store: LineageStore, text: string, documentUri: vscode.Uri): string | undefined {
    if (store.hasPointer(text)) return text;
    if (documentUri.scheme !== 'file') return undefined;
    const relative = this.service.pointerName(
      vscode.Uri.file(path.resolve(path.dirname(documentUri.fsPath), text)),
    );
    return relative && relative !== text && store.hasPointer(relative) ? relative : undefined;
  }

  private async render(store: LineageStore, name: string): Promise<vscode.MarkdownString> {
    const pointer = store.pointersNamed([name]).get(name);
    const producer = store.producer(name);
    const tip = new vscode.MarkdownString(undefined, true);
    tip.isTrusted = { enabledCommands: [Commands.trace, Commands.showConsumers, Commands.inspect] };
    tip.appendMarkdown(
      `**mltrace** ${code(name)}${pointer ? ` (${md(pointer.type)})` : ''}${pointer?.flagged ? ' — $(flag) **flagged as erroneous**' : ''}\n\n`,
    );
    if (producer) {
      const explained = { ...producer, stale: this.service.staleness([producer]).get(producer.id) ?? [] };
      // What git says changed in the producer's code (rule 4), when the workspace may run git.
      await this.runCode?.explain([explained]);
      const reasons = explained.stale;
      const state = runState(producer, reasons.length > 0);
      tip.appendMarkdown(
        `${runCodicon(state)} Produced by **${md(producer.component)}** (run [${md(shortRunId(producer.id))}](${commandUri(Commands.inspect, producer.id)})), ${md(state)}, ${md(relativeTime(producer.startTime))}\n\n`,
      );
      if (reasons.length)
        tip.appendMarkdown(
          `$(history) ${md(reasons[0])}${reasons.length > 1 ? ` (+${reasons.length - 1} more)` : ''}\n\n`,
        );
    } else {
      tip.appendMarkdown('No logged run wrote it.\n\n');
    }
    if (pointer)
      tip.appendMarkdown(
        `Written by ${plural(pointer.writers, 'run')}, read by ${plural(pointer.readers, 'run')}.\n\n`,
      );
    tip.appendMarkdown(
      `[$(type-hierarchy) Trace lineage](${commandUri(Commands.trace, name)}) · [Show runs that read it](${commandUri(Commands.showConsumers, name)})`,
    );
    return tip;
  }
}

const commandUri = (command: string, arg: string): string =>
  `command:${command}?${encodeURIComponent(JSON.stringify([arg]))}`;
