import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { COLLECTION_ID_PATTERN, EventEnvelope, FieldError, parseIsoInstant, validateEvent } from '@gallery/contract';
import { ClickHouseService, ClientIpPolicy, DEFAULT_CLIENT_IP_POLICY, EventRow, identifier, inList, sql, toEventRow } from '@gallery/clickhouse';
import { BatchMessage, PartitionBatch } from './partition-batch';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { CONSUMER_FAULT, ConsumerFault } from './consumer-fault';
import { deadLettersTotal, duplicatesDroppedTotal, eventsInsertedTotal, insertDurationSeconds } from './consumer.metrics';

/** Where a batch goes: the consumer writes to `events`; the events rebuild writes to a new table and skips the dead-letter topic, which already holds its dead letters. */
export interface WriteTarget {
  table: string;
  publishDeadLetters: boolean;
}

const CONSUMER_TARGET: WriteTarget = { table: 'events', publishDeadLetters: true };

export interface BatchOutcome {
  inserted: number;
  duplicates: number;
  deadLettered: number;
}

/** Reason class of a dead letter, used as a metric label; the full reason goes into the header. */
type DeadLetterCategory = 'no_value' | 'not_json' | 'not_object' | 'envelope_invalid' | 'contract_invalid';

type Decoded = { ok: true; envelope: EventEnvelope } | { ok: false; category: DeadLetterCategory; reason: string; errors?: FieldError[] };

/** Rows per duplicate-check statement; about 60 KiB of SQL for ids, collections and accounts. */
export const DEDUPLICATION_CHUNK_ROWS = 1000;

/** Injection token of the client IP policy; without it, addresses are stored truncated. */
export const CLIENT_IP_POLICY = Symbol('CLIENT_IP_POLICY');

/**
 * Writes one partition batch to ClickHouse: decodes and re-validates each message, sends the
 * invalid ones to the dead-letter topic, drops events whose id is already stored, and inserts
 * the rest with a single INSERT. It throws when any write fails, so the caller retries the
 * batch and does not commit its offsets.
 */
@Injectable()
export class BatchWriterService {
  private readonly logger = new Logger(BatchWriterService.name);
  private successfulInserts = 0;

  constructor(
    private readonly clickhouse: ClickHouseService,
    private readonly deadLetters: DeadLetterPublisher,
    @Inject(CONSUMER_FAULT) private readonly fault: ConsumerFault,
    @Optional() @Inject(CLIENT_IP_POLICY) private readonly ipPolicy: ClientIpPolicy = DEFAULT_CLIENT_IP_POLICY,
  ) {}

  async write(batch: PartitionBatch, target: WriteTarget = CONSUMER_TARGET): Promise<BatchOutcome> {
    const rows: EventRow[] = [];
    const invalid: DeadLetter[] = [];
    const categories: DeadLetterCategory[] = [];
    for (const message of batch.messages) {
      const decoded = this.decode(message);
      if (decoded.ok) {
        rows.push(toEventRow(decoded.envelope, { topic: batch.topic, partition: batch.partition, offset: message.offset }, this.ipPolicy));
      } else {
        categories.push(decoded.category);
        invalid.push({ source: { topic: batch.topic, partition: batch.partition, offset: message.offset }, key: message.key, value: message.value, reason: decoded.reason, errors: decoded.errors });
      }
    }

    if (invalid.length > 0 && target.publishDeadLetters) {
      await this.deadLetters.publish(invalid);
      for (const category of categories) deadLettersTotal.inc({ reason: category });
      for (const letter of invalid) {
        this.logger.warn(
          { topic: batch.topic, partition: batch.partition, offset: letter.source.offset, reason: letter.reason },
          `message at ${batch.topic}/${batch.partition}@${letter.source.offset} sent to the dead-letter topic: ${letter.reason}`,
        );
      }
    }

    const fresh = await this.withoutStoredEvents(rows, target.table);
    if (fresh.length > 0) {
      const stopTimer = insertDurationSeconds.startTimer();
      try {
        await this.clickhouse.insert(target.table, fresh);
      } finally {
        stopTimer();
      }
      eventsInsertedTotal.inc(fresh.length);
      this.injectFaultAfterInsert(batch);
    }
    duplicatesDroppedTotal.inc(rows.length - fresh.length);
    return { inserted: fresh.length, duplicates: rows.length - fresh.length, deadLettered: invalid.length };
  }

