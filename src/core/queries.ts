// The queries the CLI, the views and the webviews share. Each answers with a fixed number of SQL
// statements, whatever the size of the answer (no query per node).
import type {
  Component,
  HistoryRun,
  Pointer,
  PointerIO,
  PointerType,
  Review,
  Run,
  RunDetail,
  RunStatus,
  Trace,
  TracedRun,
} from './model';
import type { LineageStart, LineageWindow } from './model';
import { LineageError } from './model';
import { DIR } from './schema';
import {
  all,
  allJson,
  columnsJsonSql,
  byteOrder,
  Database,
  first,
  FROM_IDS,
  jsonRowsSql,
  Row,
  selectList,
  Statement,
} from './sql';
import { Staleness, StalenessOptions } from './staleness';
import { driftSettings, DriftSettings } from './drift';
import { Against, DriftComparison, DriftQuery, RunInputDrift } from './driftQuery';
import { FILE_NAMESPACE } from './events';
import { readRunValues, RUN_VALUES_SQL } from './runValues';
import { JoinedValue, joinedValues, listTasks, TaskSummary } from './tasks';
import { TaskOutcome, taskOutcomes } from './tasks/series';
import { registeredMetrics } from './tasks/registered';
import type { RegisteredTaskMetric } from './tasks/model';
import { breadthFirst, depthFirst, newestFirst, reachableCounts, WalkNode } from './traversal';
import { LabelQueries } from './labels/queries';
import { RunGraph } from './runGraph';
import { isoTime } from './isoTime';

export interface Page<T> {
  items: T[];
  /** Pass as `after` to get the next page; null on the last page. */
  next: string | null;
}

export interface HistoryOptions {
  limit?: number;
  since?: Date;
  until?: Date;
}

/** SQL for a pointer's display name: bare for workspace files, `namespace/name` otherwise. */
const POINTER_NAME = `CASE WHEN p.namespace = '${FILE_NAMESPACE}' THEN p.name ELSE p.namespace || '/' || p.name END`;

/** SQL for the names of the pointers run `r` used in one direction, as a JSON array. */
const RUN_POINTERS = (dir: number) => `(SELECT json_group_array(n) FROM (SELECT ${POINTER_NAME} AS n
  FROM run_io io JOIN pointers p ON p.id = io.pointer_id WHERE io.run_id = r.id AND io.dir = ${dir} ORDER BY n))`;

/** A run's own columns. */
const RUN_FACT_COLUMNS = {
  rowId: 'r.id',
  uuid: 'r.uuid',
  component: 'c.name',
  status: 'r.status',
  startMs: 'r.start_ms',
  endMs: 'r.end_ms',
  gitHash: 'r.git_hash',
  gitTags: 'r.git_tags',
  sourceFile: 'r.source_file',
  sourceLine: 'r.source_line',
  error: 'r.error',
  user: 'r.run_user',
  host: 'r.run_host',
};
/** A run's own columns only (long traces read its pointers and dependencies in bulk). */
const RUN_FACTS = selectList(RUN_FACT_COLUMNS);
/** Columns of a run, with its pointers, dependencies and notes aggregated: one row per run (toRun). */
const RUN = selectList({
  ...RUN_FACT_COLUMNS,
  inputs: RUN_POINTERS(DIR.input),
  outputs: RUN_POINTERS(DIR.output),
  dependencies: `(SELECT json_group_array(u) FROM (SELECT DISTINCT dr.uuid AS u FROM deps d JOIN runs dr ON dr.id = d.dep_run_id
    WHERE d.run_id = r.id ORDER BY dr.start_ms DESC, dr.seq DESC))`,
  notes: `(SELECT group_concat(text, char(10)) FROM (SELECT text FROM notes WHERE run_id = r.id ORDER BY time_ms, text))`,
});
const RUN_COLUMNS = RUN.sql;
/** What `inspect` reads after RUN_COLUMNS. */
const RUN_DETAIL = selectList(
  { codeId: 'r.code_id', description: 'c.description', owner: 'c.owner', componentId: 'r.component_id' },
  RUN.end,
);
/** A pointer a run used, as `inspect` lists it. */
const RUN_IO = selectList({
  dir: 'io.dir',
  name: POINTER_NAME,
  type: 'p.type',
  flagged: 'p.flagged',
  fingerprint: 'io.fingerprint',
});
const RUN_FROM = `FROM runs r JOIN components c ON c.id = r.component_id`;
/**
 * Runs that queries list: a run known only from OTHER events (notes that arrived before its
 * START, say) waits, unseen, for its first lifecycle event.
 */
const SHOWN = 'r.lifecycle = 1';
/** Runs staleOfComponent reads in one runsById. */
const RUNS_READ_AT_ONCE = 1024;
/** A component is what ran or what was described: a name met only in a declared upstream is not. */
const IS_COMPONENT = `(EXISTS (SELECT 1 FROM runs WHERE component_id = c.id AND lifecycle = 1)
  OR c.description != '' OR c.owner != '' OR EXISTS (SELECT 1 FROM component_tags t WHERE t.component_id = c.id))`;

/** A pointer as `Pointer` lists it (toPointer). */
const POINTER_COLUMNS = `${POINTER_NAME}, p.type, p.flagged,
  (SELECT count(*) FROM run_io WHERE pointer_id = p.id AND dir = ${DIR.output}),
  (SELECT count(*) FROM run_io WHERE pointer_id = p.id AND dir = ${DIR.input})`;

/** The pointers of `?`, a JSON array of [index, rank, namespace, name] (pointersNamed). */
export const POINTERS_NAMED_SQL = `SELECT j.value ->> 0, j.value ->> 1, ${POINTER_COLUMNS} FROM json_each(?) j
  CROSS JOIN pointers p ON p.namespace = j.value ->> 2 AND p.name = j.value ->> 3`;

/**
 * The pointers named `?` in any namespace: the namespaces listed by skipping along the
 * (namespace, name) index (each step one search for the next namespace), then one search each.
 */
export const BARE_NAME_SQL = (columns: string) => `WITH RECURSIVE ns(namespace) AS (
    SELECT (SELECT min(namespace) FROM pointers)
    UNION ALL SELECT (SELECT min(n.namespace) FROM pointers n WHERE n.namespace > ns.namespace) FROM ns
    WHERE ns.namespace IS NOT NULL
  ) SELECT ${columns} FROM ns CROSS JOIN pointers p ON p.namespace = ns.namespace AND p.name = ?`;

/** SQL for the id of the latest run that wrote pointer `p` (by start time, then log order). */
const LATEST_WRITER = `(SELECT w.run_id FROM run_io w WHERE w.pointer_id = p.id AND w.dir = ${DIR.output}
  ORDER BY w.start_ms DESC, w.seq DESC LIMIT 1)`;

/**
 * Up to this many runs, a walk is one recursive query (below); past it, the whole dependency
 * table is read once and walked in JavaScript, since SQLite's recursive UNION, which keeps every
 * run it reached in a temporary index, costs about ten times more per run than that.
 */
