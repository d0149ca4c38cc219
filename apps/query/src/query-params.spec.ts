import { ApiError } from '@gallery/http';
import { encodeCursor, EndpointParams, MAX_LIST_LIMIT, parseListQuery } from './query-params';

const PARAMS: EndpointParams = { endpoint: 'downloads', statuses: ['completed', 'failed'], filters: ['client_id', 'media_id'] };

function rejection(query: Record<string, unknown>, accept?: string): ApiError {
  try {
    parseListQuery(query, accept, PARAMS);
  } catch (error) {
    return error as ApiError;
  }
  throw new Error(`expected ${JSON.stringify(query)} to be rejected`);
}

describe('parseListQuery', () => {
  it('applies the defaults', () => {
    const query = parseListQuery({}, undefined, PARAMS);
    expect(query).toEqual({ timeZone: 'UTC', interval: 'day', fromMs: undefined, toMs: undefined, limit: 100, csv: false, cursor: undefined });
  });

  it('reads plain dates as whole days in the zone', () => {
    const query = parseListQuery({ from: '2026-03-29', to: '2026-03-29', tz: 'Europe/Berlin' }, undefined, PARAMS);
    expect(new Date(query.fromMs as number).toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(new Date(query.toMs as number).toISOString()).toBe('2026-03-29T22:00:00.000Z');
  });

  it('reads instants exactly', () => {
    const query = parseListQuery({ from: '2026-03-29T01:02:03.004+02:00' }, undefined, PARAMS);
    expect(query.fromMs).toBe(Date.UTC(2026, 2, 28, 23, 2, 3, 4));
  });

  it('switches to CSV by format or Accept header', () => {
    expect(parseListQuery({ format: 'csv' }, undefined, PARAMS).csv).toBe(true);
    expect(parseListQuery({}, 'text/csv', PARAMS).csv).toBe(true);
    expect(parseListQuery({ format: 'json' }, 'text/csv', PARAMS).csv).toBe(false);
    expect(parseListQuery({ format: 'csv' }, undefined, PARAMS).limit).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('round-trips a cursor of the same endpoint', () => {
    const cursor = encodeCursor({ endpoint: 'downloads', snapshotMs: 1_700_000_000_000, after: [1_700_000_000_000, 'abc'] });
    expect(parseListQuery({ cursor }, undefined, PARAMS).cursor).toEqual({ endpoint: 'downloads', snapshotMs: 1_700_000_000_000, after: [1_700_000_000_000, 'abc'] });
  });

  it.each([
    [{ tz: 'Mars/Olympus' }, 'tz'],
    [{ tz: "UTC' OR 1=1" }, 'tz'],
    [{ interval: 'minute' }, 'interval'],
    [{ from: '2026-02-30' }, 'from'],
    [{ from: 'yesterday' }, 'from'],
    [{ to: '2026-13-01' }, 'to'],
    [{ from: '2026-03-02', to: '2026-03-01' }, 'to'],
    [{ from: '2000-01-01', to: '2026-01-01', interval: 'hour' }, 'interval'],
    [{ limit: '0' }, 'limit'],
    [{ limit: String(MAX_LIST_LIMIT + 1) }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ limit: ['1', '2'] }, 'limit'],
    [{ status: 'teleported' }, 'status'],
    [{ client_id: 'has space' }, 'client_id'],
    [{ cursor: 'not a cursor' }, 'cursor'],
    [{ cursor: encodeCursor({ endpoint: 'favorites', snapshotMs: 1, after: [1, 'x'] }) }, 'cursor'],
    [{ cursor: Buffer.from('{"a":1}').toString('base64url') }, 'cursor'],
    [{ format: 'xml' }, 'format'],
    [{ limt: '5' }, 'limt'],
  ])('rejects %j naming %s', (query, field) => {
    const error = rejection(query);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.details?.[0].field).toBe(field);
  });
});
