import { ConfigError, readInt, readList, readString, readUrl } from './env';

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topic: string;
  deadLetterTopic: string;
  /** Partitions of the event topic when this service creates it. */
  topicPartitions: number;
  consumerGroup: string;
}

export interface ClickHouseConfig {
  url: string;
  database: string;
  username: string;
  password: string;
}

export interface IngestConfig {
  host: string;
  port: number;
  /** Maximum events in one POST. */
  maxBatchEvents: number;
  /** Maximum request body size in bytes; larger bodies get 413. */
  maxBodyBytes: number;
}

export interface QueryConfig {
  host: string;
  port: number;
}

export interface AppConfig {
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig;
  ingest: IngestConfig;
  query: QueryConfig;
  /** Path of the JSON file with the API keys; see `loadApiKeys`. */
  apiKeysFile: string;
  logLevel: string;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** Reads and validates the whole configuration once, at start-up. Every app uses the same names. */
export function loadAppConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const topic = readString(env, 'KAFKA_TOPIC', 'gallery.events.v1');
  const logLevel = readString(env, 'LOG_LEVEL', 'info');
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }

  return {
    kafka: {
      brokers: readList(env, 'KAFKA_BROKERS', ['127.0.0.1:9092']),
      clientId: readString(env, 'KAFKA_CLIENT_ID', 'gallery-analytics'),
      topic,
      deadLetterTopic: readString(env, 'KAFKA_DLQ_TOPIC', `${topic}.dlq`),
      topicPartitions: readInt(env, 'KAFKA_TOPIC_PARTITIONS', 6, 1, 1000),
      consumerGroup: readString(env, 'KAFKA_CONSUMER_GROUP', 'gallery-analytics-consumer'),
    },
    clickhouse: {
      url: readUrl(env, 'CLICKHOUSE_URL', 'http://127.0.0.1:8123'),
      database: readDatabaseName(env),
      username: readString(env, 'CLICKHOUSE_USER', 'default'),
      password: env.CLICKHOUSE_PASSWORD ?? '',
    },
    ingest: {
      host: readString(env, 'INGEST_HOST', '127.0.0.1'),
      port: readInt(env, 'INGEST_PORT', 3000, 0, 65535),
      maxBatchEvents: readInt(env, 'INGEST_MAX_BATCH_EVENTS', 1000, 1, 100_000),
      maxBodyBytes: readInt(env, 'INGEST_MAX_BODY_BYTES', 4 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    },
    query: {
      host: readString(env, 'QUERY_HOST', '127.0.0.1'),
      port: readInt(env, 'QUERY_PORT', 3001, 0, 65535),
    },
    apiKeysFile: readString(env, 'API_KEYS_FILE', 'config/api-keys.dev.json'),
    logLevel,
  };
}

function readDatabaseName(env: Record<string, string | undefined>): string {
  const database = readString(env, 'CLICKHOUSE_DATABASE', 'gallery_analytics');
  // The name is written into DDL as an identifier, so it is held to a plain form.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(database)) {
    throw new ConfigError(`CLICKHOUSE_DATABASE must be letters, digits and _ (not starting with a digit), got "${database}"`);
  }
  return database;
}
