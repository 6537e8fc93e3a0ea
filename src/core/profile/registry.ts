// Profiles once per content version (docs/EVENTS.md "Data profiles"): the first COMPLETE or FAIL
// event of a store to carry a version carries its profile. Which versions were profiled is known
// per process, and across processes (and the Python shim) from `.mltrace/profiles/<version with
// ":" replaced by "-">`, an empty file created once the event that carries the profile is written:
// a crash in between costs profiling the version again, never a version without a profile.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { profilesDir } from '../storeDir';

/** The marker file's name of a version; null for a version that is not ours (`sha256…:<hex>`). */
export function profileMarker(version: string): string | null {
  return /^sha256(-sampled)?:[0-9a-f]{64}$/.test(version) ? version.replace(':', '-') : null;
}

const profiled = new Map<string, Set<string>>();

export class ProfileRegistry {
  private readonly known: Set<string>;

  constructor(private readonly storeDir: string) {
    let known = profiled.get(storeDir);
    if (!known) profiled.set(storeDir, (known = new Set()));
    this.known = known;
  }

  /** Whether an event of this store already carries this version's profile. */
  has(version: string): boolean {
    if (this.known.has(version)) return true;
    const marker = profileMarker(version);
    if (marker === null) return true; // not a version we profile
    if (!fs.existsSync(path.join(profilesDir(this.storeDir), marker))) return false;
    this.known.add(version);
    return true;
  }

  /** Call once the event that carries the profile is written. */
  add(version: string): void {
    const marker = profileMarker(version);
    if (marker === null) return;
    this.known.add(version);
    try {
      fs.mkdirSync(profilesDir(this.storeDir), { recursive: true });
      fs.closeSync(fs.openSync(path.join(profilesDir(this.storeDir), marker), 'a'));
    } catch {
      // Another event will carry the profile again: bytes, not correctness.
    }
  }
}
