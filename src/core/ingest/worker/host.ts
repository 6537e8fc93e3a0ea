// Runs readLogBatches in a worker thread and feeds its batches to the sink on this thread, so that
// parsing the JSON of a large log overlaps applying it to the index. Two ways to take them:
// readLogBatchesInWorker blocks (ingest() stays synchronous: this thread waits on a shared counter
// with Atomics.wait and takes messages with receiveMessageOnPort), readLogBatchesInBackground takes
// each as an event, so the thread serves its event loop in between. The worker started here is a
// watcher that starts the parsing thread, and tells this thread when it is gone, even when it ran out of memory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { MessagePort, ResourceLimits, Worker } from 'node:worker_threads';
import { decodeBatch } from './codec';
import type { LogBatchSink, LogFileSpan } from '../batches';
import { EXIT_STATUS, EXITED, IN_FLIGHT, MESSAGES, WorkerInput, WorkerMessage } from './protocol';

/**
 * node:worker_threads, loaded when a worker first starts: loading it takes ~10 ms, which a command
 * that reads a snapshot and ingests nothing would pay for nothing.
 */
const threads = (): typeof import('node:worker_threads') =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('node:worker_threads') as typeof import('node:worker_threads');

/** The worker failed (it could not start, threw, or went silent): the caller may read on this thread. */
export class WorkerFailure extends Error {}

/** No message for this long means the worker is gone (a batch takes milliseconds). */
const SILENCE_MS = 60_000;

/**
 * The engine's worker script: the bundle beside this one (dist/ingestWorker.js, built from
 * entry.ts), or, when running from source, entry.ts through tsx. null: no worker script here.
 */
function engineScript(): string | null {
  const built = path.join(__dirname, 'ingestWorker.js');
  if (fs.existsSync(built)) return `require(${JSON.stringify(built)});`;
  const source = path.join(__dirname, 'entry.ts');
  if (!fs.existsSync(source)) return null;
  try {
    return `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(source)});`;
  } catch {
    return null;
  }
}

/**
 * What the parsing thread runs: `script`; an error thrown while loading is posted back with its
 * message.
 */
const parserCode = (script: string): string => `const { workerData } = require('node:worker_threads');
try {
  ${script}
} catch (error) {
  workerData.port.postMessage({ kind: 'error', message: String((error && error.stack) || error) });
  Atomics.add(workerData.signal, ${MESSAGES}, 1);
  Atomics.notify(workerData.signal, ${MESSAGES});
}`;

/**
 * What the worker this thread starts runs: a watcher that starts the parsing thread and tells this
 * thread when it exits, however it ends (an uncaught error, process.exit, out of memory). A thread
 * blocked in Atomics.wait never sees a worker's 'exit' event, and a worker that runs out of memory
 * runs none of its own code on the way out; its parent's event loop, free here, sees both.
 */
const watcherCode = (
  script: string,
): string => `const { Worker, workerData } = require('node:worker_threads');
const { input, resourceLimits } = workerData;
const exited = (status) => {
  if (Atomics.compareExchange(input.signal, ${EXITED}, ${EXIT_STATUS.running}, status) !== ${EXIT_STATUS.running}) return;
  Atomics.add(input.signal, ${MESSAGES}, 1);
  Atomics.notify(input.signal, ${MESSAGES});
};
process.on('exit', () => exited(${EXIT_STATUS.stopped}));
let status = ${EXIT_STATUS.stopped};
const parser = new Worker(${JSON.stringify(parserCode(script))}, {
  eval: true, workerData: input, transferList: [input.port], resourceLimits,
});
parser.on('error', (error) => {
  if (error && error.code === 'ERR_WORKER_OUT_OF_MEMORY') status = ${EXIT_STATUS.outOfMemory};
});
parser.on('exit', () => exited(status));`;

/** Whether a worker can be started here at all. */
export const workerAvailable = (): boolean => engineScript() !== null;

export interface WorkerOptions {
  /** What the worker runs instead of the engine's script (tests of failures). */
  script?: string;
  /** How long a silent worker is waited for. */
  silenceMs?: number;
  /** Limits of the worker's heap (tests make it run out of memory). */
  resourceLimits?: ResourceLimits;
}

/** One worker reading the log: started, fed messages to the sink, closed. */
class WorkerRun {
  readonly signal = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
  readonly port: MessagePort;
  private readonly worker: Worker;

