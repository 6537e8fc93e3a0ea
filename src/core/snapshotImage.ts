// A snapshot as sql.js's in-memory file system holds it: read whole (the extension), or checked
// whole and read piece by piece as SQLite asks for its pages (a command that only reads).
import * as fs from 'node:fs';
import { crypto } from './crypto';
import { fileStatus, FileStatus } from './snapshotCheck';

/**
 * A database image as sql.js's in-memory file system keeps it, with room to grow. That file system
 * copies what it is given with `slice()` and, when a write goes past the end, copies the whole file
 * into an array an eighth larger: about nine times the final size copied while an index is built,
 * each copy into fresh memory, which is slow to touch on some machines (a page fault per 4 KiB).
 * Given this array, it keeps `capacity` (room that nobody touches costs no memory until written)
 * and grows the file inside it.
 */
export class RoomyImage extends Uint8Array<ArrayBuffer> {
  override slice(start = 0, end = this.length): Uint8Array<ArrayBuffer> {
    return start === 0 && end === this.length ? new Uint8Array(this.buffer) : super.slice(start, end);
  }
}

/** At most this much room is asked for (the file system grows the file past it as before). */
const MAX_ROOM = 512 * 1024 * 1024;

/**
 * Memory for an image of `size` bytes with up to `room` to spare: without the room when the
 * process cannot have it (the room is only an optimisation).
 */
export function roomyBuffer(size: number, room: number): ArrayBuffer {
  try {
    return new ArrayBuffer(size + Math.min(room, MAX_ROOM));
  } catch {
    return new ArrayBuffer(size);
  }
}

/** An image for sql.js and the SHA-256 of the file it came from (hex). */
export interface SnapshotImage {
  readonly image: RoomyImage;
  readonly sha256: string;
  /** The file's status as it was read (snapshotCheck.ts). */
  readonly status: FileStatus;
  /**
   * `checksum`: `sha256` was computed from the bytes; `file status`: the file's status was the
   * one recorded when its bytes last matched their checksum, and `sha256` is that checksum.
   */
  readonly checkedBy: 'checksum' | 'file status';
  /** Bytes read from the file so far (its size, unless read lazily: then each read counts). */
  bytesRead(): number;
  /** Whether the image holds the whole file (always, unless read lazily and not yet written). */
  whole(): boolean;
  /** Closes the file a lazy image still reads from: when the database is closed. */
  release(): void;
}

/**
 * Given the status of the file as opened, the checksum its bytes matched when it last had that
 * status (snapshotCheck.ts `unchangedSinceVerified`), or null: the bytes are hashed.
 */
export type TrustedChecksum = (status: FileStatus) => string | null;

const hashAlways: TrustedChecksum = () => null;

