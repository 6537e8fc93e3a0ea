// The quick picks a command shows when it was run from the palette without an argument. Each
// explains itself and returns undefined when there is nothing to pick from.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Problem, Run } from '../../core/model';
import type { LineageStore } from '../../core/store';
import type { LineageService } from '../lineageService';
import { plural, relativeTime, runCodicon, runState, shortRunId, visible } from '../presentation';

interface RunPick extends vscode.QuickPickItem {
  run: Run;
}

/** Lines of a pick's detail, joined and escaped (they quote the log); undefined when all are empty. */
const details = (...parts: string[]): string | undefined =>
  visible(parts.filter(Boolean).join(' · ')) || undefined;

export async function pickRun(service: LineageService, runs: Run[], title: string): Promise<Run | undefined> {
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      'mltrace: no runs are logged yet. Log a run (see the mltrace view), or run "mltrace: Create Example Pipeline".',
    );
    return undefined;
  }
  const reasons = service.staleness(runs);
  const items: RunPick[] = runs.map((run) => {
    const state = runState(run, reasons.has(run.id));
    return {
      run,
      label: `${runCodicon(state)} ${visible(run.component)}`,
      description: `${shortRunId(run.id)} · ${relativeTime(run.startTime)} · ${state}`,
      detail: details(
        run.inputs.length ? `reads ${run.inputs.join(', ')}` : '',
        run.outputs.length ? `writes ${run.outputs.join(', ')}` : '',
      ),
    };
  });
  const pick = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: 'Type a component, a run id prefix or a file name',
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return pick?.run;
}

export async function pickComponent(store: LineageStore, title: string): Promise<string | undefined> {
  const components = store.components();
  if (components.length === 0) {
    void vscode.window.showInformationMessage(
      'mltrace: no components are logged yet. Log a run first, or run "mltrace: Create Example Pipeline".',
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    components.map((c) => ({
      label: `$(symbol-method) ${visible(c.name)}`,
      name: c.name,
      description: `${plural(c.runCount, 'run')} · last ${relativeTime(c.lastRunTime)}`,
      detail: details(
        c.description,
        c.owner ? `owner: ${c.owner}` : '',
        c.tags.length ? `tags: ${c.tags.join(', ')}` : '',
      ),
    })),
    { title, matchOnDescription: true, matchOnDetail: true },
  );
  return pick?.name;
}

/** A logged file or dataset; `flagged` limits the choice to flagged (true) or unflagged (false) ones. */
export async function pickPointer(
  store: LineageStore,
  title: string,
  flagged?: boolean,
): Promise<string | undefined> {
  const pointers = store.pointers(flagged === undefined ? {} : { flagged });
  if (pointers.length === 0) {
    const what = flagged
      ? 'No output is flagged.'
      : flagged === false
        ? 'Every logged output is already flagged.'
        : 'No file or dataset is logged yet: log a run first.';
    void vscode.window.showInformationMessage(`mltrace: ${what}`);
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    pointers.map((p) => ({
      label: `$(${p.flagged ? 'flag' : 'file'}) ${visible(p.name)}`,
      name: p.name,
      description: `${visible(p.type.toLowerCase())} · written by ${plural(p.writers, 'run')}, read by ${plural(p.readers, 'run')}${p.flagged ? ' · flagged' : ''}`,
    })),
    { title, matchOnDescription: true },
  );
  return pick?.name;
}

export async function pickTag(store: LineageStore, title: string): Promise<string | undefined> {
  const tags = store.tags();
  if (tags.length === 0) {
    void vscode.window.showInformationMessage(
      'mltrace: no component has tags yet. Tag components with create_component(..., tags=[...]) or tag_component().',
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    tags.map((t) => ({
      label: `$(tag) ${visible(t.tag)}`,
      tag: t.tag,
      description: plural(t.components, 'component'),
    })),
    { title },
  );
  return pick?.tag;
}

export async function pickProblem(problems: Problem[]): Promise<Problem | undefined> {
  if (problems.length === 0) {
    void vscode.window.showInformationMessage('mltrace: the event log has no problems.');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    problems.map((p) => ({
      label: `$(${p.severity === 'error' ? 'error' : 'warning'}) ${visible(p.reason)}`,
      description: `${visible(path.basename(p.file))}:${p.line}`,
      problem: p,
    })),
    {
      title: `mltrace: ${plural(problems.length, 'problem')} in the event log`,
      matchOnDescription: true,
    },
  );
  return pick?.problem;
}
