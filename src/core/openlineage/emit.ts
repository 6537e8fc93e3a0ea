// `mltrace sync --openlineage`: sends this machine's events that were not sent yet to the
// configured OpenLineage backend, one POST per event, in log order per writer. What was sent is
// recorded per backend in `.mltrace/openlineage/`, line by line, so a failure (or a kill) resumes
// after the last event the backend accepted; at worst the event in flight is sent twice, which
// OpenLineage consumers accept (an event is identified by its run, type and time).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeDurably } from '../durableFile';
import { LogPosition, readNewLines } from '../ingest/readLines';
import { ownWriterStreams, readSourceLines } from '../team/writerStreams';
import { backendKey, liveProgress } from './live';
import { describeUrl, HttpTransport, postEvent } from './transport';

const WINDOW = 4 * 1024 * 1024;

export interface EmitReport {
  backend: string;
  sent: number;
  /** Why sending stopped early (what is left goes next time). */
  error?: string;
}

interface Sent {
  /** The position (byte offset, lines before it) of the window that holds the next line to send. */
  window: LogPosition;
  /** The line number of the last line sent. */
  line: number;
}

export async function emitOwnEvents(storeDir: string, transport: HttpTransport): Promise<EmitReport> {
  const key = backendKey(transport);
  const statePath = path.join(storeDir, 'openlineage', `sent-${key}.json`);
  const state = readState(statePath);
  const report: EmitReport = { backend: describeUrl(transport.url), sent: 0 };
  try {
    for (const stream of ownWriterStreams(storeDir)) {
      const { writer } = stream;
      const sent: Sent = state[writer] ?? { window: { offset: 0, line: 0 }, line: 0 };
      state[writer] = sent;
      // What the writer's own process already delivered as it logged (live.ts).
      sent.line = Math.max(sent.line, liveProgress(storeDir, transport, writer));
      if (stream.kind === 'segment') {
        // Compacted since: its lines after the last one sent, from the segment.
        const pending: Array<[string, number]> = [];
        readSourceLines(stream, sent.line, (text, line) => pending.push([text, line]));
        for (const [text, line] of pending) {
          await postEvent(transport, text);
          report.sent++;
          sent.line = line;
          if (report.sent % 200 === 0) writeState(statePath, state);
        }
        continue;
      }
      const { file } = stream;
      const size = fs.statSync(file).size;
      while (sent.window.offset < size) {
        const lines: Array<{ text: string; line: number }> = [];
        const end = readNewLines(file, sent.window, Math.min(size, sent.window.offset + WINDOW), (batch) =>
          lines.push(...batch),
        );
        if (end.offset === sent.window.offset) break; // a line still being written, or longer than a window
        for (const { text, line } of lines) {
          if (line <= sent.line) continue;
          await postEvent(transport, text);
          report.sent++;
          sent.line = line;
          if (report.sent % 200 === 0) writeState(statePath, state);
        }
        sent.window = end;
        sent.line = Math.max(sent.line, end.line);
        writeState(statePath, state);
      }
    }
  } catch (error) {
    report.error = (error as Error).message;
  }
  writeState(statePath, state);
  return report;
}

function readState(file: string): Record<string, Sent> {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Sent>;
  } catch {
    return {};
  }
}

function writeState(file: string, state: Record<string, Sent>): void {
  writeDurably(file, JSON.stringify(state));
}
