import { ActivityEvent } from './registry';

/**
 * What the ingest app writes to Kafka for each accepted event: the event exactly as the producer
 * sent it, plus what the server decided. The account comes from the ingest key, never from the
 * payload.
 */
export interface EventEnvelope {
  account_id: string;
  /** When the ingest app accepted the event, ISO-8601 UTC with milliseconds. */
  received_at: string;
  event: ActivityEvent;
}

/**
 * A Kafka message value holding several events of one account, accepted together, whose
 * collections all map to the same partition. The ingest app writes this form; the consumer also
 * reads the single-event form above, which other producers may write.
 */
export interface EventBatchEnvelope {
  account_id: string;
  received_at: string;
  events: ActivityEvent[];
}

/** Kafka message key: all events of one collection go to one partition and keep their order. */
export function partitionKey(accountId: string, collectionId: string): string {
  return `${accountId}/${collectionId}`;
}
