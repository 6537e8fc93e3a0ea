// Staleness (DESIGN.md §5), computed when asked so it never goes out of date.
import * as fs from 'node:fs';
import { FILE_NAMESPACE } from './events';
import { FingerprintCache } from './fingerprint';
import { plural, runLabel } from './format';
import { pointerPath } from './pointers';
import { DIR } from './schema';
import { all, Database, Statement } from './sql';

export interface StalenessOptions {
  /** Rule 1's threshold, unless a run recorded its own. Default 30. */
  thresholdDays?: number;
}

export const DEFAULT_THRESHOLD_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

export class Staleness {
  private readonly fingerprints = new FingerprintCache();
  private readonly dependencies: Statement;
  private readonly inputs: Statement;
  private readonly code: Statement;

  constructor(
    db: Database,
    private readonly root: string,
  ) {
    // Rules 1 and 2: per dependency, its age relative to this run and its component's fresher runs.
    this.dependencies =
      db.prepare(`SELECT DISTINCT d.run_id, dr.uuid, dc.name, dr.start_ms, r.start_ms, r.threshold_days,
        (SELECT count(*) FROM runs f WHERE f.component_id = dr.component_id AND f.lifecycle = 1
          AND (f.start_ms, f.seq) > (dr.start_ms, dr.seq) AND f.start_ms < r.start_ms)
      FROM deps d JOIN runs r ON r.id = d.run_id JOIN runs dr ON dr.id = d.dep_run_id JOIN components dc ON dc.id = dr.component_id
      WHERE d.run_id IN (SELECT value FROM json_each(?)) ORDER BY d.run_id, dr.start_ms DESC`);
    // Rule 3: each input with what was recorded when it was read, and its latest writer now.
    this.inputs =
      db.prepare(`SELECT io.run_id, p.namespace, p.name, io.fingerprint, r.start_ms, r.seq, lw.id, lw.uuid, lc.name,
        lw.start_ms, lw.seq
      FROM run_io io JOIN pointers p ON p.id = io.pointer_id JOIN runs r ON r.id = io.run_id
      LEFT JOIN runs lw ON lw.id = (SELECT w.run_id FROM run_io w WHERE w.pointer_id = p.id AND w.dir = ${DIR.output}
        ORDER BY w.start_ms DESC, w.seq DESC LIMIT 1)
      LEFT JOIN components lc ON lc.id = lw.component_id
      WHERE io.dir = ${DIR.input} AND io.run_id IN (SELECT value FROM json_each(?)) ORDER BY io.run_id, p.name`);
    // Rule 4: the code recorded with the run.
    this.code = db.prepare(`SELECT r.id, r.uuid, c.name, r.source_file, r.source_line, code.source
      FROM runs r JOIN components c ON c.id = r.component_id JOIN code ON code.id = r.code_id
      WHERE r.source_file IS NOT NULL AND r.id IN (SELECT value FROM json_each(?))`);
  }

  dispose(): void {
    for (const stmt of [this.dependencies, this.inputs, this.code]) stmt.free();
  }

  reasons(runIds: number[], options: StalenessOptions = {}): Map<number, string[]> {
    const result = new Map<number, string[]>();
    if (runIds.length === 0) return result;
    const add = (id: number, reason: string) => {
      const list = result.get(id);
      if (list) list.push(reason);
      else result.set(id, [reason]);
    };
    const ids = JSON.stringify(runIds);
    const defaultThreshold = options.thresholdDays ?? DEFAULT_THRESHOLD_DAYS;

    for (const r of all(this.dependencies, [ids])) {
      const [runId, depUuid, depComponent, depStart, start, ownThreshold, fresher] = r as [
        number,
        string,
        string,
        number,
        number,
        number | null,
        number,
      ];
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

    for (const r of all(this.inputs, [ids])) {
      const [
        runId,
        namespace,
        name,
        fingerprint,
        start,
        seq,
        writerId,
        writerUuid,
        writerComponent,
        writerStart,
        writerSeq,
      ] = r as [
        number,
        string,
        string,
        string | null,
        number,
        number,
        number | null,
        string | null,
        string | null,
        number | null,
        number | null,
      ];
      const display = namespace === FILE_NAMESPACE ? name : `${namespace}/${name}`;
      const canCompare =
        namespace === FILE_NAMESPACE && fingerprint !== null && fingerprint.startsWith('sha256');
      const producer =
        writerUuid && writerId !== runId
          ? ` (last written by ${runLabel(writerComponent!, writerUuid)})`
          : '';
      if (canCompare) {
        const now = this.fingerprints.get(pointerPath(name, this.root));
        if (!now) add(runId, `Input ${display}${producer} no longer exists.`);
        else if (now.fingerprint !== fingerprint)
          add(runId, `Input ${display}${producer} changed since this run read it.`);
      } else if (
        writerUuid &&
        writerId !== runId &&
        (writerStart! > start || (writerStart === start && writerSeq! > seq))
      ) {
        add(
          runId,
          `Input ${display} was written again by ${runLabel(writerComponent!, writerUuid)} after this run started.`,
        );
      }
    }

    const files = new Map<string, string | null>();
    for (const r of all(this.code, [ids])) {
      const [runId, uuid, component, sourceFile, sourceLine, snapshot] = r as [
        number,
        string,
        string,
        string,
        number | null,
        string,
      ];
      const file = pointerPath(sourceFile, this.root);
      if (!files.has(file)) files.set(file, readNormalized(file));
      const current = files.get(file) ?? null;
      if (current === null)
        add(runId, `The source file of ${runLabel(component, uuid)}, ${sourceFile}, no longer exists.`);
      else if (!current.includes(normalize(snapshot)))
        add(runId, codeChangedReason({ component, id: uuid, sourceFile, sourceLine }));
    }
    return result;
  }
}

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