const WALK_IN_SQL = 4096;

/**
 * The runs a walk reaches from a JSON array of run ids, with their order keys, one row per
 * dependency (or one with a null dependency): ids only, and a recursive query over single ids,
 * which never multiplies rows, so that the order, the depths and the windows are computed in
 * JavaScript over plain numbers. (A per-run aggregate of the dependencies costs ten times more.)
 * The recursion stops one run past WALK_IN_SQL: a walk that reaches it is done otherwise.
 */
const WALK = {
  upstream: `WITH RECURSIVE up(id) AS (SELECT value FROM json_each(?)
      UNION SELECT d.dep_run_id FROM deps d JOIN up ON d.run_id = up.id LIMIT ${WALK_IN_SQL + 1})
    SELECT r.id, r.start_ms, r.seq, d.dep_run_id FROM up JOIN runs r ON r.id = up.id LEFT JOIN deps d ON d.run_id = r.id`,
  downstream: `WITH RECURSIVE down(id) AS (SELECT value FROM json_each(?)
      UNION SELECT d.run_id FROM deps d JOIN down ON d.dep_run_id = down.id LIMIT ${WALK_IN_SQL + 1})
    SELECT r.id, r.start_ms, r.seq, d.dep_run_id FROM down JOIN runs r ON r.id = down.id LEFT JOIN deps d ON d.run_id = r.id`,
};

/** The runs a walk reached: order keys, and the edges among them both ways, newest first. */
interface Walk {
  nodes: Map<number, WalkNode>;
  /** Dependencies of each run. */
  up: Map<number, number[]>;
  /** Runs of the walk that depend on each run. */
  down: Map<number, number[]>;
}

const NONE: readonly number[] = [];

/**
 * Completes a walk whose nodes and dependencies (`up`, each once) are read: keeps the edges among
 * its nodes, adds the reverse ones (`down`), and puts each list newest first.
 */
function linkWalk(walk: Walk): Walk {
  for (const [id, deps] of walk.up) {
    const known = deps.every((d) => walk.nodes.has(d)) ? deps : deps.filter((d) => walk.nodes.has(d));
    if (known !== deps) walk.up.set(id, known);
    for (const dep of known) {
      const list = walk.down.get(dep);
      if (list) list.push(id);
      else walk.down.set(dep, [id]);
    }
  }
  const byNewest = (a: number, b: number) => newestFirst(walk.nodes.get(a)!, walk.nodes.get(b)!);
  for (const list of walk.up.values()) if (list.length > 1) list.sort(byNewest);
  for (const list of walk.down.values()) if (list.length > 1) list.sort(byNewest);
  return walk;
}

/**
 * Runs read (and judged) at a time by `tracePages`: large enough that the queries' own cost is
 * spread thin, small enough that every text of a page (each query's JSON, the page's output,
 * about 700 bytes a run) stays under V8's large-object size (128 KiB). A larger string or array
 * gets fresh memory of its own, which costs a page fault per 4 KiB here: at 2,000 runs a page,
 * that was a fifth of a deep trace's CPU.
 */
const TRACE_PAGE = 128;

/**
 * Rows of the dependency table, and runs, read per query by `walkInMemory`: each query's JSON
 * text (a few numbers a row) stays under V8's large-object size, as TRACE_PAGE's do.
 */
const WALK_CHUNK = 8192;

export class Queries {
  private readonly statements = new Map<string, Statement>();
  private readonly listeners = new Set<() => void>();
  private staleness: Staleness | undefined;
  private driftQuery: DriftQuery | undefined;
  private labelQueries: LabelQueries | undefined;
  /** The dependency table as a RunGraph, kept until the next change (review walks it twice). */
  private graph: RunGraph | undefined;

  protected constructor(
    protected readonly db: Database,
    readonly root: string,
  ) {}

  /** Called after an ingest that read new events. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  protected changed(): void {
    this.graph = undefined;
    for (const listener of this.listeners) listener();
  }

  /** A prepared statement, prepared once. */
  protected stmt(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  protected disposeQueries(): void {
    this.graph = undefined;
    for (const stmt of this.statements.values()) stmt.free();
    this.statements.clear();
    this.staleness?.dispose();
    this.staleness = undefined;
    this.driftQuery?.dispose();
    this.driftQuery = undefined;
    // Its derivation names rows by id: a rebuilt index starts again.
    this.labelQueries?.dispose();
    this.labelQueries = undefined;
  }

  /** Labels: whose data each artifact holds, and what a retraction reaches (src/core/labels/). */
  get labels(): LabelQueries {
    return (this.labelQueries ??= new LabelQueries({
      stmt: (sql) => this.stmt(sql),
      exec: (sql) => this.db.exec(sql),
      resolvePointer: (name) => this.resolvePointer(name),
      onDidChange: (listener) => this.onDidChange(listener),
    }));
  }

  // ---- runs ---------------------------------------------------------------------------------

  /**
   * Newest runs first, a page at a time (keyset paging: stable while runs are added), each with
   * its staleness reasons computed now, as `inspect` and `stale` give them.
   */
  recent(options: { limit?: number; after?: string | null } = {}): Page<Run> {
    const limit = clampLimit(options.limit, 20);
    const [startMs, seq] = decodeCursor(options.after);
    const rows = all(
      this.stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE (r.start_ms, r.seq) < (?, ?) AND ${SHOWN}
        ORDER BY r.start_ms DESC, r.seq DESC LIMIT ?`),
      [startMs, seq, limit + 1],
    );
    return this.page(rows, limit);
  }

  /** Runs of one component, newest first, each with its staleness reasons, parameters and metrics. */
  history(component: string, options: HistoryOptions = {}): HistoryRun[] {
    const id = this.componentId(component);
    const rows = all(
      this.stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.component_id = ? AND ${SHOWN}
        AND r.start_ms >= ? AND r.start_ms <= ? ORDER BY r.start_ms DESC, r.seq DESC LIMIT ?`),
      [
        id,
        options.since?.getTime() ?? -8.64e15,
        options.until?.getTime() ?? 8.64e15,
        clampLimit(options.limit, 100),
      ],
    );
    const rowIds = rows.map((r) => Number(r[RUN.at.rowId]));
    const values = readRunValues(this.stmt(RUN_VALUES_SQL), rowIds);
    return this.withStaleness(rows).map((run, i) => ({ ...run, ...values.get(rowIds[i])! }));
  }

