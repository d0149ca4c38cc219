import { Logger } from '@nestjs/common';
import { Kafka, Partitioners, Producer } from 'kafkajs';
import { FieldError } from '@gallery/contract';
import { KafkaPosition } from '@gallery/clickhouse';

/** A message the consumer could not store, with where it came from and why. */
export interface DeadLetter {
  source: KafkaPosition;
  key: string | null;
  value: Buffer | null;
  reason: string;
  errors?: FieldError[];
}

/**
 * Writes rejected messages to the dead-letter topic, unchanged, with the reason and the source
 * position in headers, so they can be inspected and replayed after a fix.
 */
export class DeadLetterPublisher {
  private readonly logger = new Logger(DeadLetterPublisher.name);
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async publish(letters: readonly DeadLetter[]): Promise<void> {
    if (!this.connected) {
      await this.producer.connect();
      this.connected = true;
    }
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: letters.map((letter) => ({
        key: letter.key,
        value: letter.value,
        headers: {
          dlq_reason: letter.reason.slice(0, 4000),
          dlq_source_topic: letter.source.topic,
          dlq_source_partition: String(letter.source.partition),
          dlq_source_offset: String(letter.source.offset),
          dlq_failed_at: new Date().toISOString(),
        },
      })),
    });
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    await this.producer.disconnect();
    this.connected = false;
    this.logger.log('dead-letter producer disconnected');
  }
}
