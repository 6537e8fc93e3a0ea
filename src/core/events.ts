// OpenLineage 2-0-2 events as we write and read them (docs/EVENTS.md).

export const SPEC_URL = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
export const PRODUCER = 'https://github.com/mltrace-vscode/mltrace-vscode/tree/v0.1.0';
const OUR_FACETS_URL = 'https://github.com/mltrace-vscode/mltrace-vscode/blob/main/docs/EVENTS.md';

/** Schema URLs of the standard facets we write. */
const STANDARD_FACETS = {
  errorMessage: 'facets/1-0-1/ErrorMessageRunFacet.json#/$defs/ErrorMessageRunFacet',
  tags: 'facets/1-0-0/TagsRunFacet.json#/$defs/TagsRunFacet',
  jobTags: 'facets/1-0-0/TagsJobFacet.json#/$defs/TagsJobFacet',
  jobDependencies: 'facets/1-0-1/JobDependenciesRunFacet.json#/$defs/JobDependenciesRunFacet',
  sourceCodeLocation: 'facets/1-1-0/SourceCodeLocationJobFacet.json#/$defs/SourceCodeLocationJobFacet',
  sourceCode: 'facets/1-0-1/SourceCodeJobFacet.json#/$defs/SourceCodeJobFacet',
  documentation: 'facets/1-1-0/DocumentationJobFacet.json#/$defs/DocumentationJobFacet',
  ownership: 'facets/1-0-1/OwnershipJobFacet.json#/$defs/OwnershipJobFacet',
  version: 'facets/1-0-1/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet',
  /** A data profile (docs/EVENTS.md "Data profiles"), in inputFacets and, for outputs, outputFacets. */
  dataQualityMetrics:
    'facets/1-0-3/DataQualityMetricsInputDatasetFacet.json#/$defs/DataQualityMetricsInputDatasetFacet',
  schema: 'facets/1-2-0/SchemaDatasetFacet.json#/$defs/SchemaDatasetFacet',
} as const;

export type EventType = 'START' | 'RUNNING' | 'COMPLETE' | 'ABORT' | 'FAIL' | 'OTHER';

export type Facet = { _producer: string; _schemaURL: string } & Record<string, unknown>;
export type Facets = Record<string, Facet>;

export interface DatasetRef {
  namespace: string;
  name: string;
  facets?: Facets;
  inputFacets?: Facets;
  outputFacets?: Facets;
}

export interface RunEvent {
  eventType: EventType;
  eventTime: string;
  producer: string;
  schemaURL: string;
  run: { runId: string; facets?: Facets };
  job: { namespace: string; name: string; facets?: Facets };
  inputs?: DatasetRef[];
  outputs?: DatasetRef[];
}

export interface JobEvent {
  eventTime: string;
  producer: string;
  schemaURL: string;
  job: { namespace: string; name: string; facets?: Facets };
}

export interface DatasetEvent {
  eventTime: string;
  producer: string;
  schemaURL: string;
  dataset: { namespace: string; name: string; facets?: Facets };
}

export type LineageEvent = RunEvent | JobEvent | DatasetEvent;

export const FILE_NAMESPACE = 'file';
/** The dataset that stands for "every pointer" in an unflag-all event. */
export const ALL_POINTERS = { namespace: 'mltrace', name: '*' } as const;
/** The dataset of label retraction events (docs/EVENTS.md, Labels). */
export const LABELS_DATASET = { namespace: 'mltrace', name: 'labels' } as const;

/** Names of the facets that are ours (docs/EVENTS.md). */
export const OUR_FACETS = {
  run: 'mltrace_run',
  notes: 'mltrace_notes',
  exit: 'mltrace_exit',
  pointer: 'mltrace_pointer',
  flag: 'mltrace_flag',
  /** Job facet: the code of a run, by hash, when an earlier event recorded it in `sourceCode`. */
  code: 'mltrace_code',
  /** Input facet: labels (whose data this is) attached to the version of a pointer a run read. */
  labels: 'mltrace_labels',
  /** Dataset facet of LABELS_DATASET: labels retracted (a deletion request) at the event's time. */
  retraction: 'mltrace_label_retraction',
  /** Run facets: a run's parameters and metrics (ingest/values.ts). */
  params: 'mltrace_params',
  metrics: 'mltrace_metrics',
  /** Dataset facet: a task's outputs or feedback (ingest/values.ts). */
  task: 'mltrace_task',
} as const;

export function standardFacet(
  kind: keyof typeof STANDARD_FACETS,
  fields: Record<string, unknown>,
  producer = PRODUCER,
): Facet {
  return {
    _producer: producer,
    _schemaURL: `https://openlineage.io/spec/${STANDARD_FACETS[kind]}`,
    ...fields,
  };
}

export function ourFacet(name: string, fields: Record<string, unknown>, producer = PRODUCER): Facet {
  return { _producer: producer, _schemaURL: `${OUR_FACETS_URL}#${name}`, ...fields };
}

export const eventSchemaURL = (kind: 'RunEvent' | 'JobEvent' | 'DatasetEvent'): string =>
  `${SPEC_URL}#/$defs/${kind}`;

export function isRunEvent(event: LineageEvent): event is RunEvent {
  return 'run' in event;
}
