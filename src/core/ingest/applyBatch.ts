// Applies prepared batches (runDeltas.ts) to the index. Order-tolerant and idempotent: the same
// event twice changes nothing, and files may be read in any order, so every derived fact (status,
// start, dependencies, latest writer, flags) is defined by the events' times and log order, never
// by arrival order.
import { crypto } from '../crypto';
import type { PointerType } from '../model';
import { inferPointerType } from '../pointers';
import { floatBytes } from '../profile/storedProfile';
import type { ComponentMeta, ParsedDataset } from './parseEvent';
import { LabelApplier } from './applyLabels';
import type { FlagUpdate, PreparedBatch, RunDelta, RunValueUpdate, TaskValueUpdate } from './runDeltas';
import { DIR, Dir, META, viaUpstream, viaUpstreamSql } from '../schema';
import {
  all,
  Database,
  exec,
  first,
  freeStatements,
  prepareStatements,
  Row,
  RowInserter,
  selectList,
  SqlValue,
  Statements,
} from '../sql';

/** A run's place in time: start, then log order. Dependencies and "latest" are defined by it. */
type Key = readonly [start: number, seq: number];
const before = (a: Key, b: Key): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

interface RunInfo {
  id: number;
  uuid: string;
  componentId: number;
  key: Key;
  startKnown: boolean;
  lifecycle: boolean;
  status: string;
  statusMs: number | null;
  noInputDeps: boolean;
}

interface PointerInfo {
  id: number;
  type: PointerType;
  /** undefined: not loaded yet; null: never written. */
  latest?: { id: number; key: Key } | null;
  /** Highest key among readers; undefined: not loaded yet; null: never read. */
  maxReader?: Key | null;
}

interface ComponentInfo {
  id: number;
  descriptionMs: number;
  ownerMs: number;
  tags: Set<string> | undefined;
}

/**
 * What the applier keeps of a run while a batch is applied: the columns of `runs` that decide its
 * dependencies and status (toRunInfo reads them).
 */
const RUN_STATE = selectList({
  id: 'id',
  componentId: 'component_id',
  startMs: 'start_ms',
  seq: 'seq',
  startKnown: 'start_known',
  lifecycle: 'lifecycle',
  status: 'status',
  statusMs: 'status_ms',
  noInputDeps: 'no_input_deps',
  uuid: 'uuid',
});

/** Columns of `runs` that an event states and a later event of the run only fills in (runFacts). */
const RUN_FACTS = [
  'git_hash',
  'git_tags',
  'source_file',
  'source_line',
  'code_id',
  'error',
  'threshold_days',
  'run_user',
  'run_host',
] as const;

/** The [start_ms, seq] that stand at `at` and `at + 1` in a row: null if they are null. */
const keyAt = (row: Row, at: number): Key | null =>
  row[at] === null ? null : [Number(row[at]), Number(row[at + 1])];

/** Rows of readersOf, readersAfter, declarersOf, declarersAfter: a run, its key (and its current dependency's). */
const DEPENDENT = { runId: 0, key: 1, dependencyKey: 3 } as const;

const { input: INPUT, output: OUTPUT } = DIR;

