// Staleness (DESIGN.md §5), computed when asked so it never goes out of date.
import * as fs from 'node:fs';
import { FILE_NAMESPACE } from './events';
import { FingerprintCache } from './fingerprint';
import { plural, runLabel } from './format';
import { pointerPath } from './pointers';
import { DIR } from './schema';
import { allJson, byteOrder, Database, FROM_IDS, jsonRowsSql, Statement } from './sql';

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
    // Each read as one JSON text (jsonRowsSql), unsorted: the few rows of each run are put in order
    // here, cheaper than SQLite's sort of all of them when a trace has tens of thousands of runs.
    // Rules 1 and 2: per dependency, its age relative to this run and its component's fresher runs.
    this.dependencies = db.prepare(
      jsonRowsSql(
        `SELECT d.run_id, dr.uuid, dc.name, dr.start_ms, r.start_ms, r.threshold_days,
        (SELECT count(*) FROM runs f WHERE f.component_id = dr.component_id AND f.lifecycle = 1
          AND (f.start_ms, f.seq) > (dr.start_ms, dr.seq) AND f.start_ms < r.start_ms), dr.seq
      ${FROM_IDS} deps d ON d.run_id = ids.value JOIN runs r ON r.id = d.run_id JOIN runs dr ON dr.id = d.dep_run_id
      JOIN components dc ON dc.id = dr.component_id`,
        8,
      ),
    );
    // Rule 3: each input with what was recorded when it was read, and its latest writer now.
    this.inputs = db.prepare(
      jsonRowsSql(
        `SELECT io.run_id, p.namespace, p.name, io.fingerprint, r.start_ms, r.seq, lw.id, lw.uuid, lc.name,
        lw.start_ms, lw.seq
      ${FROM_IDS} run_io io ON io.run_id = ids.value AND io.dir = ${DIR.input}
      JOIN pointers p ON p.id = io.pointer_id JOIN runs r ON r.id = io.run_id
      LEFT JOIN runs lw ON lw.id = (SELECT w.run_id FROM run_io w WHERE w.pointer_id = p.id AND w.dir = ${DIR.output}
        ORDER BY w.start_ms DESC, w.seq DESC LIMIT 1)
      LEFT JOIN components lc ON lc.id = lw.component_id`,
        11,
      ),
    );
    // Rule 4: the code recorded with the run.
    this.code = db.prepare(
      jsonRowsSql(
        `SELECT r.id, r.uuid, c.name, r.source_file, r.source_line, code.source
      ${FROM_IDS} runs r ON r.id = ids.value JOIN components c ON c.id = r.component_id
      JOIN code ON code.id = r.code_id WHERE r.source_file IS NOT NULL`,
        6,
      ),
    );
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
    const ids = JSON.stringify([...new Set(runIds)]); // FROM_IDS: each once
    const defaultThreshold = options.thresholdDays ?? DEFAULT_THRESHOLD_DAYS;

    type Dependency = [number, string, string, number, number, number | null, number, number];
    // By run, then the newest dependency first; a dependency read through two pointers once.
    const dependencies = (allJson(this.dependencies, [ids]) as Dependency[]).sort(
      (a, b) => a[0] - b[0] || b[3] - a[3] || b[7] - a[7],
    );
    let previous: Dependency | undefined;
    for (const r of dependencies) {
      if (previous && previous[0] === r[0] && previous[1] === r[1]) continue;
      previous = r;
      const [runId, depUuid, depComponent, depStart, start, ownThreshold, fresher] = r;
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

    // By run, then by name as SQLite orders text.
    const inputs = allJson(this.inputs, [ids]).sort(
      (a, b) => Number(a[0]) - Number(b[0]) || byteOrder(String(a[2]), String(b[2])),
    );
    for (const r of inputs) {
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
    for (const r of allJson(this.code, [ids])) {
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
      const where = sourceLine ? `${sourceFile}:${sourceLine}` : sourceFile;
      if (current === null)
        add(runId, `The source file of ${runLabel(component, uuid)}, ${sourceFile}, no longer exists.`);
      else if (!current.includes(normalize(snapshot)))
        add(runId, `The code of ${runLabel(component, uuid)} changed since it ran (${where}).`);
    }
    return result;
  }
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