  constructor(files: LogFileSpan[], seq: number, options: WorkerOptions) {
    const script = options.script ?? engineScript();
    if (script === null) throw new WorkerFailure('no worker script beside the engine');
    const { MessageChannel, Worker } = threads();
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const input: WorkerInput = { files, seq, port: port2, signal: this.signal };
    try {
      this.worker = new Worker(watcherCode(script), {
        eval: true,
        workerData: { input, resourceLimits: options.resourceLimits },
        transferList: [port2],
      });
    } catch (error) {
      port1.close();
      throw new WorkerFailure(`could not start: ${(error as Error).message}`);
    }
    // Failures arrive as an error message or the exit flag; unhandled, this event would take the
    // whole process down.
    this.worker.on('error', () => undefined);
  }

  get exited(): boolean {
    return Atomics.load(this.signal, EXITED) !== EXIT_STATUS.running;
  }

  /** Why the worker is gone, once it is. */
  exitFailure(): WorkerFailure {
    return new WorkerFailure(
      Atomics.load(this.signal, EXITED) === EXIT_STATUS.outOfMemory
        ? 'the worker ran out of memory'
        : 'the worker stopped before it finished',
    );
  }

  /** The next message, if one is there. */
  take(): WorkerMessage | undefined {
    return threads().receiveMessageOnPort(this.port)?.message as WorkerMessage | undefined;
  }

  /** Passes one message to the sink; the last event number once the worker is done. */
  handle(message: WorkerMessage, sink: LogBatchSink): number | undefined {
    switch (message.kind) {
      case 'batch':
        // Taken: the worker may prepare the next one while this one is applied.
        Atomics.sub(this.signal, IN_FLIGHT, 1);
        Atomics.notify(this.signal, IN_FLIGHT);
        sink.batch(message.fileIndex, decodeBatch(message.encoded), message.problems, message.events);
        return undefined;
      case 'file':
        sink.fileDone(message.fileIndex, message.position);
        return undefined;
      case 'done':
        return message.seq;
      case 'error':
        throw new WorkerFailure(message.message);
    }
  }

  onExit(listener: () => void): void {
    this.worker.once('exit', listener);
  }

  close(): void {
    this.port.close();
    void this.worker.terminate();
  }
}

/** Like readLogBatches, in a worker. Throws WorkerFailure if the worker fails; sink errors propagate. */
export function readLogBatchesInWorker(
  files: LogFileSpan[],
  seq: number,
  sink: LogBatchSink,
  options: WorkerOptions = {},
): number {
  const silenceMs = options.silenceMs ?? SILENCE_MS;
  const run = new WorkerRun(files, seq, options);
  try {
    for (;;) {
      const seen = Atomics.load(run.signal, MESSAGES);
      let message = run.take();
      if (!message && run.exited) {
        // It exited: whatever it posted before is in the port by now.
        message = run.take();
        if (!message) throw run.exitFailure();
      }
      if (!message) {
        if (Atomics.wait(run.signal, MESSAGES, seen, silenceMs) === 'timed-out') {
          throw new WorkerFailure(`no answer for ${silenceMs / 1000} s`);
        }
        continue;
      }
      const last = run.handle(message, sink);
      if (last !== undefined) return last;
    }
  } finally {
    run.close();
  }
}

/**
 * Like readLogBatchesInWorker, but each batch is applied in a task of its own: the thread serves
 * its event loop between batches (an editor stays responsive while a large log is indexed).
 */
export function readLogBatchesInBackground(
  files: LogFileSpan[],
  seq: number,
  sink: LogBatchSink,
  options: WorkerOptions = {},
): Promise<number> {
  const silenceMs = options.silenceMs ?? SILENCE_MS;
  return new Promise((resolve, reject) => {
    const run = new WorkerRun(files, seq, options);
    let settled = false;
    let silence: NodeJS.Timeout | undefined;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      run.close();
      finish();
    };
    const listen = () => {
      clearTimeout(silence);
      silence = setTimeout(
        () => settle(() => reject(new WorkerFailure(`no answer for ${silenceMs / 1000} s`))),
        silenceMs,
      );
    };
    const onMessage = (message: WorkerMessage) => {
      if (settled) return;
      try {
        const last = run.handle(message, sink);
        if (last === undefined) listen();
        else settle(() => resolve(last));
      } catch (error) {
        settle(() => reject(error));
      }
    };
    run.port.on('message', onMessage);
    run.onExit(() => {
      // Whatever it posted before it exited is in the port: take it, then it is over either way.
      for (let message = run.take(); message && !settled; message = run.take()) onMessage(message);
      settle(() => reject(run.exitFailure()));
    });
    listen();
  });
}