  /** One run in full, by id or unique id prefix. */
  inspect(idOrPrefix: string): RunDetail {
    const id = this.resolveRun(idOrPrefix);
    const row = first(this.stmt(`SELECT ${RUN_COLUMNS}, ${RUN_DETAIL.sql} ${RUN_FROM} WHERE r.id = ?`), [
      id,
    ])!;
    const detail = RUN_DETAIL.at;
    const run = toRun(row);
    const code =
      row[detail.codeId] === null
        ? undefined
        : first(this.stmt('SELECT language, source FROM code WHERE id = ?'), [row[detail.codeId]]);
    const io = all(
      this.stmt(`SELECT ${RUN_IO.sql} FROM run_io io JOIN pointers p ON p.id = io.pointer_id
        WHERE io.run_id = ? ORDER BY ${RUN_IO.at.name + 1}`),
      [id],
    );
    const pointer = (r: Row): PointerIO => ({
      name: String(r[RUN_IO.at.name]),
      type: r[RUN_IO.at.type] as PointerType,
      flagged: r[RUN_IO.at.flagged] === 1,
      fingerprint: r[RUN_IO.at.fingerprint] === null ? null : String(r[RUN_IO.at.fingerprint]),
    });
    run.stale = this.stalenessOf([id]).get(id) ?? [];
    return {
      ...run,
      ...readRunValues(this.stmt(RUN_VALUES_SQL), [id]).get(id)!,
      codeLanguage: code ? String(code[0]) : null,
      codeSnapshot: code ? String(code[1]) : null,
      description: String(row[detail.description]),
      owner: String(row[detail.owner]),
      tags: all(this.stmt('SELECT tag FROM component_tags WHERE component_id = ? ORDER BY tag'), [
        row[detail.componentId],
      ]).map((r) => String(r[0])),
      inputPointers: io.filter((r) => r[RUN_IO.at.dir] === DIR.input).map(pointer),
      outputPointers: io.filter((r) => r[RUN_IO.at.dir] === DIR.output).map(pointer),
    };
  }

  /** The full id of the run an id or unique prefix names. */
  resolveRunId(idOrPrefix: string): string {
    const id = this.resolveRun(idOrPrefix);
    return String(first(this.stmt('SELECT uuid FROM runs WHERE id = ?'), [id])![0]);
  }

  /** Runs whose recorded source file is this one (relative to the root), newest first. */
  runsOfSource(sourceFile: string, limit = 1000): Run[] {
    return all(
      this.stmt(
        `SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.source_file = ? AND ${SHOWN} ORDER BY r.start_ms DESC, r.seq DESC LIMIT ?`,
      ),
      [sourceFile, limit],
    ).map(toRun);
  }

  // ---- lineage ------------------------------------------------------------------------------

  /**
   * Upstream: the latest run that wrote the pointer, then its dependencies recursively.
   * Downstream: the runs that read it, then the runs that depend on those. Each run once, in
   * depth-first order (newest first among siblings), with its depth. `limit` keeps the first runs
   * of that order (the whole trace is still walked, as ids: `total` counts it).
   */
  trace(
    pointerName: string,
    options: { downstream?: boolean; staleness?: boolean; limit?: number } = {},
  ): Trace {
    const { pages, ...trace } = this.tracePages(pointerName, options);
    const runs: TracedRun[] = [];
    for (const page of pages) for (const run of page) runs.push(run);
    return { ...trace, runs };
  }

  /**
   * The same as `trace`, its runs given a page at a time as they are read: a consumer that writes
   * each page out (the CLI) holds the ids of a trace of any length, never all of its runs at once.
   */
  tracePages(
    pointerName: string,
    options: { downstream?: boolean; staleness?: boolean; limit?: number; pageSize?: number } = {},
  ): Omit<Trace, 'runs'> & { pages: Iterable<TracedRun[]> } {
    const pointer = this.resolvePointer(pointerName);
    const direction = options.downstream === true ? 'downstream' : 'upstream';
    const { order } = this.traceOrder(pointer, direction);
    const shown = order.slice(0, clampLimit(options.limit, order.length || 1));
    const size = Math.max(1, options.pageSize ?? TRACE_PAGE);
    const staleness = options.staleness !== false;
    const pages = function* (this: Queries): Generator<TracedRun[]> {
      for (let i = 0; i < shown.length; i += size) yield this.tracedRuns(shown.slice(i, i + size), staleness);
    }.call(this);
    return { pointer: pointer.display, direction, total: order.length, pages };
  }

  /**
   * A pointer's trace as [run, depth] in depth-first order, and each run's next runs that way
   * among the trace's (newest first).
   */
  private traceOrder(
    pointer: ResolvedPointer,
    direction: 'upstream' | 'downstream',
  ): { order: Array<[number, number]>; next: (id: number) => readonly number[] } {
    const roots =
      direction === 'downstream'
        ? this.readerIds(pointer.id)
        : pointer.latestWriter === null
          ? []
          : [pointer.latestWriter];
    const walk = this.walkInSql(roots, direction);
    if (walk) {
      roots.sort((a, b) => newestFirst(walk.nodes.get(a)!, walk.nodes.get(b)!));
      const children = walk[direction === 'downstream' ? 'down' : 'up'];
      const next = (id: number) => children.get(id) ?? NONE;
      return { order: depthFirst(roots, next), next };
    }
    // Past WALK_IN_SQL, typed arrays throughout: the graph, the runs reached, their order keys
    // by id; a run's next runs are listed (and sorted) when the depth-first walk comes to it.
    const graph = this.runGraph();
    const { order: reachedIds, reached } = graph.reach(roots, direction);
    const starts = new Float64Array(reached.length);
    const seqs = new Float64Array(reached.length);
    this.readOrderKeys(reachedIds, (id, startMs, seq) => {
      starts[id] = startMs;
      seqs[id] = seq;
    });
    const newest = (a: number, b: number) => starts[b] - starts[a] || seqs[b] - seqs[a];
    roots.sort(newest);
    const next = (id: number) => {
      const list = graph.next(id, direction, reached);
      if (list.length > 1) list.sort(newest);
      return list;
    };
    return { order: depthFirst(roots, next), next };
  }

  /** The latest run that wrote the pointer (the head of its trace), or null: one indexed lookup. */
  producer(pointerName: string): Run | null {
    const { latestWriter } = this.resolvePointer(pointerName);
    if (latestWriter === null) return null;
    return toRun(first(this.stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.id = ?`), [latestWriter])!);
  }

  /** The runs that read the pointer, newest first (depth 0 of the downstream trace). */
  readers(pointerName: string): Run[] {
    const { id } = this.resolvePointer(pointerName);
    // In the order of io_by_pointer (run_io keeps each run's order key), then read in bulk: a
    // training set that each of 20,000 runs read took 0.5–0.9 s with RUN_COLUMNS per run.
    const ids = all(
      this.stmt(`SELECT run_id FROM run_io WHERE pointer_id = ? AND dir = ${DIR.input}
        ORDER BY start_ms DESC, seq DESC`),
      [id],
    ).map((r) => Number(r[0]));
    const runs = this.runsById(ids);
    return ids.map((runId) => runs.get(runId)!);
  }

  /** The same as `trace`, from a run instead of a pointer (upstream), each run at its smallest depth. */
  traceRun(idOrPrefix: string): TracedRun[] {
    const id = this.resolveRun(idOrPrefix);
    const walk = this.walk([id], 'upstream');
    const depths = breadthFirst([[id, 0]], (run) => walk.up.get(run) ?? NONE);
    return this.tracedRuns(this.nearestFirst(depths, walk), false);
  }

  /** The runs a run depends on (one step upstream), newest first. */
  dependencies(idOrPrefix: string): Run[] {
    const id = this.resolveRun(idOrPrefix);
    return all(
      this
        .stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.id IN (SELECT dep_run_id FROM deps WHERE run_id = ?)
        ORDER BY r.start_ms DESC, r.seq DESC`),
      [id],
    ).map(toRun);
  }