const SQL = {
  findRuns: `SELECT ${RUN_STATE.sql} FROM runs WHERE uuid IN (SELECT value FROM json_each(?))`,
  updateRun: `UPDATE runs SET component_id = ?, lifecycle = ?, status = ?, status_ms = ?, end_ms = coalesce(?, end_ms),
    ${RUN_FACTS.map((c) => `${c} = coalesce(?, ${c})`).join(', ')}, no_input_deps = ? WHERE id = ?`,
  setStart: `UPDATE runs SET start_ms = ?, start_known = ? WHERE id = ?`,
  setIoStart: `UPDATE run_io SET start_ms = ? WHERE run_id = ?`,
  findCode: `SELECT id FROM code WHERE hash = ?`,
  addPending: `INSERT OR IGNORE INTO code_pending (hash, run_id) VALUES (?, ?)`,
  resolvePending: `UPDATE runs SET code_id = ? WHERE id IN (SELECT run_id FROM code_pending WHERE hash = ?)`,
  dropPending: `DELETE FROM code_pending WHERE hash = ?`,
  insertCode: `INSERT INTO code (hash, language, source) VALUES (?, ?, ?) RETURNING id`,
  findComponent: `SELECT id, description_ms, owner_ms FROM components WHERE name = ?`,
  insertComponent: `INSERT INTO components (id, name, namespace) VALUES (?, ?, ?)`,
  setDescription: `UPDATE components SET description = ?, description_ms = ? WHERE id = ?`,
  setOwner: `UPDATE components SET owner = ?, owner_ms = ? WHERE id = ?`,
  componentTags: `SELECT tag FROM component_tags WHERE component_id = ?`,
  insertTag: `INSERT OR IGNORE INTO component_tags (component_id, tag) VALUES (?, ?)`,
  findPointer: `SELECT id, type FROM pointers WHERE namespace = ? AND name = ?`,
  setPointerType: `UPDATE pointers SET type = ? WHERE id = ?`,
  pointerMaxReader: `SELECT start_ms, seq FROM run_io WHERE pointer_id = ? AND dir = ${INPUT} ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  insertIo: `INSERT OR IGNORE INTO run_io (run_id, dir, pointer_id, fingerprint, start_ms, seq) VALUES (?, ?, ?, ?, ?, ?)`,
  setFingerprint: `UPDATE run_io SET fingerprint = ? WHERE run_id = ? AND dir = ? AND pointer_id = ?`,
  runIo: `SELECT dir, pointer_id FROM run_io WHERE run_id = ?`,
  writerBefore: `SELECT run_id, start_ms, seq FROM run_io WHERE pointer_id = ? AND dir = ${OUTPUT} AND run_id != ?
    AND (start_ms < ? OR (start_ms = ? AND seq < ?)) ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  latestWriterOf: `SELECT run_id, start_ms, seq FROM run_io WHERE pointer_id = ? AND dir = ${OUTPUT} ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  /** Readers that started after a writer: run_id, its key, and the key of its current dependency. */
  readersAfter: `SELECT i.run_id, i.start_ms, i.seq, dr.start_ms, dr.seq FROM run_io i
    JOIN runs r ON r.id = i.run_id AND r.no_input_deps = 0
    LEFT JOIN deps d ON d.run_id = i.run_id AND d.via = i.pointer_id LEFT JOIN runs dr ON dr.id = d.dep_run_id
    WHERE i.pointer_id = ? AND i.dir = ${INPUT} AND i.run_id != ? AND (i.start_ms > ? OR (i.start_ms = ? AND i.seq > ?))`,
  readersOf: `SELECT i.run_id, i.start_ms, i.seq FROM run_io i JOIN runs r ON r.id = i.run_id AND r.no_input_deps = 0
    WHERE i.pointer_id = ? AND i.dir = ${INPUT}`,
  setDep: `INSERT OR REPLACE INTO deps (run_id, via, dep_run_id) VALUES (?, ?, ?)`,
  deleteDep: `DELETE FROM deps WHERE run_id = ? AND via = ?`,
  insertUpstream: `INSERT OR IGNORE INTO upstream (run_id, component_id) VALUES (?, ?)`,
  upstreamOf: `SELECT component_id FROM upstream WHERE run_id = ?`,
  componentRunBefore: `SELECT id FROM runs WHERE component_id = ? AND lifecycle = 1 AND id != ?
    AND (start_ms < ? OR (start_ms = ? AND seq < ?)) ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  /** Runs that declared a component upstream and started after a run of it, as readersAfter. */
  declarersAfter: `SELECT u.run_id, r.start_ms, r.seq, dr.start_ms, dr.seq FROM upstream u JOIN runs r ON r.id = u.run_id
    LEFT JOIN deps d ON d.run_id = u.run_id AND d.via = ${viaUpstreamSql('u.component_id')} LEFT JOIN runs dr ON dr.id = d.dep_run_id
    WHERE u.component_id = ? AND u.run_id != ? AND (r.start_ms > ? OR (r.start_ms = ? AND r.seq > ?))`,
  declarersOf: `SELECT u.run_id, r.start_ms, r.seq FROM upstream u JOIN runs r ON r.id = u.run_id WHERE u.component_id = ?`,
  insertNote: `INSERT OR IGNORE INTO notes (run_id, time_ms, text) VALUES (?, ?, ?)`,
  pointerFlag: `SELECT flag_ms, flag_seq FROM pointers WHERE id = ?`,
  setFlag: `UPDATE pointers SET flagged = ?, flag_ms = ?, flag_seq = ? WHERE id = ?`,
  unflagBefore: `UPDATE pointers SET flagged = 0 WHERE flagged = 1 AND (flag_ms < ? OR (flag_ms = ? AND flag_seq < ?))`,
  /** The latest value of a name wins (event time, then log order): files may be read in any order. */
  setRunValue: `INSERT INTO run_values (run_id, kind, name, value, time_ms, seq) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (run_id, kind, name) DO UPDATE SET value = excluded.value, time_ms = excluded.time_ms, seq = excluded.seq
    WHERE excluded.time_ms > run_values.time_ms OR (excluded.time_ms = run_values.time_ms AND excluded.seq > run_values.seq)`,
  setTaskValue: `INSERT INTO task_values (task, role, identifier, value, time_ms, seq) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (task, role, identifier) DO UPDATE SET value = excluded.value, time_ms = excluded.time_ms, seq = excluded.seq
    WHERE excluded.time_ms > task_values.time_ms OR (excluded.time_ms = task_values.time_ms AND excluded.seq > task_values.seq)`,
  /** The runs that logged a task's values (by run id: the run's own events may come later). */
  addTaskRun: `INSERT OR IGNORE INTO task_runs (task, run_uuid, role) VALUES (?, ?, ?)`,
  /** A registered metric: the latest registration of each identifier wins (by event time, then log order). */
  setTaskMetric: `INSERT INTO task_metrics (task, identifier, name, window_size, function, callable, time_ms, seq)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (task, identifier) DO UPDATE SET name = excluded.name,
      window_size = excluded.window_size, function = excluded.function, callable = excluded.callable,
      time_ms = excluded.time_ms, seq = excluded.seq
    WHERE excluded.time_ms > task_metrics.time_ms OR (excluded.time_ms = task_metrics.time_ms AND excluded.seq > task_metrics.seq)`,
  getMeta: `SELECT value FROM meta WHERE key = ?`,
  setMeta: `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`,
};

