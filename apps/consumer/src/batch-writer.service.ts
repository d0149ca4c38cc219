import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ActivityEvent, COLLECTION_ID_PATTERN, EventEnvelope, FieldError, parseIsoInstant, validateEvent } from '@gallery/contract';
import {
  addToKeyTable,
  ClickHouseService,
  ClientIpPolicy,
  DEFAULT_CLIENT_IP_POLICY,
  EventKey,
  eventKeyText,
  findStoredByKeyTable,
  findStoredInTable,
  JsonLines,
  toEventRow,
} from '@gallery/clickhouse';
import { MessageSigner } from '@gallery/kafka';
import { BatchMessage, PartitionBatch, valueBytes } from './partition-batch';
import { DeadLetter, DeadLetterPublisher } from './dead-letter.publisher';
import { CONSUMER_FAULT, ConsumerFault } from './consumer-fault';
import { deadLettersTotal, duplicatesDroppedTotal, eventsInsertedTotal, insertDurationSeconds, messagesBySignatureTotal } from './consumer.metrics';

/**
 * The destination of a batch. The consumer writes to `events`, looks up stored ids in
 * `event_keys` and groups concurrent partition batches into one INSERT. The events rebuild writes
 * to a new table without a key table, one batch at a time, and skips the dead-letter topic, which
 * already contains its dead letters.
 */
export interface WriteTarget {
  table: string;
  /** Table of stored event ids (see the event_keys migration); without one, `table` is searched. */
  keysTable?: string;
  publishDeadLetters: boolean;
  /** Whether batches of several partitions arriving together share one INSERT. */
  group: boolean;
}

const CONSUMER_TARGET: WriteTarget = { table: 'events', keysTable: 'event_keys', publishDeadLetters: true, group: true };

export interface BatchOutcome {
  inserted: number;
  duplicates: number;
  deadLettered: number;
}

/** Reason class of a dead letter, used as a metric label; the full reason goes into the header. */
type DeadLetterCategory = 'no_value' | 'not_json' | 'not_object' | 'envelope_invalid' | 'contract_invalid';

/** A decoded message: its valid events, and why it goes to the dead-letter topic, if it does. */
interface Decoded {
  envelopes: EventEnvelope[];
  failure?: { category: DeadLetterCategory; reason: string; errors?: FieldError[] };
}

/** How long the first partition batch of a group waits for others of the same fetch. */
export const GROUP_WAIT_MS = 10;

/** A group is written at once when its message values add up to this many bytes. */
export const GROUP_MAX_BYTES = 4 * 1024 * 1024;

/** Injection token of the client IP policy; without it, addresses are stored truncated. */
export const CLIENT_IP_POLICY = Symbol('CLIENT_IP_POLICY');

/** Injection token of the {@link MessageSigner} that checks signatures; without it, every message is validated in full. */
export const MESSAGE_SIGNER = Symbol('MESSAGE_SIGNER');

/** How often a message with an invalid signature is logged: the first, then one in this many. */
const INVALID_SIGNATURE_LOG_EVERY = 1000;

interface PendingBatch {
  batch: PartitionBatch;
  resolve: (outcome: BatchOutcome) => void;
  reject: (error: unknown) => void;
}

/**
 * One partition batch after decoding: the identities of its valid events, whose rows are the next
 * lines of the group's {@link JsonLines} in the same order, and its dead letters.
 */
interface DecodedBatch {
  batch: PartitionBatch;
  rows: EventKey[];
  invalid: DeadLetter[];
  categories: DeadLetterCategory[];
}

/**
 * Writes partition batches to ClickHouse. It decodes each message and validates its events again,
 * unless ingest's signature shows that they passed ingest's validation unchanged. It sends the
 * invalid ones to the dead-letter topic, drops events whose id is already stored, and inserts the rest.
 * Partition batches that arrive within {@link GROUP_WAIT_MS} of each other are written with one
 * INSERT, because ClickHouse spends far less per row on one large insert than on several small
 * ones. A write throws when any step fails; every batch of the group then fails, so the caller
 * retries it and does not commit its offsets.
 */
@Injectable()
export class BatchWriterService {
  private readonly logger = new Logger(BatchWriterService.name);
  private successfulInserts = 0;
  private pending: PendingBatch[] = [];
  private pendingBytes = 0;
  private groupTimer: NodeJS.Timeout | undefined;
  private invalidSignatures = 0;

  constructor(
    private readonly clickhouse: ClickHouseService,
    private readonly deadLetters: DeadLetterPublisher,
    @Inject(CONSUMER_FAULT) private readonly fault: ConsumerFault,
    @Optional() @Inject(CLIENT_IP_POLICY) private readonly ipPolicy: ClientIpPolicy = DEFAULT_CLIENT_IP_POLICY,
    @Optional() @Inject(MESSAGE_SIGNER) private readonly signer: MessageSigner = new MessageSigner([]),
  ) {}

