// This machine's writers and where their lines are now: a loose file in events/, or a source of a
// compacted segment (docs/LAYOUT.md). What replicates events — the team store's push, the
// OpenLineage transport — reads them here, by writer and line number, so that compaction moves
// nothing from under them: an event is (writer, line) wherever its bytes sit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSegmentLines } from '../ingest/readLines';
import { listSegments, readManifest, segmentDataPath } from '../segments/manifest';
import type { SegmentMember, SegmentSource } from '../segments/manifest';
import { eventsDir } from '../storeDir';

/** Pulled writers' files: `team-<writer>.jsonl`; never pushed back. */
export const PULLED_PREFIX = 'team-';
/** What a writer may be called on disk: no path separators, no leading dot. */
export const WRITER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;

export type WriterStream =
  | { writer: string; kind: 'file'; file: string }
  | { writer: string; kind: 'segment'; data: string; members: SegmentMember[]; source: SegmentSource };

const writerOf = (fileName: string) => fileName.slice(0, -'.jsonl'.length);

/**
 * Every writer of this machine (pulled ones aside), sorted by name: loose files, then the sources
 * of finished segments. A loose file that a segment's manifest names is read from the segment only
 * (its compaction was stopped before deleting it).
 */
export function ownWriterStreams(storeDir: string): WriterStream[] {
  const streams = new Map<string, WriterStream>();
  for (const id of listSegments(storeDir)) {
    let manifest;
    try {
      manifest = readManifest(storeDir, id);
    } catch {
      continue; // reported by ingest
    }
    const data = segmentDataPath(storeDir, id);
    for (const source of manifest.sources) {
      const writer = writerOf(source.name);
      if (!source.name.endsWith('.jsonl') || writer.startsWith(PULLED_PREFIX) || !WRITER_NAME.test(writer))
        continue;
      streams.set(writer, { writer, kind: 'segment', data, members: manifest.members, source });
    }
  }
  const events = eventsDir(storeDir);
  const names = fs.existsSync(events) ? fs.readdirSync(events) : [];
  for (const name of names) {
    if (!name.endsWith('.jsonl') || name.startsWith(PULLED_PREFIX)) continue;
    const writer = writerOf(name);
    if (!WRITER_NAME.test(writer) || streams.has(writer)) continue;
    streams.set(writer, { writer, kind: 'file', file: path.join(events, name) });
  }
  return [...streams.values()].sort((a, b) => a.writer.localeCompare(b.writer));
}

/**
 * Calls `onLine` with each non-blank line of a segment source after line `after`, numbered from 1
 * as in the writer's file.
 */
export function readSourceLines(
  stream: Extract<WriterStream, { kind: 'segment' }>,
  after: number,
  onLine: (text: string, line: number) => void,
): void {
  const { source } = stream;
  if (source.lines <= after) return;
  readSegmentLines(
    stream.data,
    stream.members,
    source.start,
    { offset: 0, line: 0 },
    source.bytes,
    (lines) => {
      for (const { text, line } of lines) if (line > after) onLine(text, line);
    },
  );
}