  /**
   * A readable window of a lineage of any size: its first `limit` runs, with how many runs the
   * whole lineage has and the runs of the window whose further lineage was left out (`frontier`).
   * From a pointer, the first runs of its trace (depth-first, as `trace` orders them); from a run,
   * the nearest (smallest depth, then newest first), upstream as `traceRun` gives them, downstream
   * the run, then the readers of its outputs and what depends on them.
   */
  lineageWindow(start: LineageStart, options: { limit?: number; staleness?: boolean } = {}): LineageWindow {
    const downstream = start.direction === 'downstream';
    let next: (id: number) => readonly number[];
    let order: Array<[number, number]>;
    if (start.kind === 'pointer') {
      ({ next, order } = this.traceOrder(this.resolvePointer(start.name), start.direction));
    } else {
      let walk: Walk;
      const id = this.resolveRun(start.id);
      let seeds: Array<[number, number]> = [[id, 0]];
      if (downstream) {
        const readers = all(
          this.stmt(`SELECT DISTINCT rd.run_id FROM run_io o JOIN run_io rd ON rd.pointer_id = o.pointer_id
            AND rd.dir = ${DIR.input} WHERE o.run_id = ? AND o.dir = ${DIR.output} AND rd.run_id != o.run_id`),
          [id],
        ).map((r) => Number(r[0]));
        walk = this.walk(readers, 'downstream');
        walk.nodes.set(id, this.walkNode(id));
        walk.down.set(id, readers);
        seeds = [...seeds, ...readers.map((r): [number, number] => [r, 1])];
      } else walk = this.walk([id], 'upstream');
      const children = walk[downstream ? 'down' : 'up'];
      next = (run: number) => children.get(run) ?? NONE;
      order = this.nearestFirst(breadthFirst(seeds, next), walk);
    }
    const shown = order.slice(0, clampLimit(options.limit, order.length || 1));
    const inWindow = new Set(shown.map(([id]) => id));
    const frontier = shown.filter(([id]) => next(id).some((n) => !inWindow.has(n))).map(([id]) => id);
    const runs = this.tracedRuns(shown, options.staleness !== false);
    const uuids = new Map(runs.map((r, i) => [shown[i][0], r.id]));
    return { runs, total: order.length, frontier: frontier.map((id) => uuids.get(id)!) };
  }

  /** The runs reached from `seeds` (included) following dependencies one way, with the edges among them. */
  private walk(seeds: number[], direction: 'upstream' | 'downstream'): Walk {
    return this.walkInSql(seeds, direction) ?? this.walkInMemory(seeds, direction);
  }

  /** `walk` by a recursive query, or null for a walk past WALK_IN_SQL runs. */
  private walkInSql(seeds: number[], direction: 'upstream' | 'downstream'): Walk | null {
    const walk: Walk = { nodes: new Map(), up: new Map(), down: new Map() };
    if (seeds.length === 0) return walk;
    // Four flat arrays (columnsJsonSql) rather than a small array per row: a walk of thousands of
    // runs parses four lists of numbers instead of allocating an array per run.
    const text = first(this.stmt(columnsJsonSql(WALK[direction], 4)), [JSON.stringify(seeds)])?.[0];
    const [runIds, starts, seqs, depIds] = JSON.parse(String(text)) as [
      number[],
      number[],
      number[],
      Array<number | null>,
    ];
    for (let i = 0; i < runIds.length; i++) {
      const id = runIds[i];
      let deps = walk.up.get(id);
      if (!deps) {
        walk.nodes.set(id, { id, startMs: starts[i], seq: seqs[i] });
        walk.up.set(id, (deps = []));
      }
      // A run that read two pointers of one dependency has two rows for it.
      const dep = depIds[i];
      if (dep !== null && !deps.includes(dep)) deps.push(dep);
    }
    return walk.nodes.size > WALK_IN_SQL ? null : linkWalk(walk);
  }

  /** `walk` for a lineage of any size: the dependency table read once, the walk done here. */
  private walkInMemory(seeds: number[], direction: 'upstream' | 'downstream'): Walk {
    const walk: Walk = { nodes: new Map(), up: new Map(), down: new Map() };
    const graph = this.runGraph();
    const { order: queue, reached } = graph.reach(seeds, direction);
    this.readOrderKeys(queue, (id, startMs, seq) => walk.nodes.set(id, { id, startMs, seq }));
    // The edges among the walk's runs, both ways, straight from the graph (what linkWalk makes of
    // a walk read in SQL), each list newest first.
    const byNewest = (a: number, b: number) => newestFirst(walk.nodes.get(a)!, walk.nodes.get(b)!);
    for (const id of queue) {
      const up = graph.next(id, 'upstream', reached);
      if (up.length > 1) up.sort(byNewest);
      walk.up.set(id, up);
      const down = graph.next(id, 'downstream', reached);
      if (down.length > 1) down.sort(byNewest);
      if (down.length) walk.down.set(id, down);
    }
    return walk;
  }

  /** The order keys (start, log order) of runs, WALK_CHUNK runs a query. */
  private readOrderKeys(ids: number[], each: (id: number, startMs: number, seq: number) => void): void {
    const keys = this.stmt(
      columnsJsonSql(`SELECT r.id, r.start_ms, r.seq ${FROM_IDS} runs r ON r.id = ids.value`, 3),
    );
    for (let from = 0; from < ids.length; from += WALK_CHUNK) {
      const [found, starts, seqs] = JSON.parse(
        String(first(keys, [JSON.stringify(ids.slice(from, from + WALK_CHUNK))])![0]),
      ) as [number[], number[], number[]];
      for (let i = 0; i < found.length; i++) each(found[i], starts[i], seqs[i]);
    }
  }

  /** The whole dependency table as a RunGraph, read WALK_CHUNK rows a query (keyset paging on its key). */
  private runGraph(): RunGraph {
    return (this.graph ??= this.readRunGraph());
  }

  private readRunGraph(): RunGraph {
    const count = Number(first(this.stmt('SELECT count(*) FROM deps'))![0]);
    const [runIds, depIds] = [new Int32Array(count), new Int32Array(count)];
    const chunk = this.stmt(
      columnsJsonSql(
        `SELECT run_id, via, dep_run_id FROM deps WHERE (run_id, via) > (?, ?) ORDER BY run_id, via LIMIT ${WALK_CHUNK}`,
        3,
      ),
    );
    let read = 0;
    for (let after: [number, number] = [-Infinity, -Infinity]; read < count;) {
      const [runs, vias, deps] = JSON.parse(String(first(chunk, after)![0])) as [
        number[],
        number[],
        number[],
      ];
      if (runs.length === 0) break;
      runIds.set(runs, read);
      depIds.set(deps, read);
      read += runs.length;
      after = [runs[runs.length - 1], vias[vias.length - 1]];
    }
    return RunGraph.fromEdges(runIds, depIds, read);
  }