  write(batch: PartitionBatch, target: WriteTarget = CONSUMER_TARGET): Promise<BatchOutcome> {
    if (!target.group) return this.writeGroup([batch], target).then(([outcome]) => outcome);
    return new Promise<BatchOutcome>((resolve, reject) => {
      this.pending.push({ batch, resolve, reject });
      this.pendingBytes += valueBytes(batch.messages);
      if (this.pendingBytes >= GROUP_MAX_BYTES) this.flush(target);
      else this.groupTimer ??= setTimeout(() => this.flush(target), GROUP_WAIT_MS);
    });
  }

  private flush(target: WriteTarget): void {
    if (this.groupTimer) clearTimeout(this.groupTimer);
    this.groupTimer = undefined;
    const group = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (group.length === 0) return;
    this.writeGroup(
      group.map((entry) => entry.batch),
      target,
    ).then(
      (outcomes) => group.forEach((entry, index) => entry.resolve(outcomes[index])),
      (error: unknown) => group.forEach((entry) => entry.reject(error)),
    );
  }

  private async writeGroup(batches: PartitionBatch[], target: WriteTarget): Promise<BatchOutcome[]> {
    // The group's rows, in the order of `decoded` and of each batch's rows.
    const lines = new JsonLines();
    const decoded = batches.map((batch) => this.decodeBatch(batch, lines));
    const invalid = decoded.flatMap((entry) => entry.invalid);
    if (invalid.length > 0 && target.publishDeadLetters) {
      await this.deadLetters.publish(invalid);
      for (const entry of decoded) {
        for (const category of entry.categories) deadLettersTotal.inc({ reason: category });
        for (const letter of entry.invalid) {
          this.logger.warn(
            { topic: entry.batch.topic, partition: entry.batch.partition, offset: letter.source.offset, reason: letter.reason },
            `message at ${entry.batch.topic}/${entry.batch.partition}@${letter.source.offset} sent to the dead-letter topic: ${letter.reason}`,
          );
        }
      }
    }

    const stored = await this.storedKeys(decoded, target);
    const keep = new Uint8Array(lines.count);
    let line = 0;
    let fresh = 0;
    const outcomes = decoded.map((entry) => {
      let inserted = 0;
      for (const row of entry.rows) {
        const key = eventKeyText(row);
        if (!stored.has(key)) {
          stored.add(key);
          keep[line] = 1;
          inserted++;
        }
        line++;
      }
      fresh += inserted;
      return { inserted, duplicates: entry.rows.length - inserted, deadLettered: entry.invalid.length };
    });

    if (fresh > 0) {
      const stopTimer = insertDurationSeconds.startTimer();
      try {
        await this.clickhouse.insertJsonLines(target.table, lines, fresh === lines.count ? undefined : (index) => keep[index] === 1);
        // ClickHouse responds to an INSERT only after reading its whole body, so no view is read any
        // more. After a failure the client may still be reading, so the buffers go to the collector.
        lines.release();
      } finally {
        stopTimer();
      }
      eventsInsertedTotal.inc(fresh);
      this.injectFaultAfterInsert(batches[0]);
    }
    duplicatesDroppedTotal.inc(outcomes.reduce((sum, outcome) => sum + outcome.duplicates, 0));
    return outcomes;
  }