export class BatchApplier {
  private readonly runs = new Map<string, RunInfo>();
  private readonly pointers = new Map<string, PointerInfo>();
  private readonly components = new Map<string, ComponentInfo>();
  private nextRunId: number;
  private nextPointerId: number;
  private nextComponentId: number;
  private hasUpstream: boolean;
  private runsComplete: boolean;
  private pointersComplete: boolean;
  /** Runs looked up in this batch and not found: no need to ask again. */
  private readonly absentRuns = new Set<string>();
  private unflagAllKey: Key;
  private readonly s: Statements<keyof typeof SQL>;
  /** Rows of new runs are written in bulk at the end of a batch (or before a query needs them). */
  private readonly newPointers: RowInserter;
  private readonly newRuns: RowInserter;
  private readonly newIo: RowInserter;
  private readonly newDeps: RowInserter;
  /** Data profiles by version; the first one read wins (INSERT OR IGNORE). */
  private readonly newProfiles: RowInserter;
  private readonly codeIds = new Map<string, number>();
  /** Code ids by hash, for mltrace_code references. */
  private readonly codeByHash = new Map<string, number>();
  /** Some run names code by a hash no event has recorded yet (code_pending has rows). */
  private hasPendingCode: boolean;
  private readonly labels: LabelApplier;