/** The snapshot `file` read whole into a RoomyImage with `room` bytes to spare. */
export function readImage(file: string, room: number, trusted = hashAlways): SnapshotImage {
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    const size = Number(stat.size);
    const status = fileStatus(stat);
    const image = new RoomyImage(roomyBuffer(size, room), 0, size);
    readFully(fd, image, 0, size);
    const known = trusted(status);
    return {
      image,
      sha256: known ?? sha256(image),
      status,
      checkedBy: known === null ? 'checksum' : 'file status',
      bytesRead: () => size,
      whole: () => true,
      release: () => undefined,
    };
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The snapshot `file`, its checksum computed by streaming it through a small buffer, its bytes
 * read only as sql.js reads them: each page SQLite asks for is read from the file into one small
 * buffer and copied on from there (`LazySource.transient`), and the image itself is only filled (in
 * pieces of `LAZY_PIECE`) for a read larger than that buffer, or whole before the first write.
 * Copying a whole 38 MB index into fresh memory costs about a Node start-up on some machines (a
 * page fault per 4 KiB), and bytes that the kernel has just written into fresh memory are slow to
 * read the first time (here ~2 ns a byte, ten times a second reading); a page read again into
 * the same small buffer costs a system call (~4 µs), and no memory.
 *
 * The file stays open until `release()` or the first write into the image (which reads the rest
 * first): a snapshot replaced meanwhile is replaced by rename (`LineageStore.save`), so this open
 * file keeps the bytes that were checked. Not for Windows, where a file held open may not be
 * replaced by a rename.
 */
export function readImageLazily(file: string, room: number, trusted = hashAlways): SnapshotImage {
  const fd = fs.openSync(file, 'r');
  try {
    const stat = fs.fstatSync(fd, { bigint: true });
    const size = Number(stat.size);
    const status = fileStatus(stat);
    const known = trusted(status);
    const source = new LazySource(fd, size);
    const image = new LazyImage(roomyBuffer(size, room), 0, size);
    image.source = source;
    return {
      image,
      sha256: known ?? hashFile(fd, size),
      status,
      checkedBy: known === null ? 'checksum' : 'file status',
      bytesRead: () => source.bytesRead,
      whole: () => source.whole,
      release: () => source.close(),
    };
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
}

/**
 * Pieces a lazy image fills at a time (16 of SQLite's default pages), and the largest read it
 * serves from its small buffer instead (SQLite reads a page, or less, at a time).
 */
export const LAZY_PIECE = 65536;

/** The file behind a lazy image, and which of its pieces the image holds. */
class LazySource {
  private readonly read: Uint8Array;
  private unread: number;
  private fd: number | undefined;
  /** Where a read of at most LAZY_PIECE bytes lands (transient), made when first needed. */
  private buffer: Uint8Array<ArrayBuffer> | undefined;
  /** Bytes read from the file so far, each read counted (tests check that a small query reads little). */
  bytesRead = 0;

  constructor(
    fd: number,
    readonly size: number,
  ) {
    this.fd = fd;
    this.unread = Math.ceil(size / LAZY_PIECE);
    this.read = new Uint8Array(this.unread);
  }

  /** Whether the image holds every piece of the file. */
  get whole(): boolean {
    return this.unread === 0;
  }

  /**
   * [begin, end) of the file, for sql.js to copy at once: from the image where it holds all of it,
   * else read into the small buffer (a view of which is returned: valid until the next read).
   * null for a read larger than that buffer (the image is filled instead).
   */
  transient(image: Uint8Array<ArrayBuffer>, begin: number, end: number): Uint8Array<ArrayBuffer> | null {
    if (this.fd === undefined || end - begin > LAZY_PIECE) return null;
    const first = Math.floor(begin / LAZY_PIECE);
    const last = Math.ceil(Math.min(end, this.size) / LAZY_PIECE);
    let held = true;
    for (let piece = first; piece < last && held; piece++) held = this.read[piece] === 1;
    if (held) return new Uint8Array(image.buffer, begin, end - begin);
    this.buffer ??= new Uint8Array(LAZY_PIECE);
    readFully(this.fd, this.buffer, 0, end - begin, begin);
    this.bytesRead += end - begin;
    return this.buffer.subarray(0, end - begin);
  }

  /** Reads into `into` the pieces of [begin, end) that it does not hold yet. */
  ensure(into: Uint8Array, begin: number, end: number): void {
    if (this.fd === undefined || begin >= end) return;
    const last = Math.ceil(Math.min(end, this.size) / LAZY_PIECE);
    for (let piece = Math.floor(begin / LAZY_PIECE); piece < last; piece++) {
      if (this.read[piece]) continue;
      const at = piece * LAZY_PIECE;
      const length = Math.min(LAZY_PIECE, this.size - at);
      readFully(this.fd, into, at, length);
      this.bytesRead += length;
      this.read[piece] = 1;
      if (--this.unread === 0) this.close();
    }
  }

  /** Reads into `into` every piece it does not hold yet (the file is closed after the last). */
  readAll(into: Uint8Array): void {
    this.ensure(into, 0, this.size);
  }

  /** Closes the file (when the database is closed: nothing reads from it any more). */
  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * What sql.js is handed: `slice()` (its file system's copy of what it is given) returns the
 * file's contents, a view of the whole roomy buffer that reads pieces as `subarray()` (the file
 * system's reads) reaches them and reads the rest before its first `set()` (a write).
 */
class LazyImage extends RoomyImage {
  source!: LazySource;

  override slice(start = 0, end = this.length): Uint8Array<ArrayBuffer> {
    if (start !== 0 || end !== this.length) {
      this.source.ensure(this, start, end);
      return super.slice(start, end);
    }
    const contents = new LazyContents(this.buffer);
    contents.source = this.source;
    return contents;
  }
}

class LazyContents extends Uint8Array<ArrayBuffer> {
  source!: LazySource;

  static get [Symbol.species](): Uint8ArrayConstructor {
    return Uint8Array;
  }

  override subarray(begin = 0, end = this.length): Uint8Array<ArrayBuffer> {
    const from = clamp(begin, this.length);
    const to = Math.max(from, clamp(end, this.length));
    // sql.js's file system copies what it asks for at once (its reads) or, for a write, asks
    // for the whole file after set() has read it all: a small read need not go into the image.
    const read = to <= this.source.size ? this.source.transient(this, from, to) : null;
    if (read) return read;
    this.source.ensure(this, from, to);
    return new Uint8Array(this.buffer, from, to - from);
  }

  override set(array: ArrayLike<number>, offset = 0): void {
    this.source.readAll(this);
    super.set(array, offset);
  }
}

/** A relative index as typed arrays take it (negative: from the end). */
const clamp = (index: number, length: number) =>
  index < 0 ? Math.max(0, length + index) : Math.min(index, length);

/** `length` bytes of `fd` from `position` (default: `at`) into `into` at `at`. */
function readFully(fd: number, into: Uint8Array, at: number, length: number, position = at): void {
  for (let done = 0; done < length;) {
    const read = fs.readSync(fd, into, at + done, length - done, position + done);
    if (read === 0) throw new Error(`it ended after ${position + done} of ${position + length} bytes`);
    done += read;
  }
}

/** The SHA-256 of `size` bytes of `fd`, streamed through one reused buffer (no fresh memory touched). */
function hashFile(fd: number, size: number): string {
  const hash = crypto().createHash('sha256');
  const buffer = Buffer.allocUnsafeSlow(Math.min(size, 1024 * 1024) || 1);
  for (let at = 0; at < size;) {
    const read = fs.readSync(fd, buffer, 0, Math.min(buffer.length, size - at), at);
    if (read === 0) throw new Error(`it ended after ${at} of ${size} bytes`);
    hash.update(read === buffer.length ? buffer : buffer.subarray(0, read));
    at += read;
  }
  return hash.digest('hex');
}

export const sha256 = (bytes: Uint8Array) => crypto().createHash('sha256').update(bytes).digest('hex');
