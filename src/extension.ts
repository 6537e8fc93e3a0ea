// Wiring only: builds the services, hands each its disposables, returns at once. The store opens
// off the critical path (LineageService.start).
import * as vscode from 'vscode';
import { RunCode } from './vscode/codeAtRun';
import { CodeLensController } from './vscode/codeLens';
import { type Needs, registerCommands } from './vscode/commands';
import { type CommandId, Views } from './vscode/constants';
import { DecorationsController } from './vscode/decorations';
import { DiagnosticsController } from './vscode/diagnostics';
import { PointerHoverProvider } from './vscode/hover';
import { LineageService } from './vscode/lineageService';
import { StatusBar, TeamStatusBar } from './vscode/statusBar';
import { TeamSyncService } from './vscode/teamSync';
import { TerminalEnvironment } from './vscode/terminalEnvironment';
import { Trust } from './vscode/trust';
import { ComponentsView } from './vscode/views/componentsView';
import { FlaggedView } from './vscode/views/flaggedView';
import { RunsView } from './vscode/views/runsView';
import { registerWebviews, Webviews } from './vscode/webviews';
import { LabelsView } from './vscode/labels/labelsView';
import { TasksView } from './vscode/tasks/tasksView';
import { RetractedLabelsController } from './vscode/labels/retractedLabels';

/** What the extension exports: used by its own extension-host tests. */
export interface MltraceApi {
  service: LineageService;
  views: {
    components: ComponentsView;
    runs: RunsView;
    flagged: FlaggedView;
    labels: LabelsView;
    tasks: TasksView;
  };
  retractedLabels: RetractedLabelsController;
  codeLens: CodeLensController;
  diagnostics: DiagnosticsController;
  decorations: DecorationsController;
  statusBar: StatusBar;
  teamStatusBar: TeamStatusBar;
  webviews: Webviews;
  terminal: TerminalEnvironment;
  team: TeamSyncService;
  /** A run's code at its commit, and rule 4 explained with git (trusted workspaces only). */
  runCode: RunCode;
  /** What each command declared it needs (a trusted workspace, an open store). */
  commandNeeds: ReadonlyMap<CommandId, Needs>;
}

export function activate(context: vscode.ExtensionContext): MltraceApi {
  const own = <T extends vscode.Disposable>(disposable: T): T => {
    context.subscriptions.push(disposable);
    return disposable;
  };
  const log = own(vscode.window.createOutputChannel('mltrace', { log: true }));
  const trust = own(new Trust());
  const service = own(new LineageService(trust, log, context.storageUri?.fsPath));
  const webviews = own(registerWebviews(context, service));
  const team = own(new TeamSyncService(service, trust, context.secrets, context.globalState, log));
  const runCode = own(new RunCode(service, trust));

  const components = own(new ComponentsView(service));
  components.createView(Views.components);
  const runs = own(new RunsView(service));
  runs.createView(Views.runs);
  const flagged = own(new FlaggedView(service));
  flagged.createView(Views.flagged);
  const labels = own(new LabelsView(service));
  labels.createView(Views.labels);
  const tasks = own(new TasksView(service));
  tasks.createView(Views.tasks);

  const commands = registerCommands({
    extensionPath: context.extensionUri.fsPath,
    service,
    trust,
    webviews,
    componentsView: components,
    runsView: runs,
    log,
    team,
    runCode,
  });
  commands.disposables.forEach(own);
  const codeLens = own(new CodeLensController(service));
  const diagnostics = own(new DiagnosticsController(service, runCode));
  const decorations = own(new DecorationsController(service));
  const retractedLabels = own(new RetractedLabelsController(service));
  own(vscode.languages.registerHoverProvider({ scheme: 'file' }, new PointerHoverProvider(service, runCode)));
  const statusBar = own(new StatusBar(service));
  const teamStatusBar = own(new TeamStatusBar(team));
  const terminal = own(
    new TerminalEnvironment(
      context.environmentVariableCollection,
      context.extensionUri.fsPath,
      service,
      trust,
    ),
  );

  service.start();
  team.start();
  return {
    service,
    views: { components, runs, flagged, labels, tasks },
    retractedLabels,
    codeLens,
    diagnostics,
    decorations,
    statusBar,
    teamStatusBar,
    webviews,
    terminal,
    team,
    runCode,
    commandNeeds: commands.needs,
  };
}

export function deactivate(): void {
  // Everything, the store included (saved when trusted), is disposed through context.subscriptions.
}
