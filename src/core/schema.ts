// The derived index (DESIGN.md §3). Bump SCHEMA_VERSION whenever this changes: older snapshots
// are then rebuilt from the log.
export const SCHEMA_VERSION = 14;

/** run_io.dir: which way a run used a pointer. */
export const DIR = { input: 0, output: 1 } as const;
export type Dir = (typeof DIR)[keyof typeof DIR];

/**
 * deps.via: the pointer a run read (pointers.id, above 0), or a component the run declared
 * upstream, stored as -components.id so that both share the key (run_id, via).
 */
export const viaUpstream = (componentId: number): number => -componentId;
/** viaUpstream in SQL, of a column or expression that holds a components.id. */
export const viaUpstreamSql = (componentId: string): string => `-${componentId}`;

/** The keys of the meta table. */
export const META = {
  schemaVersion: 'schema_version',
  /** The number of the last event read: events are numbered in log order, for ties. */
  lastSeq: 'seq',
  /** JSON [time_ms, seq] of the latest event that unflagged every pointer. */
  unflagAll: 'unflag_all',
} as const;

/**
 * Indexes that queries use and ingest never does (ingest finds runs by id in its own map while it
 * knows them all). When a large log is indexed from nothing they are dropped first and created at
 * the end: one sort each, where inserting 100k random UUIDs into a B-tree costs several times more.
 */
export const QUERY_INDEXES = `
CREATE UNIQUE INDEX runs_by_uuid ON runs (uuid);
CREATE INDEX runs_by_start ON runs (start_ms, seq);
CREATE INDEX runs_by_source ON runs (source_file) WHERE source_file IS NOT NULL;
CREATE INDEX deps_by_dep ON deps (dep_run_id);
`;

export const QUERY_INDEX_NAMES = [...QUERY_INDEXES.matchAll(/CREATE (?:UNIQUE )?INDEX (\w+)/g)].map(
  (m) => m[1],
);

