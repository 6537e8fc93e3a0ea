// Shared fixture builders for the core tests: a temporary store folder per test, writers that
// write real event files (or collect events in memory), raw JSONL helpers and raw OpenLineage
// events with explicit times (the writer stamps flags, notes and component events with "now").
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { eventSchemaURL, LineageEvent, ourFacet, standardFacet } from '../../src/core/events';
import type { Run } from '../../src/core/model';
import { LineageStore, OpenOptions } from '../../src/core/store';
import { eventsDir, snapshotPath, StoreLocation, storeLocation } from '../../src/core/storeDir';
import { EventWriter } from '../../src/core/writer';

export const repoRoot = path.resolve(__dirname, '..', '..');
export const examplesDir = path.resolve(repoRoot, '..', 'shared', 'openlineage', 'examples');

/** A fixed origin for fixture times, so that results never depend on "now". */
export const BASE_MS = Date.parse('2026-01-01T00:00:00.000Z');
export const DAY_S = 24 * 60 * 60;
/** `seconds` after the fixture origin. */
export const at = (seconds: number): Date => new Date(BASE_MS + seconds * 1000);
export const iso = (seconds: number): string => at(seconds).toISOString();

export interface Fixture {
  /** The workspace root (holds `.mltrace`). */
  root: string;
  /** The `.mltrace` folder. */
  storeDir: string;
  location: StoreLocation;
  eventsDir: string;
  snapshot: string;
  /** Absolute path of an event file in this store. */
  file(name: string): string;
  /** Writes a workspace file (relative to the root). */
  writeFile(rel: string, content: string): string;
  /** Opens a store on this folder; it is closed (without saving) when the test ends. */
  open(options?: Partial<OpenOptions>): Promise<LineageStore>;
  /** A writer appending to its own file in this store; closed when the test ends. */
  writer(kind?: string): EventWriter;
  cleanup(): void;
}

/** A fresh temporary workspace with an empty `.mltrace` folder, removed when the test ends. */
export function tempFixture(t?: TestContext, name = 'ws'): Fixture {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'mltrace-core-'));
  const root = path.join(base, name);
  const storeDir = path.join(root, '.mltrace');
  fs.mkdirSync(eventsDir(storeDir), { recursive: true });
  const location = storeLocation(storeDir, {});
  const stores: LineageStore[] = [];
  const writers: EventWriter[] = [];
  const fx: Fixture = {
    root,
    storeDir,
    location,
    eventsDir: eventsDir(storeDir),
    snapshot: snapshotPath(storeDir),
    file: (n) => path.join(eventsDir(storeDir), n),
    writeFile(rel, content) {
      const file = path.join(root, ...rel.split('/'));
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    },
    async open(options = {}) {
      const store = await LineageStore.open({ dir: storeDir, ...options });
      stores.push(store);
      return store;
    },
    writer(kind = 'test') {
      const w = new EventWriter(location, kind);
      writers.push(w);
      return w;
    },
    cleanup() {
      for (const w of writers) w.close();
      for (const s of stores) s.close({ save: false });
      fs.rmSync(base, { recursive: true, force: true });
    },
  };
  t?.after(() => fx.cleanup());
  return fx;
}

/** A writer that keeps its events in memory instead of appending them to a file. */
export class MemoryWriter extends EventWriter {
  readonly events: LineageEvent[] = [];
  constructor(location: StoreLocation, kind = 'memory') {
    super(location, kind);
  }
  override append(event: LineageEvent): void {
    this.events.push(structuredClone(event));
  }
}

export const line = (event: unknown): string => JSON.stringify(event) + '\n';

/** Appends text as is (no newline added). */
export function appendRaw(fx: Fixture, fileName: string, text: string | Buffer): void {
  fs.appendFileSync(fx.file(fileName), text);
}

/** Appends events, one JSON line each. Returns the number of bytes appended. */
export function appendEvents(fx: Fixture, fileName: string, events: readonly unknown[]): number {
  const text = events.map(line).join('');
  fs.appendFileSync(fx.file(fileName), text);
  return Buffer.byteLength(text);
}

/** Deterministic run ids: `uuid(1)` = `00000001-0000-4000-8000-000000000001`, or with a custom first group. */
export function uuid(n: number, firstGroup?: string): string {
  const tail = n.toString(16).padStart(12, '0');
  return `${firstGroup ?? n.toString(16).padStart(8, '0')}-0000-4000-8000-${tail}`;
}