  constructor(private readonly db: Database) {
    this.labels = new LabelApplier(db);
    const max = (table: string) => Number(first(db.prepare(`SELECT coalesce(max(id), 0) FROM ${table}`))![0]);
    this.nextRunId = max('runs') + 1;
    this.nextPointerId = max('pointers') + 1;
    this.pointersComplete = this.nextPointerId === 1;
    this.nextComponentId = max('components') + 1;
    this.hasUpstream = first(db.prepare('SELECT 1 FROM upstream LIMIT 1')) !== undefined;
    this.hasPendingCode = first(db.prepare('SELECT 1 FROM code_pending LIMIT 1')) !== undefined;
    // While the index holds only runs this applier created, the `runs` map knows every run.
    this.runsComplete = this.nextRunId === 1;
    this.s = prepareStatements(db, SQL);
    const unflag = first(this.s.getMeta, [META.unflagAll]);
    this.unflagAllKey = unflag ? (JSON.parse(String(unflag[0])) as Key) : [-Infinity, 0];
    this.newRuns = new RowInserter(
      db,
      `INSERT INTO runs (id, uuid, component_id, lifecycle, status, status_ms, start_ms, start_known, end_ms, seq,
        ${RUN_FACTS.join(', ')}, no_input_deps) VALUES`,
      11 + RUN_FACTS.length,
      32,
    );
    this.newPointers = new RowInserter(db, 'INSERT INTO pointers (id, namespace, name, type) VALUES', 4);
    this.newIo = new RowInserter(
      db,
      'INSERT OR IGNORE INTO run_io (run_id, dir, pointer_id, fingerprint, start_ms, seq) VALUES',
      6,
    );
    this.newDeps = new RowInserter(db, 'INSERT OR REPLACE INTO deps (run_id, via, dep_run_id) VALUES', 3);
    this.newProfiles = new RowInserter(
      db,
      'INSERT OR IGNORE INTO profiles (version, data, numbers) VALUES',
      3,
      8,
    );
  }

  /** True while every run in the index came through this applier (it finds them without SQL). */
  get knowsEveryRun(): boolean {
    return this.runsComplete;
  }

  dispose(): void {
    freeStatements(this.s);
    for (const inserter of [this.newPointers, this.newRuns, this.newIo, this.newDeps, this.newProfiles])
      inserter.free();
    this.labels.dispose();
  }

  /** Writes the buffered rows of new runs. Called before any query that must see them. */
  private flush(): void {
    if (this.newPointers.pending) this.newPointers.flush();
    if (this.newRuns.pending) this.newRuns.flush();
    if (this.newIo.pending) this.newIo.flush();
    if (this.newDeps.pending) this.newDeps.flush();
    if (this.newProfiles.pending) this.newProfiles.flush();
  }

  private setDep(runId: number, via: number, depRunId: number): void {
    this.newDeps.add([runId, via, depRunId]);
  }

  /** Loads the runs of a batch that are already in the index, in one query. */
  private prefetchRuns(uuids: string[]): void {
    this.absentRuns.clear();
    if (this.runsComplete) return;
    const missing = uuids.filter((u) => !this.runs.has(u));
    for (const uuid of missing) this.absentRuns.add(uuid);
    for (const run of this.loadRuns(missing)) this.absentRuns.delete(run.uuid);
  }

  /** The runs of these ids that are in the index, remembered in `runs`. */
  private loadRuns(uuids: string[]): RunInfo[] {
    if (uuids.length === 0) return [];
    return all(this.s.findRuns, [JSON.stringify(uuids)]).map((row) => {
      const run = toRunInfo(row);
      this.runs.set(run.uuid, run);
      return run;
    });
  }

  /** Applies a prepared batch (runDeltas.ts): each run's START and COMPLETE become a single write. */
  apply({ metas, deltas, flags, retractions, runValues, taskValues, taskMetrics }: PreparedBatch): void {
    for (const m of metas) this.applyMeta(this.component(m.component, m.namespace), m.meta, m.ms);
    this.prefetchRuns(deltas.map((d) => d.runId));
    for (const delta of deltas) this.applyRun(delta);
    this.flush();
    for (const flag of flags) this.applyFlag(flag);
    for (const retraction of retractions) this.labels.retract(retraction);
    this.labels.flush();
    for (const value of runValues) this.applyRunValue(value);
    for (const value of taskValues) this.applyTaskValue(value);
    for (const m of taskMetrics) {
      const { name, identifier, windowSize, function: fn, callable } = m.metric;
      exec(this.s.setTaskMetric, [m.task, identifier, name, windowSize, fn, callable, m.ms, m.seq]);
    }
  }

