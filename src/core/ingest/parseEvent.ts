// Turns one log line into a normalised event, or says exactly why it cannot. Foreign events are
// welcome: unknown facets are ignored; a facet we read that has the wrong shape is dropped with a
// warning; an event that breaks the core schema is rejected.
import { ALL_POINTERS, OUR_FACETS } from '../events';
import type { PointerType } from '../model';
import type { StoredProfile } from '../profile/storedProfile';
import { readProfile } from './parseProfile';
import { parseRunValues, parseTaskFacet, ParsedTaskEvent, RunValue, TASK_NAMESPACE } from './values';
import type { ParsedTaskMetricEvent } from './taskMetric';

export interface ParsedDataset {
  namespace: string;
  name: string;
  type: PointerType | null;
  fingerprint: string | null;
  /** The data profile of this version, as the index stores it, if the event carries one. */
  profile: StoredProfile | null;
  /** Labels this read attaches to the version it read (inputs only; facet mltrace_labels). */
  labels?: string[];
}

export interface ComponentMeta {
  description?: string;
  owner?: string;
  tags?: string[];
}

/** What a run event may say about its run besides times, datasets and notes (null: not said). */
export interface RunFacts {
  gitHash: string | null;
  gitTags: string[] | null;
  sourceFile: string | null;
  sourceLine: number | null;
  code: { language: string; source: string } | null;
  /** The SHA-256 (hex) of code recorded by an earlier event (facet mltrace_code), if no code is given. */
  codeRef: string | null;
  error: string | null;
  thresholdDays: number | null;
  /** Who ran it, where (mltrace_run user and host), when an event said so. */
  user: string | null;
  host: string | null;
  noInputDeps: boolean;
}

/** Facts of a run no event has stated yet. */
export const noRunFacts = (): RunFacts => ({
  gitHash: null,
  gitTags: null,
  sourceFile: null,
  sourceLine: null,
  code: null,
  codeRef: null,
  error: null,
  thresholdDays: null,
  user: null,
  host: null,
  noInputDeps: false,
});

export interface ParsedRunEvent extends RunFacts {
  kind: 'run';
  eventType: string;
  timeMs: number;
  runId: string;
  component: string;
  namespace: string;
  meta: ComponentMeta;
  startMs: number | null;
  endMs: number | null;
  upstream: string[];
  notes: string | null;
  inputs: ParsedDataset[];
  outputs: ParsedDataset[];
  /** Parameters and metrics (ingest/values.ts). */
  values: RunValue[];
}

export interface ParsedJobEvent {
  kind: 'job';
  timeMs: number;
  component: string;
  namespace: string;
  meta: ComponentMeta;
}

export interface ParsedFlagEvent {
  kind: 'flag';
  timeMs: number;
  namespace: string;
  name: string;
  /** true to flag, false to unflag; `all` unflags every pointer. */
  flagged: boolean;
  all: boolean;
}

/** Labels retracted (facet mltrace_label_retraction). */
export interface ParsedRetractEvent {
  kind: 'retract';
  timeMs: number;
  labels: string[];
}

export type ParsedEvent =
  | ParsedRunEvent
  | ParsedJobEvent
  | ParsedFlagEvent
  | ParsedRetractEvent
  | ParsedTaskEvent
  | ParsedTaskMetricEvent;

