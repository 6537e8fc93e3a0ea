// CodeLens above each component's function: last run, run count, status and staleness (opens the
// history), a second lens to trace its latest output, and, where the latest run's code changed
// since (staleness rule 4), a third to compare with the code at that run. Registered only while enabled;
// `provideCodeLenses` only places lenses, `resolveCodeLens` runs the queries.
import * as vscode from 'vscode';
import type { Run } from '../core/model';
import { codeChangedReason } from '../core/staleness';
import { Commands, Settings } from './constants';
import { ComponentAnchor, locateComponents } from '../core/componentLocator';
import type { LineageService } from './lineageService';
import { plural, relativeTime, runCodicon, runState, visible } from './presentation';
import { onDidChangeSetting, readSettings } from './settings';

class ComponentLens extends vscode.CodeLens {
  constructor(
    range: vscode.Range,
    readonly component: string,
    readonly role: 'summary' | 'trace' | 'compare',
  ) {
    super(range);
  }
}

/** Languages whose decorators name components even before a run was logged. */
const DECORATOR_LANGUAGES = new Set(['python']);

export class LineageCodeLensProvider implements vscode.CodeLensProvider<ComponentLens> {
  readonly onDidChangeCodeLenses: vscode.Event<void>;
  /** Runs by source file, cached until the store changes. */
  private runsBySource = new Map<string, Run[]>();
  private counts: Map<string, number> | undefined;

  constructor(private readonly service: LineageService) {
    this.onDidChangeCodeLenses = (listener, thisArg, disposables) =>
      service.onDidChange(
        () => {
          this.runsBySource.clear();
          this.counts = undefined;
          listener.call(thisArg);
        },
        undefined,
        disposables,
      );
  }

  /** Anchors of the components in a document (shared with the Problems). */
  anchors(document: vscode.TextDocument): ComponentAnchor[] {
    const rel = this.service.pointerName(document.uri);
    const store = this.service.store;
    if (!rel || !store) return [];
    let runs = this.runsBySource.get(rel);
    if (!runs) this.runsBySource.set(rel, (runs = store.runsOfSource(rel, 500)));
    if (runs.length === 0 && !DECORATOR_LANGUAGES.has(document.languageId)) return [];
    return locateComponents(document.getText(), runs);
  }

  provideCodeLenses(document: vscode.TextDocument, token: vscode.CancellationToken): ComponentLens[] {
    const lenses: ComponentLens[] = [];
    const anchors = this.anchors(document);
    const codeChanged = anchors.length ? this.codeChanged() : new Set<string>();
    for (const anchor of anchors) {
      if (token.isCancellationRequested) return [];
      const range = new vscode.Range(anchor.line, 0, anchor.line, 0);
      lenses.push(new ComponentLens(range, anchor.component, 'summary'));
      if (anchor.recorded) lenses.push(new ComponentLens(range, anchor.component, 'trace'));
      if (codeChanged.has(anchor.component))
        lenses.push(new ComponentLens(range, anchor.component, 'compare'));
    }
    return lenses;
  }

  /** Components whose latest run is stale because its code changed (the service caches these runs). */
  private codeChanged(): Set<string> {
    return new Set(
      this.service
        .staleRuns()
        .filter(
          (r) =>
            r.sourceFile &&
            r.stale.includes(
              codeChangedReason({
                component: r.component,
                id: r.id,
                sourceFile: r.sourceFile,
                sourceLine: r.sourceLine,
              }),
            ),
        )
        .map((r) => r.component),
    );
  }

  resolveCodeLens(lens: ComponentLens, token: vscode.CancellationToken): ComponentLens {
    const store = this.service.store;
    if (!store || token.isCancellationRequested) return lens;
    this.counts ??= new Map(store.components().map((c) => [c.name, c.runCount]));
    const count = this.counts.get(lens.component) ?? 0;
    const latest = count ? store.history(lens.component, { limit: 1 })[0] : undefined;
    if (!latest) {
      lens.command = { title: `mltrace: ${visible(lens.component)} — never run`, command: '' };
      return lens;
    }
    if (lens.role === 'compare') {
      lens.command = {
        title: '$(diff) Compare with Code at Run',
        command: Commands.compareCode,
        arguments: [latest.id],
        tooltip: `The code of ${visible(lens.component)} changed since its latest run: show the difference`,
      };
      return lens;
    }
    if (lens.role === 'trace') {
      const output = latest.outputs[0];
      lens.command = output
        ? {
            title: `$(type-hierarchy) Trace ${visible(output)}`,
            command: Commands.trace,
            arguments: [output],
            tooltip: `Show the lineage of ${visible(output)}, the latest output of ${visible(lens.component)}`,
          }
        : {
            title: '$(type-hierarchy) Inspect latest run',
            command: Commands.inspect,
            arguments: [latest.id],
          };
      return lens;
    }
    const reasons = this.service.staleness([latest]).get(latest.id) ?? [];
    const state = runState(latest, reasons.length > 0);
    const staleness = reasons.length ? ` (${plural(reasons.length, 'reason')})` : '';
    lens.command = {
      title: `${runCodicon(state)} mltrace: last run ${relativeTime(latest.startTime)} · ${plural(count, 'run')} · ${state}${staleness}`,
      tooltip: reasons.length
        ? `May need re-running:\n${reasons.map((r) => `• ${visible(r)}`).join('\n')}`
        : `Show the history of ${visible(lens.component)}`,
      command: Commands.history,
      arguments: [lens.component],
    };
    return lens;
  }
}

/** Registers the provider while `mltrace.codeLens.enabled` is on. */
export class CodeLensController implements vscode.Disposable {
  readonly provider: LineageCodeLensProvider;
  private registration: vscode.Disposable | undefined;
  private readonly settingListener: vscode.Disposable;

  constructor(service: LineageService) {
    this.provider = new LineageCodeLensProvider(service);
    this.update();
    this.settingListener = onDidChangeSetting([Settings.codeLensEnabled], () => this.update());
  }

  private update(): void {
    const enabled = readSettings().codeLensEnabled;
    if (enabled && !this.registration)
      this.registration = vscode.languages.registerCodeLensProvider({ scheme: 'file' }, this.provider);
    if (!enabled && this.registration) {
      this.registration.dispose();
      this.registration = undefined;
    }
  }

  dispose(): void {
    this.settingListener.dispose();
    this.registration?.dispose();
  }
}