  /** A parameter or metric of a run of this batch (its delta was applied just before). */
  private applyRunValue(v: RunValueUpdate): void {
    const run = this.findRun(v.runId);
    if (run) exec(this.s.setRunValue, [run.id, v.kind, v.name, v.value, v.ms, v.seq]);
  }

  private applyTaskValue(v: TaskValueUpdate): void {
    exec(this.s.setTaskValue, [v.task, v.role, v.identifier, v.value, v.ms, v.seq]);
    if (v.runId !== null) exec(this.s.addTaskRun, [v.task, v.runId, v.role]);
  }

  // ---- runs ---------------------------------------------------------------------------------

  private applyRun(d: RunDelta): void {
    const component = this.component(d.component, d.namespace);
    const codeId = d.code ? this.codeId(d.code) : d.codeRef ? this.codeByRef(d.codeRef) : null;
    let run = this.findRun(d.runId);
    if (!run) {
      const startKnown = d.startMs !== null;
      const start = d.startMs ?? d.firstMs;
      run = {
        id: this.nextRunId++,
        uuid: d.runId,
        componentId: component.id,
        key: [start, d.seq],
        startKnown,
        lifecycle: d.lifecycle,
        status: d.terminal?.status ?? 'running',
        statusMs: d.terminal?.ms ?? null,
        noInputDeps: d.noInputDeps,
      };
      this.newRuns.add([
        run.id,
        d.runId,
        run.componentId,
        d.lifecycle ? 1 : 0,
        run.status,
        run.statusMs,
        start,
        startKnown ? 1 : 0,
        d.terminal ? (d.endMs ?? d.terminal.ms) : null,
        d.seq,
        ...runFacts(d, codeId),
        d.noInputDeps ? 1 : 0,
      ]);
      this.runs.set(d.runId, run);
      this.newRunOfComponent(run);
      // A new run's pointers are all new rows: buffer them.
      for (const input of d.inputs.values()) this.addNewIo(run, INPUT, input);
      for (const output of d.outputs.values()) this.addNewIo(run, OUTPUT, output);
    } else {
      if (d.lifecycle && !run.lifecycle) {
        run.lifecycle = true;
        run.componentId = component.id;
      }
      let endMs: number | null = null;
      if (
        d.terminal &&
        (run.status === 'running' || run.statusMs === null || d.terminal.ms >= run.statusMs)
      ) {
        run.status = d.terminal.status;
        run.statusMs = d.terminal.ms;
        endMs = d.endMs ?? d.terminal.ms;
      }
      run.noInputDeps ||= d.noInputDeps;
      this.flush();
      exec(this.s.updateRun, [
        run.componentId,
        run.lifecycle ? 1 : 0,
        run.status,
        run.statusMs,
        endMs,
        ...runFacts(d, codeId),
        run.noInputDeps ? 1 : 0,
        run.id,
      ]);
      const newStart = d.startMs ?? (run.startKnown ? null : Math.min(d.firstMs, run.key[0]));
      if (!run.startKnown && newStart !== null && (newStart !== run.key[0] || d.startMs !== null)) {
        this.moveRun(run, newStart, d.startMs !== null);
      }
      for (const input of d.inputs.values()) this.addIo(run, INPUT, input);
      for (const output of d.outputs.values()) this.addIo(run, OUTPUT, output);
    }
    for (const input of d.inputs.values()) {
      if (input.labels)
        this.labels.attach(input.labels, run.id, this.pointer(input.namespace, input.name, null).id);
    }
    for (const name of d.upstream) this.addUpstream(run, this.component(name, d.namespace).id);
    for (const note of d.notes) exec(this.s.insertNote, [run.id, note.ms, note.text]);
    if (!d.code && d.codeRef && codeId === null) {
      // The event that records this code is further on (or in a file read later): until then.
      exec(this.s.addPending, [d.codeRef, run.id]);
      this.hasPendingCode = true;
    }
  }

