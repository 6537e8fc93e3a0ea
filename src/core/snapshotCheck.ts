// Whether a snapshot is still the bytes its checksum was computed from. Hashing a large index at
// every open costs as much as a command's own work (a 38 MB index: 35 ms of CPU, most of a warm
// `mltrace recent`), so, as git does for its index, a file whose status is what it was when its
// bytes last matched is not read again: any write through the file system changes its change
// time (which no program can set back), a replacement its inode.
import * as fs from 'node:fs';

/** What of a file's status says it was not written since: its identity, size and times (ns). */
export interface FileStatus {
  readonly dev: string;
  readonly ino: string;
  readonly size: string;
  readonly mtimeNs: string;
  readonly ctimeNs: string;
}

export const fileStatus = (stat: fs.BigIntStats): FileStatus => ({
  dev: String(stat.dev),
  ino: String(stat.ino),
  size: String(stat.size),
  mtimeNs: String(stat.mtimeNs),
  ctimeNs: String(stat.ctimeNs),
});

const sameStatus = (a: FileStatus, b: FileStatus) =>
  a.dev === b.dev &&
  a.ino === b.ino &&
  a.size === b.size &&
  a.mtimeNs === b.mtimeNs &&
  a.ctimeNs === b.ctimeNs;

/** `lineage.sqlite.sha256`: the SHA-256 of the snapshot's bytes (hex), written with it. */
export const checksumPath = (snapshot: string) => `${snapshot}.sha256`;

/** `lineage.sqlite.verified`: the snapshot's status when its bytes last matched the checksum. */
export const verifiedPath = (snapshot: string) => `${snapshot}.verified`;

export function readChecksum(snapshot: string): string | null {
  try {
    return fs.readFileSync(checksumPath(snapshot), 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * A write this long after the last can leave a file's times as they were on file systems that
 * keep coarse ones (FAT: 2 s; ext4 takes them from a clock that ticks every few milliseconds).
 * A status is only recorded once the file is older than this, as git does for "racily clean"
 * files.
 */
const RACY_NS = 2_000_000_000n;

/**
 * Whether `status` (of the open snapshot) is the one recorded when its bytes last matched
 * `checksum`: then they still do, unless something below the file system changed them.
 */
export function unchangedSinceVerified(
  snapshot: string,
  status: FileStatus,
  checksum: string | null,
): boolean {
  if (checksum === null) return false;
  try {
    const recorded = JSON.parse(fs.readFileSync(verifiedPath(snapshot), 'utf8')) as unknown;
    if (typeof recorded !== 'object' || recorded === null) return false;
    const { sha256, ...rest } = recorded as Record<string, unknown>;
    return sha256 === checksum && sameStatus(rest as unknown as FileStatus, status);
  } catch {
    return false;
  }
}

/**
 * Records that the snapshot, with this status, matched `checksum` (after a command hashed it), so
 * that the next open need not: unless the file is too new for its times to tell a later write
 * (`RACY_NS`, measured on the file system's own clock: the record's time). Never throws: without
 * the record the next open hashes again, as before.
 */
export function recordVerified(snapshot: string, status: FileStatus, checksum: string): void {
  const file = verifiedPath(snapshot);
  const temp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, JSON.stringify({ sha256: checksum, ...status }));
    const now = fs.statSync(temp, { bigint: true }).mtimeNs;
    const current = fs.statSync(snapshot, { bigint: true });
    // Still the file that was hashed (a save meanwhile replaced it: the next open hashes that one).
    if (now - BigInt(status.mtimeNs) >= RACY_NS && sameStatus(fileStatus(current), status)) {
      fs.renameSync(temp, file);
      return;
    }
  } catch {
    // A read-only folder, say: the next open hashes again.
  }
  try {
    fs.rmSync(temp, { force: true });
  } catch {
    // As above.
  }
}

/** Before a snapshot is replaced: its record no longer says anything. */
export function forgetVerified(snapshot: string): void {
  try {
    fs.rmSync(verifiedPath(snapshot), { force: true });
  } catch {
    // Nothing to forget, or a folder we cannot write: a record names an inode, which the
    // replacement does not have.
  }
}
