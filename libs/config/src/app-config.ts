import { ConfigError, readInt, readList, readString, readUrl } from './env';

export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  topic: string;
  deadLetterTopic: string;
  /** Partitions of the event topic when this service creates it. */
  topicPartitions: number;
  consumerGroup: string;
  /**
   * Secrets that sign and verify event messages, from EVENT_SIGNING_KEYS (comma-separated). Ingest
   * signs with the first. The consumer accepts any of them and validates unsigned messages in full.
   */
  signingKeys: string[];
}

/** Shortest event signing key accepted, in characters: 32 random hex digits carry 128 bits. */
export const MIN_SIGNING_KEY_LENGTH = 32;

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
  /** Maximum bytes of request bodies handled at once; a request past it gets 503. */
  maxBytesInFlight: number;
}

export interface QueryConfig {
  host: string;
  port: number;
}

/** Token bucket of one app: each key may send `perSecond` requests per second, in bursts up to `burst`. */
export interface RateLimitConfig {
  /** 0 turns the limit off. */
  perSecond: number;
  burst: number;
}

export interface SecurityConfig {
  /** How often the apps check the keys file for changes, in milliseconds; 0 loads it only at start. */
  apiKeysReloadMs: number;
  ingestRateLimit: RateLimitConfig;
  queryRateLimit: RateLimitConfig;
  /** Origins allowed to call the APIs from a browser; empty sends no CORS headers at all. */
  corsOrigins: string[];
}

export const CLIENT_IP_MODES = ['truncate', 'hash', 'keep', 'drop'] as const;
export type ClientIpMode = (typeof CLIENT_IP_MODES)[number];

export interface PrivacyConfig {
  /**
   * What is stored of `client.ip_address`: `truncate` keeps the /24 of IPv4 and the /48 of IPv6,
   * `hash` an HMAC-SHA-256 with `clientIpHashKey`, `drop` nothing, `keep` the full address.
   */
  clientIpMode: ClientIpMode;
  clientIpHashKey: string;
}

export interface AppConfig {
  kafka: KafkaConfig;
  clickhouse: ClickHouseConfig;
  ingest: IngestConfig;
  query: QueryConfig;
  /** Path of the JSON file with the API keys; see `loadApiKeys`. */
  apiKeysFile: string;
  security: SecurityConfig;
  privacy: PrivacyConfig;
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
      signingKeys: readSigningKeys(env),
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
      maxBytesInFlight: readInt(env, 'INGEST_MAX_BYTES_IN_FLIGHT', 16 * 1024 * 1024, 1024, 4 * 1024 * 1024 * 1024),
    },
    query: {
      host: readString(env, 'QUERY_HOST', '127.0.0.1'),
      port: readInt(env, 'QUERY_PORT', 3001, 0, 65535),
    },
    apiKeysFile: readString(env, 'API_KEYS_FILE', 'config/api-keys.dev.json'),
    security: {
      apiKeysReloadMs: readInt(env, 'API_KEYS_RELOAD_MS', 2000, 0, 60_000),
      ingestRateLimit: readRateLimit(env, 'INGEST', 200, 400),
      queryRateLimit: readRateLimit(env, 'QUERY', 100, 200),
      corsOrigins: readCorsOrigins(env),
    },
    privacy: readPrivacy(env),
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

function readSigningKeys(env: Record<string, string | undefined>): string[] {
  const keys = readList(env, 'EVENT_SIGNING_KEYS', []);
  keys.forEach((key, index) => {
    // The key is a secret, so the message gives its position and length, not its text.
    if (key.length < MIN_SIGNING_KEY_LENGTH) {
      throw new ConfigError(`EVENT_SIGNING_KEYS: key ${index + 1} of ${keys.length} has ${key.length} characters; each needs at least ${MIN_SIGNING_KEY_LENGTH}`);
    }
  });
  return keys;
}

function readRateLimit(env: Record<string, string | undefined>, app: 'INGEST' | 'QUERY', perSecond: number, burst: number): RateLimitConfig {
  const limit = {
    perSecond: readInt(env, `RATE_LIMIT_${app}_PER_SECOND`, perSecond, 0, 1_000_000),
    burst: readInt(env, `RATE_LIMIT_${app}_BURST`, burst, 1, 1_000_000),
  };
  if (limit.perSecond > 0 && limit.burst < 1) throw new ConfigError(`RATE_LIMIT_${app}_BURST must be at least 1`);
  return limit;
}

function readCorsOrigins(env: Record<string, string | undefined>): string[] {
  const origins = readList(env, 'CORS_ORIGINS', []);
  for (const origin of origins) {
    // An exact origin only: a wildcard would let any web page read the API with a visitor's key.
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS must list origins such as https://dashboard.example.com (scheme, host and port only, no *), got "${origin}"`);
    }
  }
  return origins;
}

function readPrivacy(env: Record<string, string | undefined>): PrivacyConfig {
  const mode = readString(env, 'CLIENT_IP_MODE', 'truncate');
  if (!(CLIENT_IP_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`CLIENT_IP_MODE must be one of ${CLIENT_IP_MODES.join(', ')}, got "${mode}"`);
  }
  const hashKey = env.CLIENT_IP_HASH_KEY ?? '';
  if (mode === 'hash' && hashKey.length < 16) {
    throw new ConfigError('CLIENT_IP_HASH_KEY must be set to a secret of at least 16 characters when CLIENT_IP_MODE is hash');
  }
  return { clientIpMode: mode as ClientIpMode, clientIpHashKey: hashKey };
}
