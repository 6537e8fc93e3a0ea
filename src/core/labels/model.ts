// What the label queries answer (queries.ts), as plain types: the webviews' protocol names them
// without taking in the store.

export interface LabelSummary {
  label: string;
  /** ISO time of the (first) retraction, or null. */
  retractedAt: string | null;
  /** How many pointers carry it now (their latest version). */
  pointers: number;
}

/** Where a label reaches, for the lineage graph to mark: run ids and pointer names. */
export interface LabelSpread extends Omit<LabelSummary, 'pointers'> {
  /** Runs that read data carrying the label, directly or downstream (full run ids). */
  runIds: string[];
  /** Pointers whose latest version carries it. */
  pointers: string[];
  /** Pointers it was attached to (where a run read its data). */
  sources: string[];
}
