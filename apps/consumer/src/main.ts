import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { MicroserviceOptions } from '@nestjs/microservices';
import { loadAppConfig, readInt, readString } from '@gallery/config';
import { ClickHouseService, migrate } from '@gallery/clickhouse';
import { createRootLogger, exitOnStartupFailure, PinoNestLogger, startHttpApp } from '@gallery/http';
import { createKafka, ensureTopics, signingKeyId } from '@gallery/kafka';
import { ConsumerModule } from './consumer.module';
import { parseConsumerFault } from './consumer-fault';
import { FreshnessWatermarks } from './freshness-watermark';
import { KafkaBatchTransport } from './kafka-batch.transport';

/**
 * Starts the consumer: applies the ClickHouse migrations, serves /health, /ready and /metrics on
 * CONSUMER_HOST:CONSUMER_PORT, then consumes the event topic through {@link KafkaBatchTransport}.
 */
async function main(): Promise<void> {
  const config = loadAppConfig();
  const host = readString(process.env, 'CONSUMER_HOST', '127.0.0.1');
  const port = readInt(process.env, 'CONSUMER_PORT', 3002, 0, 65535);
  const fault = parseConsumerFault(process.env.CONSUMER_FAULT);
  Logger.overrideLogger(new PinoNestLogger(createRootLogger('consumer', config.logLevel)));
  if (fault.kind !== 'none') new Logger('Bootstrap').warn(`CONSUMER_FAULT=${process.env.CONSUMER_FAULT} is set: test-only fault injection is active`);

  await migrate(config.clickhouse, new Logger('Migrations'));
  const kafka = createKafka(config.kafka, 'consumer');
  await ensureTopics(kafka, config.kafka);

  const clickhouse = new ClickHouseService(config.clickhouse);
  const watermarks = new FreshnessWatermarks(createKafka(config.kafka, 'consumer-watermark', { retry: { retries: 0 } }).admin(), clickhouse, {
    topic: config.kafka.topic,
    groupId: config.kafka.consumerGroup,
    safetyMarginMs: readInt(process.env, 'CONSUMER_WATERMARK_MARGIN_MS', 2_000, 0, 3_600_000),
    checkIntervalMs: readInt(process.env, 'CONSUMER_WATERMARK_INTERVAL_MS', 2_000, 100, 3_600_000),
  });
  const transport = new KafkaBatchTransport(
    kafka,
    clickhouse,
    { topic: config.kafka.topic, groupId: config.kafka.consumerGroup, maxBytesPerPartition: 1024 * 1024, fault },
    watermarks,
  );

  const app = await startHttpApp(ConsumerModule.register(config, clickhouse, fault), { service: 'consumer', host, port, logLevel: config.logLevel });
  app.connectMicroservice<MicroserviceOptions>({ strategy: transport }, { inheritAppConfig: true });
  await app.startAllMicroservices();
  new Logger('Bootstrap').log(`consumer started: topic ${config.kafka.topic}, ClickHouse database ${config.clickhouse.database}`);
  if (config.kafka.signingKeys.length === 0) {
    new Logger('Bootstrap').warn('EVENT_SIGNING_KEYS is not set: every event is validated again, including those ingest already validated');
  } else {
    const keyIds = config.kafka.signingKeys.map(signingKeyId);
    new Logger('Bootstrap').log({ signing_key_ids: keyIds }, `trusting messages signed with key id(s) ${keyIds.join(', ')}`);
  }
}

main().catch(exitOnStartupFailure('consumer'));
