import { KafkaMessage } from 'kafkajs';
import { SIGNATURE_HEADER } from '@gallery/kafka';

/** The messages of one Kafka partition that the consumer has not yet stored, in offset order. */
export interface PartitionBatch {
  topic: string;
  partition: number;
  messages: BatchMessage[];
  /**
   * Set when an earlier insert of these messages may have been cut off after writing `events` but
   * before its views: the retry of a failed write, and the first messages after a partition is
   * assigned. The writer then checks for stored events in `events` itself.
   */
  recheck?: boolean;
}

export interface BatchMessage {
  offset: number;
  key: string | null;
  value: Buffer | null;
  /** The message's signature header, if it has one (see MessageSigner). */
  signature?: Buffer | string;
}

/** Keeps the parts of a kafkajs message that the writer reads; a header given more than once counts as its first value. */
export function toBatchMessage(message: KafkaMessage): BatchMessage {
  const header = message.headers?.[SIGNATURE_HEADER];
  const signature = Array.isArray(header) ? header[0] : header;
  return { offset: Number(message.offset), key: message.key?.toString('utf8') ?? null, value: message.value, signature };
}

/** Adds up the bytes of the messages' values. */
export function valueBytes(messages: readonly BatchMessage[]): number {
  return messages.reduce((sum, message) => sum + (message.value?.length ?? 0), 0);
}

/** The pattern under which the transport hands batches to the handler. */
export const EVENT_BATCH_PATTERN = 'gallery.events.batch';