  private walkNode(id: number): WalkNode {
    const row = first(this.stmt('SELECT start_ms, seq FROM runs WHERE id = ?'), [id])!;
    return { id, startMs: Number(row[0]), seq: Number(row[1]) };
  }

  private readerIds(pointerId: number): number[] {
    return all(this.stmt(`SELECT run_id FROM run_io WHERE pointer_id = ? AND dir = ${DIR.input}`), [
      pointerId,
    ]).map((r) => Number(r[0]));
  }

  /**
   * Runs by row id, as toRun gives them, for any number of ids: four flat queries (the runs, their
   * pointers, dependencies and notes) instead of RUN_COLUMNS' subqueries per run, which cost
   * about ten times more once a trace has thousands of runs.
   */
  private runsById(ids: number[]): Map<number, Run> {
    const json = JSON.stringify(ids);
    const runs = new Map<number, Run>();
    const rows = allJson(
      this.stmt(
        jsonRowsSql(
          `SELECT ${RUN_FACTS.sql} ${FROM_IDS} runs r ON r.id = ids.value JOIN components c ON c.id = r.component_id`,
          RUN_FACTS.end,
        ),
      ),
      [json],
    );
    const time = (v: unknown) => (v === null ? null : isoTime(Number(v)));
    const text = (v: unknown) => (v === null ? null : String(v));
    const at = RUN_FACTS.at;
    for (const r of rows) {
      const run: Run = {
        id: String(r[at.uuid]),
        component: String(r[at.component]),
        status: r[at.status] as RunStatus,
        startTime: time(r[at.startMs])!,
        endTime: time(r[at.endMs]),
        inputs: [],
        outputs: [],
        dependencies: [],
        stale: [],
        gitHash: text(r[at.gitHash]),
        gitTags: r[at.gitTags] === null ? [] : (JSON.parse(String(r[at.gitTags])) as string[]),
        sourceFile: text(r[at.sourceFile]),
        sourceLine: r[at.sourceLine] === null ? null : Number(r[at.sourceLine]),
        notes: '',
        error: text(r[at.error]),
      };
      runs.set(Number(r[at.rowId]), withOrigin(run, r[at.user], r[at.host]));
    }
    // Each run's pointers by id, each pointer then named once (pointerNames): the runs of a
    // component read the same few pointers, whose names a join looked up again for each run.
    const [ioRuns, ioDirs, ioPointers] = JSON.parse(
      String(
        first(
          this.stmt(
            columnsJsonSql(
              `SELECT io.run_id, io.dir, io.pointer_id ${FROM_IDS} run_io io ON io.run_id = ids.value`,
              3,
            ),
          ),
          [json],
        )![0],
      ),
    ) as [number[], number[], number[]];
    const names = this.pointerNames(ioPointers);
    for (let i = 0; i < ioRuns.length; i++) {
      const run = runs.get(ioRuns[i]);
      const name = names.get(ioPointers[i]);
      if (run && name !== undefined) (ioDirs[i] === DIR.input ? run.inputs : run.outputs).push(name);
    }
    // In byte order, as RUN_COLUMNS' ORDER BY gives them (a sort of each short list here is
    // cheaper than SQLite's sort of all of them).
    for (const run of runs.values()) {
      sortNames(run.inputs);
      sortNames(run.outputs);
    }
    // Each run's dependencies newest first, each once (a run that read two of its outputs has
    // two rows for it): sorted here, as the pointers above.
    const depRows = allJson(
      this.stmt(
        jsonRowsSql(
          `SELECT d.run_id, dr.uuid, dr.start_ms, dr.seq ${FROM_IDS} deps d ON d.run_id = ids.value
          JOIN runs dr ON dr.id = d.dep_run_id`,
          4,
        ),
      ),
      [json],
    ) as Array<[number, string, number, number]>;
    depRows.sort((a, b) => a[0] - b[0] || b[2] - a[2] || b[3] - a[3]);
    for (const r of depRows) {
      const uuid = r[1];
      const deps = runs.get(Number(r[0]))?.dependencies;
      if (deps && deps[deps.length - 1] !== uuid) deps.push(String(uuid));
    }
    // Each list in an array of its own size: one filled by push keeps room for 16 more (~130 bytes
    // each, three lists a run, kept by each of the tens of thousands of runs a trace returns).
    for (const run of runs.values()) {
      run.inputs = exactSize(run.inputs);
      run.outputs = exactSize(run.outputs);
      run.dependencies = exactSize(run.dependencies);
    }
    const notes = new Map<number, string[]>();
    for (const [runId, note] of all(
      this.stmt(
        `SELECT n.run_id, n.text ${FROM_IDS} notes n ON n.run_id = ids.value ORDER BY n.run_id, n.time_ms, n.text`,
      ),
      [json],
    )) {
      const list = notes.get(Number(runId));
      if (list) list.push(String(note));
      else notes.set(Number(runId), [String(note)]);
    }
    for (const [runId, list] of notes) {
      const run = runs.get(runId);
      if (run) run.notes = list.join('\n');
    }
    return runs;
  }

  /** The display names (POINTER_NAME) of these pointers, each read once. */
  private pointerNames(ids: readonly number[]): Map<number, string> {
    const names = new Map<number, string>();
    if (ids.length === 0) return names;
    const [found, texts] = JSON.parse(
      String(
        first(
          this.stmt(
            columnsJsonSql(`SELECT p.id, ${POINTER_NAME} ${FROM_IDS} pointers p ON p.id = ids.value`, 2),
          ),
          [JSON.stringify([...new Set(ids)])],
        )![0],
      ),
    ) as [number[], string[]];
    for (let i = 0; i < found.length; i++) names.set(found[i], texts[i]);
    return names;
  }

  /** [run, depth] by depth, then newest first. */
  private nearestFirst(depths: Map<number, number>, walk: Walk): Array<[number, number]> {
    return [...depths].sort(
      (a, b) => a[1] - b[1] || newestFirst(walk.nodes.get(a[0])!, walk.nodes.get(b[0])!),
    );
  }

  /** Full runs for [row id, depth] pairs, in that order, with their staleness if asked. */
  private tracedRuns(order: Array<[number, number]>, staleness: boolean): TracedRun[] {
    if (order.length === 0) return [];
    const byRowId = this.runsById(order.map(([id]) => id));
    // Each run once in `order`: its object takes its depth (last, as a spread would put it).
    const runs = order.map(([id, depth]) => Object.assign(byRowId.get(id)!, { depth }));
    if (staleness) {
      const reasons = this.stalenessOf(order.map(([id]) => id));
      runs.forEach((run, i) => (run.stale = reasons.get(order[i][0]) ?? []));
    }
    return runs;
  }

