// A run's code as git or the log knows it, for the editor: rule 4's reasons explained with the
// commits since the run (hover, Problems), and the left side of "Compare with Code at Run", a
// read-only document `mltrace-code:/<source file>?run=<run id>`.
//
// git runs only in a trusted workspace: a repository's own configuration can start programs
// (core.fsmonitor, a diff driver), so in Restricted Mode the reasons stay as staleness gave them
// and the diff shows the code the log recorded.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeAtRun, type CodeAtRun, explainCodeChanges } from '../core/codeExplanation';
import { CodeHistory } from '../core/codeHistory';
import type { Run, RunDetail } from '../core/model';
import type { LineageService } from './lineageService';
import type { Trust } from './trust';

export const CODE_AT_RUN_SCHEME = 'mltrace-code';

export class RunCode implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** One per store root: its cache lives as long as the root does. */
  private historyValue: CodeHistory | undefined;
  private readonly registration: vscode.Disposable;

  constructor(
    private readonly service: LineageService,
    private readonly trust: Trust,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(CODE_AT_RUN_SCHEME, this);
  }

  /** git for the store's root; undefined in Restricted Mode or before a folder is known. */
  history(): CodeHistory | undefined {
    const root = this.service.location?.root;
    if (!root || !this.trust.trusted) return undefined;
    if (this.historyValue?.root !== root) this.historyValue = new CodeHistory(root);
    return this.historyValue;
  }

  /** Adds the commits since each run to its "code changed" reason, in place (nothing without git). */
  async explain(runs: ReadonlyArray<Run>): Promise<void> {
    const history = this.history();
    if (history) await explainCodeChanges(runs, history);
  }

  /** The run's source file at its commit, else the code recorded with it. */
  codeAt(run: RunDetail): Promise<CodeAtRun | null> {
    return codeAtRun(run, this.history());
  }

  /** The read-only document of the run's code; its path ends with the source file's name, for its language. */
  uriFor(run: Run): vscode.Uri {
    const file = run.sourceFile ? path.basename(run.sourceFile) : 'code';
    return vscode.Uri.from({
      scheme: CODE_AT_RUN_SCHEME,
      path: `/${file}`,
      query: new URLSearchParams({ run: run.id }).toString(),
    });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const runId = new URLSearchParams(uri.query).get('run');
    const store = await this.service.whenReady();
    if (!store || !runId) return '';
    const code = await this.codeAt(store.inspect(runId));
    return code?.text ?? '';
  }

  dispose(): void {
    this.registration.dispose();
  }
}
