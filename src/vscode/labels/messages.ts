// The sentence the editor says about a file that holds data of a retracted label, with the same
// threshold as the Python shim's guard (docs/LABELS.md): within it, retrain in the days left;
// past it, runs that read the file now stop.
import { displayLabel } from '../../core/labels/keyedHash';
import { plural, visible } from '../presentation';

const DAY_MS = 86400e3;

export interface RetractionNotice {
  message: string;
  /** Past the threshold: the shim's guard stops runs that read the file. */
  overdue: boolean;
}

/** "retracted 3 days ago: retrain within 27 days", or past the threshold, what happens now. */
export function retractionAdvice(
  retractedAt: string,
  thresholdDays: number,
  now = Date.now(),
): RetractionNotice {
  const ageDays = Math.max(0, Math.floor((now - Date.parse(retractedAt)) / DAY_MS));
  const left = Math.floor(thresholdDays) - ageDays;
  const when = `retracted ${ageDays === 0 ? 'today' : `${plural(ageDays, 'day')} ago`}`;
  if (left > 0) return { message: `${when}: retrain within ${plural(left, 'day')}`, overdue: false };
  return {
    message: `${when}: past the ${thresholdDays}-day threshold, runs that read it now stop; retrain without that data`,
    overdue: true,
  };
}

/** "models/topic.joblib holds data of label Alice, retracted 3 days ago: retrain within 27 days". */
export function retractionNotice(
  pointer: string,
  label: string,
  retractedAt: string,
  thresholdDays: number,
  now = Date.now(),
): RetractionNotice {
  const advice = retractionAdvice(retractedAt, thresholdDays, now);
  return {
    message: `${visible(pointer)} holds data of label ${visible(displayLabel(label))}, ${advice.message}`,
    overdue: advice.overdue,
  };
}
