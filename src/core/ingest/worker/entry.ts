// The parsing worker (built to dist/ingestWorker.js): reads, parses and prepares the log batches,
// and hands them to the thread that owns the index in their compact form. See host.ts.
import { workerData } from 'node:worker_threads';
import { encodeBatch } from './codec';
import { readLogBatches } from '../batches';
import { IN_FLIGHT, MAX_IN_FLIGHT, post, WorkerInput } from './protocol';

const input = workerData as WorkerInput;

/** Waits while the other thread has MAX_IN_FLIGHT batches it has not taken yet: memory stays flat. */
function waitForRoom(): void {
  for (;;) {
    const inFlight = Atomics.load(input.signal, IN_FLIGHT);
    if (inFlight < MAX_IN_FLIGHT) break;
    Atomics.wait(input.signal, IN_FLIGHT, inFlight);
  }
  Atomics.add(input.signal, IN_FLIGHT, 1);
}

try {
  const seq = readLogBatches(input.files, input.seq, {
    batch(fileIndex, batch, problems, events) {
      const encoded = encodeBatch(batch);
      waitForRoom();
      post(input, { kind: 'batch', fileIndex, encoded, problems, events });
    },
    fileDone(fileIndex, position) {
      post(input, { kind: 'file', fileIndex, position });
    },
  });
  post(input, { kind: 'done', seq });
} catch (error) {
  post(input, { kind: 'error', message: (error as Error)?.stack ?? String(error) });
}