  // ---- staleness ----------------------------------------------------------------------------

  /** Staleness reasons for the given runs (internal ids), computed now. */
  protected stalenessOf(runIds: number[], options: StalenessOptions = {}): Map<number, string[]> {
    this.staleness ??= new Staleness(this.db, this.root);
    return this.staleness.reasons(runIds, options);
  }

  /** Staleness reasons of the given runs (full ids), computed now; fresh and unknown runs are absent. */
  staleReasons(runIds: string[], options: StalenessOptions = {}): Map<string, string[]> {
    if (runIds.length === 0) return new Map();
    const rows = all(this.stmt('SELECT id, uuid FROM runs WHERE uuid IN (SELECT value FROM json_each(?))'), [
      JSON.stringify(runIds),
    ]);
    const reasons = this.stalenessOf(
      rows.map((r) => Number(r[0])),
      options,
    );
    const result = new Map<string, string[]>();
    for (const r of rows) {
      const list = reasons.get(Number(r[0]));
      if (list?.length) result.set(String(r[1]), list);
    }
    return result;
  }

  /**
   * Stale runs. By default the latest run of each component; with `component`, all its runs.
   * The threshold of rule 1 is `thresholdDays` (default 30) unless the run recorded its own.
   */
  stale(options: StalenessOptions & { component?: string } = {}): Run[] {
    if (options.component) return this.staleOfComponent(this.componentId(options.component), options);
    const rows = all(
      this
        .stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.id = (SELECT l.id FROM runs l WHERE l.component_id = r.component_id
            AND l.lifecycle = 1 ORDER BY l.start_ms DESC, l.seq DESC LIMIT 1) ORDER BY r.start_ms DESC, r.seq DESC`),
    );
    return this.withStaleness(rows, options).filter((r) => r.stale.length > 0);
  }

  /**
   * The stale runs of a component, newest first: the reasons of all its runs, then only the stale
   * ones read, in bulk (runsById). RUN_COLUMNS' subqueries per run were a third of the check of a
   * component's 20,000 runs.
   */
  private staleOfComponent(componentId: number, options: StalenessOptions): Run[] {
    const [ids, starts, seqs] = JSON.parse(
      String(
        first(
          this.stmt(
            columnsJsonSql(
              `SELECT r.id, r.start_ms, r.seq FROM runs r WHERE r.component_id = ? AND ${SHOWN}`,
              3,
            ),
          ),
          [componentId],
        )![0],
      ),
    ) as [number[], number[], number[]];
    const order = ids.map((_, i) => i).sort((a, b) => starts[b] - starts[a] || seqs[b] - seqs[a]);
    const newestFirst = order.map((i) => ids[i]);
    const reasons = this.stalenessOf(newestFirst, options);
    const stale = newestFirst.filter((id) => (reasons.get(id)?.length ?? 0) > 0);
    // Read a part at a time: the rows of all 20,000 at once outlived V8's young generation (its
    // collections copied them to the old one, 40 MB), a part's rows die young.
    const result: Run[] = [];
    for (let i = 0; i < stale.length; i += RUNS_READ_AT_ONCE) {
      const part = stale.slice(i, i + RUNS_READ_AT_ONCE);
      const runs = this.runsById(part);
      for (const id of part) result.push(Object.assign(runs.get(id)!, { stale: reasons.get(id)! }));
    }
    return result;
  }

  /** Run rows as runs whose `stale` holds their reasons, computed now. */
  private withStaleness(rows: Row[], options: StalenessOptions = {}): Run[] {
    const reasons = this.stalenessOf(
      rows.map((r) => Number(r[RUN.at.rowId])),
      options,
    );
    return rows.map((r) => ({ ...toRun(r), stale: reasons.get(Number(r[RUN.at.rowId])) ?? [] }));
  }

  // ---- drift --------------------------------------------------------------------------------

  /**
   * A pointer's latest logged version against a reference, column by column (driftQuery.ts):
   * `against` names a pointer or a run; by default, what the pointer's latest reader read.
   */
  drift(
    pointer: string,
    options: { against?: string; drift?: Partial<DriftSettings> } = {},
  ): DriftComparison {
    this.driftQuery ??= new DriftQuery(this.db);
    const against = options.against === undefined ? null : this.resolveAgainst(options.against);
    return this.driftQuery.compare(this.resolvePointer(pointer), against, driftSettings(options.drift));
  }

  /** Each input of a run as staleness judges its data (driftQuery.ts forRun): the inspector's Data tab. */
  runDrift(idOrPrefix: string, options: { drift?: Partial<DriftSettings> } = {}): RunInputDrift[] {
    this.driftQuery ??= new DriftQuery(this.db);
    return this.driftQuery.forRun(this.resolveRun(idOrPrefix), driftSettings(options.drift));
  }

  private resolveAgainst(name: string): Against {
    try {
      return { pointer: this.resolvePointer(name) };
    } catch (error) {
      if (!(error instanceof LineageError) || error.kind !== 'not-found') throw error;
    }
    try {
      return { runId: this.resolveRun(name) };
    } catch (error) {
      if (!(error instanceof LineageError) || error.kind === 'ambiguous') throw error;
      throw new LineageError(`"${name}" is neither a logged pointer nor a run id.`);
    }
  }

  // ---- tasks (tasks/index.ts) ------------------------------------------------------------------

  /** Every task that logged outputs or feedback or registered a metric, by name. */
  tasks(): TaskSummary[] {
    return listTasks((sql) => this.stmt(sql));
  }

  /** A task's outputs that have feedback, by feedback time. Throws when no task has that name. */
  taskValues(task: string): JoinedValue[] {
    if (!this.tasks().some((t) => t.name === task)) {
      throw new LineageError(`No task is named "${task}". List them with: mltrace tasks`);
    }
    return joinedValues((sql) => this.stmt(sql), task);
  }

  /** Every output of a task with its feedback, if any (tasks/series.ts). Throws when no task has that name. */
  taskOutcomes(task: string): TaskOutcome[] {
    this.taskValues(task);
    return taskOutcomes((sql) => this.stmt(sql), task);
  }

  /** The metrics registered for a task (tasks/registered.ts), by when each was last registered. */
  taskMetrics(task: string): RegisteredTaskMetric[] {
    return registeredMetrics((sql) => this.stmt(sql), task);
  }

  /** The runs that logged a task's outputs (inside a decorated run), newest first, with staleness. */
  taskRuns(task: string, options: { limit?: number } = {}): Run[] {
    const rows = all(
      this.stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.uuid IN (SELECT run_uuid FROM task_runs
        WHERE task = ? AND role = 'output') AND ${SHOWN} ORDER BY r.start_ms DESC, r.seq DESC LIMIT ?`),
      [task, clampLimit(options.limit, 200)],
    );
    return this.withStaleness(rows);
  }

  // ---- review -------------------------------------------------------------------------------

  /**
   * DESIGN.md §6: the runs in the traces of the flagged outputs, by how many traces contain them
   * (ties: newest first), with coverage and Ochiai suspiciousness. The unflagged outputs that
   * count as "good" are the final ones, which no run reads: an intermediate file is not a
   * judgement of its own, and counting it would dilute the culprit's score with its own output.
   */
  review(options: { limit?: number } = {}): Review {
    const flagged = all(
      this.stmt(`SELECT ${POINTER_NAME} FROM pointers p WHERE p.flagged = 1 ORDER BY 1`),
    ).map((r) => String(r[0]));
    if (flagged.length === 0) return { flagged, runs: [] };
    // Items numbered 0..F-1: the flagged pointers (at their latest writer); then the unflagged final
    // outputs. A run's counts are the items written downstream of it (it included): one pass over
    // the runs downstream of the traces, children before parents (traversal.ts).
    const writers = all(
      this.stmt(
        `SELECT w FROM (SELECT ${LATEST_WRITER} AS w FROM pointers p WHERE p.flagged = 1) WHERE w IS NOT NULL`,
      ),
    ).map((r) => Number(r[0]));
    const items = new Map<number, number[]>();
    const addItem = (run: number, item: number) => {
      const list = items.get(run);
      if (list) list.push(item);
      else items.set(run, [item]);
    };
    writers.forEach((w, i) => addItem(w, i));
    const traced = this.walk(writers, 'upstream');
    const below = this.walk([...traced.nodes.keys()], 'downstream');
    const finals = all(
      this.stmt(`SELECT o.run_id FROM run_io o JOIN pointers p ON p.id = o.pointer_id AND p.flagged = 0
        WHERE o.run_id IN (SELECT value FROM json_each(?)) AND o.dir = ${DIR.output}
          AND NOT EXISTS (SELECT 1 FROM run_io rd WHERE rd.pointer_id = o.pointer_id AND rd.dir = ${DIR.input})
          AND o.run_id = (SELECT w.run_id FROM run_io w WHERE w.pointer_id = o.pointer_id AND w.dir = ${DIR.output}
            ORDER BY w.start_ms DESC, w.seq DESC LIMIT 1)`),
      [JSON.stringify([...below.nodes.keys()])],
    );
    finals.forEach((r, k) => addItem(Number(r[0]), writers.length + k));
    const counts = reachableCounts(
      [...below.nodes.keys()],
      (id) => below.down.get(id) ?? NONE,
      (id) => items.get(id) ?? NONE,
      { firstOfSecond: writers.length, total: writers.length + finals.length },
    );
    const total = flagged.length;
    const candidates = [...traced.nodes.values()]
      .map((node) => ({ node, count: counts.get(node.id)![0], unflagged: counts.get(node.id)![1] }))
      .sort((a, b) => b.count - a.count || newestFirst(a.node, b.node));
    const limited = candidates.slice(0, clampLimit(options.limit, candidates.length || 1));
    const byRowId = this.runsById(limited.map((c) => c.node.id));
    return {
      flagged,
      runs: limited.map(({ node, count, unflagged }) => ({
        ...byRowId.get(node.id)!,
        count,
        coverage: count / total,
        suspiciousness: count / Math.sqrt(total * (count + unflagged)),
      })),
    };
  }

  // ---- components, tags, pointers -----------------------------------------------------------

  components(options: { tag?: string; owner?: string } = {}): Component[] {
    const rows = all(
      this.stmt(`SELECT c.name, c.description, c.owner,
          (SELECT json_group_array(tag) FROM (SELECT tag FROM component_tags WHERE component_id = c.id ORDER BY tag)),
          (SELECT count(*) FROM runs WHERE component_id = c.id AND lifecycle = 1),
          (SELECT max(start_ms) FROM runs WHERE component_id = c.id AND lifecycle = 1)
        FROM components c
        WHERE ${IS_COMPONENT} AND (?1 IS NULL OR EXISTS (SELECT 1 FROM component_tags t WHERE t.component_id = c.id AND t.tag = ?1))
          AND (?2 IS NULL OR c.owner = ?2)
        ORDER BY c.name`),
      [options.tag ?? null, options.owner ?? null],
    );
    return rows.map((r) => ({
      name: String(r[0]),
      description: String(r[1]),
      owner: String(r[2]),
      tags: JSON.parse(String(r[3])) as string[],
      runCount: Number(r[4]),
      lastRunTime: r[5] === null ? null : new Date(Number(r[5])).toISOString(),
    }));
  }

  tags(): Array<{ tag: string; components: number }> {
    return all(this.stmt('SELECT tag, count(*) FROM component_tags GROUP BY tag ORDER BY tag')).map((r) => ({
      tag: String(r[0]),
      components: Number(r[1]),
    }));
  }

  /** Pointers by name, with how many runs wrote and read each; `flagged` keeps those so marked (or not). */
  pointers(options: { flagged?: boolean; limit?: number } = {}): Pointer[] {
    // The flag as a literal, so that `flagged = 1` is answered from its partial index.
    const flagged = options.flagged === undefined ? '' : `p.flagged = ${options.flagged ? 1 : 0} AND`;
    return all(
      this.stmt(`SELECT ${POINTER_COLUMNS} FROM pointers p
        WHERE ${flagged} NOT (p.namespace = 'mltrace' AND p.name = '*') ORDER BY p.name LIMIT ?`),
      [clampLimit(options.limit, 100000)],
    ).map(toPointer);
  }

  /**
   * The pointers of these names (as runs list them: `namespace/name`, or the name alone in the
   * `file` namespace), each found by index: a graph's few hundred, or the one file a badge or a
   * hover is for, in a store of any size. Names no run used are absent.
   */
  pointersNamed(names: Iterable<string>): Map<string, Pointer> {
    // Each name's readings as namespace and name, in resolvePointer's order of preference.
    const readings: Array<[number, number, string, string]> = [];
    const list = [...new Set(names)];
    list.forEach((name, i) => {
      readings.push([i, 0, FILE_NAMESPACE, name]);
      let rank = 1;
      for (let at = name.indexOf('/'); at > 0; at = name.indexOf('/', at + 1))
        readings.push([i, rank++, name.slice(0, at), name.slice(at + 1)]);
    });
    const found = new Map<number, [number, Pointer]>();
    for (const r of all(this.stmt(POINTERS_NAMED_SQL), [JSON.stringify(readings)])) {
      const [index, rank] = [Number(r[0]), Number(r[1])];
      const seen = found.get(index);
      if (!seen || rank < seen[0]) found.set(index, [rank, toPointer(r.slice(2))]);
    }
    const result = new Map<string, Pointer>();
    for (const [index, [, pointer]] of found) result.set(list[index], pointer);
    return result;
  }

  /** Whether a pointer of that name was logged (by a run or a flag). */
  hasPointer(name: string): boolean {
    try {
      this.resolvePointer(name);
      return true;
    } catch (error) {
      if (error instanceof LineageError) return false;
      throw error;
    }
  }

  /** The dataset a pointer name (bare or `namespace/name`) refers to. */
  pointerIdentity(name: string): { namespace: string; name: string; display: string } {
    const { namespace, name: bare, display } = this.resolvePointer(name);
    return { namespace, name: bare, display };
  }

  // ---- resolution ---------------------------------------------------------------------------

  protected resolveRun(idOrPrefix: string): number {
    const prefix = idOrPrefix.trim().toLowerCase();
    if (!/^[0-9a-z-]+$/.test(prefix)) throw new LineageError(`"${idOrPrefix}" is not a run id.`, 'invalid');
    const rows = all(
      this.stmt(
        `SELECT id, uuid FROM runs WHERE uuid >= ? AND uuid < ? AND lifecycle = 1 ORDER BY uuid LIMIT 3`,
      ),
      [prefix, `${prefix}\uffff`],
    );
    if (rows.length === 0) throw new LineageError(`No run has an id starting with "${idOrPrefix}".`);
    const exact = rows.find((r) => r[1] === prefix);
    if (exact) return Number(exact[0]);
    if (rows.length > 1) {
      throw new LineageError(
        `The id prefix "${idOrPrefix}" is ambiguous: ${rows.map((r) => String(r[1]).slice(0, 12)).join(', ')}…; give more characters.`,
        'ambiguous',
      );
    }
    return Number(rows[0][0]);
  }

  protected componentId(name: string): number {
    const row = first(this.stmt(`SELECT id FROM components c WHERE name = ? AND ${IS_COMPONENT}`), [name]);
    if (!row) throw new LineageError(`No component is named "${name}".`);
    return Number(row[0]);
  }

  protected resolvePointer(name: string): ResolvedPointer {
    const columns = `p.id, ${POINTER_NAME}, ${LATEST_WRITER}, p.namespace, p.name`;
    const lookup = this.stmt(`SELECT ${columns} FROM pointers p WHERE p.namespace = ? AND p.name = ?`);
    const candidates: Array<[string, string]> = [[FILE_NAMESPACE, name]];
    for (let i = name.indexOf('/'); i > 0; i = name.indexOf('/', i + 1))
      candidates.push([name.slice(0, i), name.slice(i + 1)]);
    for (const [namespace, bare] of candidates) {
      const row = first(lookup, [namespace, bare]);
      if (row) return toResolvedPointer(row);
    }
    // A bare name of a dataset outside the `file` namespace, or no dataset at all (a hover over
    // any word asks): looked up in each namespace, found by skipping along the (namespace, name)
    // index. A scan of the names took ~120 ms at 100,000 pointers, paid for each miss.
    const rows = all(this.stmt(`${BARE_NAME_SQL(columns)} LIMIT 5`), [name]);
    if (rows.length === 1) return toResolvedPointer(rows[0]);
    if (rows.length > 1) {
      throw new LineageError(
        `"${name}" names datasets in several namespaces (${rows.map((r) => String(r[1])).join(', ')}); give namespace/name.`,
        'ambiguous',
      );
    }
    throw new LineageError(`No logged run read or wrote "${name}".`);
  }

  private page(rows: Row[], limit: number): Page<Run> {
    const items = this.withStaleness(rows.slice(0, limit));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return {
      items,
      next: last
        ? `${Number(last[RUN.at.startMs])}:${Number(first(this.stmt('SELECT seq FROM runs WHERE id = ?'), [last[RUN.at.rowId]])![0])}`
        : null,
    };
  }
}

