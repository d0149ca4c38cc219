/** The messages of one Kafka partition that the consumer has not yet stored, in offset order. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: BatchMessage[];
}

export interface BatchMessage {
  offset: number;
  key: string | null;
  value: Buffer | null;
}

/** The pattern under which the transport hands batches to the handler. */
export const EVENT_BATCH_PATTERN = 'gallery.events.batch';
