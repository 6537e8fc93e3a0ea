// The queries the CLI, the views and the webviews share. Each answers with a fixed number of SQL
// statements, whatever the size of the answer (no query per node).
import type {
  Component,
  Pointer,
  PointerIO,
  PointerType,
  Review,
  ReviewedRun,
  Run,
  RunDetail,
  RunStatus,
  Trace,
  TracedRun,
} from './model';
import { LineageError } from './model';
import { DIR } from './schema';
import { all, Database, first, Row, selectList, Statement } from './sql';
import { Staleness, StalenessOptions } from './staleness';
import { FILE_NAMESPACE } from './events';

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

/** Columns of a run, with its pointers, dependencies and notes aggregated: one row per run (toRun). */
const RUN = selectList({
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
  inputs: RUN_POINTERS(DIR.input),
  outputs: RUN_POINTERS(DIR.output),
  dependencies: `(SELECT json_group_array(u) FROM (SELECT DISTINCT dr.uuid AS u FROM deps d JOIN runs dr ON dr.id = d.dep_run_id
    WHERE d.run_id = r.id ORDER BY dr.start_ms DESC, dr.seq DESC))`,
  notes: `(SELECT group_concat(text, char(10)) FROM (SELECT text FROM notes WHERE run_id = r.id ORDER BY time_ms, text))`,
});
const RUN_COLUMNS = RUN.sql;
/** The run's log order, after RUN_COLUMNS (for ties between runs that started at once). */
const RUN_SEQ = selectList({ seq: 'r.seq' }, RUN.end);
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
/** A component is what ran or what was described: a name met only in a declared upstream is not. */
const IS_COMPONENT = `(EXISTS (SELECT 1 FROM runs WHERE component_id = c.id AND lifecycle = 1)
  OR c.description != '' OR c.owner != '' OR EXISTS (SELECT 1 FROM component_tags t WHERE t.component_id = c.id))`;

/** SQL for the id of the latest run that wrote pointer `p` (by start time, then log order). */
const LATEST_WRITER = `(SELECT w.run_id FROM run_io w WHERE w.pointer_id = p.id AND w.dir = ${DIR.output}
  ORDER BY w.start_ms DESC, w.seq DESC LIMIT 1)`;