interface ResolvedPointer {
  id: number;
  display: string;
  latestWriter: number | null;
  namespace: string;
  name: string;
}

function toPointer(r: Row): Pointer {
  return {
    name: String(r[0]),
    type: r[1] as PointerType,
    flagged: r[2] === 1,
    writers: Number(r[3]),
    readers: Number(r[4]),
  };
}

function toResolvedPointer(r: Row): ResolvedPointer {
  return {
    id: Number(r[0]),
    display: String(r[1]),
    latestWriter: r[2] === null ? null : Number(r[2]),
    namespace: String(r[3]),
    name: String(r[4]),
  };
}

function toRun(r: Row): Run {
  const at = RUN.at;
  const text = (i: number) => (r[i] === null ? null : String(r[i]));
  const time = (i: number) => (r[i] === null ? null : new Date(Number(r[i])).toISOString());
  const run: Run = {
    id: String(r[at.uuid]),
    component: String(r[at.component]),
    status: r[at.status] as RunStatus,
    startTime: time(at.startMs)!,
    endTime: time(at.endMs),
    inputs: JSON.parse(String(r[at.inputs])) as string[],
    outputs: JSON.parse(String(r[at.outputs])) as string[],
    dependencies: JSON.parse(String(r[at.dependencies])) as string[],
    stale: [],
    gitHash: text(at.gitHash),
    gitTags: r[at.gitTags] === null ? [] : (JSON.parse(String(r[at.gitTags])) as string[]),
    sourceFile: text(at.sourceFile),
    sourceLine: r[at.sourceLine] === null ? null : Number(r[at.sourceLine]),
    notes: text(at.notes) ?? '',
    error: text(at.error),
  };
  return withOrigin(run, r[at.user], r[at.host]);
}

