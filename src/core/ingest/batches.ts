// Reads the new part of each event file, parses it and groups it into prepared batches: all the
// work of ingest that needs no index. It runs on the thread that owns the index, or in a worker
// thread (worker/host.ts) while that thread applies earlier batches.
import { LogPosition, readNewLines, readSegmentLines } from './readLines';
import type { SegmentMember } from '../segments/manifest';
import type { Problem } from '../model';
import { parseLine } from './parseEvent';
import { PreparedBatch, prepareBatch, SequencedEvent } from './runDeltas';

/**
 * Events per batch: enough for multi-row inserts, and few enough that a batch's parsed events die
 * young. At 2,000, V8's young generation copied them (a batch of the bench's events is ~5 MB of
 * JSON) and some to the old one: an ingest of 20,000 runs took ~10 % longer on one thread, and with
 * the worker, whose first batch also came later, ~20 % (docs/PERFORMANCE.md, session 10).
 */
export const BATCH_EVENTS = 250;

export interface LogFileSpan {
  /** The file's name in the events folder (how the index records it). */
  name: string;
  file: string;
  from: LogPosition;
  /** Read up to this many bytes (the size when ingest began). */
  size: number;
  /**
   * A writer's file merged into a segment: `file` is the segment, the file's bytes start at
   * `start` in its content. The members are shared by the spans of one segment.
   */
  segment?: { members: SegmentMember[]; start: number };
}

/** A problem of one line; the file is the batch's. */
export type LineProblem = Omit<Problem, 'file'>;

export interface LogBatchSink {
  /** A batch of the file `files[fileIndex]`, with the problems of its lines and its event count. */
  batch(fileIndex: number, batch: PreparedBatch, problems: LineProblem[], events: number): void;
  /** Everything complete in the file was read: its new position. */
  fileDone(fileIndex: number, position: LogPosition): void;
}

/**
 * Reads the files in order, numbering events from `seq` + 1 (log order, for ties), and returns the
 * last number given.
 */
export function readLogBatches(files: readonly LogFileSpan[], seq: number, sink: LogBatchSink): number {
  files.forEach((span, fileIndex) => {
    let events: SequencedEvent[] = [];
    let problems: LineProblem[] = [];
    const emit = () => {
      if (events.length === 0 && problems.length === 0) return;
      sink.batch(fileIndex, prepareBatch(events), problems, events.length);
      events = [];
      problems = [];
    };
    const onLines = (lines: Array<{ text: string; line: number }>) => {
      for (const { text, line } of lines) {
        const parsed = parseLine(text);
        if (!parsed.ok) {
          problems.push({ line, reason: parsed.reason, severity: 'error' });
          continue;
        }
        for (const reason of parsed.warnings) problems.push({ line, reason, severity: 'warning' });
        if (!parsed.event) continue;
        events.push({ event: parsed.event, seq: ++seq });
        if (events.length >= BATCH_EVENTS) emit();
      }
    };
    const position = span.segment
      ? readSegmentLines(span.file, span.segment.members, span.segment.start, span.from, span.size, onLines)
      : readNewLines(span.file, span.from, span.size, onLines);
    emit();
    sink.fileDone(fileIndex, position);
  });
  return seq;
}
