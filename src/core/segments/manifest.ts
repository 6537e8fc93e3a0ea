// Segments: the files of writers that have ended, merged and compressed (docs/LAYOUT.md).
//
//   events/segments/<id>.jsonl.gz   the sources' bytes one after the other, as gzip members that
//                                   each hold whole lines (a multi-member gzip file: `zcat` reads it)
//   events/segments/<id>.json       the manifest: the members, and each source (a writer's file:
//                                   its name, where its bytes start, how many bytes and lines)
//
// The manifest is written last: a segment without one is unfinished and nobody reads it. A source
// named by a manifest is read from the segment only, even while its own file still exists (the
// compaction that wrote the segment was stopped before it deleted the source).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { zlib } from '../zlib';
import { segmentsDir } from '../storeDir';

export const SEGMENT_FORMAT = 'mltrace-segment/1';
export const SEGMENT_DATA = '.jsonl.gz';
export const SEGMENT_MANIFEST = '.json';

/** A gzip member: `length` bytes at `at` in the segment file, holding `bytes` bytes from `start`. */
export interface SegmentMember {
  at: number;
  length: number;
  start: number;
  bytes: number;
}

/** A writer's file inside a segment: its bytes are `start` to `start + bytes` of the segment. */
export interface SegmentSource {
  name: string;
  start: number;
  bytes: number;
  lines: number;
}

export interface SegmentManifest {
  format: typeof SEGMENT_FORMAT;
  /** Bytes of all the sources. */
  bytes: number;
  lines: number;
  members: SegmentMember[];
  sources: SegmentSource[];
}

/** How the index names a segment: its path relative to the events folder. */
export const segmentName = (id: string): string => `segments/${id}${SEGMENT_DATA}`;
export const segmentDataPath = (storeDir: string, id: string): string =>
  path.join(segmentsDir(storeDir), `${id}${SEGMENT_DATA}`);
export const segmentManifestPath = (storeDir: string, id: string): string =>
  path.join(segmentsDir(storeDir), `${id}${SEGMENT_MANIFEST}`);

/** The ids of the finished segments (those with a manifest), oldest first. */
export function listSegments(storeDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(segmentsDir(storeDir));
  } catch {
    return [];
  }
  return names
    .filter((n) => n.endsWith(SEGMENT_MANIFEST) && !n.startsWith('.'))
    .map((n) => n.slice(0, -SEGMENT_MANIFEST.length))
    .sort();
}

export function readManifest(storeDir: string, id: string): SegmentManifest {
  const file = segmentManifestPath(storeDir, id);
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as SegmentManifest;
  if (
    manifest.format !== SEGMENT_FORMAT ||
    !Array.isArray(manifest.sources) ||
    !Array.isArray(manifest.members)
  )
    throw new Error(`${file} is not a segment manifest of format ${SEGMENT_FORMAT}`);
  return manifest;
}

/** The last member read, per thread: the sources of a segment are read in order, several per member. */
let cached: { file: string; at: number; bytes: Buffer } | undefined;

function member(file: string, fd: number, m: SegmentMember): Buffer {
  if (cached?.file === file && cached.at === m.at) return cached.bytes;
  const compressed = Buffer.allocUnsafe(m.length);
  let read = 0;
  while (read < m.length) {
    const n = fs.readSync(fd, compressed, read, m.length - read, m.at + read);
    if (n === 0) break;
    read += n;
  }
  let bytes: Buffer;
  try {
    bytes = zlib().gunzipSync(compressed.subarray(0, read));
  } catch (error) {
    throw new Error(`the segment ${file} is damaged at byte ${m.at}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (bytes.length !== m.bytes)
    throw new Error(`the segment ${file} is damaged: a member holds ${bytes.length} bytes, not ${m.bytes}`);
  cached = { file, at: m.at, bytes };
  return bytes;
}

/**
 * Bytes `from` to `to` of a segment's content (positions in the uncompressed sources), member by
 * member: `onBytes` gets whole lines, since members end at line ends.
 */
export function readSegmentRange(
  file: string,
  members: readonly SegmentMember[],
  from: number,
  to: number,
  onBytes: (bytes: Buffer) => void,
): void {
  if (from >= to) return;
  const fd = fs.openSync(file, 'r');
  try {
    for (const m of members) {
      if (m.start + m.bytes <= from) continue;
      if (m.start >= to) break;
      const bytes = member(file, fd, m);
      onBytes(bytes.subarray(Math.max(0, from - m.start), Math.min(m.bytes, to - m.start)));
    }
  } finally {
    fs.closeSync(fd);
  }
}