  private findRun(uuid: string): RunInfo | undefined {
    const run = this.runs.get(uuid);
    if (run || this.runsComplete || this.absentRuns.has(uuid)) return run;
    return this.loadRuns([uuid])[0];
  }

  private codeId(code: { language: string; source: string }): number {
    const cacheKey = `${code.language}\0${code.source}`;
    const cached = this.codeIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const hash = crypto().createHash('sha256').update(code.source).digest('hex');
    let row = first(this.s.findCode, [hash]);
    if (!row) {
      row = first(this.s.insertCode, [hash, code.language, code.source]);
      if (this.hasPendingCode) {
        // Runs that named this code before it was recorded get it now.
        this.flush();
        exec(this.s.resolvePending, [Number(row![0]), hash]);
        exec(this.s.dropPending, [hash]);
      }
    }
    const id = Number(row![0]);
    this.codeIds.set(cacheKey, id);
    this.codeByHash.set(hash, id);
    return id;
  }

  /** The code an mltrace_code facet names, if an event read so far recorded it. */
  private codeByRef(hash: string): number | null {
    const cached = this.codeByHash.get(hash);
    if (cached !== undefined) return cached;
    const row = first(this.s.findCode, [hash]);
    if (!row) return null;
    const id = Number(row[0]);
    this.codeByHash.set(hash, id);
    return id;
  }

  private addProfile(dataset: ParsedDataset): void {
    if (dataset.profile !== null && dataset.fingerprint !== null)
      this.newProfiles.add([dataset.fingerprint, dataset.profile.data, floatBytes(dataset.profile.numbers)]);
  }

  private addNewIo(run: RunInfo, dir: Dir, dataset: ParsedDataset): void {
    this.addProfile(dataset);
    const pointer = this.pointer(dataset.namespace, dataset.name, dataset.type);
    this.newIo.add([run.id, dir, pointer.id, dataset.fingerprint, run.key[0], run.key[1]]);
    if (dir === INPUT) this.addInputDependency(run, pointer);
    else this.addOutput(run, pointer);
  }

  private addIo(run: RunInfo, dir: Dir, dataset: ParsedDataset): void {
    this.addProfile(dataset);
    const pointer = this.pointer(dataset.namespace, dataset.name, dataset.type);
    exec(this.s.insertIo, [run.id, dir, pointer.id, dataset.fingerprint, run.key[0], run.key[1]]);
    if (this.db.getRowsModified() === 0) {
      if (dataset.fingerprint !== null)
        exec(this.s.setFingerprint, [dataset.fingerprint, run.id, dir, pointer.id]);
      return;
    }
    if (dir === INPUT) this.addInputDependency(run, pointer);
    else this.addOutput(run, pointer);
  }

  /** The reader depends on the latest writer that started before it (ties: earlier in the log). */
  private addInputDependency(reader: RunInfo, pointer: PointerInfo): void {
    const maxReader = this.maxReader(pointer);
    if (maxReader === null || before(maxReader, reader.key)) pointer.maxReader = reader.key;
    if (reader.noInputDeps) return;
    const latest = this.latest(pointer);
    let writer: number | undefined;
    if (latest && latest.id !== reader.id && before(latest.key, reader.key)) writer = latest.id;
    else if (latest) {
      this.flush();
      const row = first(this.s.writerBefore, [
        pointer.id,
        reader.id,
        reader.key[0],
        reader.key[0],
        reader.key[1],
      ]);
      writer = row ? Number(row[0]) : undefined;
    }
    if (writer !== undefined) this.setDep(reader.id, pointer.id, writer);
  }

  /** A new writer may be the dependency of readers that started after it. */
  private addOutput(writer: RunInfo, pointer: PointerInfo): void {
    const latest = this.latest(pointer);
    if (!latest || before(latest.key, writer.key)) pointer.latest = { id: writer.id, key: writer.key };
    const maxReader = this.maxReader(pointer);
    if (maxReader === null || !before(writer.key, maxReader)) return;
    this.flush();
    const [start, seq] = writer.key;
    for (const row of all(this.s.readersAfter, [pointer.id, writer.id, start, start, seq])) {
      const current = keyAt(row, DEPENDENT.dependencyKey);
      if (current === null || before(current, writer.key))
        this.setDep(Number(row[DEPENDENT.runId]), pointer.id, writer.id);
    }
  }

