// Staleness (DESIGN.md §5), computed when asked so it never goes out of date.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { driftSettings, DriftSettings, formatPsi } from './drift';
import { DriftCheck } from './driftCheck';
import { FILE_NAMESPACE } from './events';
import { FingerprintCache } from './fingerprint';
import { plural, runLabel } from './format';
import { pointerPath } from './pointers';
import { DIR } from './schema';
import { allJson, byteOrder, Database, first, FROM_IDS, jsonRowsSql, Statement } from './sql';

export interface StalenessOptions {
  /** Rule 1's threshold, unless a run recorded its own. Default 30. */
  thresholdDays?: number;
  /**
   * Drift (rule 3's verdict and training–serving skew): drift.ts DRIFT_DEFAULTS for what is
   * missing; false leaves drift out (rule 3 as it was without profiles).
   */
  drift?: Partial<DriftSettings> | false;
  /**
   * This machine's host name (default: os.hostname()). A run logged on another host (mltrace_run
   * host) is judged by the log, not by this disk: its inputs by later writes, its code by later
   * runs' code, so that nobody's run is called stale because this checkout differs.
   */
  thisHost?: string;
}

export const DEFAULT_THRESHOLD_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * Runs whose reasons are computed together (reasons()): a few queries a slice, whose rows die young
 * (at 2,000 a slice, the cold check of a component's 20,000 runs with drift took ~3 % longer).
 */
const SLICE = 500;

/** What one reasons() call keeps across its slices. */
interface Call {
  options: StalenessOptions;
  drift: DriftSettings;
  /** The latest logged version of each pointer met that has a profile (else null). */
  latest: Map<number, string | null>;
  /** Each pointer read, with its latest writer now. */
  writers: Map<number, Pointer>;
  /** The version each pointer's latest writer wrote. */
  rewritten: Map<number, string | null>;
  /** One look at each input file on disk. */
  onDisk: Map<string, ReturnType<FingerprintCache['get']>>;
  /** Each source file, read once (rule 4). */
  files: Map<string, string | null>;
  /**
   * Rule 3's sentences met, each kept once: the runs that read one version of a pointer have one
   * sentence (a component's 20,000 runs, a handful), which they then share instead of each keeping
   * a copy for as long as the reasons are kept.
   */
  sentences: Map<string, string>;
  /** Drift asked for, and some profile to judge it by: without one, no drift query is made. */
  withDrift: boolean;
}

/** A pointer a run read, with its latest writer (rule 3). */
interface Pointer {
  namespace: string;
  name: string;
  /** displayName, and the path on this disk (pointerPath, when first needed). */
  display: string;
  file?: string;
  writerId: number | null;
  writerUuid: string | null;
  writerComponent: string | null;
  writerStart: number | null;
  writerSeq: number | null;
}

/** A version of a pointer a run read, for skew. */
interface ReadVersion {
  display: string;
  version: string;
}
/** A model a run read: run, model namespace and name, and the run that wrote it (id, uuid, component). */
type ModelRow = [number, string, string, number, string, string];
/** The skew queries' answers for a slice (skewModels). */
interface Skew {
  /** Each run's models, in the query's order (by model name). */
  byRun: Map<number, ModelRow[]>;
  /** What each producing run read. */
  training: Map<number, ReadVersion[]>;
}

export class Staleness {
  private readonly fingerprints = new FingerprintCache();
  private readonly dependencies: Statement;
  private readonly inputs: Statement;
  private readonly writers: Statement;
  private readonly code: Statement;
  private readonly models: Statement;
  private readonly trainingInputs: Statement;
  private readonly laterCode: Statement;
  private readonly written: Statement;
  private readonly drift: DriftCheck;

  constructor(
    db: Database,
    private readonly root: string,
  ) {
    // Each read as one JSON text (jsonRowsSql), unsorted: the few rows of each run are put in order
    // here, cheaper than SQLite's sort of all of them when a trace has tens of thousands of runs.
    // Rules 1 and 2: per dependency, its age relative to this run and its component's fresher runs.
    // Only the dependencies that give a reason (too old, or with fresher runs: the same tests as
    // reasonsOf's, on the same doubles; ?2 is the default threshold): a long chain of fresh runs
    // has no rows to write, read and parse. Whether there are fresher runs is asked with EXISTS,
    // which stops at the first; they are counted only for the rows kept (counting them for every
    // dependency took half again as long on a component's 20,000 runs, where none has any).
    const fresher = `FROM runs f WHERE f.component_id = dr.component_id AND f.lifecycle = 1
      AND (f.start_ms, f.seq) > (dr.start_ms, dr.seq) AND f.start_ms < r.start_ms`;
    this.dependencies = db.prepare(
      jsonRowsSql(
        `SELECT d.run_id, dr.uuid, dc.name, dr.start_ms, r.start_ms, r.threshold_days, (SELECT count(*) ${fresher}), dr.seq
      ${FROM_IDS} deps d ON d.run_id = ids.value JOIN runs r ON r.id = d.run_id JOIN runs dr ON dr.id = d.dep_run_id
      JOIN components dc ON dc.id = dr.component_id
      WHERE (r.start_ms - dr.start_ms) / ${DAY_MS}.0 > coalesce(r.threshold_days, ?2) OR EXISTS (SELECT 1 ${fresher})`,
        8,
      ),
    );
    // Rule 3: each input with what was recorded when it was read. Only inputs that can give a
    // reason (or, with their version, a drift verdict): a version was recorded, or another run
    // wrote the pointer after this one started. (The latest writer of each pointer is read once per
    // call, `writers`: the runs of a component read the same few pointers.)
    this.inputs = db.prepare(
      jsonRowsSql(
        `SELECT io.run_id, io.pointer_id, io.fingerprint, r.start_ms, r.seq, r.run_host
      ${FROM_IDS} run_io io ON io.run_id = ids.value AND io.dir = ${DIR.input} JOIN runs r ON r.id = io.run_id
      WHERE io.fingerprint IS NOT NULL OR EXISTS (SELECT 1 FROM run_io w WHERE w.pointer_id = io.pointer_id
        AND w.dir = ${DIR.output} AND (w.start_ms, w.seq) > (r.start_ms, r.seq) AND w.run_id <> r.id)`,
        6,
      ),
    );
    // Each of these pointers with its latest writer now.
    this.writers = db.prepare(
      jsonRowsSql(
        `SELECT p.id, p.namespace, p.name, lw.id, lw.uuid, lc.name, lw.start_ms, lw.seq
      ${FROM_IDS} pointers p ON p.id = ids.value
      LEFT JOIN runs lw ON lw.id = (SELECT w.run_id FROM run_io w WHERE w.pointer_id = p.id AND w.dir = ${DIR.output}
        ORDER BY w.start_ms DESC, w.seq DESC LIMIT 1)
      LEFT JOIN components lc ON lc.id = lw.component_id`,
        8,
      ),
    );
    // Training–serving skew: the models each run read, with the run that wrote the version it read…
    // (CROSS JOIN: from the given runs outwards, which the planner does not always choose.)
    // (As JSON, unsorted: skewModels puts them in order by run, then name.)
    this.models = db.prepare(
      jsonRowsSql(
        `SELECT d.run_id, mp.namespace, mp.name, w.id, w.uuid, wc.name
      FROM json_each(?) j CROSS JOIN deps d ON d.run_id = j.value
      CROSS JOIN pointers mp ON mp.id = d.via AND mp.type = 'MODEL'
      JOIN runs w ON w.id = d.dep_run_id JOIN components wc ON wc.id = w.component_id`,
        6,
      ),
    );
    // …and the data those runs read.
    this.trainingInputs = db.prepare(
      jsonRowsSql(
        `SELECT io.run_id, p.namespace, p.name, io.fingerprint
      FROM json_each(?) j CROSS JOIN run_io io ON io.run_id = j.value AND io.dir = ${DIR.input}
      JOIN pointers p ON p.id = io.pointer_id WHERE io.fingerprint IS NOT NULL`,
        4,
      ),
    );
    // The version a run wrote of a pointer: what a later logged write made of an input.
    this.written = db.prepare(
      `SELECT fingerprint FROM run_io WHERE run_id = ? AND dir = ${DIR.output} AND pointer_id = ?`,
    );
    this.drift = new DriftCheck(db);
    // Rule 4: the code recorded with the run.
    this.code = db.prepare(
      jsonRowsSql(
        `SELECT r.id, r.uuid, c.name, r.source_file, r.source_line, code.source, r.run_host
      ${FROM_IDS} runs r ON r.id = ids.value JOIN components c ON c.id = r.component_id
      JOIN code ON code.id = r.code_id WHERE r.source_file IS NOT NULL`,
        7,
      ),
    );
    // Rule 4 for a run logged on another machine: the latest later run of its component that ran
    // other code, as the log says.
    this.laterCode =
      db.prepare(`SELECT f.uuid, f.run_host FROM runs r JOIN runs f ON f.component_id = r.component_id
        AND f.lifecycle = 1 AND (f.start_ms, f.seq) > (r.start_ms, r.seq) AND f.code_id IS NOT NULL AND f.code_id <> r.code_id
      WHERE r.id = ? ORDER BY f.start_ms DESC, f.seq DESC LIMIT 1`);
  }

  dispose(): void {
    for (const stmt of [
      this.dependencies,
      this.inputs,
      this.writers,
      this.code,
      this.models,
      this.trainingInputs,
      this.laterCode,
      this.written,
    ])
      stmt.free();
    this.drift.dispose();
  }

  /**
   * Rule 3's verdict on drift, as the end of its sentence: the version the run read against the
   * pointer's latest logged version, when both have profiles ('' otherwise: rule 3 as it was).
   */
  private contentVerdict(
    pointerId: number,
    read: string,
    settings: DriftSettings,
    latest: Map<number, string | null>,
  ): string {
    if (!latest.has(pointerId)) {
      // Only a latest version with a profile can give a verdict: the versions read are not looked up otherwise.
      const version = this.drift.latestVersion(pointerId)?.version ?? null;
      latest.set(pointerId, version !== null && this.drift.hasProfile(version) ? version : null);
    }
    return this.verdict(read, latest.get(pointerId)!, settings);
  }

  /**
   * The verdict on drift of `now` against `read`, as the end of a sentence ('' without profiles
   * on both sides, or when they are one version).
   */
  private verdict(read: string, now: string | null, settings: DriftSettings): string {
    if (now === null || now === read) return '';
    const report = this.drift.summary(read, now, settings, 'all');
    if (!report) return '';
    if (report.verdict === 'drifted') return ` and drifted: ${report.figures}`;
    if (report.verdict === 'no verdict') return `; ${report.why}`;
    return `; same distribution${report.largestPsi === null ? '' : ` (largest PSI ${formatPsi(report.largestPsi)})`}`;
  }

  /** The latest writer of each of these pointers (internal ids), into `writers`. */
  private readWriters(pointerIds: number[], writers: Map<number, Pointer>): void {
    type Row = [
      number,
      string,
      string,
      number | null,
      string | null,
      string | null,
      number | null,
      number | null,
    ];
    for (const r of allJson(this.writers, [JSON.stringify(pointerIds)]) as Row[]) {
      const [id, namespace, name, writerId, writerUuid, writerComponent, writerStart, writerSeq] = r;
      const display = displayName(namespace, name);
      writers.set(id, {
        namespace,
        name,
        display,
        writerId,
        writerUuid,
        writerComponent,
        writerStart,
        writerSeq,
      });
    }
  }

  /**
   * Training–serving skew, the queries of a slice: the models each run read, with the run that
   * wrote the version it read, and the data those runs read. The comparisons are made run by run
   * (skewOf), right after the run's own inputs: the profiles a run's comparisons need are then
   * parsed once and let go young, where a pass over the whole slice after its inputs needed each
   * profile again at the end (kept hundreds of them, or parsed each twice).
   */
  private skewModels(ids: string): Skew | null {
    const models = (allJson(this.models, [ids]) as ModelRow[]).sort(byRunThenName);
    if (models.length === 0) return null;
    const trainers = [...new Set(models.map((r) => Number(r[3])))];
    const training = new Map<number, ReadVersion[]>();
    const trainingRows = allJson(this.trainingInputs, [JSON.stringify(trainers)]).sort(byRunThenName);
    this.drift.prefetch(trainingRows.map((r) => String(r[3])));
    for (const r of trainingRows) {
      const id = Number(r[0]);
      const list = training.get(id) ?? [];
      list.push({ display: displayName(String(r[1]), String(r[2])), version: String(r[3]) });
      training.set(id, list);
    }
    const byRun = new Map<number, ModelRow[]>();
    for (const r of models) {
      const list = byRun.get(r[0]);
      if (list) list.push(r);
      else byRun.set(r[0], [r]);
    }
    return { byRun, training };
  }

  /**
   * Training–serving skew of one run that read a model and data: each input against the data the
   * model's producing run read, column by column for the columns they share. Each input is
   * compared with the training input that shares the most columns with it.
   */
  private skewOf(
    runId: number,
    read: ReadVersion[],
    skew: Skew,
    settings: DriftSettings,
    add: (id: number, reason: string) => void,
  ): void {
    for (const r of skew.byRun.get(runId) ?? []) {
      // (Read by index, here and in reasonsOf's loops: they run once per run, and array
      // destructuring goes through the iterator protocol until V8 has optimized the code.)
      const modelNamespace = r[1];
      const modelName = r[2];
      const trainerId = r[3];
      const trainerUuid = r[4];
      const trainerComponent = r[5];
      const fitted = (skew.training.get(trainerId) ?? []).filter((t) => this.drift.hasProfile(t.version));
      if (fitted.length === 0) continue;
      for (const input of read) {
        if (!this.drift.hasProfile(input.version)) continue;
        let best: ReadVersion | null = null;
        let bestShared = 0;
        for (const t of fitted) {
          const shared = this.drift.sharedColumns(t.version, input.version);
          if (shared > bestShared) {
            best = t;
            bestShared = shared;
          }
        }
        if (!best || best.version === input.version) continue;
        const report = this.drift.summary(best.version, input.version, settings, 'shared');
        if (report?.verdict !== 'drifted') continue;
        const from = best.display === input.display ? 'the version' : `${best.display}, which`;
        const model = displayName(modelNamespace, modelName);
        add(
          runId,
          `${input.display} has drifted from ${from} ${runLabel(trainerComponent, trainerUuid)} fitted ${model} on: ${report.figures}.`,
        );
      }
    }
  }

  reasons(runIds: number[], options: StalenessOptions = {}): Map<number, string[]> {
    const result = new Map<number, string[]>();
    if (runIds.length === 0) return result;
    const call: Call = {
      options,
      drift: driftSettings(options.drift || {}),
      latest: new Map(),
      writers: new Map(),
      rewritten: new Map(),
      onDisk: new Map(),
      files: new Map(),
      sentences: new Map(),
      withDrift: options.drift !== false && this.drift.anyProfile(),
    };
    this.drift.forgetMissing();
    // In slices of neighbouring runs (by id, which follows the log): a few queries per slice, and
    // the runs that read one version come one after another, so its profile is read once.
    const unique = [...new Set(runIds)].sort((a, b) => a - b);
    for (let i = 0; i < unique.length; i += SLICE)
      this.reasonsOf(JSON.stringify(unique.slice(i, i + SLICE)), call, result);
    // Lists of two or more grew by push, with room for 16 more: kept by the runs they describe.
    for (const [id, list] of result) if (list.length > 1) result.set(id, list.slice());
    return result;
  }

  /** reasons() of some runs (`ids`: JSON of internal ids, each once), into `result`. */
  private reasonsOf(ids: string, call: Call, result: Map<number, string[]>): void {
    const add = (id: number, reason: string) => {
      const list = result.get(id);
      if (list) list.push(reason);
      else result.set(id, [reason]);
    };
    const { options, drift, latest, writers, rewritten, onDisk, files, sentences, withDrift } = call;
    /** Rule 3's sentence for a run, the one instance of its text (Call.sentences). */
    const addShared = (id: number, reason: string) => {
      const known = sentences.get(reason);
      if (known === undefined) sentences.set(reason, reason);
      add(id, known ?? reason);
    };
    const defaultThreshold = options.thresholdDays ?? DEFAULT_THRESHOLD_DAYS;
    const thisHost = options.thisHost ?? os.hostname();
    const elsewhere = (host: string | null) => host !== null && host !== thisHost;

    type Dependency = [number, string, string, number, number, number | null, number, number];
    // By run, then the newest dependency first; a dependency read through two pointers once.
    const dependencies = (allJson(this.dependencies, [ids, defaultThreshold]) as Dependency[]).sort(
      (a, b) => a[0] - b[0] || b[3] - a[3] || b[7] - a[7],
    );
    let previous: Dependency | undefined;
    for (const r of dependencies) {
      if (previous && previous[0] === r[0] && previous[1] === r[1]) continue;
      previous = r;
      const runId = r[0];
      const depUuid = r[1];
      const depComponent = r[2];
      const depStart = r[3];
      const start = r[4];
      const ownThreshold = r[5];
      const fresher = r[6];
      const threshold = ownThreshold ?? defaultThreshold;
      const ageDays = (start - depStart) / DAY_MS;
      if (ageDays > threshold) {
        add(
          runId,
          `${runLabel(depComponent, depUuid)} started ${plural(Math.floor(ageDays), 'day')} before this run (threshold: ${plural(threshold, 'day')}).`,
        );
      }
      if (fresher > 0) {
        add(
          runId,
          `${runLabel(depComponent, depUuid)} has ${plural(fresher, 'fresher run')} that began before this run started.`,
        );
      }
    }

    type Input = [number, number, string | null, number, number, string | null];
    const inputs = allJson(this.inputs, [ids]) as Input[];
    const unknown = [...new Set(inputs.map((r) => r[1]))].filter((id) => !writers.has(id));
    if (unknown.length > 0) this.readWriters(unknown, writers);
    // By run, then by name as SQLite orders text.
    inputs.sort((a, b) => a[0] - b[0] || byteOrder(writers.get(a[1])!.name, writers.get(b[1])!.name));
    if (withDrift) this.drift.prefetch(inputs.flatMap((r) => (r[2] === null ? [] : [r[2]])));
    const skew = withDrift ? this.skewModels(ids) : null;
    /** What the run whose inputs are being read read, with the version it read: for skew. */
    let read: ReadVersion[] = [];
    let readBy = -1;
    // Each run's skew right after its inputs (its sentences come after theirs, as they always did).
    const skewOfRead = () => {
      if (skew && read.length > 0) this.skewOf(readBy, read, skew, drift, add);
    };
    for (const r of inputs) {
      const runId = r[0];
      const pointerId = r[1];
      const fingerprint = r[2];
      const start = r[3];
      const seq = r[4];
      const runHost = r[5];
      const pointer = writers.get(pointerId)!;
      const { namespace, name, display, writerId, writerUuid, writerComponent, writerStart, writerSeq } =
        pointer;
      if (runId !== readBy) {
        skewOfRead();
        read = [];
        readBy = runId;
      }
      if (fingerprint !== null) read.push({ display, version: fingerprint });
      const canCompare =
        namespace === FILE_NAMESPACE &&
        fingerprint !== null &&
        fingerprint.startsWith('sha256') &&
        !elsewhere(runHost);
      const producer =
        writerUuid && writerId !== runId
          ? ` (last written by ${runLabel(writerComponent!, writerUuid)})`
          : '';
      if (canCompare) {
        const file = (pointer.file ??= pointerPath(name, this.root));
        // One look at each file per call (many runs read the same file).
        if (!onDisk.has(file)) onDisk.set(file, this.fingerprints.get(file));
        const now = onDisk.get(file);
        if (!now) addShared(runId, `Input ${display}${producer} no longer exists.`);
        else if (now.fingerprint !== fingerprint)
          addShared(
            runId,
            `Input ${display}${producer} changed since this run read it${withDrift ? this.contentVerdict(pointerId, fingerprint, drift, latest) : ''}.`,
          );
      } else if (
        writerUuid &&
        writerId !== runId &&
        (writerStart! > start || (writerStart === start && writerSeq! > seq))
      ) {
        // The later logged write's version against the one read, when both have profiles.
        let verdict = '';
        if (withDrift && fingerprint !== null) {
          if (!rewritten.has(pointerId))
            rewritten.set(
              pointerId,
              (first(this.written, [writerId, pointerId])?.[0] as string | null) ?? null,
            );
          verdict = this.verdict(fingerprint, rewritten.get(pointerId)!, drift);
        }
        addShared(
          runId,
          `Input ${display} was written again by ${runLabel(writerComponent!, writerUuid)} after this run started${verdict}.`,
        );
      }
    }

    skewOfRead();

    for (const r of allJson(this.code, [ids])) {
      const [runId, uuid, component, sourceFile, sourceLine, snapshot, runHost] = r as [
        number,
        string,
        string,
        string,
        number | null,
        string,
        string | null,
      ];
      if (elsewhere(runHost)) {
        const later = first(this.laterCode, [runId]);
        if (later)
          add(
            runId,
            `${runLabel(component, uuid)} ran on ${runHost}; a later run, ${runLabel(component, String(later[0]))}${later[1] ? ` on ${String(later[1])}` : ''}, ran other code.`,
          );
        continue;
      }
      const file = pointerPath(sourceFile, this.root);
      if (!files.has(file)) files.set(file, readNormalized(file));
      const current = files.get(file) ?? null;
      if (current === null)
        add(runId, `The source file of ${runLabel(component, uuid)}, ${sourceFile}, no longer exists.`);
      else if (!current.includes(normalize(snapshot)))
        add(runId, codeChangedReason({ component, id: uuid, sourceFile, sourceLine }));
    }
  }
}

/** Rows by run (column 0), then by name (column 2) as SQLite orders text. */
const byRunThenName = (a: unknown[], b: unknown[]): number =>
  Number(a[0]) - Number(b[0]) || byteOrder(String(a[2]), String(b[2]));

const displayName = (namespace: string, name: string): string =>
  namespace === FILE_NAMESPACE ? name : `${namespace}/${name}`;
/** Rule 4's sentence; codeExplanation.ts finds it by this text to say what git knows of the change. */
export function codeChangedReason(run: {
  component: string;
  id: string;
  sourceFile: string;
  sourceLine: number | null;
}): string {
  const where = run.sourceLine ? `${run.sourceFile}:${run.sourceLine}` : run.sourceFile;
  return `The code of ${runLabel(run.component, run.id)} changed since it ran (${where}).`;
}

const normalize = (text: string) =>
  text
    .replace(/\r\n?/g, '\n')
    .replace(/[ \t]+$/gm, '')
    .trim();

function readNormalized(file: string): string | null {
  try {
    return normalize(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}
