/** Path of the ingest endpoint, relative to the ingest base URL. */
export const INGEST_EVENTS_PATH = '/api/v1/events';

export const DEFAULT_CONCURRENCY = 2;
export const DEFAULT_MAX_ATTEMPTS = 8;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/** First retry delay when the server sends no Retry-After; it doubles per attempt up to the maximum. */
const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 30_000;
/** Maximum wait honored from Retry-After, so a misconfigured server cannot stall an import for hours. */
const MAX_RETRY_AFTER_MS = 300_000;

/** Statuses that mean "try the same request again later": rate limited, or a gateway or Kafka outage. */
const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504]);

/** One entry of `error.details` in an ingest API error response. */
export interface IngestErrorDetail {
  field: string;
  message: string;
  value?: unknown;
}

/** A batch that the ingest API did not accept and that will not be retried. */
export class IngestRequestError extends Error {
  constructor(
    message: string,
    /** HTTP status; absent when no response arrived (network errors, timeouts). */
    readonly status?: number,
    readonly code?: string,
    readonly details: IngestErrorDetail[] = [],
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'IngestRequestError';
  }

  /** Formats the error with every detail the server returned, one per line. */
  describe(): string {
    const lines = [this.message];
    for (const detail of this.details) {
      const value = detail.value === undefined ? '' : ` (value: ${JSON.stringify(detail.value)})`;
      lines.push(`  ${detail.field}: ${detail.message}${value}`);
    }
    if (this.requestId) lines.push(`  request id: ${this.requestId}`);
    return lines.join('\n');
  }
}

/** A retry about to happen, for logging. */
export interface RetryNotice {
  /** The attempt that failed, counting from 1. */
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  /** Why the attempt failed, such as `503 kafka_unavailable` or `network error: ECONNREFUSED`. */
  reason: string;
  eventCount: number;
  firstEventId: string;
}

export interface BatchPosterOptions {
  /** Ingest API base URL, such as `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** Ingest key sent as `Authorization: Bearer <key>`. */
  key: string;
  /** Maximum requests in flight at once. */
  concurrency?: number;
  /** Attempts per batch, the first included, before the import stops. */
  maxAttempts?: number;
  /** Time after which a request is aborted and retried, in milliseconds. */
  requestTimeoutMs?: number;
  onRetry?: (notice: RetryNotice) => void;
  /** Replaceable for tests. */
  fetch?: typeof fetch;
  /** Replaceable for tests. */
  sleep?: (milliseconds: number) => Promise<void>;
  /** Returns a number in [0, 1) for backoff jitter; replaceable for tests. */
  random?: () => number;
}

/** An event as posted: the poster needs only its id, for logs. */
export interface PostableEvent {
  event_id: string;
}

/**
 * Posts event batches to the ingest API with bounded concurrency. Retries 429, 502, 503, 504 and
 * network errors with exponential backoff, honoring Retry-After. Retrying is safe because the
 * consumer stores an event id only once per account and collection. Any other error response stops the poster: later
 * batches are not sent and `failure` contains the first error.
 */
export class BatchPoster {
  /** HTTP requests made, retries included. */
  requestsSent = 0;
  eventsAccepted = 0;
  /** Events of batches that failed or were never sent because the poster had stopped. */
  eventsNotAccepted = 0;
  failure: IngestRequestError | null = null;