  private addUpstream(run: RunInfo, componentId: number): void {
    this.flush();
    exec(this.s.insertUpstream, [run.id, componentId]);
    if (this.db.getRowsModified() === 0) return;
    this.hasUpstream = true;
    this.resolveUpstream(run.id, run.key, componentId);
  }

  private resolveUpstream(runId: number, key: Key, componentId: number): void {
    this.flush();
    const row = first(this.s.componentRunBefore, [componentId, runId, key[0], key[0], key[1]]);
    if (row) exec(this.s.setDep, [runId, viaUpstream(componentId), Number(row[0])]);
    else exec(this.s.deleteDep, [runId, viaUpstream(componentId)]);
  }

  /** Runs that declared this run's component upstream and started after it may now depend on it. */
  private newRunOfComponent(run: RunInfo): void {
    if (!this.hasUpstream) return;
    this.flush();
    const [start, seq] = run.key;
    for (const row of all(this.s.declarersAfter, [run.componentId, run.id, start, start, seq])) {
      const current = keyAt(row, DEPENDENT.dependencyKey);
      if (current === null || before(current, run.key))
        this.setDep(Number(row[DEPENDENT.runId]), viaUpstream(run.componentId), run.id);
    }
  }

  /**
   * A run's start became known after its dependencies were derived (a COMPLETE without start
   * time read before its START). Rare: recompute everything the run's place in time decides.
   */
  private moveRun(run: RunInfo, start: number, known: boolean): void {
    this.flush();
    run.key = [start, run.key[1]];
    run.startKnown = known;
    exec(this.s.setStart, [start, known ? 1 : 0, run.id]);
    exec(this.s.setIoStart, [start, run.id]);
    const io = all(this.s.runIo, [run.id]).map((r) => ({
      dir: Number(r[0]) as Dir,
      pointerId: Number(r[1]),
    }));
    for (const info of this.pointers.values()) {
      if (io.some((x) => x.pointerId === info.id)) {
        info.latest = undefined;
        info.maxReader = undefined;
      }
    }
    for (const { dir, pointerId } of io) {
      if (dir !== OUTPUT) continue;
      for (const reader of all(this.s.readersOf, [pointerId])) {
        this.resolveInput(Number(reader[DEPENDENT.runId]), keyAt(reader, DEPENDENT.key)!, pointerId);
      }
    }
    if (!run.noInputDeps) {
      for (const { dir, pointerId } of io) if (dir === INPUT) this.resolveInput(run.id, run.key, pointerId);
    }
    for (const row of all(this.s.upstreamOf, [run.id])) this.resolveUpstream(run.id, run.key, Number(row[0]));
    if (this.hasUpstream) {
      for (const row of all(this.s.declarersOf, [run.componentId])) {
        this.resolveUpstream(Number(row[DEPENDENT.runId]), keyAt(row, DEPENDENT.key)!, run.componentId);
      }
    }
  }

  private resolveInput(readerId: number, key: Key, pointerId: number): void {
    this.flush();
    const row = first(this.s.writerBefore, [pointerId, readerId, key[0], key[0], key[1]]);
    if (row) exec(this.s.setDep, [readerId, pointerId, Number(row[0])]);
    else exec(this.s.deleteDep, [readerId, pointerId]);
  }

  // ---- pointers -----------------------------------------------------------------------------

  private pointer(namespace: string, name: string, declared: PointerType | null): PointerInfo {
    const cacheKey = `${namespace}\0${name}`;
    let info = this.pointers.get(cacheKey);
    if (!info) {
      const row = this.pointersComplete ? undefined : first(this.s.findPointer, [namespace, name]);
      if (row) info = { id: Number(row[0]), type: row[1] as PointerType };
      else {
        info = {
          id: this.nextPointerId++,
          type: declared ?? inferPointerType(name),
          latest: null,
          maxReader: null,
        };
        this.newPointers.add([info.id, namespace, name, info.type]);
      }
      this.pointers.set(cacheKey, info);
    }
    if (declared && declared !== info.type && declared !== 'UNKNOWN') {
      info.type = declared;
      this.flush();
      exec(this.s.setPointerType, [declared, info.id]);
    }
    return info;
  }