export class Queries {
  private readonly statements = new Map<string, Statement>();
  private readonly listeners = new Set<() => void>();
  private staleness: Staleness | undefined;

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
    for (const listener of this.listeners) listener();
  }

  /** A prepared statement, prepared once. */
  protected stmt(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) this.statements.set(sql, (stmt = this.db.prepare(sql)));
    return stmt;
  }

  protected disposeQueries(): void {
    for (const stmt of this.statements.values()) stmt.free();
    this.statements.clear();
    this.staleness?.dispose();
    this.staleness = undefined;
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

  /** Runs of one component, newest first, each with its staleness reasons computed now. */
  history(component: string, options: HistoryOptions = {}): Run[] {
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
    return this.withStaleness(rows);
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
   * depth-first order (newest first among siblings), with its depth.
   */
  trace(pointerName: string, options: { downstream?: boolean; staleness?: boolean } = {}): Trace {
    const pointer = this.resolvePointer(pointerName);
    const downstream = options.downstream === true;
    const rows = downstream
      ? all(
          this.stmt(`WITH RECURSIVE down(id) AS (
              SELECT run_id FROM run_io WHERE pointer_id = ? AND dir = ${DIR.input}
              UNION SELECT d.run_id FROM deps d JOIN down ON d.dep_run_id = down.id)
            SELECT ${RUN_COLUMNS}, ${RUN_SEQ.sql} ${RUN_FROM} JOIN down ON down.id = r.id`),
          [pointer.id],
        )
      : pointer.latestWriter === null
        ? []
        : all(
            this.stmt(`WITH RECURSIVE up(id) AS (
                SELECT ? UNION SELECT d.dep_run_id FROM deps d JOIN up ON d.run_id = up.id)
              SELECT ${RUN_COLUMNS}, ${RUN_SEQ.sql} ${RUN_FROM} JOIN up ON up.id = r.id`),
            [pointer.latestWriter],
          );
    const runs = rows.map((r) => ({
      ...toRun(r),
      rowId: Number(r[RUN.at.rowId]),
      seq: Number(r[RUN_SEQ.at.seq]),
    }));
    const byId = new Map(runs.map((r) => [r.id, r]));
    const newestFirst = (a: (typeof runs)[number], b: (typeof runs)[number]) =>
      b.startTime.localeCompare(a.startTime) || b.seq - a.seq;
    let roots: typeof runs;
    const children = new Map<string, typeof runs>();
    if (downstream) {
      const readers = new Set(
        all(
          this.stmt(
            `SELECT r.uuid FROM run_io io JOIN runs r ON r.id = io.run_id WHERE io.pointer_id = ? AND io.dir = ${DIR.input}`,
          ),
          [pointer.id],
        ).map((r) => String(r[0])),
      );
      roots = runs.filter((r) => readers.has(r.id)).sort(newestFirst);
      for (const run of runs) {
        for (const dep of run.dependencies) {
          const list = children.get(dep) ?? [];
          list.push(run);
          children.set(dep, list);
        }
      }
      for (const list of children.values()) list.sort(newestFirst);
    } else {
      roots = runs.filter((r) => r.rowId === pointer.latestWriter);
      for (const run of runs) {
        children.set(
          run.id,
          run.dependencies
            .map((d) => byId.get(d)!)
            .filter(Boolean)
            .sort(newestFirst),
        );
      }
    }
    const ordered: TracedRun[] = [];
    const seen = new Set<string>();
    const visit = (run: (typeof runs)[number], depth: number) => {
      if (seen.has(run.id)) return;
      seen.add(run.id);
      const { rowId: _rowId, seq: _seq, ...plain } = run;
      ordered.push({ ...plain, depth });
      for (const child of children.get(run.id) ?? []) visit(child, depth + 1);
    };
    for (const root of roots) visit(root, 0);
    if (options.staleness !== false && ordered.length) {
      const reasons = this.stalenessOf(ordered.map((r) => byId.get(r.id)!.rowId));
      for (const run of ordered) run.stale = reasons.get(byId.get(run.id)!.rowId) ?? [];
    }
    return { pointer: pointer.display, direction: downstream ? 'downstream' : 'upstream', runs: ordered };
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
    return all(
      this
        .stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} JOIN run_io io ON io.run_id = r.id AND io.dir = ${DIR.input}
        WHERE io.pointer_id = ? ORDER BY r.start_ms DESC, r.seq DESC`),
      [id],
    ).map(toRun);
  }

  /** The same as `trace`, from a run instead of a pointer (upstream). */
  traceRun(idOrPrefix: string): TracedRun[] {
    const id = this.resolveRun(idOrPrefix);
    const rows = all(
      this.stmt(`WITH RECURSIVE up(id, depth) AS (
          SELECT ?, 0 UNION SELECT d.dep_run_id, up.depth + 1 FROM deps d JOIN up ON d.run_id = up.id)
        SELECT ${RUN_COLUMNS}, min(up.depth) AS depth ${RUN_FROM} JOIN up ON up.id = r.id GROUP BY r.id ORDER BY min(up.depth), r.start_ms DESC`),
      [id],
    );
    return rows.map((r) => ({ ...toRun(r), depth: Number(r[RUN.end]) }));
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
    const rows = options.component
      ? all(
          this.stmt(
            `SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.component_id = ? AND ${SHOWN} ORDER BY r.start_ms DESC, r.seq DESC`,
          ),
          [this.componentId(options.component)],
        )
      : all(
          this
            .stmt(`SELECT ${RUN_COLUMNS} ${RUN_FROM} WHERE r.id = (SELECT l.id FROM runs l WHERE l.component_id = r.component_id
            AND l.lifecycle = 1 ORDER BY l.start_ms DESC, l.seq DESC LIMIT 1) ORDER BY r.start_ms DESC, r.seq DESC`),
        );
    return this.withStaleness(rows, options).filter((r) => r.stale.length > 0);
  }

  /** Run rows as runs whose `stale` holds their reasons, computed now. */
  private withStaleness(rows: Row[], options: StalenessOptions = {}): Run[] {
    const reasons = this.stalenessOf(
      rows.map((r) => Number(r[RUN.at.rowId])),
      options,
    );
    return rows.map((r) => ({ ...toRun(r), stale: reasons.get(Number(r[RUN.at.rowId])) ?? [] }));
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
    const counts = all(
      this.stmt(`WITH RECURSIVE t(f, id) AS (
          SELECT f, w FROM (SELECT p.id AS f, ${LATEST_WRITER} AS w FROM pointers p WHERE p.flagged = 1) WHERE w IS NOT NULL
          UNION SELECT t.f, d.dep_run_id FROM deps d JOIN t ON d.run_id = t.id)
        SELECT id, count(DISTINCT f) FROM t GROUP BY id`),
    );
    const flaggedCount = new Map(counts.map((r) => [Number(r[0]), Number(r[1])]));
    const candidates = JSON.stringify([...flaggedCount.keys()]);
    const unflaggedCount = new Map(
      all(
        this.stmt(`WITH RECURSIVE down(c, id) AS (
            SELECT value, value FROM json_each(?)
            UNION SELECT down.c, d.run_id FROM deps d JOIN down ON d.dep_run_id = down.id)
          SELECT down.c, count(DISTINCT o.pointer_id) FROM down
            JOIN run_io o ON o.run_id = down.id AND o.dir = ${DIR.output}
            JOIN pointers p ON p.id = o.pointer_id AND p.flagged = 0
          WHERE NOT EXISTS (SELECT 1 FROM run_io w WHERE w.pointer_id = o.pointer_id AND w.dir = ${DIR.output}
              AND (w.start_ms > o.start_ms OR (w.start_ms = o.start_ms AND w.seq > o.seq)))
            AND NOT EXISTS (SELECT 1 FROM run_io rd WHERE rd.pointer_id = o.pointer_id AND rd.dir = ${DIR.input})
          GROUP BY down.c`),
        [candidates],
      ).map((r) => [Number(r[0]), Number(r[1])]),
    );
    const rows = all(
      this.stmt(
        `SELECT ${RUN_COLUMNS}, ${RUN_SEQ.sql} ${RUN_FROM} WHERE r.id IN (SELECT value FROM json_each(?))`,
      ),
      [candidates],
    );
    const total = flagged.length;
    const runs: Array<ReviewedRun & { seq: number }> = rows.map((row) => {
      const id = Number(row[RUN.at.rowId]);
      const count = flaggedCount.get(id) ?? 0;
      const unflagged = unflaggedCount.get(id) ?? 0;
      return {
        ...toRun(row),
        seq: Number(row[RUN_SEQ.at.seq]),
        count,
        coverage: count / total,
        suspiciousness: count / Math.sqrt(total * (count + unflagged)),
      };
    });
    runs.sort((a, b) => b.count - a.count || b.startTime.localeCompare(a.startTime) || b.seq - a.seq);
    const limited = runs.slice(0, clampLimit(options.limit, runs.length || 1));
    return { flagged, runs: limited.map(({ seq: _seq, ...run }) => run) };
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

  pointers(options: { flagged?: boolean; prefix?: string; limit?: number } = {}): Pointer[] {
    return all(
      this.stmt(`SELECT ${POINTER_NAME}, p.type, p.flagged,
          (SELECT count(*) FROM run_io WHERE pointer_id = p.id AND dir = ${DIR.output}),
          (SELECT count(*) FROM run_io WHERE pointer_id = p.id AND dir = ${DIR.input})
        FROM pointers p WHERE (?1 IS NULL OR p.flagged = ?1) AND (?2 IS NULL OR p.name >= ?2 AND p.name < ?2 || x'ff')
          AND NOT (p.namespace = 'mltrace' AND p.name = '*')
        ORDER BY p.name LIMIT ?3`),
      [
        options.flagged === undefined ? null : options.flagged ? 1 : 0,
        options.prefix ?? null,
        clampLimit(options.limit, 100000),
      ],
    ).map((r) => ({
      name: String(r[0]),
      type: r[1] as PointerType,
      flagged: r[2] === 1,
      writers: Number(r[3]),
      readers: Number(r[4]),
    }));
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
    // A bare name of a dataset outside the `file` namespace: rare, so a scan rather than an index
    // that every ingest would pay for.
    const rows = all(this.stmt(`SELECT ${columns} FROM pointers p WHERE p.name = ? LIMIT 5`), [name]);
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
  return {
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
}

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