/** A copy of a list that fills an array of its own size (push leaves room to grow). */
const exactSize = <T>(list: T[]): T[] => (list.length === 0 ? list : list.slice());

/**
 * A run's pointer names in byte order, in place. A list of two, the most common after one, is
 * swapped if need be: Array.prototype.sort copies even a list of two into a work array of its
 * own, and a check of a component's 20,000 runs sorted tens of thousands of them.
 */
function sortNames(list: string[]): void {
  if (list.length === 2) {
    if (byteOrder(list[0], list[1]) > 0) list.reverse();
  } else if (list.length > 2) list.sort(byteOrder);
}

/**
 * The run with its user and host, each only when known (older events do not say): set on the
 * object rather than spread into a new one (tens of thousands of runs in a deep trace).
 */
function withOrigin(run: Run, user: unknown, host: unknown): Run {
  if (user !== null && user !== undefined) run.user = String(user);
  if (host !== null && host !== undefined) run.host = String(host);
  return run;
}

/** A limit as a whole number of at least 1; `fallback` when none (or not finite) is given. */
function clampLimit(limit: number | undefined, fallback: number): number {
  if (limit === undefined || !Number.isFinite(limit)) return fallback;
  return Math.max(1, Math.floor(limit));
}

function decodeCursor(cursor: string | null | undefined): [number, number] {
  if (!cursor) return [8.64e15, Number.MAX_SAFE_INTEGER];
  const [start, seq] = cursor.split(':').map(Number);
  if (!Number.isFinite(start) || !Number.isFinite(seq))
    throw new LineageError(`"${cursor}" is not a page cursor.`, 'invalid');
  return [start, seq];
}
