// `mltrace drift <pointer> [--against <pointer-or-run>]`: a pointer's latest logged version
// against a reference, column by column. The default reference is the version the pointer's
// latest reader read or, when that reader scored a model, the data the model was fitted on.
import type { DriftComparison, DriftSettings, DriftSide, RunInputDrift } from './drift';
import { DriftCheck, sharedColumns } from './driftCheck';
import { FILE_NAMESPACE } from './events';
import { runLabel } from './format';
import { LineageError } from './model';
import { DIR } from './schema';
import { all, Database, first, freeStatements, prepareStatements, Statements } from './sql';

// The shapes of a comparison live in drift.ts (pure: the webviews import them without the index).
export type { DriftComparison, DriftSide, RunInputDrift } from './drift';

/** A pointer as queries.ts resolves it. */
export interface PointerRef {
  id: number;
  display: string;
}

/** What `--against` named: a pointer, or a run (internal id). */
export type Against = { pointer: PointerRef } | { runId: number } | null;

const SQL = {
  latestReader: `SELECT run_id, fingerprint FROM run_io WHERE pointer_id = ? AND dir = ${DIR.input}
    ORDER BY start_ms DESC, seq DESC LIMIT 1`,
  run: `SELECT r.uuid, c.name FROM runs r JOIN components c ON c.id = r.component_id WHERE r.id = ?`,
  models: `SELECT mp.namespace, mp.name, d.dep_run_id FROM deps d JOIN pointers mp ON mp.id = d.via AND mp.type = 'MODEL'
    WHERE d.run_id = ? ORDER BY mp.name`,
  inputs: `SELECT p.id, p.namespace, p.name, io.fingerprint, p.type FROM run_io io JOIN pointers p ON p.id = io.pointer_id
    WHERE io.run_id = ? AND io.dir = ${DIR.input} ORDER BY p.name`,
  versions: `SELECT p.id, p.namespace, p.name, io.fingerprint, io.dir FROM run_io io JOIN pointers p ON p.id = io.pointer_id
    WHERE io.run_id = ? AND io.fingerprint IS NOT NULL ORDER BY io.dir, p.name`,
};

interface Version {
  pointerId: number;
  display: string;
  version: string;
  dir: number;
}

const displayName = (namespace: string, name: string) =>
  namespace === FILE_NAMESPACE ? name : `${namespace}/${name}`;

export class DriftQuery {
  private readonly s: Statements<keyof typeof SQL>;
  private readonly check: DriftCheck;

  constructor(db: Database) {
    this.s = prepareStatements(db, SQL);
    this.check = new DriftCheck(db);
  }

  dispose(): void {
    freeStatements(this.s);
    this.check.dispose();
  }

  compare(pointer: PointerRef, against: Against, settings: DriftSettings): DriftComparison {
    // A version found without a profile may have one now (a later event recorded it).
    this.check.forgetMissing();
    const latest = this.check.latestVersion(pointer.id);
    if (!latest)
      throw new LineageError(
        `No logged run recorded a version of ${pointer.display}: there is nothing to profile.`,
      );
    const current = this.side(pointer.display, latest.version, latest.runId, 'the latest logged version');
    const { reference, sharedOnly } = this.reference(pointer, latest.version, against);
    return this.comparison(pointer.display, reference, current, settings, sharedOnly);
  }

  /**
   * Each input of a run (internal id) as staleness judges its data (the run inspector's Data
   * tab): the data a model the run read was fitted on against the version the run scored, or
   * else the version the run read against the pointer's latest logged version.
   */
  forRun(runId: number, settings: DriftSettings): RunInputDrift[] {
    this.check.forgetMissing();
    const label = this.label(runId);
    const trainers = all(this.s.models, [runId]).map((m) => ({
      id: Number(m[2]),
      model: displayName(String(m[0]), String(m[1])),
    }));
    const result: RunInputDrift[] = [];
    for (const row of all(this.s.inputs, [runId])) {
      const [pointerId, display] = [Number(row[0]), displayName(String(row[1]), String(row[2]))];
      const read = row[3] === null ? null : String(row[3]);
      const entry = (note: string): RunInputDrift => ({ pointer: display, comparison: null, note });
      if (String(row[4]) === 'MODEL') continue;
      if (read === null || !this.check.profile(read)) {
        result.push(entry(`no profile recorded for ${display}`));
        continue;
      }
      const scored = this.side(display, read, runId, `what ${label} scored`);
      const fitted = trainers
        .map((t) => ({
          t,
          v: this.closest(
            this.versions(t.id).filter((v) => v.dir === DIR.input),
            read,
          ),
        }))
        .find((f) => f.v !== null);
      if (fitted) {
        const { t, v } = fitted;
        const reference = this.side(
          v!.display,
          v!.version,
          t.id,
          `what ${this.label(t.id)} fitted ${t.model} on`,
        );
        result.push({
          pointer: display,
          comparison: this.comparison(display, reference, scored, settings, true),
          note: null,
        });
        continue;
      }
      const latest = this.check.latestVersion(pointerId);
      if (!latest || latest.version === read) {
        result.push(entry(`${display} has not changed since ${label} read it`));
        continue;
      }
      if (!this.check.profile(latest.version)) {
        result.push(entry(`no profile recorded for the latest logged version of ${display}`));
        continue;
      }
      const reference = this.side(display, read, runId, `the version ${label} read`);
      const current = this.side(display, latest.version, latest.runId, 'the latest logged version');
      result.push({
        pointer: display,
        comparison: this.comparison(display, reference, current, settings, false),
        note: null,
      });
    }
    return result;
  }