export type ParseResult =
  { ok: true; event: ParsedEvent | null; warnings: string[] } | { ok: false; reason: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const POINTER_TYPES = new Set(['DATA', 'MODEL', 'ENDPOINT', 'UNKNOWN']);

export function parseLine(line: string): ParseResult {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (error) {
    return { ok: false, reason: `malformed JSON (${(error as Error).message})` };
  }
  if (!isObject(raw)) return { ok: false, reason: 'not a JSON object' };
  const timeMs = isString(raw.eventTime) ? Date.parse(raw.eventTime) : NaN;
  if (Number.isNaN(timeMs)) return { ok: false, reason: 'missing or invalid eventTime' };
  const warnings: string[] = [];

  if ('run' in raw) {
    if (!isObject(raw.run) || !isString(raw.run.runId) || raw.run.runId === '') {
      return { ok: false, reason: 'RunEvent without run.runId' };
    }
    const job = raw.job;
    if (!isObject(job) || !isString(job.name) || job.name === '')
      return { ok: false, reason: 'RunEvent without job.name' };
    return { ok: true, event: parseRunEvent(raw, raw.run, job, timeMs, warnings), warnings };
  }
  if ('dataset' in raw) {
    const dataset = raw.dataset;
    if (!isObject(dataset) || !isString(dataset.name) || !isString(dataset.namespace)) {
      return { ok: false, reason: 'DatasetEvent without dataset.namespace and dataset.name' };
    }
    const facets = facetsOf(dataset.facets, 'dataset', warnings);
    const retraction = facets?.[OUR_FACETS.retraction];
    if (retraction !== undefined) {
      const labels = labelList(retraction, OUR_FACETS.retraction, warnings);
      return { ok: true, event: labels.length ? { kind: 'retract', timeMs, labels } : null, warnings };
    }
    const task = facets?.[OUR_FACETS.task];
    if (task !== undefined && dataset.namespace === TASK_NAMESPACE) {
      return { ok: true, event: parseTaskFacet(task, dataset.name, timeMs, warnings), warnings };
    }
    const flag = facets?.[OUR_FACETS.flag];
    if (flag === undefined) return { ok: true, event: null, warnings };
    if (!isObject(flag) || typeof flag.flagged !== 'boolean') {
      warnings.push(`facet ${OUR_FACETS.flag} ignored: "flagged" must be true or false`);
      return { ok: true, event: null, warnings };
    }
    const all = dataset.namespace === ALL_POINTERS.namespace && dataset.name === ALL_POINTERS.name;
    return {
      ok: true,
      event: {
        kind: 'flag',
        timeMs,
        namespace: dataset.namespace,
        name: dataset.name,
        flagged: flag.flagged && !all,
        all,
      },
      warnings,
    };
  }
  if ('job' in raw) {
    const job = raw.job;
    if (!isObject(job) || !isString(job.name) || job.name === '')
      return { ok: false, reason: 'JobEvent without job.name' };
    const meta = componentMeta(facetsOf(job.facets, 'job', warnings), warnings);
    return {
      ok: true,
      event: {
        kind: 'job',
        timeMs,
        component: job.name,
        namespace: isString(job.namespace) ? job.namespace : '',
        meta,
      },
      warnings,
    };
  }
  return { ok: false, reason: 'not an OpenLineage event (no run, job or dataset)' };
}

function parseRunEvent(raw: Json, run: Json, job: Json, timeMs: number, warnings: string[]): ParsedRunEvent {
  const runFacets = facetsOf(run.facets, 'run', warnings) ?? {};
  const jobFacets = facetsOf(job.facets, 'job', warnings) ?? {};
  const event: ParsedRunEvent = {
    kind: 'run',
    eventType: isString(raw.eventType) ? raw.eventType.toUpperCase() : 'OTHER',
    timeMs,
    // UUIDs are case-insensitive: one spelling, so that an upper-case id (some producers) is one
    // run and can be looked up by any prefix.
    runId: (run.runId as string).toLowerCase(),
    component: job.name as string,
    namespace: isString(job.namespace) ? job.namespace : '',
    meta: componentMeta(jobFacets, warnings),
    startMs: null,
    endMs: null,
    ...noRunFacts(),
    upstream: [],
    notes: null,
    inputs: datasets(raw.inputs, 'inputFacets', 'input', warnings),
    outputs: datasets(raw.outputs, 'outputFacets', 'output', warnings),
    values: parseRunValues(runFacets, warnings),
  };

  const ours = runFacets[OUR_FACETS.run];
  if (ours !== undefined) {
    if (!isObject(ours)) warnings.push(`facet ${OUR_FACETS.run} ignored: not an object`);
    else {
      event.startMs = timeField(ours.startTime, `${OUR_FACETS.run}.startTime`, warnings);
      event.endMs = timeField(ours.endTime, `${OUR_FACETS.run}.endTime`, warnings);
      if (typeof ours.stalenessThresholdDays === 'number' && ours.stalenessThresholdDays > 0) {
        event.thresholdDays = ours.stalenessThresholdDays;
      }
      event.noInputDeps = ours.noInputDependencies === true;
      if (isString(ours.user) && ours.user) event.user = ours.user;
      if (isString(ours.host) && ours.host) event.host = ours.host;
    }
  }
  const error = runFacets.errorMessage;
  if (error !== undefined) {
    if (isObject(error) && isString(error.message)) event.error = error.message;
    else warnings.push('facet errorMessage ignored: "message" must be a string');
  }
  const tags = runFacets.tags;
  if (tags !== undefined) {
    const list = tagList(tags, 'run tags', warnings);
    if (list) event.gitTags = list.filter((t) => t.key === 'git.tag').map((t) => t.value);
  }
  const deps = runFacets.jobDependencies;
  if (deps !== undefined) {
    if (isObject(deps) && (deps.upstream === undefined || Array.isArray(deps.upstream))) {
      for (const up of (deps.upstream as unknown[] | undefined) ?? []) {
        if (isObject(up) && isObject(up.job) && isString(up.job.name)) event.upstream.push(up.job.name);
        else warnings.push('an upstream entry of facet jobDependencies ignored: it has no job.name');
      }
    } else warnings.push('facet jobDependencies ignored: "upstream" must be an array');
  }
  const notes = runFacets[OUR_FACETS.notes];
  if (notes !== undefined) {
    if (isObject(notes) && isString(notes.notes)) event.notes = notes.notes;
    else warnings.push(`facet ${OUR_FACETS.notes} ignored: "notes" must be a string`);
  }
  const location = jobFacets.sourceCodeLocation;
  if (location !== undefined) {
    if (isObject(location) && isString(location.url)) {
      if (isString(location.version)) event.gitHash = location.version;
      const line = /#L(\d+)/.exec(location.url);
      if (line) event.sourceLine = Number(line[1]);
      if (isString(location.path)) event.sourceFile = location.path;
      else if (location.url.startsWith('file://'))
        event.sourceFile = decodeURI(location.url.slice(7).replace(/#.*$/, ''));
    } else warnings.push('facet sourceCodeLocation ignored: "url" must be a string');
  }
  const code = jobFacets.sourceCode;
  if (code !== undefined) {
    if (isObject(code) && isString(code.sourceCode) && isString(code.language)) {
      event.code = { language: code.language, source: code.sourceCode };
    } else warnings.push('facet sourceCode ignored: "language" and "sourceCode" must be strings');
  }
  const codeRef = jobFacets[OUR_FACETS.code];
  if (codeRef !== undefined) {
    if (isObject(codeRef) && isString(codeRef.sha256) && /^[0-9a-f]{64}$/.test(codeRef.sha256)) {
      event.codeRef = codeRef.sha256;
    } else warnings.push(`facet ${OUR_FACETS.code} ignored: "sha256" must be 64 lower-case hex digits`);
  }
  return event;
}

function facetsOf(facets: unknown, where: string, warnings: string[]): Json | null {
  if (facets === undefined || facets === null) return null;
  if (!isObject(facets)) {
    warnings.push(`${where} facets ignored: not an object`);
    return null;
  }
  return facets;
}

function componentMeta(facets: Json | null, warnings: string[]): ComponentMeta {
  const meta: ComponentMeta = {};
  if (!facets) return meta;
  const doc = facets.documentation;
  if (doc !== undefined) {
    if (isObject(doc) && isString(doc.description)) meta.description = doc.description;
    else warnings.push('facet documentation ignored: "description" must be a string');
  }
  const ownership = facets.ownership;
  if (ownership !== undefined) {
    const owners = isObject(ownership) && Array.isArray(ownership.owners) ? ownership.owners : null;
    if (owners && owners.every((o) => isObject(o) && isString(o.name))) {
      meta.owner = owners.map((o) => (o as Json).name as string).join(', ');
    } else warnings.push('facet ownership ignored: every owner needs a "name"');
  }
  const tags = facets.tags;
  if (tags !== undefined) {
    const list = tagList(tags, 'job tags', warnings);
    if (list)
      meta.tags = list.map((t) => (t.value === '' || t.value === 'true' ? t.key : `${t.key}:${t.value}`));
  }
  return meta;
}

function tagList(
  facet: unknown,
  what: string,
  warnings: string[],
): Array<{ key: string; value: string }> | null {
  const tags = isObject(facet) && Array.isArray(facet.tags) ? facet.tags : null;
  if (tags && tags.every((t) => isObject(t) && isString(t.key) && isString(t.value))) {
    return tags as Array<{ key: string; value: string }>;
  }
  warnings.push(`facet ${what} ignored: every tag needs a string "key" and "value"`);
  return null;
}

function datasets(list: unknown, ioFacetsKey: string, what: string, warnings: string[]): ParsedDataset[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    warnings.push(`${what}s ignored: not an array`);
    return [];
  }
  const result: ParsedDataset[] = [];
  for (const item of list) {
    if (!isObject(item) || !isString(item.name) || !isString(item.namespace)) {
      warnings.push(`an ${what} was ignored: it needs a string "namespace" and "name"`);
      continue;
    }
    const facets = facetsOf(item.facets, `${what} ${item.name}`, warnings) ?? {};
    const ioFacets = facetsOf(item[ioFacetsKey], `${what} ${item.name}`, warnings);
    const labelFacet = ioFacetsKey === 'inputFacets' ? ioFacets?.[OUR_FACETS.labels] : undefined;
    let fingerprint: string | null = null;
    const version = facets.version;
    if (version !== undefined) {
      if (isObject(version) && isString(version.datasetVersion)) fingerprint = version.datasetVersion;
      else warnings.push(`facet version of ${what} ${item.name} ignored: "datasetVersion" must be a string`);
    }
    let type: PointerType | null = null;
    const pointer = facets[OUR_FACETS.pointer];
    if (pointer !== undefined) {
      if (isObject(pointer) && isString(pointer.pointerType) && POINTER_TYPES.has(pointer.pointerType)) {
        type = pointer.pointerType as PointerType;
      } else
        warnings.push(`facet ${OUR_FACETS.pointer} of ${what} ${item.name} ignored: unknown pointerType`);
    }
    const profile = readProfile(facets, ioFacets, fingerprint, `${what} ${item.name}`, warnings);
    const parsed: ParsedDataset = { namespace: item.namespace, name: item.name, type, fingerprint, profile };
    if (labelFacet !== undefined) {
      const labels = labelList(labelFacet, `${OUR_FACETS.labels} of ${what} ${item.name}`, warnings);
      if (labels.length) parsed.labels = labels;
    }
    result.push(parsed);
  }
  return result;
}

/** The non-empty strings of a facet's "labels" array; the rest is reported and dropped. */
function labelList(facet: unknown, what: string, warnings: string[]): string[] {
  const labels = isObject(facet) && Array.isArray(facet.labels) ? facet.labels : null;
  if (!labels) {
    warnings.push(`facet ${what} ignored: "labels" must be an array of strings`);
    return [];
  }
  const good = labels.filter((l): l is string => isString(l) && l !== '');
  if (good.length < labels.length)
    warnings.push(`facet ${what}: labels that are not non-empty strings ignored`);
  return [...new Set(good)];
}

function timeField(value: unknown, what: string, warnings: string[]): number | null {
  if (value === undefined) return null;
  const ms = isString(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    warnings.push(`${what} ignored: not an ISO 8601 time`);
    return null;
  }
  return ms;
}
