// Labels recorded as keyed hashes (docs/LABELS.md): HMAC-SHA256 of the label under a key that
// stays on the user's machines, so that the append-only, replicated log never holds a retracted
// customer's id in clear. The Python shim computes the same form (python/mltrace/_labels.py).
import { crypto } from '../crypto';
import * as fs from 'node:fs';

export const HASHED_PREFIX = 'hmac-sha256:';

/**
 * The key from `MLTRACE_LABEL_KEY` (the key itself) or `MLTRACE_LABEL_KEY_FILE` (a file holding
 * it; surrounding white space is not part of it), or null: labels are recorded in clear.
 */
export function labelKey(env: NodeJS.ProcessEnv = process.env): Buffer | null {
  if (env.MLTRACE_LABEL_KEY) return Buffer.from(env.MLTRACE_LABEL_KEY, 'utf8');
  if (env.MLTRACE_LABEL_KEY_FILE) {
    const key = fs.readFileSync(env.MLTRACE_LABEL_KEY_FILE, 'utf8').trim();
    if (key === '') throw new Error(`The label key file ${env.MLTRACE_LABEL_KEY_FILE} is empty.`);
    return Buffer.from(key, 'utf8');
  }
  return null;
}

/** How a label is written to the log under this key (as given when there is no key). */
export function recordedLabel(label: string, key: Buffer | null): string {
  if (key === null || label.startsWith(HASHED_PREFIX)) return label;
  return HASHED_PREFIX + crypto().createHmac('sha256', key).update(label, 'utf8').digest('hex');
}

/** A hashed label shortened for display: the prefix and 12 hex digits. */
export function displayLabel(label: string): string {
  return label.startsWith(HASHED_PREFIX) ? label.slice(0, HASHED_PREFIX.length + 12) + '…' : label;
}
