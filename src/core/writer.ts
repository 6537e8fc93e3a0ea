// The one writer of events, shared by the CLI, the command wrapper and the Node shim.
// Each process appends whole lines to a file of its own, so concurrent writers never interleave.
import { crypto } from './crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ALL_POINTERS,
  DatasetRef,
  eventSchemaURL,
  Facets,
  FILE_NAMESPACE,
  LineageEvent,
  OUR_FACETS,
  ourFacet,
  PRODUCER,
  RunEvent,
  standardFacet,
} from './events';
import { CodeRegistry, codeHash } from './codeRegistry';
import { labelInputFacets } from './labels/events';
import { FileFingerprint, fingerprintFile } from './fingerprint';
import { PROFILE_FACETS } from './profile/facets';
import { profileBudgetMs, profileFile, profileFormat } from './profile/profile';
import { ProfileRegistry } from './profile/registry';
import { inferPointerType, pointerPath } from './pointers';
import { END_MARKER, eventsDir, StoreLocation } from './storeDir';

export interface PointerSpec {
  /** Normalised pointer name (see normalizePointerName). */
  name: string;
  endpoint?: boolean;
  /** Inputs only: labels this read attaches to the version it read (docs/LABELS.md). */
  labels?: string[];
}

export interface SourceInfo {
  gitHash?: string | null;
  gitTags?: string[];
  /** Relative to the root. */
  sourceFile?: string | null;
  sourceLine?: number | null;
  code?: { language: string; source: string } | null;
}

export interface RunStart {
  component: string;
  runId?: string;
  startTime?: Date;
  inputs?: PointerSpec[];
  source?: SourceInfo;
  upstream?: string[];
}

export interface RunEnd {
  status: 'complete' | 'failed';
  endTime?: Date;
  inputs?: PointerSpec[];
  outputs?: PointerSpec[];
  error?: { message: string; language: string; stackTrace?: string };
  exit?: { exitCode: number | null; command: string[] };
}

export interface RunHandle {
  runId: string;
  component: string;
  startTime: Date;
  start: RunStart;
}

export class EventWriter {
  private readonly codeRegistry: CodeRegistry;
  private readonly profileRegistry: ProfileRegistry;
  private fd: number | undefined;
  private torn = false;
  private fileValue: string;
  /** The file was ended (closed with its marker): the next append starts a new one. */
  private ended = false;
  /** Lines in the current file: the number of the line an append writes. */
  private lines = 0;
  /**
   * Called after each append with the file, the line's number in it and its text: what goes
   * beyond the local log (the OpenLineage backend, live). Must not throw.
   */
  onAppend?: (file: string, line: number, text: string) => void;

  constructor(
    readonly location: StoreLocation,
    private readonly kind: string,
    readonly producer: string = `${PRODUCER}/${kind}`,
  ) {
    this.fileValue = this.newFile();
    this.codeRegistry = new CodeRegistry(location.storeDir);
    this.profileRegistry = new ProfileRegistry(location.storeDir);
  }

  /** The file this writer appends to (after `close()`, a new append starts a new file: an ended file is never reopened). */
  get file(): string {
    return this.fileValue;
  }

  private newFile(): string {
    const host = os.hostname().replace(/[^A-Za-z0-9_.-]/g, '_') || 'host';
    return path.join(
      eventsDir(this.location.storeDir),
      `${this.kind}-${host}-${process.pid}-${crypto().randomBytes(6).toString('hex')}.jsonl`,
    );
  }

  /**
   * Creates the file, exclusively: a writer's file is its own, and a name is never used twice, not
   * even after compaction merged and deleted the file that had it (its segment still names it).
   */
  private create(): number {
    for (;;) {
      try {
        return fs.openSync(this.fileValue, 'ax');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        this.fileValue = this.newFile();
      }
    }
  }

