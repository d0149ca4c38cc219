import { Logger } from '@nestjs/common';
import { Kafka, KafkaConfig as KafkaClientOptions, logLevel, LogEntry } from 'kafkajs';
import { KafkaConfig } from '@gallery/config';

/**
 * kafkajs warnings about settings chosen on purpose, logged at debug level. Ingest's idempotent
 * producers bound their retries so that a request fails within seconds when Kafka is down (see
 * the NOTE in event-publisher.ts). kafkajs warns about that each time it creates such a producer:
 * at every start and after every failed send.
 */
const EXPECTED_WARNINGS = new Set(['Limiting retries for the idempotent producer may invalidate EoS guarantees']);

/** Passes a kafkajs log entry to the Nest logger at the level that fits it. */
export function logToNest(entry: LogEntry): void {
  const { message, ...extra } = entry.log;
  const text = `${entry.namespace}: ${message} ${JSON.stringify(extra)}`;
  // kafkajs logs every failed broker response as an error, including the ones it retries
  // (coordinator loading, leader moving); those are warnings until the operation itself fails.
  if (entry.namespace === 'Connection' && entry.level === logLevel.ERROR) kafkajsLogger.warn(text);
  else if (entry.level === logLevel.WARN && EXPECTED_WARNINGS.has(message)) kafkajsLogger.debug(text);
  else if (entry.level === logLevel.ERROR || entry.level === logLevel.NOTHING) kafkajsLogger.error(text);
  else if (entry.level === logLevel.WARN) kafkajsLogger.warn(text);
  else kafkajsLogger.debug(text);
}

const kafkajsLogger = new Logger('kafkajs');

/**
 * Creates the kafkajs client of an app; kafkajs logs go through the Nest logger. `overrides`
 * replaces client options, for example fewer retries for a readiness check.
 */
export function createKafka(config: KafkaConfig, clientSuffix: string, overrides: Partial<KafkaClientOptions> = {}): Kafka {
  return new Kafka({
    clientId: `${config.clientId}-${clientSuffix}`,
    brokers: config.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    logLevel: logLevel.WARN,
    logCreator: () => logToNest,
    retry: { initialRetryTime: 100, retries: 5, maxRetryTime: 5_000 },
    ...overrides,
  });
}

/**
 * Creates the event topic and its dead-letter topic when missing. The broker runs with topic
 * auto-creation off, so a misspelt topic name fails loudly instead of creating a new topic.
 */
export async function ensureTopics(kafka: Kafka, config: KafkaConfig): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [config.topic, config.deadLetterTopic].filter((topic) => !existing.has(topic));
    if (missing.length === 0) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: config.topicPartitions,
        replicationFactor: -1,
        configEntries: [
          { name: 'min.insync.replicas', value: '1' },
          // Broker append time as the message timestamp makes timestamps grow with the offset in
          // each partition, which the consumer's freshness watermark relies on.
          ...(topic === config.topic ? [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] : []),
        ],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}