  /** Decodes a partition batch, appending the rows of its valid events to `lines`. */
  private decodeBatch(batch: PartitionBatch, lines: JsonLines): DecodedBatch {
    const result: DecodedBatch = { batch, rows: [], invalid: [], categories: [] };
    for (const message of batch.messages) {
      const position = { topic: batch.topic, partition: batch.partition, offset: message.offset };
      const decoded = this.decode(message, this.trusts(message, position));
      for (const envelope of decoded.envelopes) {
        const row = toEventRow(envelope, position, this.ipPolicy);
        result.rows.push({ account_id: row.account_id, collection_id: row.collection_id, event_id: row.event_id });
        lines.append(JSON.stringify(row));
      }
      if (decoded.failure) {
        result.categories.push(decoded.failure.category);
        result.invalid.push({ source: position, key: message.key, value: message.value, reason: decoded.failure.reason, errors: decoded.failure.errors });
      }
    }
    return result;
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

  /**
   * Tells whether a message carries a valid signature of ingest's, whose events need no second
   * validation. An invalid signature is logged (the first, then one in
   * {@link INVALID_SIGNATURE_LOG_EVERY}), and its message is validated in full.
   */
  private trusts(message: BatchMessage, position: { topic: string; partition: number; offset: number }): boolean {
    const check = this.signer.check(message.value, message.signature);
    messagesBySignatureTotal.inc({ signature: check });
    if (check === 'invalid' && this.invalidSignatures++ % INVALID_SIGNATURE_LOG_EVERY === 0) {
      this.logger.warn(
        { ...position, invalid_signatures: this.invalidSignatures },
        `message at ${position.topic}/${position.partition}@${position.offset} has an invalid signature (${this.invalidSignatures} so far); validating its events in full`,
      );
    }
    return check === 'valid';
  }

  /**
   * Decodes a message holding one event (`event`) or several (`events`). The valid events are
   * returned; a message with any invalid part also comes back as a failure, and goes to the
   * dead-letter topic whole. Replaying it after a fix stores only the events not stored yet.
   * The events of a `trusted` message passed ingest's validation, so only its envelope is checked.
   */
  private decode(message: BatchMessage, trusted: boolean): Decoded {
    const fail = (category: DeadLetterCategory, reason: string, errors?: FieldError[], envelopes: EventEnvelope[] = []): Decoded => ({
      envelopes,
      failure: { category, reason, errors },
    });
    if (!message.value) return fail('no_value', 'message has no value');

    let parsed: unknown;
    try {
      parsed = JSON.parse(message.value.toString('utf8'));
    } catch (error) {
      return fail('not_json', `value is not JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return fail('not_object', 'value is not a JSON object');

    const { account_id: accountId, received_at: receivedAt, event, events } = parsed as Record<string, unknown>;
    if (typeof accountId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(accountId)) {
      return fail('envelope_invalid', 'envelope account_id is missing or invalid');
    }
    if (typeof receivedAt !== 'string' || parseIsoInstant(receivedAt) === null) {
      return fail('envelope_invalid', 'envelope received_at is missing or not an ISO-8601 instant');
    }
    if ((event === undefined) === (events === undefined)) return fail('envelope_invalid', 'envelope must hold either event or events');
    const single = events === undefined;
    if (!single && (!Array.isArray(events) || events.length === 0)) return fail('envelope_invalid', 'envelope events must be a non-empty array');

    const items = single ? [event] : (events as unknown[]);
    const envelopes: EventEnvelope[] = [];
    if (trusted) {
      for (const item of items) envelopes.push({ account_id: accountId, received_at: receivedAt, event: item as ActivityEvent });
      return { envelopes };
    }
    const errors: FieldError[] = [];
    items.forEach((item, index) => {
      const path = single ? 'event' : `events[${index}]`;
      const result = validateEvent(item, path);
      if (!result.ok) errors.push(...result.errors);
      else if (!COLLECTION_ID_PATTERN.test(result.event.collection_id)) errors.push({ field: `${path}.collection_id`, message: `${path}.collection_id is invalid` });
      else envelopes.push({ account_id: accountId, received_at: receivedAt, event: result.event });
    });
    if (errors.length > 0) {
      return fail('contract_invalid', `${items.length - envelopes.length} of ${items.length} event(s) fail the contract: ${errors.map((e) => e.message).join('; ')}`, errors, envelopes);
    }
    return { envelopes };
  }

  /**
   * Returns the keys (see {@link eventKeyText}) of the group's events that are already stored:
   * producers retry, and the first accepted copy of an event is the one that counts. All events of
   * a collection share one partition, so no other consumer writes them concurrently.
   *
   * Batches marked `recheck` may follow an insert that failed or was cut off after writing
   * `events` but before its views, so their ids are looked up in the events table itself, which
   * is exact but costs more. The others are looked up in the key table.
   */
  private async storedKeys(decoded: DecodedBatch[], target: WriteTarget): Promise<Set<string>> {
    const { keysTable } = target;
    const exact = keysTable === undefined ? decoded : decoded.filter((entry) => entry.batch.recheck);
    const indexed = keysTable === undefined ? [] : decoded.filter((entry) => !entry.batch.recheck);
    const stored = await findStoredInTable(this.clickhouse, target.table, exact.flatMap((entry) => entry.rows));
    if (keysTable !== undefined && stored.length > 0) await this.repairKeyTable(keysTable, stored, exact);
    if (keysTable !== undefined && indexed.length > 0) {
      stored.push(...(await findStoredByKeyTable(this.clickhouse, keysTable, indexed.flatMap((entry) => entry.rows))));
    }
    return new Set(stored.map(eventKeyText));
  }

  /**
   * Adds to the key table the events found in `events` that it lacks. An insert cut off after
   * writing `events` but before its views leaves such events, and without their keys a later copy
   * of one would be stored again.
   */
  private async repairKeyTable(keysTable: string, stored: EventKey[], batches: DecodedBatch[]): Promise<void> {
    const indexed = new Set((await findStoredByKeyTable(this.clickhouse, keysTable, stored)).map(eventKeyText));
    const missing = stored.filter((key) => !indexed.has(eventKeyText(key)));
    if (missing.length === 0) return;
    await addToKeyTable(this.clickhouse, keysTable, missing);
    this.logger.warn(
      {
        key_table: keysTable,
        partitions: batches.map((entry) => `${entry.batch.topic}/${entry.batch.partition}@${entry.batch.messages[0].offset}`),
        event_ids: missing.slice(0, 20).map((key) => key.event_id),
        missing: missing.length,
      },
      `added ${missing.length} stored event(s) missing from ${keysTable}, left by an insert cut off before its views`,
    );
  }
}
