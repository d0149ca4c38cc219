import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '@gallery/metrics';

export const consumerLagMessages = new Gauge({
  name: 'consumer_lag_messages',
  help: 'Messages in a partition after the consumer group committed offset: high watermark minus committed offset.',
  labelNames: ['topic', 'partition'] as const,
  registers: [metricsRegistry],
});

export const batchSizeMessages = new Histogram({
  name: 'consumer_batch_size_messages',
  help: 'Messages handed to the batch writer per partition batch, after skipping offsets already stored.',
  buckets: [1, 5, 10, 50, 100, 500, 1000, 5000, 10000],
  registers: [metricsRegistry],
});

export const insertDurationSeconds = new Histogram({
  name: 'consumer_insert_duration_seconds',
  help: 'Duration of the INSERT of one batch into the events table, successful or not.',
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [metricsRegistry],
});

export const eventsInsertedTotal = new Counter({
  name: 'consumer_events_inserted_total',
  help: 'Events inserted into the events table.',
  registers: [metricsRegistry],
});

export const duplicatesDroppedTotal = new Counter({
  name: 'consumer_duplicates_dropped_total',
  help: 'Events not inserted because their (account, collection, event id) was already stored or repeated in the batch.',
  registers: [metricsRegistry],
});

export const deadLettersTotal = new Counter({
  name: 'consumer_dead_letters_total',
  help: 'Messages sent to the dead-letter topic, by reason: no_value, not_json, not_object, envelope_invalid, contract_invalid.',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const batchRetriesTotal = new Counter({
  name: 'consumer_batch_retries_total',
  help: 'Failed attempts to store a batch, each followed by a retry with backoff, by partition.',
  labelNames: ['topic', 'partition'] as const,
  registers: [metricsRegistry],
});

export const watermarkMilliseconds = new Gauge({
  name: 'consumer_freshness_watermark_ms',
  help: 'Last freshness watermark written per partition, in Unix milliseconds: every event with a Kafka timestamp up to it is stored.',
  labelNames: ['topic', 'partition'] as const,
  registers: [metricsRegistry],
});

export const messagesBySignatureTotal = new Counter({
  name: 'consumer_messages_by_signature_total',
  help: 'Messages decoded, by signature check: valid ones skip the second validation, and unsigned and invalid ones are validated in full.',
  labelNames: ['signature'] as const,
  registers: [metricsRegistry],
});