  private readonly endpoint: string;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly requestTimeoutMs: number;
  private readonly fetchFunction: typeof fetch;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly random: () => number;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: BatchPosterOptions) {
    this.endpoint = `${options.baseUrl.replace(/\/+$/, '')}${INGEST_EVENTS_PATH}`;
    this.concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.fetchFunction = options.fetch ?? fetch;
    this.sleep = options.sleep ?? ((milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds)));
    this.random = options.random ?? Math.random;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) {
      throw new Error(`invalid concurrency ${this.concurrency}: expected an integer of 1 or more`);
    }
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new Error(`invalid maxAttempts ${this.maxAttempts}: expected an integer of 1 or more`);
    }
  }

  /** True once a batch failed for good; later batches are counted as not accepted and not sent. */
  get stopped(): boolean {
    return this.failure !== null;
  }

  /**
   * Starts posting a batch and resolves as soon as it is in flight, after waiting for a free slot
   * when `concurrency` requests are already running. That wait is what slows the reader down.
   */
  async submit(events: readonly PostableEvent[]): Promise<void> {
    if (events.length === 0) return;
    while (this.inFlight.size >= this.concurrency) {
      await Promise.race(this.inFlight);
    }
    if (this.stopped) {
      this.eventsNotAccepted += events.length;
      return;
    }

    const request = this.postWithRetries(events)
      .catch((error: unknown) => {
        // Only a throwing onRetry or sleep gets here; postWithRetries handles every HTTP outcome.
        this.stop(new IngestRequestError(`posting a batch failed unexpectedly: ${String(error)}`), events.length);
      })
      .finally(() => this.inFlight.delete(request));
    this.inFlight.add(request);
  }

  /** Waits until every submitted batch has been accepted or has failed. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) {
      await Promise.race(this.inFlight);
    }
  }

  private async postWithRetries(events: readonly PostableEvent[]): Promise<void> {
    const body = JSON.stringify({ events });

    for (let attempt = 1; ; attempt++) {
      if (this.stopped) {
        // Another batch failed for good; retrying this one would only delay the exit.
        this.eventsNotAccepted += events.length;
        return;
      }

      const outcome = await this.postOnce(body, events.length);
      if (outcome.kind === 'accepted') {
        this.eventsAccepted += outcome.accepted;
        this.eventsNotAccepted += events.length - outcome.accepted;
        return;
      }
      if (outcome.kind === 'fatal') {
        this.stop(outcome.error, events.length);
        return;
      }

      if (attempt >= this.maxAttempts) {
        const error = new IngestRequestError(
          `POST ${this.endpoint} failed ${attempt} times, last with ${outcome.reason}; nothing more is sent. ` +
            'Check that the ingest API and Kafka are up, then run the import again: events accepted so far are not duplicated.',
          outcome.status,
        );
        this.stop(error, events.length);
        return;
      }

      const delayMs = outcome.retryAfterMs ?? this.backoffDelay(attempt);
      this.options.onRetry?.({
        attempt,
        maxAttempts: this.maxAttempts,
        delayMs,
        reason: outcome.reason,
        eventCount: events.length,
        firstEventId: events[0].event_id,
      });
      await this.sleep(delayMs);
    }
  }

  private async postOnce(body: string, eventCount: number): Promise<AttemptOutcome> {
    let response: Response;
    this.requestsSent++;
    try {
      response = await this.fetchFunction(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.key}` },
        body,
        signal: AbortSignal.timeout(this.requestTimeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', reason: `network error: ${describeNetworkError(error, this.requestTimeoutMs)}` };
    }

    const text = await response.text().catch(() => '');
    if (response.status >= 200 && response.status < 300) {
      const accepted = (parseJson(text) as { data?: { accepted?: unknown } } | undefined)?.data?.accepted;
      if (typeof accepted !== 'number') {
        return {
          kind: 'fatal',
          error: new IngestRequestError(
            `POST ${this.endpoint} returned ${response.status} without data.accepted; check that --url points at the ingest API. Body: ${text.slice(0, 200)}`,
            response.status,
          ),
        };
      }
      return { kind: 'accepted', accepted: Math.min(accepted, eventCount) };
    }

    const errorBody = (parseJson(text) as { error?: ErrorBody } | undefined)?.error;
    const code = typeof errorBody?.code === 'string' ? errorBody.code : undefined;
    if (RETRYABLE_STATUSES.has(response.status)) {
      return {
        kind: 'retry',
        status: response.status,
        reason: `${response.status}${code ? ` ${code}` : ''}`,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), Date.now()),
      };
    }

    const serverMessage = typeof errorBody?.message === 'string' ? errorBody.message : text.slice(0, 200) || '(empty body)';
    const error = new IngestRequestError(
      `POST ${this.endpoint} was rejected with ${response.status}${code ? ` ${code}` : ''}: ${serverMessage}. ${adviceFor(response.status)}`,
      response.status,
      code,
      Array.isArray(errorBody?.details) ? errorBody.details : [],
      typeof errorBody?.request_id === 'string' ? errorBody.request_id : undefined,
    );
    return { kind: 'fatal', error };
  }

  private stop(error: IngestRequestError, eventCount: number): void {
    this.failure ??= error;
    this.eventsNotAccepted += eventCount;
  }

  /** Exponential backoff with jitter between half and all of the delay, so parallel batches spread out. */
  private backoffDelay(attempt: number): number {
    const delay = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** (attempt - 1));
    return Math.round(delay / 2 + (this.random() * delay) / 2);
  }
}

type AttemptOutcome =
  | { kind: 'accepted'; accepted: number }
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  | { kind: 'fatal'; error: IngestRequestError };

interface ErrorBody {
  status?: unknown;
  code?: unknown;
  message?: unknown;
  details?: IngestErrorDetail[];
  request_id?: unknown;
}

/**
 * Converts a Retry-After header (delay in seconds, or an HTTP date) to milliseconds, capped at
 * 5 minutes. Returns undefined when the header is missing or invalid.
 */
export function parseRetryAfter(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();

  let delayMs: number;
  if (/^\d+$/.test(text)) {
    delayMs = Number(text) * 1000;
  } else {
    const date = Date.parse(text);
    if (Number.isNaN(date)) return undefined;
    delayMs = Math.max(0, date - now);
  }
  return Math.min(delayMs, MAX_RETRY_AFTER_MS);
}

function adviceFor(status: number): string {
  switch (status) {
    case 400:
      return 'The events do not match the contract: report this with the details below, because the importer validates every event before sending it.';
    case 401:
      return 'The ingest key is missing or unknown: check --key or INGEST_KEY.';
    case 403:
      return 'The key may not ingest events: use a key with the ingest scope.';
    case 404:
      return 'Check that --url is the base URL of the ingest API.';
    case 413:
      return 'The request is larger than the server allows: lower --batch-size or --max-body-bytes.';
    default:
      return 'Nothing more is sent.';
  }
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && error.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    return cause?.code ?? cause?.message ?? error.message;
  }
  return String(error);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
