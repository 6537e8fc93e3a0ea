// The label events (docs/EVENTS.md, Labels): labels attached to an input a run read (an input
// facet of the RunEvent), and retractions (a DatasetEvent of the dataset mltrace/labels).
import {
  DatasetEvent,
  eventSchemaURL,
  Facets,
  LABELS_DATASET,
  OUR_FACETS,
  ourFacet,
  PRODUCER,
} from '../events';

/** The input facets that attach labels to the version of a pointer a run read. */
export function labelInputFacets(labels: readonly string[], producer = PRODUCER): Facets {
  return { [OUR_FACETS.labels]: ourFacet(OUR_FACETS.labels, { labels: [...new Set(labels)] }, producer) };
}

/** Labels retracted at `time` (a customer's deletion request). */
export function retractionEvent(labels: readonly string[], time: Date, producer = PRODUCER): DatasetEvent {
  return {
    eventTime: time.toISOString(),
    producer,
    schemaURL: eventSchemaURL('DatasetEvent'),
    dataset: {
      ...LABELS_DATASET,
      facets: {
        [OUR_FACETS.retraction]: ourFacet(OUR_FACETS.retraction, { labels: [...new Set(labels)] }, producer),
      },
    },
  };
}
