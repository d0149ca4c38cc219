import { BatchPoster, BatchPosterOptions, parseRetryAfter } from './batch-poster';

const BASE_URL = 'http://127.0.0.1:3000';
const EVENTS = [{ event_id: 'e-1' }, { event_id: 'e-2' }];

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function accepted(count: number): Response {
  return json(202, { data: { accepted: count, event_ids: [] } });
}

function createPoster(responses: Array<Response | Error>, overrides: Partial<BatchPosterOptions> = {}) {
  const fetchMock = jest.fn(async (_url: string | URL | Request, _init?: RequestInit): Promise<Response> => {
    const next = responses.shift();
    if (next === undefined) throw new Error('fake fetch: no response left');
    if (next instanceof Error) throw next;
    return next;
  });
  const sleep = jest.fn(async (_milliseconds: number) => undefined);
  const onRetry = jest.fn();
  const poster = new BatchPoster({
    baseUrl: `${BASE_URL}/`,
    key: 'gak_test',
    fetch: fetchMock as unknown as typeof fetch,
    sleep,
    random: () => 0.5,
    onRetry,
    ...overrides,
  });
  return { poster, fetchMock, sleep, onRetry };
}

async function postAll(poster: BatchPoster, batches: Array<typeof EVENTS>): Promise<void> {
  for (const batch of batches) await poster.submit(batch);
  await poster.drain();
}

describe('BatchPoster', () => {
  it('posts the batch with the bearer key', async () => {
    const { poster, fetchMock } = createPoster([accepted(2)]);

    await postAll(poster, [EVENTS]);

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe(`${BASE_URL}/api/v1/events`);
    expect(init?.method).toBe('POST');
    expect(init?.headers).toMatchObject({ authorization: 'Bearer gak_test', 'content-type': 'application/json' });
    expect(JSON.parse(init?.body as string)).toEqual({ events: EVENTS });
    expect(poster.eventsAccepted).toBe(2);
    expect(poster.failure).toBeNull();
  });

  it('retries 503 after Retry-After', async () => {
    const unavailable = json(503, { error: { status: 503, code: 'kafka_unavailable', message: 'retry' } }, { 'retry-after': '5' });
    const { poster, fetchMock, sleep, onRetry } = createPoster([unavailable, accepted(2)]);

    await postAll(poster, [EVENTS]);

    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(fetchMock.mock.calls[1][1]?.body).toBe(fetchMock.mock.calls[0][1]?.body);
    expect(sleep).toHaveBeenCalledWith(5000);
    expect(onRetry).toHaveBeenCalledWith(expect.objectContaining({ attempt: 1, reason: '503 kafka_unavailable', delayMs: 5000 }));
    expect(poster.eventsAccepted).toBe(2);
    expect(poster.requestsSent).toBe(2);
    expect(poster.failure).toBeNull();
  });

  it('backs off exponentially without Retry-After', async () => {
    const { poster, sleep } = createPoster([
      new TypeError('fetch failed'),
      json(429, {}),
      json(502, {}),
      accepted(2),
    ]);

    await postAll(poster, [EVENTS]);

    // random() = 0.5 puts each delay at three quarters of 1 s, 2 s, 4 s.
    expect(sleep.mock.calls.map(([delay]) => delay)).toEqual([750, 1500, 3000]);
    expect(poster.eventsAccepted).toBe(2);
  });

  it('stops after the maximum attempts', async () => {
    const { poster, fetchMock } = createPoster([json(503, {}), json(503, {}), json(503, {})], { maxAttempts: 3 });

    await postAll(poster, [EVENTS]);

    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(poster.failure?.message).toContain('failed 3 times, last with 503');
    expect(poster.eventsAccepted).toBe(0);
    expect(poster.eventsNotAccepted).toBe(2);
  });

  it('stops on 400 and keeps the server details', async () => {
    const rejected = json(400, {
      error: {
        status: 400,
        code: 'validation_failed',
        message: '1 invalid field(s); nothing was accepted',
        details: [{ field: 'events[0].occurred_at', message: 'events[0].occurred_at must be an ISO-8601 instant', value: 'yesterday' }],
        request_id: 'req-42',
      },
    });
    // One request at a time, so the second batch waits and is then not sent.
    const { poster, fetchMock, onRetry } = createPoster([rejected], { concurrency: 1 });

    await postAll(poster, [EVENTS, EVENTS]);

    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(onRetry).not.toHaveBeenCalled();
    expect(poster.failure?.status).toBe(400);
    expect(poster.failure?.code).toBe('validation_failed');
    const description = poster.failure?.describe() ?? '';
    expect(description).toContain('rejected with 400 validation_failed: 1 invalid field(s)');
    expect(description).toContain('events[0].occurred_at: events[0].occurred_at must be an ISO-8601 instant (value: "yesterday")');
    expect(description).toContain('request id: req-42');
    expect(poster.eventsNotAccepted).toBe(4);
  });

  it.each([
    [401, '--key or INGEST_KEY'],
    [403, 'ingest scope'],
    [413, '--batch-size'],
  ])('stops on %i with advice', async (status, advice) => {
    const { poster, fetchMock } = createPoster([json(status, { error: { status, code: 'x', message: 'no' } })]);

    await postAll(poster, [EVENTS]);

    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(poster.failure?.message).toContain(advice);
  });

  it('never runs more requests than the concurrency', async () => {
    let running = 0;
    let maxRunning = 0;
    const fetchMock = jest.fn(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return accepted(2);
    });
    const poster = new BatchPoster({ baseUrl: BASE_URL, key: 'k', concurrency: 2, fetch: fetchMock as unknown as typeof fetch });

    await postAll(poster, [EVENTS, EVENTS, EVENTS, EVENTS, EVENTS]);

    expect(fetchMock).toHaveBeenCalledTimes(5);
    expect(maxRunning).toBe(2);
    expect(poster.eventsAccepted).toBe(10);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);

  it('reads seconds', () => {
    expect(parseRetryAfter('5', now)).toBe(5000);
  });

  it('reads an HTTP date', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
  });

  it('caps long delays at five minutes', () => {
    expect(parseRetryAfter('86400', now)).toBe(300_000);
  });

  it('ignores missing and invalid values', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
