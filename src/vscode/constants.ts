// Every id the extension shares with package.json: one source of truth. A test checks that the
// commands contributed in package.json, the commands listed here and those registered (by
// src/vscode/commands/) are the same set.

export const EXTENSION_ID = 'mltrace.mltrace-vscode';

export const Commands = {
  recent: 'mltrace.recent',
  history: 'mltrace.history',
  inspect: 'mltrace.inspect',
  trace: 'mltrace.trace',
  flag: 'mltrace.flag',
  unflag: 'mltrace.unflag',
  unflagAll: 'mltrace.unflagAll',
  review: 'mltrace.review',
  filterByTag: 'mltrace.filterByTag',
  clearTagFilter: 'mltrace.clearTagFilter',
  addNotes: 'mltrace.addNotes',
  refresh: 'mltrace.refresh',
  showProblems: 'mltrace.showProblems',
  showConsumers: 'mltrace.showConsumers',
  showStale: 'mltrace.showStale',
  openSource: 'mltrace.openSource',
  openPointer: 'mltrace.openPointer',
  copyRunId: 'mltrace.copyRunId',
  loadMoreRuns: 'mltrace.loadMoreRuns',
  createExample: 'mltrace.createExample',
  writePythonShim: 'mltrace.writePythonShim',
  insertLoggingSnippet: 'mltrace.insertLoggingSnippet',
  connectTeamStore: 'mltrace.connectTeamStore',
  disconnectTeamStore: 'mltrace.disconnectTeamStore',
  forgetTeamPassword: 'mltrace.forgetTeamPassword',
  syncNow: 'mltrace.syncNow',
  compareCode: 'mltrace.compareCode',
  ignoreDriftColumn: 'mltrace.ignoreDriftColumn',
  openTask: 'mltrace.openTask',
  highlightLabel: 'mltrace.highlightLabel',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const VIEW_CONTAINER = 'mltrace';
export const Views = {
  components: 'mltrace.components',
  runs: 'mltrace.runs',
  flagged: 'mltrace.flagged',
  labels: 'mltrace.labels',
  tasks: 'mltrace.tasks',
} as const;

/** Context keys set with `setContext`, used in package.json `when` clauses. */
export const ContextKeys = {
  /** The store was opened (or failed to open) for this workspace. */
  ready: 'mltrace.ready',
  /** At least one run was logged. */
  hasRuns: 'mltrace.hasRuns',
  hasFlagged: 'mltrace.hasFlagged',
  /** Paths of the flagged files. */
  flaggedFiles: 'mltrace.flaggedFiles',
  /** A tag filter is applied to the Components view. */
  tagFiltered: 'mltrace.tagFiltered',
} as const;

/** `contextValue`s of tree items, matched by `view/item/context` menus. */
export const ItemContext = {
  tag: 'mltrace.tag',
  component: 'mltrace.component',
  run: 'mltrace.run',
  runWithSource: 'mltrace.run.source',
  pointer: 'mltrace.pointer',
  pointerFlagged: 'mltrace.pointer.flagged',
  group: 'mltrace.group',
  reason: 'mltrace.reason',
  loadMore: 'mltrace.loadMore',
} as const;

export const SETTINGS_SECTION = 'mltrace';
/** Setting keys, relative to the `mltrace` section. */
export const Settings = {
  storeDirectory: 'storeDirectory',
  stalenessThresholdDays: 'stalenessThresholdDays',
  codeLensEnabled: 'codeLens.enabled',
  problemsEnabled: 'problems.enabled',
  problemsSeverity: 'problems.severity',
  decorationsEnabled: 'decorations.enabled',
  autoCompactEndedFiles: 'autoCompact.endedFiles',
  teamUri: 'team.uri',
  teamPollSeconds: 'team.pollSeconds',
  profileBudgetMs: 'profile.budgetMs',
  namespace: 'namespace',
  driftThreshold: 'drift.threshold',
  driftNullRatePoints: 'drift.nullRatePoints',
  driftMinRows: 'drift.minRows',
  driftEpsilon: 'drift.epsilon',
  driftBins: 'drift.bins',
  driftTopValues: 'drift.topValues',
  driftIgnoreColumns: 'drift.ignoreColumns',
} as const;

/** The drift settings (drift.ts DriftSettings), each under its key. */
export const DRIFT_SETTINGS = {
  threshold: Settings.driftThreshold,
  nullRatePoints: Settings.driftNullRatePoints,
  minRows: Settings.driftMinRows,
  epsilon: Settings.driftEpsilon,
  bins: Settings.driftBins,
  topValues: Settings.driftTopValues,
  ignoreColumns: Settings.driftIgnoreColumns,
} as const;

/** Keys of what the extension keeps in `globalState` and `secrets`. */
export const StateKeys = {
  /** The team store URI a workspace's settings name, once the user confirmed it: + workspace key. */
  teamConfirmed: 'mltrace.team.confirmed:',
  /** The team store's password in SecretStorage: + serverName(uri). */
  teamPassword: 'mltrace.team.password:',
} as const;

/** How many runs the Runs view loads per page. */
export const RUNS_PAGE_SIZE = 25;
/** Quiet time after the last change to the event log before it is ingested. */
export const INGEST_DEBOUNCE_MS = 150;
/** Quiet time after this machine's writer files change before they are pushed to the team store. */
export const TEAM_PUSH_DEBOUNCE_MS = 1000;
/** Reconnecting to a team store that is down: the first wait, doubled each time up to the last. */
export const TEAM_RETRY_MS = { first: 2000, max: 60_000 } as const;