  /** Applies the test-only `exit-after-insert` fault; see consumer-fault.ts. */
  private injectFaultAfterInsert(batch: PartitionBatch): void {
    this.successfulInserts++;
    if (this.fault.kind !== 'exit-after-insert' || this.successfulInserts !== this.fault.afterInserts) return;
    this.logger.fatal(
      { topic: batch.topic, partition: batch.partition, first_offset: batch.messages[0].offset },
      `CONSUMER_FAULT: exiting with code 137 after insert ${this.successfulInserts}, before committing ${batch.topic}/${batch.partition}`,
    );
    process.exit(137);
  }

  private decode(message: BatchMessage): Decoded {
    if (!message.value) return { ok: false, category: 'no_value', reason: 'message has no value' };

    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return { ok: false, category: 'not_json', reason: `value is not JSON: ${(error as Error).message}` };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { ok: false, category: 'not_object', reason: 'value is not a JSON object' };
    }

    const { account_id: accountId, received_at: receivedAt, event } = parsed as Record<string, unknown>;
    if (typeof accountId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(accountId)) {
      return { ok: false, category: 'envelope_invalid', reason: 'envelope account_id is missing or invalid' };
    }
    if (typeof receivedAt !== 'string' || parseIsoInstant(receivedAt) === null) {
      return { ok: false, category: 'envelope_invalid', reason: 'envelope received_at is missing or not an ISO-8601 instant' };
    }
    const result = validateEvent(event, 'event');
    if (!result.ok) {
      return { ok: false, category: 'contract_invalid', reason: `event fails the contract: ${result.errors.map((e) => e.message).join('; ')}`, errors: result.errors };
    }
    if (!COLLECTION_ID_PATTERN.test(result.event.collection_id)) {
      return { ok: false, category: 'contract_invalid', reason: 'event collection_id is invalid' };
    }
    return { ok: true, envelope: { account_id: accountId, received_at: receivedAt, event: result.event } };
  }

  /**
   * Drops rows whose (account, collection, event id) is already stored or repeats earlier in the
   * batch: producers retry, and the first accepted copy of an event is the one that counts.
   * All events of a collection share one partition, so no other consumer writes them concurrently.
   */
  private async withoutStoredEvents(rows: EventRow[], table: string): Promise<EventRow[]> {
    if (rows.length === 0) return rows;
    const keyOf = (row: { account_id: string; collection_id: string; event_id: string }) =>
      `${row.account_id}\u0000${row.collection_id}\u0000${row.event_id}`;

    // One statement per chunk keeps each under ClickHouse's max_query_size (256 KiB by default),
    // because a 2 MiB partition batch contains thousands of event ids.
    const stored: Array<{ account_id: string; collection_id: string; event_id: string }> = [];
    for (let start = 0; start < rows.length; start += DEDUPLICATION_CHUNK_ROWS) {
      const chunk = rows.slice(start, start + DEDUPLICATION_CHUNK_ROWS);
      stored.push(
        ...(await this.clickhouse.query<{ account_id: string; collection_id: string; event_id: string }>(sql`
          SELECT account_id, collection_id, event_id
          FROM ${identifier(table)}
          WHERE account_id IN ${inList([...new Set(chunk.map((row) => row.account_id))])}
            AND collection_id IN ${inList([...new Set(chunk.map((row) => row.collection_id))])}
            AND event_id IN ${inList([...new Set(chunk.map((row) => row.event_id))])}
        `)),
      );
    }
    const seen = new Set(stored.map(keyOf));

    const fresh: EventRow[] = [];
    for (const row of rows) {
      const key = keyOf(row);
      if (seen.has(key)) continue;
      seen.add(key);
      fresh.push(row);
    }
    return fresh;
  }
}