  /** Appends one event as one line, in one write. Throws when the store cannot be written. */
  append(event: LineageEvent): void {
    if (this.fd === undefined) {
      if (this.ended) this.fileValue = this.newFile();
      this.ended = false;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      this.fd = this.create();
      this.lines = 0;
    }
    // After a failed write (disk full...) the file may end in a torn line: end it first, so that
    // it is reported as one malformed line and this event stays whole.
    const text = JSON.stringify(event);
    const line = Buffer.from(`${this.torn ? '\n' : ''}${text}\n`);
    if (this.torn) this.lines++; // the torn line, ended here
    this.torn = true;
    for (let written = 0; written < line.length;) written += fs.writeSync(this.fd, line, written);
    this.torn = false;
    this.onAppend?.(this.fileValue, ++this.lines, text);
  }

  /**
   * Ends the file: closes it and creates its end marker `<file>.done`, which tells compaction that
   * the file is complete and may be merged (docs/LAYOUT.md). A later `append` starts a new file.
   */
  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    this.ended = true;
    this.torn = false;
    fs.closeSync(fd);
    fs.closeSync(fs.openSync(this.fileValue + END_MARKER, 'w'));
  }

  startRun(start: RunStart): RunHandle {
    const handle: RunHandle = {
      runId: start.runId ?? crypto().randomUUID(),
      component: start.component,
      startTime: start.startTime ?? new Date(),
      start,
    };
    this.append(
      this.runEvent('START', handle, handle.startTime, { inputs: start.inputs ?? [], outputs: [] }),
    );
    return handle;
  }

  endRun(handle: RunHandle, end: RunEnd): void {
    // Code once per version: the first event of this store to carry it records it.
    const code = handle.start.source?.code;
    const hash = code ? codeHash(code.source) : null;
    const records = hash !== null && !this.codeRegistry.has(hash);
    const endTime = end.endTime ?? new Date();
    const inputs = dedupe([...(handle.start.inputs ?? []), ...(end.inputs ?? [])]);
    const runFacets: Facets = {};
    if (end.error) {
      runFacets.errorMessage = standardFacet(
        'errorMessage',
        {
          message: end.error.message,
          programmingLanguage: end.error.language,
          ...(end.error.stackTrace ? { stackTrace: end.error.stackTrace } : {}),
        },
        this.producer,
      );
    }
    if (end.exit) runFacets[OUR_FACETS.exit] = ourFacet(OUR_FACETS.exit, end.exit, this.producer);
    const profiled = new Set<string>();
    this.append(
      this.runEvent(
        end.status === 'complete' ? 'COMPLETE' : 'FAIL',
        handle,
        endTime,
        { inputs, outputs: dedupe(end.outputs ?? []) },
        runFacets,
        records ? 'record' : 'refer',
        profiled,
      ),
    );
    if (records) this.codeRegistry.add(hash);
    for (const version of profiled) this.profileRegistry.add(version);
  }

  /** Logs a whole run at once (the command wrapper's and tests' way). */
  logRun(start: RunStart, end: RunEnd): string {
    const handle = this.startRun(start);
    this.endRun(handle, end);
    return handle.runId;
  }

  flag(name: string, flagged: boolean, namespace = FILE_NAMESPACE): void {
    this.append({
      eventTime: new Date().toISOString(),
      producer: this.producer,
      schemaURL: eventSchemaURL('DatasetEvent'),
      dataset: {
        namespace,
        name,
        facets: { [OUR_FACETS.flag]: ourFacet(OUR_FACETS.flag, { flagged }, this.producer) },
      },
    });
  }

  unflagAll(): void {
    this.flag(ALL_POINTERS.name, false, ALL_POINTERS.namespace);
  }

  addNotes(runId: string, component: string, notes: string): void {
    this.append({
      eventType: 'OTHER',
      eventTime: new Date().toISOString(),
      producer: this.producer,
      schemaURL: eventSchemaURL('RunEvent'),
      run: { runId, facets: { [OUR_FACETS.notes]: ourFacet(OUR_FACETS.notes, { notes }, this.producer) } },
      job: { namespace: this.location.namespace, name: component },
    });
  }

  defineComponent(component: { name: string; description?: string; owner?: string; tags?: string[] }): void {
    const facets: Facets = {};
    if (component.description !== undefined) {
      facets.documentation = standardFacet(
        'documentation',
        { description: component.description },
        this.producer,
      );
    }
    if (component.owner !== undefined) {
      facets.ownership = standardFacet('ownership', { owners: [{ name: component.owner }] }, this.producer);
    }
    if (component.tags?.length) {
      facets.tags = standardFacet(
        'jobTags',
        { tags: component.tags.map((key) => ({ key, value: 'true', source: 'MLTRACE' })) },
        this.producer,
      );
    }
    this.append({
      eventTime: new Date().toISOString(),
      producer: this.producer,
      schemaURL: eventSchemaURL('JobEvent'),
      job: { namespace: this.location.namespace, name: component.name, facets },
    });
  }

  private runEvent(
    eventType: RunEvent['eventType'],
    handle: RunHandle,
    eventTime: Date,
    io: { inputs: PointerSpec[]; outputs: PointerSpec[] },
    extraRunFacets: Facets = {},
    code: 'record' | 'refer' = 'record',
    profiled?: Set<string>,
  ): RunEvent {
    const { source, upstream } = handle.start;
    const runFacets: Facets = {
      [OUR_FACETS.run]: ourFacet(
        OUR_FACETS.run,
        {
          startTime: handle.startTime.toISOString(),
          ...(eventType === 'START' ? {} : { endTime: eventTime.toISOString() }),
          ...runOrigin(),
        },
        this.producer,
      ),
      ...extraRunFacets,
    };
    if (source?.gitTags?.length) {
      runFacets.tags = standardFacet(
        'tags',
        { tags: source.gitTags.map((value) => ({ key: 'git.tag', value, source: 'GIT' })) },
        this.producer,
      );
    }
    if (upstream?.length) {
      runFacets.jobDependencies = standardFacet(
        'jobDependencies',
        { upstream: upstream.map((name) => ({ job: { namespace: this.location.namespace, name } })) },
        this.producer,
      );
    }
    const jobFacets: Facets = {};
    if (source?.sourceFile) {
      const absolute = pointerPath(source.sourceFile, this.location.root);
      jobFacets.sourceCodeLocation = standardFacet(
        'sourceCodeLocation',
        {
          type: source.gitHash ? 'git' : 'file',
          url: `${pathToFileURL(absolute).href}${source.sourceLine ? `#L${source.sourceLine}` : ''}`,
          path: source.sourceFile,
          ...(source.gitHash ? { version: source.gitHash } : {}),
        },
        this.producer,
      );
    }
    // The code snapshot goes with the end of the run only: START stays small, and a run's code
    // is what it finished with. Once recorded, later runs of the same code only name its hash.
    if (source?.code && eventType !== 'START') {
      if (code === 'record') {
        jobFacets.sourceCode = standardFacet(
          'sourceCode',
          { language: source.code.language, sourceCode: source.code.source },
          this.producer,
        );
      } else {
        jobFacets[OUR_FACETS.code] = ourFacet(
          OUR_FACETS.code,
          { language: source.code.language, sha256: codeHash(source.code.source) },
          this.producer,
        );
      }
    }
    const withFingerprints = eventType !== 'START';
    return {
      eventType,
      eventTime: eventTime.toISOString(),
      producer: this.producer,
      schemaURL: eventSchemaURL('RunEvent'),
      run: { runId: handle.runId, facets: runFacets },
      job: { namespace: this.location.namespace, name: handle.component, facets: jobFacets },
      inputs: io.inputs.map((p) => this.dataset(p, withFingerprints, 'input', profiled)),
      outputs: io.outputs.map((p) => this.dataset(p, withFingerprints, 'output', profiled)),
    };
  }

  /**
   * A dataset of an event. With `profiled` (COMPLETE and FAIL events), a tabular file's profile goes
   * in too, once per content version: its version is added to `profiled`, to be registered once
   * the event is written.
   */
  private dataset(
    pointer: PointerSpec,
    withFingerprint: boolean,
    role: 'input' | 'output',
    profiled?: Set<string>,
  ): DatasetRef {
    const facets: Facets = {};
    let ioFacets: Facets | undefined;
    const pointerFields: Record<string, unknown> = {
      pointerType: inferPointerType(pointer.name, pointer.endpoint),
    };
    if (withFingerprint && !pointer.endpoint) {
      const file = pointerPath(pointer.name, this.location.root);
      const print = fingerprintFile(file);
      if (print) {
        facets.version = standardFacet('version', { datasetVersion: print.fingerprint }, this.producer);
        pointerFields.size = print.size;
        pointerFields.modifiedTime = print.modifiedTime;
        if (profiled) ioFacets = this.profileFacets(file, print, facets, profiled);
      }
    }
    // A type the name already implies, with nothing else to say, is left out: it would only make
    // every event longer.
    if (
      Object.keys(pointerFields).length > 1 ||
      pointerFields.pointerType !== inferPointerType(pointer.name)
    ) {
      facets[OUR_FACETS.pointer] = ourFacet(OUR_FACETS.pointer, pointerFields, this.producer);
    }
    const dataset: DatasetRef = { namespace: FILE_NAMESPACE, name: pointer.name, facets };
    if (pointer.labels?.length)
      ioFacets = { ...ioFacets, ...labelInputFacets(pointer.labels, this.producer) };
    if (ioFacets) dataset[role === 'input' ? 'inputFacets' : 'outputFacets'] = ioFacets;
    return dataset;
  }

  /**
   * The profile of a file's version, when no event of this store carries it yet (nor an earlier
   * dataset of this event): `schema` goes in the dataset's facets, the returned facets in its
   * inputFacets or outputFacets. A file that changed while it was profiled gets none.
   */
  private profileFacets(
    file: string,
    print: FileFingerprint,
    facets: Facets,
    profiled: Set<string>,
  ): Facets | undefined {
    const version = print.fingerprint;
    if (!profileFormat(file) || profiled.has(version) || this.profileRegistry.has(version)) return undefined;
    const budgetMs = profileBudgetMs();
    if (!(budgetMs > 0)) return undefined;
    const found = profileFile(file, { budgetMs });
    if (!found || !unchanged(file, print)) return undefined;
    profiled.add(version);
    facets[PROFILE_FACETS.schema] = standardFacet('schema', { fields: found.schema }, this.producer);
    return {
      [PROFILE_FACETS.metrics]: standardFacet('dataQualityMetrics', { ...found.metrics }, this.producer),
      [PROFILE_FACETS.ours]: ourFacet(PROFILE_FACETS.ours, { ...found.profile }, this.producer),
    };
  }
}

/** Whether the file still has the size and modification time it was fingerprinted with. */
function unchanged(file: string, print: FileFingerprint): boolean {
  try {
    const stat = fs.statSync(file);
    return stat.size === print.size && stat.mtime.toISOString() === print.modifiedTime;
  } catch {
    return false;
  }
}

let origin: { user?: string; host?: string } | undefined;

/**
 * Who ran it where, for `mltrace_run` (docs/EVENTS.md): the login name and the host name, each
 * left out when it cannot be found. The Python shim writes the same (_events.origin).
 */
export function runOrigin(): { user?: string; host?: string } {
  if (!origin) {
    origin = {};
    try {
      const user = os.userInfo().username;
      if (user) origin.user = user;
    } catch {
      // no entry for this uid (a container): the run just says nothing of its user
    }
    const host = os.hostname();
    if (host) origin.host = host;
  }
  return origin;
}

function dedupe(pointers: PointerSpec[]): PointerSpec[] {
  const seen = new Map<string, PointerSpec>();
  for (const p of pointers) if (!seen.has(p.name)) seen.set(p.name, p);
  return [...seen.values()];
}
