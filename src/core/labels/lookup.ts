// A label as a person names it: as recorded, else, when a label key is set up on this machine,
// as its keyed hash (docs/LABELS.md), so that `mltrace label Alice` finds a hashed "Alice".
import { LineageError } from '../model';
import { labelKey, recordedLabel } from './keyedHash';
import type { LabelDetail, LabelQueries } from './queries';

export function findLabel(
  labels: LabelQueries,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): LabelDetail {
  try {
    return labels.label(name);
  } catch (error) {
    const key = error instanceof LineageError ? labelKey(env) : null;
    if (key === null) throw error;
    return { ...labels.label(recordedLabel(name, key)), label: name };
  }
}
