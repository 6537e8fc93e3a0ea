// Code once per version (docs/EVENTS.md "mltrace_code"): the first event of a code version
// carries the standard `sourceCode` facet, later ones only its hash. Which versions the log
// already records is known per process, and across processes from `.mltrace/code/<hash>`, an
// empty file created once the event that records the code is written: a crash in between costs
// the bytes of recording it again, never a reference to code the log does not hold.
import { crypto } from './crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeDir } from './storeDir';

/** SHA-256 (hex) of the source's UTF-8: the hash the mltrace_code facet names. */
export const codeHash = (source: string): string =>
  crypto().createHash('sha256').update(source).digest('hex');

const recorded = new Map<string, Set<string>>();

export class CodeRegistry {
  private readonly known: Set<string>;

  constructor(private readonly storeDir: string) {
    let known = recorded.get(storeDir);
    if (!known) recorded.set(storeDir, (known = new Set()));
    this.known = known;
  }

  /** Whether an event of this store already records this code. */
  has(hash: string): boolean {
    if (this.known.has(hash)) return true;
    if (!fs.existsSync(path.join(codeDir(this.storeDir), hash))) return false;
    this.known.add(hash);
    return true;
  }

  /** Call once the event that records the code is written. */
  add(hash: string): void {
    this.known.add(hash);
    try {
      fs.mkdirSync(codeDir(this.storeDir), { recursive: true });
      fs.closeSync(fs.openSync(path.join(codeDir(this.storeDir), hash), 'a'));
    } catch {
      // Other processes will record the code again: bytes, not correctness.
    }
  }
}
