import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '@gallery/metrics';

export const eventsAcceptedTotal = new Counter({
  name: 'ingest_events_accepted_total',
  help: 'Events acknowledged by Kafka and answered with 202.',
  registers: [metricsRegistry],
});

/** Reasons: validation_failed (400), batch_too_large (413), kafka_unavailable (503). */
export const eventsRejectedTotal = new Counter({
  name: 'ingest_events_rejected_total',
  help: 'Events in rejected requests, by reason: validation_failed, batch_too_large, kafka_unavailable.',
  labelNames: ['reason'] as const,
  registers: [metricsRegistry],
});

export const publishDurationSeconds = new Histogram({
  name: 'ingest_publish_duration_seconds',
  help: 'Time from sending a request to Kafka until all in-sync replicas acknowledged it or it failed, by outcome (acked, failed).',
  labelNames: ['outcome'] as const,
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [metricsRegistry],
});
