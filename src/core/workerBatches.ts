// Runs readLogBatches in a worker thread and feeds its batches to the sink on this thread, so that
// parsing the JSON of a large log overlaps applying it to the index. Ingest stays synchronous:
// this thread waits on a shared counter (Atomics.wait) and takes messages with
// receiveMessageOnPort, never returning to the event loop in between.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { decodeBatch } from './batchCodec';
import type { LogBatchSink, LogFileSpan } from './logBatches';
import { IN_FLIGHT, MESSAGES, WorkerInput, WorkerMessage } from './workerProtocol';

/** The worker failed (it could not start, threw, or went silent): the caller may read on this thread. */
export class WorkerFailure extends Error {}

/** No message for this long means the worker is gone (a batch takes milliseconds). */
const SILENCE_MS = 60_000;

/**
 * Code that starts the worker: the bundle beside this one (dist/ingestWorker.js), or, when running
 * from source, the TypeScript file through tsx. A failure to load is posted back like any other.
 * null: no worker script here.
 */
function bootCode(): string | null {
  let preload = '';
  let script = path.join(__dirname, 'ingestWorker.js');
  if (!fs.existsSync(script)) {
    script = path.join(__dirname, 'ingestWorker.ts');
    if (!fs.existsSync(script)) return null;
    try {
      preload = `require(${JSON.stringify(require.resolve('tsx/cjs'))});`;
    } catch {
      return null;
    }
  }
  return `const { workerData } = require('node:worker_threads');
try {
  ${preload}
  require(${JSON.stringify(script)});
} catch (error) {
  workerData.port.postMessage({ kind: 'error', message: String((error && error.stack) || error) });
  Atomics.add(workerData.signal, ${MESSAGES}, 1);
  Atomics.notify(workerData.signal, ${MESSAGES});
}`;
}

/** Whether a worker can be started here at all. */
export const workerAvailable = (): boolean => bootCode() !== null;

export interface WorkerOptions {
  /** Code the worker runs instead of the engine's (tests of failures). */
  bootCode?: string;
  /** How long a silent worker is waited for. */
  silenceMs?: number;
}

/** Like readLogBatches, in a worker. Throws WorkerFailure if the worker fails; sink errors propagate. */
export function readLogBatchesInWorker(
  files: LogFileSpan[],
  seq: number,
  sink: LogBatchSink,
  options: WorkerOptions = {},
): number {
  const silenceMs = options.silenceMs ?? SILENCE_MS;
  const code = options.bootCode ?? bootCode();
  if (code === null) throw new WorkerFailure('no worker script beside the engine');
  const signal = new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));
  const { port1, port2 } = new MessageChannel();
  const input: WorkerInput = { files, seq, port: port2, signal };
  let worker: Worker;
  try {
    worker = new Worker(code, { eval: true, workerData: input, transferList: [port2] });
  } catch (error) {
    port1.close();
    throw new WorkerFailure(`could not start: ${(error as Error).message}`);
  }
  try {
    for (;;) {
      const seen = Atomics.load(signal, MESSAGES);
      const received = receiveMessageOnPort(port1);
      if (!received) {
        if (Atomics.wait(signal, MESSAGES, seen, silenceMs) === 'timed-out') {
          throw new WorkerFailure(`no answer for ${silenceMs / 1000} s`);
        }
        continue;
      }
      const message = received.message as WorkerMessage;
      switch (message.kind) {
        case 'batch':
          // Taken: the worker may prepare the next one while this one is applied.
          Atomics.sub(signal, IN_FLIGHT, 1);
          Atomics.notify(signal, IN_FLIGHT);
          sink.batch(message.fileIndex, decodeBatch(message.encoded), message.problems, message.events);
          break;
        case 'file':
          sink.fileDone(message.fileIndex, message.position);
          break;
        case 'done':
          return message.seq;
        case 'error':
          throw new WorkerFailure(message.message);
      }
    }
  } finally {
    port1.close();
    void worker.terminate();
  }
}