  private comparison(
    pointer: string,
    reference: DriftSide,
    current: DriftSide,
    settings: DriftSettings,
    sharedOnly: boolean,
  ): DriftComparison {
    const report = this.check.compare(reference.version, current.version, settings, {
      columns: sharedOnly ? 'shared' : 'all',
    })!;
    return {
      pointer,
      current,
      reference,
      settings,
      verdict: report.verdict,
      why: report.why,
      largestPsi: report.largestPsi,
      columns: report.columns,
      sharedOnly,
    };
  }

  private reference(
    pointer: PointerRef,
    current: string,
    against: Against,
  ): { reference: DriftSide; sharedOnly: boolean } {
    if (against && 'pointer' in against) {
      const theirs = this.check.latestVersion(against.pointer.id);
      if (!theirs) throw new LineageError(`No logged run recorded a version of ${against.pointer.display}.`);
      return {
        reference: this.side(
          against.pointer.display,
          theirs.version,
          theirs.runId,
          'its latest logged version',
        ),
        sharedOnly: false,
      };
    }
    if (against) {
      const versions = this.versions(against.runId);
      const own = versions.find((v) => v.pointerId === pointer.id);
      const label = this.label(against.runId);
      if (own)
        return {
          reference: this.side(
            own.display,
            own.version,
            against.runId,
            `the version ${label} ${own.dir === DIR.input ? 'read' : 'wrote'}`,
          ),
          sharedOnly: false,
        };
      const closest = this.closest(
        versions.filter((v) => v.dir === DIR.input),
        current,
      );
      if (!closest)
        throw new LineageError(
          `${label} read no profiled data that shares a column with ${pointer.display}.`,
        );
      return {
        reference: this.side(closest.display, closest.version, against.runId, `what ${label} read`),
        sharedOnly: true,
      };
    }
    const reader = first(this.s.latestReader, [pointer.id]);
    if (!reader)
      throw new LineageError(
        `No logged run read ${pointer.display}: compare it with --against <pointer-or-run>.`,
      );
    const readerId = Number(reader[0]);
    // A scoring run: the data its model was fitted on.
    for (const model of all(this.s.models, [readerId])) {
      const trainer = Number(model[2]);
      const fitted = this.closest(
        this.versions(trainer).filter((v) => v.dir === DIR.input),
        current,
      );
      if (fitted)
        return {
          reference: this.side(
            fitted.display,
            fitted.version,
            trainer,
            `what ${this.label(trainer)} fitted ${displayName(String(model[0]), String(model[1]))} on`,
          ),
          sharedOnly: true,
        };
    }
    if (reader[1] === null)
      throw new LineageError(
        `${this.label(readerId)}, the latest run that read ${pointer.display}, recorded no version of it: compare it with --against <pointer-or-run>.`,
      );
    return {
      reference: this.side(
        pointer.display,
        String(reader[1]),
        readerId,
        `the version ${this.label(readerId)}, its latest reader, read`,
      ),
      sharedOnly: false,
    };
  }

  /** The profiled version among these that shares the most columns with `current`. */
  private closest(candidates: Version[], current: string): Version | null {
    const profile = this.check.profile(current);
    if (!profile) return null;
    let best: Version | null = null;
    let bestShared = 0;
    for (const candidate of candidates) {
      const theirs = this.check.profile(candidate.version);
      const shared = theirs ? sharedColumns(theirs, profile) : 0;
      if (shared > bestShared) [best, bestShared] = [candidate, shared];
    }
    return best;
  }

  private versions(runId: number): Version[] {
    return all(this.s.versions, [runId]).map((r) => ({
      pointerId: Number(r[0]),
      display: displayName(String(r[1]), String(r[2])),
      version: String(r[3]),
      dir: Number(r[4]),
    }));
  }

  private label(runId: number): string {
    const row = first(this.s.run, [runId])!;
    return runLabel(String(row[1]), String(row[0]));
  }

  private side(pointer: string, version: string, runId: number, how: string): DriftSide {
    const profile = this.check.profile(version);
    if (!profile)
      throw new LineageError(
        `${pointer} (${version}, ${how}) has no data profile: profiles are logged for CSV, TSV and JSON Lines files by the Python shim, the Node shim and mltrace run.`,
      );
    const row = first(this.s.run, [runId]);
    return {
      pointer,
      version,
      rows: profile.rows,
      fileRows: profile.fileRows,
      sampled: profile.sampled,
      cutShort: profile.cutShort,
      how,
      run: row ? { id: String(row[0]), component: String(row[1]) } : null,
    };
  }
}
