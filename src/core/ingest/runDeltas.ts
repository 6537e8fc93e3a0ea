// Groups a batch of parsed events into what the index applies: one delta per run (its START and
// COMPLETE merged), the component metadata the events carry, and the flags. Pure, with no index:
// a worker thread prepares batches while the thread that owns the index applies earlier ones.
import type {
  ComponentMeta,
  ParsedDataset,
  ParsedEvent,
  ParsedFlagEvent,
  ParsedRetractEvent,
  ParsedRunEvent,
  RunFacts,
} from './parseEvent';
import { noRunFacts } from './parseEvent';
import type { RunValue, TaskRole } from './values';
import type { TaskMetricDefinition } from './taskMetric';

/** A run's events of one batch, merged. */
export interface RunDelta extends RunFacts {
  runId: string;
  component: string;
  namespace: string;
  lifecycle: boolean;
  seq: number;
  firstMs: number;
  startMs: number | null;
  endMs: number | null;
  terminal: { status: 'complete' | 'failed'; ms: number } | null;
  upstream: Set<string>;
  notes: Array<{ ms: number; text: string }>;
  inputs: Map<string, ParsedDataset>;
  outputs: Map<string, ParsedDataset>;
}

export interface SequencedEvent {
  event: ParsedEvent;
  seq: number;
}

const TERMINAL: Record<string, 'complete' | 'failed' | undefined> = {
  COMPLETE: 'complete',
  FAIL: 'failed',
  ABORT: 'failed',
};

export interface PreparedBatch {
  metas: MetaUpdate[];
  deltas: RunDelta[];
  flags: FlagUpdate[];
  retractions: RetractionUpdate[];
  /** Parameters and metrics of runs, applied after the deltas (ingest/values.ts). */
  runValues: RunValueUpdate[];
  /** Outputs and feedback of tasks, one per identifier and event. */
  taskValues: TaskValueUpdate[];
  /** Metrics registered for tasks (ingest/taskMetric.ts), in log order. */
  taskMetrics: TaskMetricUpdate[];
}

export interface TaskMetricUpdate {
  task: string;
  metric: TaskMetricDefinition;
  ms: number;
  seq: number;
}

export interface RunValueUpdate extends RunValue {
  runId: string;
  ms: number;
  seq: number;
}

export interface TaskValueUpdate {
  task: string;
  role: TaskRole;
  identifier: string;
  value: number;
  ms: number;
  seq: number;
  /** The run that logged it, when the event names one (tasks/runs.ts). */
  runId: string | null;
}

export interface MetaUpdate {
  component: string;
  namespace: string;
  meta: ComponentMeta;
  ms: number;
}

export type FlagUpdate = { event: ParsedFlagEvent; seq: number };
export type RetractionUpdate = Omit<ParsedRetractEvent, 'kind'>;

export function prepareBatch(batch: SequencedEvent[]): PreparedBatch {
  const deltas = new Map<string, RunDelta>();
  const metas: MetaUpdate[] = [];
  const flags: FlagUpdate[] = [];
  const retractions: RetractionUpdate[] = [];
  const runValues: RunValueUpdate[] = [];
  const taskValues: TaskValueUpdate[] = [];
  const taskMetrics: TaskMetricUpdate[] = [];
  for (const { event, seq } of batch) {
    if (event.kind === 'flag') {
      flags.push({ event, seq });
      continue;
    }
    if (event.kind === 'retract') {
      retractions.push({ timeMs: event.timeMs, labels: event.labels });
      continue;
    }
    if (event.kind === 'task') {
      for (const { identifier, value } of event.values) {
        taskValues.push({
          task: event.task,
          role: event.role,
          identifier,
          value,
          ms: event.timeMs,
          seq,
          runId: event.runId,
        });
      }
      continue;
    }
    if (event.kind === 'taskMetric') {
      taskMetrics.push({ task: event.task, metric: event.metric, ms: event.timeMs, seq });
      continue;
    }
    if (event.kind === 'run') {
      let delta = deltas.get(event.runId);
      if (!delta) deltas.set(event.runId, (delta = newDelta(event, seq)));
      mergeInto(delta, event);
      for (const value of event.values)
        runValues.push({ ...value, runId: event.runId, ms: event.timeMs, seq });
    }
    // A JobEvent without our facets changes nothing (docs/EVENTS.md).
    if (hasMeta(event.meta)) {
      metas.push({
        component: event.component,
        namespace: event.namespace,
        meta: event.meta,
        ms: event.timeMs,
      });
    }
  }
  return { metas, deltas: [...deltas.values()], flags, retractions, runValues, taskValues, taskMetrics };
}

const hasMeta = (meta: ComponentMeta): boolean =>
  meta.description !== undefined || meta.owner !== undefined || (meta.tags?.length ?? 0) > 0;

function newDelta(event: ParsedRunEvent, seq: number): RunDelta {
  return {
    runId: event.runId,
    component: event.component,
    namespace: event.namespace,
    lifecycle: false,
    seq,
    firstMs: event.timeMs,
    startMs: null,
    endMs: null,
    terminal: null,
    ...noRunFacts(),
    upstream: new Set(),
    notes: [],
    inputs: new Map(),
    outputs: new Map(),
  };
}

function mergeInto(d: RunDelta, e: ParsedRunEvent): void {
  const lifecycle = e.eventType !== 'OTHER';
  if (lifecycle && !d.lifecycle) {
    d.lifecycle = true;
    d.component = e.component;
    d.namespace = e.namespace;
  }
  d.firstMs = Math.min(d.firstMs, e.timeMs);
  const start = e.startMs ?? (e.eventType === 'START' ? e.timeMs : null);
  if (start !== null && (d.startMs === null || start < d.startMs)) d.startMs = start;
  const terminal = TERMINAL[e.eventType];
  if (terminal && (!d.terminal || e.timeMs >= d.terminal.ms)) {
    d.terminal = { status: terminal, ms: e.timeMs };
    d.endMs = e.endMs ?? e.timeMs;
  }
  d.gitHash = e.gitHash ?? d.gitHash;
  d.gitTags = e.gitTags ?? d.gitTags;
  d.sourceFile = e.sourceFile ?? d.sourceFile;
  d.sourceLine = e.sourceLine ?? d.sourceLine;
  d.code = e.code ?? d.code;
  d.codeRef = e.codeRef ?? d.codeRef;
  d.error = e.error ?? d.error;
  d.thresholdDays = e.thresholdDays ?? d.thresholdDays;
  d.user = e.user ?? d.user;
  d.host = e.host ?? d.host;
  d.noInputDeps ||= e.noInputDeps;
  for (const name of e.upstream) d.upstream.add(name);
  if (e.notes !== null) d.notes.push({ ms: e.timeMs, text: e.notes });
  mergeDatasets(d.inputs, e.inputs);
  mergeDatasets(d.outputs, e.outputs);
}

function mergeDatasets(into: Map<string, ParsedDataset>, list: ParsedDataset[]): void {
  for (const ds of list) {
    const key = `${ds.namespace}\0${ds.name}`;
    const prev = into.get(key);
    const merged = prev
      ? {
          ...prev,
          type: ds.type ?? prev.type,
          fingerprint: ds.fingerprint ?? prev.fingerprint,
          profile: ds.profile ?? prev.profile,
        }
      : ds;
    if (prev?.labels && ds.labels) merged.labels = [...new Set([...prev.labels, ...ds.labels])];
    into.set(key, merged);
  }
}
