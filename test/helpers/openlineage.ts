// Validates events against the OpenLineage 2-0-2 JSON Schemas in ../shared/openlineage/spec:
// the event against its $defs (RunEvent, JobEvent or DatasetEvent), then every facet whose name
// is a standard facet against that facet's own schema (the core schema only checks that a facet
// has _producer and _schemaURL). Facets of other names (ours: mltrace_*) are left to the core.
// Formats (date-time, uri, uuid) are checked, so this is stricter than ingest must be: some of
// ../shared/openlineage/examples/valid (eventTime without an offset, "uri": "string") fail here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const specDir = path.join(sharedDir, 'openlineage', 'spec');

export type EventKind = 'RunEvent' | 'JobEvent' | 'DatasetEvent';
/** Where a facet sits: `run.facets`, `job.facets`, a dataset's `facets`, `inputFacets` or `outputFacets`. */
export type FacetLocation = 'run' | 'job' | 'dataset' | 'inputDataset' | 'outputDataset';

const CORE_ID = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
const LOCATION_OF_BASE: Record<string, FacetLocation> = {
  RunFacet: 'run',
  JobFacet: 'job',
  DatasetFacet: 'dataset',
  InputDatasetFacet: 'inputDataset',
  OutputDatasetFacet: 'outputDataset',
};

type SchemaNode = { [key: string]: unknown };
const isNode = (v: unknown): v is SchemaNode => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Validators {
  events: Record<EventKind, ValidateFunction>;
  any: ValidateFunction;
  /** `${location}:${facetName}` -> the schemas a facet of that name may follow there. */
  facets: Map<string, ValidateFunction[]>;
}

let validators: Validators | undefined;

function load(): Validators {
  if (validators) return validators;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const core = JSON.parse(fs.readFileSync(path.join(specDir, 'OpenLineage.json'), 'utf8')) as SchemaNode;
  ajv.addSchema(core);
  const facetDir = path.join(specDir, 'facets');
  const facetSchemas = fs
    .readdirSync(facetDir)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(fs.readFileSync(path.join(facetDir, name), 'utf8')) as SchemaNode);
  for (const schema of facetSchemas) ajv.addSchema(schema);

  const facets = new Map<string, ValidateFunction[]>();
  for (const schema of facetSchemas) {
    const id = schema.$id as string;
    const defs = isNode(schema.$defs) ? schema.$defs : {};
    const properties = isNode(schema.properties) ? schema.properties : {};
    for (const [facetName, node] of Object.entries(properties)) {
      const validate = ajv.compile({ $ref: `${id}#/properties/${pointerToken(facetName)}` });
      for (const location of locationsOf(node, defs, new Set())) {
        const key = `${location}:${facetName}`;
        facets.set(key, [...(facets.get(key) ?? []), validate]);
      }
    }
  }
  const events = {} as Record<EventKind, ValidateFunction>;
  for (const kind of ['RunEvent', 'JobEvent', 'DatasetEvent'] as const) {
    events[kind] = ajv.compile({ $ref: `${CORE_ID}#/$defs/${kind}` });
  }
  validators = { events, any: ajv.compile({ $ref: CORE_ID }), facets };
  return validators;
}

/** The locations a facet schema applies to, found from the core facet type it extends. */
function locationsOf(node: unknown, defs: SchemaNode, seen: Set<unknown>): Set<FacetLocation> {
  const found = new Set<FacetLocation>();
  if (!isNode(node) || seen.has(node)) return found;
  seen.add(node);
  const ref = node.$ref;
  if (typeof ref === 'string') {
    const base = /OpenLineage\.json#\/\$defs\/(\w+)$/.exec(ref);
    const local = /^#\/\$defs\/([^/]+)$/.exec(ref);
    if (base && LOCATION_OF_BASE[base[1]]) found.add(LOCATION_OF_BASE[base[1]]);
    else if (local) for (const l of locationsOf(defs[local[1]], defs, seen)) found.add(l);
  }
  for (const combinator of ['allOf', 'anyOf', 'oneOf']) {
    const list = node[combinator];
    if (Array.isArray(list))
      for (const item of list) for (const l of locationsOf(item, defs, seen)) found.add(l);
  }
  return found;
}

const pointerToken = (name: string): string => name.replace(/~/g, '~0').replace(/\//g, '~1');

/** RunEvent when it has a run, DatasetEvent when it has a dataset, JobEvent when it has a job. */
export function eventKind(event: unknown): EventKind | null {
  if (!isNode(event)) return null;
  if ('run' in event) return 'RunEvent';
  if ('dataset' in event) return 'DatasetEvent';
  if ('job' in event) return 'JobEvent';
  return null;
}

/** Problems with an event, each as "<JSON pointer> <message>"; empty when it is valid. */
export function validateEvent(event: unknown): string[] {
  if (!isNode(event)) return ['/ must be a JSON object'];
  const { events, any } = load();
  const kind = eventKind(event);
  const validate = kind ? events[kind] : any;
  const problems = validate(event) ? [] : describe(validate.errors, '', kind ?? 'OpenLineage event');
  for (const [where, location, facets] of facetGroups(event))
    problems.push(...validateFacets(facets, location, where));
  return problems;
}

/** Problems with several events, each prefixed with the event's index. */
export function validateEvents(events: readonly unknown[]): string[] {
  return events.flatMap((event, i) => validateEvent(event).map((problem) => `event ${i}: ${problem}`));
}

/** Problems with the standard facets of one facets object found at `location`. */
export function validateFacets(facets: unknown, location: FacetLocation, where = ''): string[] {
  if (!isNode(facets)) return [];
  const problems: string[] = [];
  for (const [name, facet] of Object.entries(facets)) {
    const candidates = load().facets.get(`${location}:${name}`);
    if (!candidates || candidates.some((validate) => validate(facet))) continue;
    const first = candidates[0];
    first(facet);
    problems.push(...describe(first.errors, `${where}/${pointerToken(name)}`, `standard facet "${name}"`));
  }
  return problems;
}

function facetGroups(event: SchemaNode): Array<[string, FacetLocation, unknown]> {
  const groups: Array<[string, FacetLocation, unknown]> = [];
  if (isNode(event.run)) groups.push(['/run/facets', 'run', event.run.facets]);
  if (isNode(event.job)) groups.push(['/job/facets', 'job', event.job.facets]);
  if (isNode(event.dataset)) groups.push(['/dataset/facets', 'dataset', event.dataset.facets]);
  for (const [list, ioKey, ioLocation] of [
    ['inputs', 'inputFacets', 'inputDataset'],
    ['outputs', 'outputFacets', 'outputDataset'],
  ] as const) {
    const datasets = event[list];
    if (!Array.isArray(datasets)) continue;
    datasets.forEach((dataset: unknown, i) => {
      if (!isNode(dataset)) return;
      groups.push([`/${list}/${i}/facets`, 'dataset', dataset.facets]);
      groups.push([`/${list}/${i}/${ioKey}`, ioLocation, dataset[ioKey]]);
    });
  }
  return groups;
}

function describe(errors: ErrorObject[] | null | undefined, prefix: string, what: string): string[] {
  if (!errors?.length) return [`${prefix || '/'} does not match ${what}`];
  return errors.map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${prefix}${e.instancePath || ''} ${e.message ?? 'is invalid'}${extra} [${what}]`.trim();
  });
}