export const SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE components (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  namespace TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  description_ms INTEGER NOT NULL DEFAULT 0,
  owner TEXT NOT NULL DEFAULT '',
  owner_ms INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE component_tags (
  component_id INTEGER NOT NULL,
  tag TEXT NOT NULL,
  PRIMARY KEY (component_id, tag)
) WITHOUT ROWID;
CREATE INDEX component_tags_by_tag ON component_tags (tag);
-- hash: SHA-256 (hex) of the source's UTF-8, as the mltrace_code facet names it.
CREATE TABLE code (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, language TEXT NOT NULL, source TEXT NOT NULL);
-- Runs whose code was named by hash (mltrace_code) before the event that records it was read.
CREATE TABLE code_pending (hash TEXT NOT NULL, run_id INTEGER NOT NULL, PRIMARY KEY (hash, run_id)) WITHOUT ROWID;
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  uuid TEXT NOT NULL,
  component_id INTEGER NOT NULL,
  lifecycle INTEGER NOT NULL,          -- 1 once a START/RUNNING/COMPLETE/FAIL/ABORT event was seen;
                                       -- until then (notes only, say) queries do not show the run
  status TEXT NOT NULL,                -- running | complete | failed
  status_ms INTEGER,                   -- time of the event that set a final status
  start_ms INTEGER NOT NULL,
  start_known INTEGER NOT NULL,        -- 0 while start_ms is only the time of some later event
  end_ms INTEGER,
  seq INTEGER NOT NULL,                -- log order, for ties
  git_hash TEXT,
  git_tags TEXT,                       -- JSON array
  source_file TEXT,
  source_line INTEGER,
  code_id INTEGER,
  error TEXT,
  threshold_days REAL,
  run_user TEXT,                       -- who ran it (mltrace_run user), where (host)
  run_host TEXT,
  no_input_deps INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX runs_by_component ON runs (component_id, lifecycle, start_ms, seq);
CREATE TABLE pointers (
  id INTEGER PRIMARY KEY,
  namespace TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  flagged INTEGER NOT NULL DEFAULT 0,
  flag_ms INTEGER,
  flag_seq INTEGER,
  UNIQUE (namespace, name)
);
CREATE INDEX pointers_flagged ON pointers (flagged) WHERE flagged = 1;
CREATE TABLE run_io (
  run_id INTEGER NOT NULL,
  dir INTEGER NOT NULL,                -- ${DIR.input} input, ${DIR.output} output
  pointer_id INTEGER NOT NULL,
  fingerprint TEXT,
  start_ms INTEGER NOT NULL,           -- copies of the run's order key, for io_by_pointer
  seq INTEGER NOT NULL,
  PRIMARY KEY (run_id, dir, pointer_id)
) WITHOUT ROWID;
CREATE INDEX io_by_pointer ON run_io (pointer_id, dir, start_ms, seq);
CREATE TABLE deps (
  run_id INTEGER NOT NULL,
  via INTEGER NOT NULL,                -- pointers.id read, or ${viaUpstreamSql('components.id')} for a declared upstream
  dep_run_id INTEGER NOT NULL,
  PRIMARY KEY (run_id, via)
) WITHOUT ROWID;
CREATE TABLE upstream (
  run_id INTEGER NOT NULL,
  component_id INTEGER NOT NULL,
  PRIMARY KEY (run_id, component_id)
) WITHOUT ROWID;
CREATE INDEX upstream_by_component ON upstream (component_id);
CREATE TABLE notes (
  run_id INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (run_id, time_ms, text)
) WITHOUT ROWID;
-- Data profiles by content version (run_io.fingerprint): what drift needs (drift.ts DataProfile),
-- its words as JSON (profiler, column names, types, top values) and its numbers as 64-bit floats,
-- read back as a table (profile/storedProfile.ts). A version's
-- profile is recorded once: the first event read that carries it wins.
CREATE TABLE profiles (version TEXT PRIMARY KEY, data TEXT NOT NULL, numbers BLOB NOT NULL);
-- Labels (docs/EVENTS.md, Labels): each label once, with its first retraction. A label is attached
-- to the version of a pointer a run read (label_sources: that run and pointer); which versions it
-- reaches downstream is found by walking the lineage when asked (src/core/labels/), never copied.
CREATE TABLE labels (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  retracted_ms INTEGER                 -- the earliest retraction; NULL: not retracted
);
CREATE TABLE label_sources (
  label_id INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  pointer_id INTEGER NOT NULL,
  PRIMARY KEY (label_id, run_id, pointer_id)
) WITHOUT ROWID;
CREATE INDEX label_sources_by_pointer ON label_sources (pointer_id, run_id);
-- A run's parameters and metrics (facets mltrace_params, mltrace_metrics; ingest/values.ts): the
-- latest value of each name, by event time, then log order.
CREATE TABLE run_values (
  run_id INTEGER NOT NULL,
  kind TEXT NOT NULL,                  -- param | metric
  name TEXT NOT NULL,
  value TEXT NOT NULL,                 -- JSON (a metric's: a finite number)
  time_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind, name)
) WITHOUT ROWID;
-- A task's outputs and feedback (facet mltrace_task): the latest of each identifier and role, by
-- event time, then log order. Outputs and feedback are joined on the identifier (tasks/).
CREATE TABLE task_values (
  task TEXT NOT NULL,
  role TEXT NOT NULL,                  -- output | feedback
  identifier TEXT NOT NULL,
  value REAL NOT NULL,
  time_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (task, role, identifier)
) WITHOUT ROWID;
-- The runs that logged a task's values (the facet's runId: a decorated run in progress), by run
-- id, whether or not that run's own events were read yet.
CREATE TABLE task_runs (
  task TEXT NOT NULL,
  run_uuid TEXT NOT NULL,
  role TEXT NOT NULL,                  -- output | feedback
  PRIMARY KEY (task, role, run_uuid)
) WITHOUT ROWID;
-- Metrics registered for a task (facet mltrace_task, role metric: Task.registerMetric), one per
-- identifier: the latest registration wins, by event time, then log order (ingest/taskMetric.ts).
CREATE TABLE task_metrics (
  task TEXT NOT NULL,
  identifier TEXT NOT NULL,
  name TEXT NOT NULL,
  window_size INTEGER,                 -- the most recent joined values it reads; NULL: all
  function TEXT,                       -- the supported metric it computes; NULL: a function of its own
  callable TEXT,                       -- that function's name, for display
  time_ms INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  PRIMARY KEY (task, identifier)
) WITHOUT ROWID;
-- How far each writer's file was read (path: its name in the events folder, whether it is still
-- there or merged into a segment), and each segment read (path: segments/<id>.jsonl.gz).
CREATE TABLE log_files (
  path TEXT PRIMARY KEY,
  offset INTEGER NOT NULL,
  line INTEGER NOT NULL,
  segment TEXT                         -- the segment that holds the file now, once read from it
) WITHOUT ROWID;
CREATE INDEX log_files_loose ON log_files (path) WHERE segment IS NULL;
CREATE TABLE problems (
  file TEXT NOT NULL,
  line INTEGER NOT NULL,
  reason TEXT NOT NULL,
  severity TEXT NOT NULL,
  PRIMARY KEY (file, line, reason)
) WITHOUT ROWID;
${QUERY_INDEXES}`;
