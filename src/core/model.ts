// The vocabulary of the whole codebase (DESIGN.md §2): what the queries return.

export type RunStatus = 'running' | 'complete' | 'failed';
export type PointerType = 'DATA' | 'MODEL' | 'ENDPOINT' | 'UNKNOWN';

/** One execution of a component, as every query returns it. */
export interface Run {
  /** Full UUID. Humans see `shortId(id)`. */
  id: string;
  component: string;
  status: RunStatus;
  /** ISO 8601. */
  startTime: string;
  endTime: string | null;
  /** Pointer names read / written. */
  inputs: string[];
  outputs: string[];
  /** Ids of the runs this one depends on. */
  dependencies: string[];
  /** Staleness reasons, one sentence each (empty when not computed or fresh). */
  stale: string[];
  gitHash: string | null;
  gitTags: string[];
  sourceFile: string | null;
  sourceLine: number | null;
  notes: string;
  error: string | null;
  /** Who ran it and on which machine (mltrace_run), when the events say: teammates' runs. */
  user?: string;
  host?: string;
}

/** A parameter as logged: a JSON value (plain values as they are; others as their text). */
export type ParamValue = string | number | boolean | null | unknown[] | { [key: string]: unknown };

/** What a run was given and how it did (facets mltrace_params, mltrace_metrics). */
export interface RunValues {
  params: Record<string, ParamValue>;
  metrics: Record<string, number>;
}

/** A run of a component's history, with its parameters and metrics (columns of the table). */
export interface HistoryRun extends Run, RunValues {}

export interface RunDetail extends Run, RunValues {
  /** Source code recorded for the run, if any. */
  codeSnapshot: string | null;
  codeLanguage: string | null;
  description: string;
  owner: string;
  tags: string[];
  inputPointers: PointerIO[];
  outputPointers: PointerIO[];
}

export interface PointerIO {
  name: string;
  type: PointerType;
  flagged: boolean;
  fingerprint: string | null;
}

export interface TracedRun extends Run {
  depth: number;
}

export interface Trace {
  pointer: string;
  direction: 'upstream' | 'downstream';
  runs: TracedRun[];
  /** How many runs the whole trace has: more than `runs.length` when a limit cut it. */
  total: number;
}

/** Where a lineage starts: a pointer or a run, and which way it is followed. */
export type LineageStart =
  | { kind: 'pointer'; name: string; direction: 'upstream' | 'downstream' }
  | { kind: 'run'; id: string; direction: 'upstream' | 'downstream' };

/** The nearest runs of a lineage of any size (queries.ts `lineageWindow`). */
export interface LineageWindow {
  /** Nearest first (smallest depth, then newest), each at its smallest depth. */
  runs: TracedRun[];
  /** How many runs the whole lineage has. */
  total: number;
  /** Ids of the runs of the window whose further lineage (that way) was left out. */
  frontier: string[];
}

export interface Component {
  name: string;
  description: string;
  owner: string;
  tags: string[];
  runCount: number;
  lastRunTime: string | null;
}

export interface Pointer {
  name: string;
  type: PointerType;
  flagged: boolean;
  writers: number;
  readers: number;
}

export interface ReviewedRun extends Run {
  count: number;
  coverage: number;
  suspiciousness: number;
}

export interface Review {
  flagged: string[];
  runs: ReviewedRun[];
}

export interface Problem {
  /** Path of the log file (absolute). */
  file: string;
  /** 1-based line number. */
  line: number;
  reason: string;
  severity: 'error' | 'warning';
}

export interface IngestReport {
  files: number;
  bytes: number;
  events: number;
  runs: number;
  problems: Problem[];
  rebuilt: string | null;
  /** The log was parsed in a worker thread while this one applied it (large backlogs). */
  parsedInWorker: boolean;
  /**
   * Files whose end is a line without its newline: those bytes are read once the line ends (a
   * writer may be in the middle of it; one that never ends its lines is never read).
   */
  waiting: Array<{ file: string; bytes: number }>;
  /** Segments read for the first time (docs/LAYOUT.md): the index recorded them, even with no new event. */
  segments: number;
}

/** A failure the user caused (unknown id, ambiguous prefix...): shown as one line, never a stack. */
export class LineageError extends Error {
  constructor(
    message: string,
    readonly kind: 'not-found' | 'ambiguous' | 'invalid' = 'not-found',
  ) {
    super(message);
    this.name = 'LineageError';
  }
}
