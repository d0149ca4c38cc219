import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MicroserviceOptions } from '@nestjs/microservices';
import { loadAppConfig } from '@gallery/config';
import { ClickHouseService, migrate } from '@gallery/clickhouse';
import { createRootLogger, exitOnStartupFailure, PinoNestLogger } from '@gallery/http';
import { createKafka, ensureTopics } from '@gallery/kafka';
import { ConsumerModule } from './consumer.module';
import { KafkaBatchTransport } from './kafka-batch.transport';

async function main(): Promise<void> {
  const config = loadAppConfig();
  const logger = new PinoNestLogger(createRootLogger('consumer', config.logLevel));
  Logger.overrideLogger(logger);

  await migrate(config.clickhouse, new Logger('Migrations'));
  const kafka = createKafka(config.kafka, 'consumer');
  await ensureTopics(kafka, config.kafka);

  const clickhouse = new ClickHouseService(config.clickhouse);
  const transport = new KafkaBatchTransport(kafka, clickhouse, {
    topic: config.kafka.topic,
    groupId: config.kafka.consumerGroup,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  const app = await NestFactory.createMicroservice<MicroserviceOptions>(ConsumerModule.register(config, clickhouse), {
    strategy: transport,
    logger,
  });
  app.enableShutdownHooks();
  await app.listen();
  new Logger('Bootstrap').log(`consumer started: topic ${config.kafka.topic}, ClickHouse database ${config.clickhouse.database}`);
}

main().catch(exitOnStartupFailure('consumer'));
