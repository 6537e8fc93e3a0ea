// What the parsing worker and the thread that owns the index say to each other. A blocking ingest
// waits on a shared counter the worker (or its watcher, when it exits) bumps after each message
// and takes the messages with receiveMessageOnPort; a background ingest takes them as events. The
// worker blocks while too many batches wait untaken.
import type { MessagePort } from 'node:worker_threads';
import type { EncodedBatch } from './codec';
import type { LineProblem, LogFileSpan } from '../batches';
import type { LogPosition } from '../readLines';

export interface WorkerInput {
  files: LogFileSpan[];
  seq: number;
  port: MessagePort;
  /** [MESSAGES, IN_FLIGHT, EXITED], on a SharedArrayBuffer. */
  signal: Int32Array;
}

/** Index in `signal`: messages posted so far (the owner waits on it). */
export const MESSAGES = 0;
/** Index in `signal`: batches posted and not yet taken (the worker waits on it). */
export const IN_FLIGHT = 1;
/** At most this many (BATCH_EVENTS each, 3,000 events): memory stays flat, and the worker rarely waits. */
export const MAX_IN_FLIGHT = 12;
/** Index in `signal`: an EXIT_STATUS other than `running` once the parsing thread is gone. */
export const EXITED = 2;
export const EXIT_STATUS = { running: 0, stopped: 1, outOfMemory: 2 } as const;

export type WorkerMessage =
  | { kind: 'batch'; fileIndex: number; encoded: EncodedBatch; problems: LineProblem[]; events: number }
  | { kind: 'file'; fileIndex: number; position: LogPosition }
  | { kind: 'done'; seq: number }
  | { kind: 'error'; message: string };

export function post(input: WorkerInput, message: WorkerMessage): void {
  // A batch's numbers are handed over (the worker does not use them again), not copied.
  input.port.postMessage(message, message.kind === 'batch' ? [message.encoded.numbers.buffer] : []);
  Atomics.add(input.signal, MESSAGES, 1);
  Atomics.notify(input.signal, MESSAGES);
}
