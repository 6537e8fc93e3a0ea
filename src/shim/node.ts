// The Node shim: log a function as a run of a component, from JavaScript or TypeScript pipelines.
//
//   const { withRun } = require('./mltrace-node.js');
//   await withRun('train', { inputs: ['data/features.csv'], outputs: ['models/model.pkl'] }, async () => { ... });
//
// Same rules as the Python shim: a function that throws is logged as a failed run and the error
// propagates unchanged; logging itself never breaks the pipeline (one warning, then silence).
import * as path from 'node:path';
import { gitInfo } from '../core/git';
import { normalizePointerName } from '../core/pointers';
import { locateStore, StoreLocation } from '../core/storeDir';
import { drainBeforeExit, exitWaitMs, sendAsLogged } from '../core/openlineage/live';
import { EventWriter, RunHandle } from '../core/writer';

export interface RunOptions {
  inputs?: string[];
  outputs?: string[];
  /** Component metadata, logged once per process. */
  description?: string;
  owner?: string;
  tags?: string[];
  /** Components this run depends on beyond what its inputs say. */
  upstream?: string[];
  /** The `.mltrace` folder (default: $MLTRACE_DIR, else the nearest `.mltrace` above the cwd). */
  dir?: string;
}

let warned = false;
const writers = new Map<string, EventWriter>();
const described = new Set<string>();

const warnedAbout = new Set<string>();
function warnOnce(message: string): void {
  if (warnedAbout.has(message)) return;
  warnedAbout.add(message);
  process.emitWarning(`mltrace: ${message}`);
}

function safely<T>(what: () => T): T | undefined {
  try {
    return what();
  } catch (error) {
    if (!warned) process.emitWarning(`mltrace: logging is off for this process: ${(error as Error).message}`);
    warned = true;
    return undefined;
  }
}

function writerFor(location: StoreLocation): EventWriter {
  let writer = writers.get(location.storeDir);
  if (!writer) {
    if (writers.size === 0) process.once('exit', closeWriters);
    writers.set(location.storeDir, (writer = new EventWriter(location, 'node')));
    // To the OpenLineage backend too, when one is configured, off the pipeline's path.
    const emitter = sendAsLogged(writer, warnOnce);
    if (emitter) drainBeforeExit(emitter, exitWaitMs());
  }
  return writer;
}

/** At exit each file gets its end marker, so that compaction may merge it (docs/LAYOUT.md). */
function closeWriters(): void {
  for (const writer of writers.values()) safely(() => writer.close());
  writers.clear();
}

/** The file and line of the code that called withRun, from the stack. */
function callerLocation(root: string): { file: string | null; line: number | null } {
  const frames = (new Error().stack ?? '').split('\n').slice(1);
  for (const frame of frames) {
    const match = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (!match) continue;
    const file = match[1].replace(/^file:\/\//, '');
    if (file === __filename || file.includes(`${path.sep}node:`)) continue;
    return { file: normalizePointerName(file, root), line: Number(match[2]) };
  }
  return { file: null, line: null };
}

/** Runs `fn` as a run of `component`, logging START before and COMPLETE or FAIL after. */
export async function withRun<T>(
  component: string,
  options: RunOptions,
  fn: () => T | Promise<T>,
): Promise<T> {
  const location = safely(() => locateStore({ dir: options.dir }));
  let writer: EventWriter | undefined;
  let handle: RunHandle | undefined;
  if (location) {
    writer = safely(() => writerFor(location));
    const pointer = (name: string) => ({ name: normalizePointerName(name, location.root) });
    safely(() => {
      if (!writer) return;
      if ((options.description || options.owner || options.tags?.length) && !described.has(component)) {
        writer.defineComponent({
          name: component,
          description: options.description,
          owner: options.owner,
          tags: options.tags,
        });
        described.add(component);
      }
      const git = gitInfo(location.root);
      const caller = callerLocation(location.root);
      handle = writer.startRun({
        component,
        inputs: (options.inputs ?? []).map(pointer),
        upstream: options.upstream,
        source: {
          gitHash: git?.hash,
          gitTags: git?.tags,
          sourceFile: caller.file,
          sourceLine: caller.line,
          code: { language: 'javascript', source: fn.toString() },
        },
      });
    });
    const end = (failure?: unknown) =>
      safely(() => {
        if (!writer || !handle) return;
        const error =
          failure instanceof Error ? failure : failure === undefined ? undefined : new Error(String(failure));
        writer.endRun(handle, {
          status: error ? 'failed' : 'complete',
          outputs: (options.outputs ?? []).map(pointer),
          error: error
            ? { message: `${error.name}: ${error.message}`, language: 'javascript', stackTrace: error.stack }
            : undefined,
        });
      });
    try {
      const result = await fn();
      end();
      return result;
    } catch (error) {
      end(error ?? new Error('undefined was thrown'));
      throw error;
    }
  }
  return fn();
}

/** Flags (or unflags) an output as erroneous. */
export function flagOutput(name: string, flagged = true, dir?: string): void {
  safely(() => {
    const location = locateStore({ dir });
    writerFor(location).flag(normalizePointerName(name, location.root), flagged);
  });
}