const TEST_PRODUCER = 'https://github.com/mltrace-vscode/mltrace-vscode/tree/v0.1.0/test';

export function flagEvent(name: string, flagged: boolean, time: Date, namespace = 'file'): LineageEvent {
  return {
    eventTime: time.toISOString(),
    producer: TEST_PRODUCER,
    schemaURL: eventSchemaURL('DatasetEvent'),
    dataset: {
      namespace,
      name,
      facets: { mltrace_flag: ourFacet('mltrace_flag', { flagged }, TEST_PRODUCER) },
    },
  };
}

export const unflagAllEvent = (time: Date): LineageEvent => flagEvent('*', false, time, 'mltrace');

export function notesEvent(
  runId: string,
  component: string,
  notes: string,
  time: Date,
  namespace = 'ws',
): LineageEvent {
  return {
    eventType: 'OTHER',
    eventTime: time.toISOString(),
    producer: TEST_PRODUCER,
    schemaURL: eventSchemaURL('RunEvent'),
    run: { runId, facets: { mltrace_notes: ourFacet('mltrace_notes', { notes }, TEST_PRODUCER) } },
    job: { namespace, name: component },
  };
}

export function jobEvent(
  name: string,
  meta: { description?: string; owner?: string; tags?: string[] },
  time: Date,
  namespace = 'ws',
): LineageEvent {
  const facets: Record<string, ReturnType<typeof standardFacet>> = {};
  if (meta.description !== undefined)
    facets.documentation = standardFacet('documentation', { description: meta.description }, TEST_PRODUCER);
  if (meta.owner !== undefined)
    facets.ownership = standardFacet('ownership', { owners: [{ name: meta.owner }] }, TEST_PRODUCER);
  if (meta.tags) {
    facets.tags = standardFacet(
      'jobTags',
      { tags: meta.tags.map((key) => ({ key, value: 'true', source: 'MLTRACE' })) },
      TEST_PRODUCER,
    );
  }
  return {
    eventTime: time.toISOString(),
    producer: TEST_PRODUCER,
    schemaURL: eventSchemaURL('JobEvent'),
    job: { namespace, name, facets },
  };
}

export interface ForeignRun {
  eventType: 'START' | 'RUNNING' | 'COMPLETE' | 'FAIL' | 'ABORT' | 'OTHER';
  runId: string;
  job: string;
  time: Date;
  namespace?: string;
  inputs?: Array<string | { namespace: string; name: string }>;
  outputs?: Array<string | { namespace: string; name: string }>;
  runFacets?: Record<string, unknown>;
}

/** A RunEvent as another OpenLineage producer writes it: no `mltrace_run` facet. */
export function foreignRunEvent(e: ForeignRun): Record<string, unknown> {
  const ds = (d: string | { namespace: string; name: string }) =>
    typeof d === 'string' ? { namespace: 'file', name: d } : d;
  return {
    eventType: e.eventType,
    eventTime: e.time.toISOString(),
    producer: 'https://github.com/OpenLineage/OpenLineage/tree/1.30.0/client/python',
    schemaURL: 'https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent',
    run: { runId: e.runId, ...(e.runFacets ? { facets: e.runFacets } : {}) },
    job: { namespace: e.namespace ?? 'airflow', name: e.job },
    inputs: (e.inputs ?? []).map(ds),
    outputs: (e.outputs ?? []).map(ds),
  };
}

/** A compact, comparable view of a run: component and start, with dependencies by id. */
export const brief = (r: Run): string => `${r.component}@${r.startTime}`;

/**
 * Everything a user can see about a store, as JSON: recent runs (one big page), each run in
 * full, the upstream and downstream trace of each pointer, components, tags, pointers, review.
 * Two stores over the same lineage give the same string.
 */
export function queryState(store: LineageStore): string {
  const runs = store.recent({ limit: 100000 });
  const pointers = store.pointers();
  return JSON.stringify(
    {
      recent: runs.items,
      next: runs.next,
      inspect: runs.items.map((r) => store.inspect(r.id)),
      traces: pointers.map((p) => [store.trace(p.name), store.trace(p.name, { downstream: true })]),
      components: store.components(),
      tags: store.tags(),
      pointers,
      review: store.review(),
      stale: store.stale(),
    },
    null,
    1,
  );
}

/** Fisher–Yates with a seeded generator, so that a failure can be reproduced. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const result = [...items];
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x100000000;
  };
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [result[i], result[j]] = [result[j], result[i]];
  }
  return result;
}

export const newId = (): string => randomUUID();
