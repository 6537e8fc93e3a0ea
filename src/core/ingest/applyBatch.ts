// Applies parsed events to the index. Order-tolerant and idempotent: the same event twice changes
// nothing, and files may be read in any order, so every derived fact (status, start, dependencies,
// latest writer, flags) is defined by the events' times and log order, never by arrival order.
import { createHash } from 'node:crypto';
import type { PointerType } from '../model';
import { inferPointerType } from '../pointers';
import type { ComponentMeta, ParsedDataset } from './parseEvent';
import type { FlagUpdate, PreparedBatch, RunDelta } from './runDeltas';
import { all, Database, exec, first, RowInserter, SqlValue, Statement } from '../sql';

/** A run's place in time: start, then log order. Dependencies and "latest" are defined by it. */
type Key = readonly [start: number, seq: number];
const before = (a: Key, b: Key): boolean => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

interface RunInfo {
  id: number;
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
  private readonly s: Record<string, Statement>;
  /** Rows of new runs are written in bulk at the end of a batch (or before a query needs them). */
  private readonly newPointers: RowInserter;
  private readonly newRuns: RowInserter;
  private readonly newIo: RowInserter;
  private readonly newDeps: RowInserter;
  private readonly codeIds = new Map<string, number>();

  constructor(private readonly db: Database) {
    const max = (table: string) => Number(first(db.prepare(`SELECT coalesce(max(id), 0) FROM ${table}`))![0]);
    this.nextRunId = max('runs') + 1;
    this.nextPointerId = max('pointers') + 1;
    this.pointersComplete = this.nextPointerId === 1;
    this.nextComponentId = max('components') + 1;
    this.hasUpstream = first(db.prepare('SELECT 1 FROM upstream LIMIT 1')) !== undefined;
    // While the index holds only runs this applier created, the `runs` map knows every run.
    this.runsComplete = this.nextRunId === 1;
    const unflag = first(db.prepare(`SELECT value FROM meta WHERE key = 'unflag_all'`));
    this.unflagAllKey = unflag ? (JSON.parse(String(unflag[0])) as Key) : [-Infinity, 0];
    this.newRuns = new RowInserter(
      db,
      `INSERT INTO runs (id, uuid, component_id, lifecycle, status, status_ms, start_ms, start_known, end_ms, seq,
        git_hash, git_tags, source_file, source_line, code_id, error, threshold_days, no_input_deps) VALUES`,
      18,
      32,
    );
    this.newPointers = new RowInserter(db, 'INSERT INTO pointers (id, namespace, name, type) VALUES', 4);
    this.newIo = new RowInserter(
      db,
      'INSERT OR IGNORE INTO run_io (run_id, dir, pointer_id, fingerprint, start_ms, seq) VALUES',
      6,
    );
    this.newDeps = new RowInserter(db, 'INSERT OR REPLACE INTO deps (run_id, via, dep_run_id) VALUES', 3);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      findRun: p(
        `SELECT id, component_id, start_ms, seq, start_known, lifecycle, status, status_ms, no_input_deps, uuid FROM runs WHERE uuid = ?`,
      ),
      updateRun:
        p(`UPDATE runs SET component_id = ?, lifecycle = ?, status = ?, status_ms = ?, end_ms = coalesce(?, end_ms),
        git_hash = coalesce(?, git_hash), git_tags = coalesce(?, git_tags), source_file = coalesce(?, source_file),
        source_line = coalesce(?, source_line), code_id = coalesce(?, code_id), error = coalesce(?, error),
        threshold_days = coalesce(?, threshold_days), no_input_deps = ? WHERE id = ?`),
      setStart: p(`UPDATE runs SET start_ms = ?, start_known = ? WHERE id = ?`),
      setIoStart: p(`UPDATE run_io SET start_ms = ? WHERE run_id = ?`),
      findCode: p(`SELECT id FROM code WHERE hash = ?`),
      insertCode: p(`INSERT INTO code (hash, language, source) VALUES (?, ?, ?) RETURNING id`),
      findComponent: p(`SELECT id, description_ms, owner_ms FROM components WHERE name = ?`),
      insertComponent: p(`INSERT INTO components (id, name, namespace) VALUES (?, ?, ?)`),
      setDescription: p(`UPDATE components SET description = ?, description_ms = ? WHERE id = ?`),
      setOwner: p(`UPDATE components SET owner = ?, owner_ms = ? WHERE id = ?`),
      componentTags: p(`SELECT tag FROM component_tags WHERE component_id = ?`),
      insertTag: p(`INSERT OR IGNORE INTO component_tags (component_id, tag) VALUES (?, ?)`),
      findPointer: p(`SELECT id, type FROM pointers WHERE namespace = ? AND name = ?`),
      setPointerType: p(`UPDATE pointers SET type = ? WHERE id = ?`),
      pointerMaxReader: p(
        `SELECT start_ms, seq FROM run_io WHERE pointer_id = ? AND dir = 0 ORDER BY start_ms DESC, seq DESC LIMIT 1`,
      ),
      insertIo: p(
        `INSERT OR IGNORE INTO run_io (run_id, dir, pointer_id, fingerprint, start_ms, seq) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      setFingerprint: p(`UPDATE run_io SET fingerprint = ? WHERE run_id = ? AND dir = ? AND pointer_id = ?`),
      runIo: p(`SELECT dir, pointer_id FROM run_io WHERE run_id = ?`),
      writerBefore:
        p(`SELECT run_id, start_ms, seq FROM run_io WHERE pointer_id = ? AND dir = 1 AND run_id != ?
        AND (start_ms < ? OR (start_ms = ? AND seq < ?)) ORDER BY start_ms DESC, seq DESC LIMIT 1`),
      latestWriterOf: p(
        `SELECT run_id, start_ms, seq FROM run_io WHERE pointer_id = ? AND dir = 1 ORDER BY start_ms DESC, seq DESC LIMIT 1`,
      ),
      readersAfter: p(`SELECT i.run_id, i.start_ms, i.seq, dr.start_ms, dr.seq FROM run_io i
        JOIN runs r ON r.id = i.run_id AND r.no_input_deps = 0
        LEFT JOIN deps d ON d.run_id = i.run_id AND d.via = i.pointer_id LEFT JOIN runs dr ON dr.id = d.dep_run_id
        WHERE i.pointer_id = ? AND i.dir = 0 AND i.run_id != ? AND (i.start_ms > ? OR (i.start_ms = ? AND i.seq > ?))`),
      readersOf:
        p(`SELECT i.run_id, i.start_ms, i.seq FROM run_io i JOIN runs r ON r.id = i.run_id AND r.no_input_deps = 0
        WHERE i.pointer_id = ? AND i.dir = 0`),
      setDep: p(`INSERT OR REPLACE INTO deps (run_id, via, dep_run_id) VALUES (?, ?, ?)`),
      deleteDep: p(`DELETE FROM deps WHERE run_id = ? AND via = ?`),
      deleteDepsOf: p(`DELETE FROM deps WHERE run_id = ?`),
      insertUpstream: p(`INSERT OR IGNORE INTO upstream (run_id, component_id) VALUES (?, ?)`),
      upstreamOf: p(`SELECT component_id FROM upstream WHERE run_id = ?`),
      componentRunBefore: p(`SELECT id FROM runs WHERE component_id = ? AND lifecycle = 1 AND id != ?
        AND (start_ms < ? OR (start_ms = ? AND seq < ?)) ORDER BY start_ms DESC, seq DESC LIMIT 1`),
      declarersAfter:
        p(`SELECT u.run_id, r.start_ms, r.seq, dr.start_ms, dr.seq FROM upstream u JOIN runs r ON r.id = u.run_id
        LEFT JOIN deps d ON d.run_id = u.run_id AND d.via = -u.component_id LEFT JOIN runs dr ON dr.id = d.dep_run_id
        WHERE u.component_id = ? AND u.run_id != ? AND (r.start_ms > ? OR (r.start_ms = ? AND r.seq > ?))`),
      declarersOf: p(
        `SELECT u.run_id, r.start_ms, r.seq FROM upstream u JOIN runs r ON r.id = u.run_id WHERE u.component_id = ?`,
      ),
      insertNote: p(`INSERT OR IGNORE INTO notes (run_id, time_ms, text) VALUES (?, ?, ?)`),
      pointerFlag: p(`SELECT flag_ms, flag_seq FROM pointers WHERE id = ?`),
      setFlag: p(`UPDATE pointers SET flagged = ?, flag_ms = ?, flag_seq = ? WHERE id = ?`),
      unflagBefore: p(
        `UPDATE pointers SET flagged = 0 WHERE flagged = 1 AND (flag_ms < ? OR (flag_ms = ? AND flag_seq < ?))`,
      ),
      setMeta: p(`INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`),
    };
  }

  /** True while every run in the index came through this applier (it finds them without SQL). */
  get knowsEveryRun(): boolean {
    return this.runsComplete;
  }

  dispose(): void {
    for (const stmt of Object.values(this.s)) stmt.free();
    for (const inserter of [this.newPointers, this.newRuns, this.newIo, this.newDeps]) inserter.free();
  }

  /** Writes the buffered rows of new runs. Called before any query that must see them. */
  private flush(): void {
    if (this.newPointers.pending) this.newPointers.flush();
    if (this.newRuns.pending) this.newRuns.flush();
    if (this.newIo.pending) this.newIo.flush();
    if (this.newDeps.pending) this.newDeps.flush();
  }

  private setDep(runId: number, via: number, depRunId: number): void {
    this.newDeps.add([runId, via, depRunId]);
  }

  /** Loads the runs of a batch that are already in the index, in one query per 500. */
  private prefetchRuns(uuids: string[]): void {
    this.absentRuns.clear();
    if (this.runsComplete) return;
    const missing = uuids.filter((u) => !this.runs.has(u));
    for (const uuid of missing) this.absentRuns.add(uuid);
    for (let i = 0; i < missing.length; i += 500) {
      const chunk = missing.slice(i, i + 500);
      const stmt = this.db
        .prepare(`SELECT id, component_id, start_ms, seq, start_known, lifecycle, status, status_ms,
        no_input_deps, uuid FROM runs WHERE uuid IN (${chunk.map(() => '?').join(', ')})`);
      try {
        for (const row of all(stmt, chunk)) {
          this.runs.set(String(row[9]), toRunInfo(row));
          this.absentRuns.delete(String(row[9]));
        }
      } finally {
        stmt.free();
      }
    }
  }

  /** Applies a prepared batch (runDeltas.ts): each run's START and COMPLETE become a single write. */
  apply({ metas, deltas, flags }: PreparedBatch): void {
    for (const m of metas) this.applyMeta(this.component(m.component, m.namespace), m.meta, m.ms);
    this.prefetchRuns(deltas.map((d) => d.runId));
    for (const delta of deltas) this.applyRun(delta);
    this.flush();
    for (const flag of flags) this.applyFlag(flag);
  }

  // ---- runs ---------------------------------------------------------------------------------

  private applyRun(d: RunDelta): void {
    const component = this.component(d.component, d.namespace);
    const codeId = d.code ? this.codeId(d.code) : null;
    const gitTags = d.gitTags ? JSON.stringify(d.gitTags) : null;
    let run = this.findRun(d.runId);
    if (!run) {
      const startKnown = d.startMs !== null;
      const start = d.startMs ?? d.firstMs;
      run = {
        id: this.nextRunId++,
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
        d.gitHash,
        gitTags,
        d.sourceFile,
        d.sourceLine,
        codeId,
        d.error,
        d.thresholdDays,
        d.noInputDeps ? 1 : 0,
      ]);
      this.runs.set(d.runId, run);
      this.newRunOfComponent(run);
      // A new run's pointers are all new rows: buffer them.
      for (const input of d.inputs.values()) this.addNewIo(run, 0, input);
      for (const output of d.outputs.values()) this.addNewIo(run, 1, output);
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
        d.gitHash,
        gitTags,
        d.sourceFile,
        d.sourceLine,
        codeId,
        d.error,
        d.thresholdDays,
        run.noInputDeps ? 1 : 0,
        run.id,
      ]);
      const newStart = d.startMs ?? (run.startKnown ? null : Math.min(d.firstMs, run.key[0]));
      if (!run.startKnown && newStart !== null && (newStart !== run.key[0] || d.startMs !== null)) {
        this.moveRun(run, newStart, d.startMs !== null);
      }
      for (const input of d.inputs.values()) this.addIo(run, 0, input);
      for (const output of d.outputs.values()) this.addIo(run, 1, output);
    }
    for (const name of d.upstream) this.addUpstream(run, this.component(name, d.namespace).id);
    for (const note of d.notes) exec(this.s.insertNote, [run.id, note.ms, note.text]);
  }

  private findRun(uuid: string): RunInfo | undefined {
    let run = this.runs.get(uuid);
    if (run || this.runsComplete || this.absentRuns.has(uuid)) return run;
    const row = first(this.s.findRun, [uuid]);
    if (!row) return undefined;
    run = toRunInfo(row);
    this.runs.set(uuid, run);
    return run;
  }

  private codeId(code: { language: string; source: string }): number {
    const cacheKey = `${code.language}\0${code.source}`;
    const cached = this.codeIds.get(cacheKey);
    if (cached !== undefined) return cached;
    const hash = createHash('sha1').update(code.language).update('\0').update(code.source).digest('hex');
    const row =
      first(this.s.findCode, [hash]) ?? first(this.s.insertCode, [hash, code.language, code.source]);
    const id = Number(row![0]);
    this.codeIds.set(cacheKey, id);
    return id;
  }

  private addNewIo(run: RunInfo, dir: 0 | 1, dataset: ParsedDataset): void {
    const pointer = this.pointer(dataset.namespace, dataset.name, dataset.type);
    this.newIo.add([run.id, dir, pointer.id, dataset.fingerprint, run.key[0], run.key[1]]);
    if (dir === 0) this.addInputDependency(run, pointer);
    else this.addOutput(run, pointer);
  }

  private addIo(run: RunInfo, dir: 0 | 1, dataset: ParsedDataset): void {
    const pointer = this.pointer(dataset.namespace, dataset.name, dataset.type);
    exec(this.s.insertIo, [run.id, dir, pointer.id, dataset.fingerprint, run.key[0], run.key[1]]);
    if (this.db.getRowsModified() === 0) {
      if (dataset.fingerprint !== null)
        exec(this.s.setFingerprint, [dataset.fingerprint, run.id, dir, pointer.id]);
      return;
    }
    if (dir === 0) this.addInputDependency(run, pointer);
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
      const current: Key | null = row[3] === null ? null : [Number(row[3]), Number(row[4])];
      if (current === null || before(current, writer.key)) this.setDep(Number(row[0]), pointer.id, writer.id);
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
    if (row) exec(this.s.setDep, [runId, -componentId, Number(row[0])]);
    else exec(this.s.deleteDep, [runId, -componentId]);
  }

  /** Runs that declared this run's component upstream and started after it may now depend on it. */
  private newRunOfComponent(run: RunInfo): void {
    if (!this.hasUpstream) return;
    this.flush();
    const [start, seq] = run.key;
    for (const row of all(this.s.declarersAfter, [run.componentId, run.id, start, start, seq])) {
      const current: Key | null = row[3] === null ? null : [Number(row[3]), Number(row[4])];
      if (current === null || before(current, run.key)) this.setDep(Number(row[0]), -run.componentId, run.id);
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
    const io = all(this.s.runIo, [run.id]).map((r) => ({ dir: Number(r[0]), pointerId: Number(r[1]) }));
    for (const info of this.pointers.values()) {
      if (io.some((x) => x.pointerId === info.id)) {
        info.latest = undefined;
        info.maxReader = undefined;
      }
    }
    for (const { dir, pointerId } of io) {
      if (dir !== 1) continue;
      for (const reader of all(this.s.readersOf, [pointerId])) {
        this.resolveInput(Number(reader[0]), [Number(reader[1]), Number(reader[2])], pointerId);
      }
    }
    if (!run.noInputDeps) {
      for (const { dir, pointerId } of io) if (dir === 0) this.resolveInput(run.id, run.key, pointerId);
    }
    for (const row of all(this.s.upstreamOf, [run.id])) this.resolveUpstream(run.id, run.key, Number(row[0]));
    if (this.hasUpstream) {
      for (const row of all(this.s.declarersOf, [run.componentId])) {
        this.resolveUpstream(Number(row[0]), [Number(row[1]), Number(row[2])], run.componentId);
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
      pointer.latest = row ? { id: Number(row[0]), key: [Number(row[1]), Number(row[2])] } : null;
    }
    return pointer.latest;
  }

  private maxReader(pointer: PointerInfo): Key | null {
    if (pointer.maxReader === undefined) {
      this.flush();
      const row = first(this.s.pointerMaxReader, [pointer.id]);
      pointer.maxReader = row ? [Number(row[0]), Number(row[1])] : null;
    }
    return pointer.maxReader;
  }

  private applyFlag({ event, seq }: FlagUpdate): void {
    const key: Key = [event.timeMs, seq];
    if (event.all) {
      if (!before(this.unflagAllKey, key)) return;
      this.unflagAllKey = key;
      exec(this.s.setMeta, ['unflag_all', JSON.stringify(key)]);
      exec(this.s.unflagBefore, [key[0], key[0], key[1]]);
      return;
    }
    const pointer = this.pointer(event.namespace, event.name, null);
    this.flush();
    const row = first(this.s.pointerFlag, [pointer.id])!;
    const current: Key | null = row[0] === null ? null : [Number(row[0]), Number(row[1])];
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

/**
 * A batch of events grouped for the index: the component metadata they carry, one delta per run
 * (its START and COMPLETE merged), and the flags. Pure: a worker thread can prepare batches while
 * the index applies earlier ones.
 */
function toRunInfo(row: SqlValue[]): RunInfo {
  return {
    id: Number(row[0]),
    componentId: Number(row[1]),
    key: [Number(row[2]), Number(row[3])],
    startKnown: row[4] === 1,
    lifecycle: row[5] === 1,
    status: String(row[6]),
    statusMs: row[7] === null ? null : Number(row[7]),
    noInputDeps: row[8] === 1,
  };
}
