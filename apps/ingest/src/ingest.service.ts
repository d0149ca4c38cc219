import { Injectable, Logger } from '@nestjs/common';
import { EventEnvelope, FieldError, formatIsoInstant, parseIsoInstant, validateEvent } from '@gallery/contract';
import { ApiError, Caller } from '@gallery/http';
import { EncodedMessages, EventPublisher } from '@gallery/kafka';
import { eventsAcceptedTotal, eventsRejectedTotal, publishDurationSeconds } from './ingest.metrics';

/** Earliest `occurred_at` accepted: ClickHouse DateTime starts in 1970 and no gallery predates 2000. */
const EARLIEST_OCCURRED_AT = Date.UTC(2000, 0, 1);
/** How far ahead of the server clock `occurred_at` may be, for producers with a skewed clock. */
const MAX_CLOCK_SKEW_MS = 24 * 3600 * 1000;
/** Seconds a producer should wait before retrying when Kafka is unavailable. */
const RETRY_AFTER_SECONDS = 5;

export interface IngestResult {
  accepted: number;
  event_ids: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Validates posted events and publishes them to Kafka, all or nothing. */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly publisher: EventPublisher,
    private readonly maxBatchEvents: number,
  ) {}

  /**
   * Accepts one event object or `{ "events": [ … ] }`. Every event is validated before anything is
   * published; one invalid event rejects the whole request with every error listed.
   *
   * While Kafka acknowledges, only the encoded messages and the event ids are kept. The parsed
   * events can be collected as soon as they are encoded.
   */
  ingest(body: unknown, caller: Caller): Promise<IngestResult> {
    const envelopes = this.validate(body, caller);
    const eventIds = envelopes.map((envelope) => envelope.event.event_id);
    return this.publisher.encode(envelopes).then(
      (encoded) => this.publish(encoded, eventIds, caller),
      (error: unknown) => this.publishFailed(error, eventIds, caller),
    );
  }

  /** Returns the request's events in envelopes, or throws a 400 listing every invalid field. */
  private validate(body: unknown, caller: Caller): EventEnvelope[] {
    const receivedAt = Date.now();
    const receivedAtText = formatIsoInstant(receivedAt);
    const { items, pathOf } = this.splitBody(body);

    const errors: FieldError[] = [];
    const envelopes: EventEnvelope[] = [];
    items.forEach((item, index) => {
      const path = pathOf(index);
      const result = validateEvent(item, path);
      if (!result.ok) {
        errors.push(...result.errors);
        return;
      }
      const occurredAt = parseIsoInstant(result.event.occurred_at) as number;
      if (occurredAt < EARLIEST_OCCURRED_AT || occurredAt > receivedAt + MAX_CLOCK_SKEW_MS) {
        const field = path ? `${path}.occurred_at` : 'occurred_at';
        errors.push({
          field,
          message: `${field} must lie between 2000-01-01T00:00:00Z and one day after the server time ${receivedAtText}`,
          value: result.event.occurred_at,
        });
        return;
      }
      envelopes.push({ account_id: caller.accountId, received_at: receivedAtText, event: result.event });
    });

    if (errors.length > 0) {
      eventsRejectedTotal.inc({ reason: 'validation_failed' }, items.length);
      throw new ApiError(400, 'validation_failed', `${errors.length} invalid field(s); nothing was accepted`, errors);
    }
    return envelopes;
  }

  private async publish(encoded: EncodedMessages, eventIds: string[], caller: Caller): Promise<IngestResult> {
    const stopTimer = publishDurationSeconds.startTimer();
    try {
      await this.publisher.send(encoded);
      stopTimer({ outcome: 'acked' });
    } catch (error) {
      stopTimer({ outcome: 'failed' });
      return this.publishFailed(error, eventIds, caller);
    }
    eventsAcceptedTotal.inc(eventIds.length);
    return { accepted: eventIds.length, event_ids: eventIds };
  }

  /** Logs a failed publish and throws a 503: nothing of the request was accepted. */
  private publishFailed(error: unknown, eventIds: string[], caller: Caller): never {
    eventsRejectedTotal.inc({ reason: 'kafka_unavailable' }, eventIds.length);
    this.logger.error(
      { err: error, account_id: caller.accountId, key_id: caller.keyId, events: eventIds.length, first_event_id: eventIds[0] },
      `publishing ${eventIds.length} event(s) to Kafka failed; answering 503`,
    );
    throw new ApiError(
      503,
      'kafka_unavailable',
      `the event log is unavailable, so nothing was accepted; retry the same request after ${RETRY_AFTER_SECONDS} s`,
      undefined,
      { 'Retry-After': String(RETRY_AFTER_SECONDS) },
    );
  }

  private splitBody(body: unknown): { items: unknown[]; pathOf: (index: number) => string } {
    if (isPlainObject(body) && 'events' in body) {
      const extra = Object.keys(body).filter((key) => key !== 'events');
      if (extra.length > 0) {
        throw new ApiError(400, 'validation_failed', 'a batch body may only contain "events"', extra.map((field) => ({ field, message: `property ${field} should not exist` })));
      }
      const events = body.events;
      if (!Array.isArray(events) || events.length === 0) {
        throw new ApiError(400, 'validation_failed', 'events must be a non-empty array', [{ field: 'events', message: 'events must be a non-empty array' }]);
      }
      if (events.length > this.maxBatchEvents) {
        eventsRejectedTotal.inc({ reason: 'batch_too_large' }, events.length);
        throw new ApiError(413, 'batch_too_large', `a batch may hold at most ${this.maxBatchEvents} events, got ${events.length}; split it`, [
          { field: 'events', message: `events must contain at most ${this.maxBatchEvents} elements`, value: events.length },
        ]);
      }
      return { items: events, pathOf: (index) => `events[${index}]` };
    }
    if (isPlainObject(body)) return { items: [body], pathOf: () => '' };
    throw new ApiError(400, 'validation_failed', 'the body must be one event object or {"events": [ … ]}', [
      { field: '(body)', message: 'must be a JSON object' },
    ]);
  }
}