  private latest(pointer: PointerInfo): { id: number; key: Key } | null {
    if (pointer.latest === undefined) {
      this.flush();
      const row = first(this.s.latestWriterOf, [pointer.id]);
      pointer.latest = row ? { id: Number(row[0]), key: keyAt(row, 1)! } : null;
    }
    return pointer.latest;
  }

  private maxReader(pointer: PointerInfo): Key | null {
    if (pointer.maxReader === undefined) {
      this.flush();
      const row = first(this.s.pointerMaxReader, [pointer.id]);
      pointer.maxReader = row ? keyAt(row, 0) : null;
    }
    return pointer.maxReader;
  }

  private applyFlag({ event, seq }: FlagUpdate): void {
    const key: Key = [event.timeMs, seq];
    if (event.all) {
      if (!before(this.unflagAllKey, key)) return;
      this.unflagAllKey = key;
      exec(this.s.setMeta, [META.unflagAll, JSON.stringify(key)]);
      exec(this.s.unflagBefore, [key[0], key[0], key[1]]);
      return;
    }
    const pointer = this.pointer(event.namespace, event.name, null);
    this.flush();
    const row = first(this.s.pointerFlag, [pointer.id])!;
    const current = keyAt(row, 0);
    if (current !== null && !before(current, key)) return;
    const flagged = event.flagged && before(this.unflagAllKey, key);
    exec(this.s.setFlag, [flagged ? 1 : 0, key[0], key[1], pointer.id]);
  }

  // ---- components ---------------------------------------------------------------------------

  private component(name: string, namespace: string): ComponentInfo {
    let info = this.components.get(name);
    if (info) return info;
    const row = first(this.s.findComponent, [name]);
    if (row)
      info = { id: Number(row[0]), descriptionMs: Number(row[1]), ownerMs: Number(row[2]), tags: undefined };
    else {
      info = { id: this.nextComponentId++, descriptionMs: -Infinity, ownerMs: -Infinity, tags: new Set() };
      exec(this.s.insertComponent, [info.id, name, namespace]);
    }
    this.components.set(name, info);
    return info;
  }

  private applyMeta(component: ComponentInfo, meta: ComponentMeta, ms: number): void {
    if (meta.description !== undefined && ms >= component.descriptionMs) {
      component.descriptionMs = ms;
      exec(this.s.setDescription, [meta.description, ms, component.id]);
    }
    if (meta.owner !== undefined && ms >= component.ownerMs) {
      component.ownerMs = ms;
      exec(this.s.setOwner, [meta.owner, ms, component.id]);
    }
    if (meta.tags?.length) {
      component.tags ??= new Set(all(this.s.componentTags, [component.id]).map((r) => String(r[0])));
      for (const tag of meta.tags) {
        if (component.tags.has(tag)) continue;
        component.tags.add(tag);
        exec(this.s.insertTag, [component.id, tag]);
      }
    }
  }
}

/** A run as RUN_STATE selects it. */
function toRunInfo(row: SqlValue[]): RunInfo {
  const at = RUN_STATE.at;
  return {
    id: Number(row[at.id]),
    uuid: String(row[at.uuid]),
    componentId: Number(row[at.componentId]),
    key: [Number(row[at.startMs]), Number(row[at.seq])],
    startKnown: row[at.startKnown] === 1,
    lifecycle: row[at.lifecycle] === 1,
    status: String(row[at.status]),
    statusMs: row[at.statusMs] === null ? null : Number(row[at.statusMs]),
    noInputDeps: row[at.noInputDeps] === 1,
  };
}

/** What a run delta states of the RUN_FACTS columns, in their order (null: not stated). */
function runFacts(d: RunDelta, codeId: number | null): SqlValue[] {
  const gitTags = d.gitTags ? JSON.stringify(d.gitTags) : null;
  return [d.gitHash, gitTags, d.sourceFile, d.sourceLine, codeId, d.error, d.thresholdDays, d.user, d.host];
}
