// Sending events to the OpenLineage backend as they are logged (the Node shim, `mltrace run`; the
// Python shim does the same in python/mltrace/_openlineage.py). An addition to the local log,
// which is always written first: events go one at a time, in order, off the pipeline's path, with
// a bounded timeout and a few retries; when the backend still refuses, one warning, and the rest
// is left to `mltrace sync --openlineage`. What was sent is recorded per writer in
// `.mltrace/openlineage/live-<backend>/<writer>` (the last line number sent, every line before it
// sent too), which `mltrace sync --openlineage` reads so that it sends nothing twice.
import { crypto } from '../crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeUrl, HttpTransport, httpTransport, postEvent } from './transport';

const RETRY_DELAYS_MS = [250, 1000];

/** A short key naming the backend in file names (the same in Python). */
export function backendKey(transport: HttpTransport): string {
  return crypto().createHash('sha256').update(describeUrl(transport.url)).digest('hex').slice(0, 16);
}

function progressFile(storeDir: string, transport: HttpTransport, writer: string): string {
  return path.join(storeDir, 'openlineage', `live-${backendKey(transport)}`, writer);
}

/** The last line of `writer` that a live sender delivered to this backend (0: none). */
export function liveProgress(storeDir: string, transport: HttpTransport, writer: string): number {
  try {
    const n = Number(fs.readFileSync(progressFile(storeDir, transport, writer), 'utf8').trim());
    return Number.isSafeInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

interface Pending {
  file: string;
  line: number;
  text: string;
}

export class LiveEmitter {
  private readonly queue: Pending[] = [];
  private sending = false;
  private stopped = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly storeDir: string,
    private readonly transport: HttpTransport,
    private readonly warn: (message: string) => void,
  ) {}

  /** Queues line `line` (its text as written) of writer file `file`. Never throws. */
  send(file: string, line: number, text: string): void {
    if (this.stopped) return;
    this.queue.push({ file, line, text });
    if (!this.sending) void this.pump();
  }

  /** Something is queued or in flight. */
  get busy(): boolean {
    return this.sending;
  }

  /** Resolves when everything queued was sent or given up, or after `ms`, whichever is first. */
  drain(ms: number): Promise<void> {
    if (!this.sending) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.idle = this.idle.filter((f) => f !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.idle.push(done);
    });
  }

  private async pump(): Promise<void> {
    this.sending = true;
    try {
      while (this.queue.length && !this.stopped) {
        const next = this.queue[0];
        try {
          await this.post(next.text);
        } catch (error) {
          this.stopped = true;
          this.queue.length = 0;
          this.warn(
            `could not send events to ${describeUrl(this.transport.url)} (${(error as Error).message}); ` +
              'the local log has them: `mltrace sync --openlineage` sends the rest',
          );
          break;
        }
        this.queue.shift();
        this.record(next);
      }
    } finally {
      this.sending = false;
      for (const done of [...this.idle]) done();
    }
  }

  private async post(text: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        // Sockets that do not keep the process alive: the pipeline exits when its own work is
        // done; `drainBeforeExit` decides how long to wait for what is in flight.
        await postEvent(this.transport, text, { unref: true });
        return;
      } catch (error) {
        if (attempt >= RETRY_DELAYS_MS.length) throw error;
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt]).unref());
      }
    }
  }

  private record({ file, line }: Pending): void {
    try {
      const target = progressFile(this.storeDir, this.transport, path.basename(file, '.jsonl'));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, String(line));
    } catch {
      // Only a cost: `mltrace sync --openlineage` may send the event again.
    }
  }
}

/**
 * Keeps a process that has nothing else to do alive for at most `ms` while the emitter sends what
 * it has queued (the Node shim's exit). Whatever is left goes with `mltrace sync --openlineage`.
 */
export function drainBeforeExit(emitter: LiveEmitter, ms: number): void {
  let deadline: number | undefined;
  process.on('beforeExit', () => {
    if (!emitter.busy) return;
    deadline ??= Date.now() + ms;
    const left = deadline - Date.now();
    if (left <= 0) return;
    const keepAlive = setTimeout(() => undefined, left);
    void emitter.drain(left).then(() => clearTimeout(keepAlive));
  });
}

/** `MLTRACE_OPENLINEAGE_EXIT_WAIT` in seconds (default 2), in milliseconds. */
export function exitWaitMs(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.MLTRACE_OPENLINEAGE_EXIT_WAIT ?? 2);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 2000;
}

/**
 * Sends what `writer` logs to the OpenLineage backend configured here (transport.ts), if any.
 * A configuration that cannot be used is one warning; the local log is written either way.
 */
export function sendAsLogged(
  writer: { location: { storeDir: string }; onAppend?: (file: string, line: number, text: string) => void },
  warn: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): LiveEmitter | null {
  let transport: HttpTransport | null;
  try {
    transport = httpTransport(env);
  } catch (error) {
    warn(`OpenLineage is not sent to: ${(error as Error).message}`);
    return null;
  }
  if (!transport) return null;
  const emitter = new LiveEmitter(writer.location.storeDir, transport, warn);
  writer.onAppend = (file, line, text) => emitter.send(file, line, text);
  return emitter;
}
