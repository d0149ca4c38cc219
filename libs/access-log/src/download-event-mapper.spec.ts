import { createReadStream } from 'node:fs';
import * as path from 'node:path';
import { PhotoDownloadedEvent, validateEvent } from '@gallery/contract';
import { computePhotoDownloadsByCollection } from '../../../test/access-log-oracle';
import { AccessLogConverter, LineOutcome } from './access-log-converter';
import { AccessLogRecord } from './combined-log-parser';
import {
  DownloadEventMapper,
  MapResult,
  collectionIdOf,
  mediaIdOf,
} from './download-event-mapper';
import { readLines } from './line-reader';

/** A real web server access log, with client addresses and referrer queries replaced. */
const SAMPLE_LOG = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'access-log-sample.log');

const EVENT_ID = '11111111-2222-5333-8444-555555555555';

function record(overrides: Partial<AccessLogRecord> = {}): AccessLogRecord {
  return {
    remoteAddress: '192.0.2.1',
    time: Date.UTC(2015, 4, 17, 10, 5, 3),
    method: 'GET',
    path: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
    protocol: 'HTTP/1.1',
    status: 200,
    bytes: 203023,
    referrer: '-',
    userAgent: 'Mozilla/5.0',
    ...overrides,
  };
}

function mapRecord(overrides: Partial<AccessLogRecord> = {}, mapper = new DownloadEventMapper()): MapResult {
  return mapper.map(record(overrides), () => EVENT_ID);
}

function mapEvent(overrides: Partial<AccessLogRecord> = {}, mapper = new DownloadEventMapper()): Record<string, any> {
  const result = mapRecord(overrides, mapper);
  if (!result.ok) throw new Error(`expected an event, got skip reason ${result.reason}`);
  return result.event;
}

function line(pathAndQuery: string, status = 200, bytes = '1000', address = '192.0.2.1', time = '17/May/2015:10:05:03 +0000'): string {
  return `${address} - - [${time}] "GET ${pathAndQuery} HTTP/1.1" ${status} ${bytes} "-" "Mozilla/5.0"`;
}

function eventOf(outcome: LineOutcome): Record<string, any> {
  if (outcome.kind !== 'photo' && outcome.kind !== 'video') throw new Error(`expected an event, got ${JSON.stringify(outcome)}`);
  return outcome.event;
}

describe('DownloadEventMapper', () => {
  it('maps a 200 photo to a completed event', () => {
    const event = mapEvent();

    expect(event).toEqual({
      event_id: EVENT_ID,
      type: 'photo.downloaded',
      schema_version: 1,
      occurred_at: '2015-05-17T10:05:03.000Z',
      collection_id: 'presentations:logstash-monitorama-2013',
      client: { id: expect.stringMatching(/^c_[0-9a-f]{20}$/) },
      photo: {
        id: '/presentations/logstash-monitorama-2013/images/kibana-search.png',
        file_name: 'kibana-search.png',
        format: 'png',
        size_bytes: 203023,
      },
      status: 'completed',
      bytes_transferred: 203023,
      http_status: 200,
    });
    expect(validateEvent(event)).toMatchObject({ ok: true });
  });

  it('maps 206 to partial without size', () => {
    const event = mapEvent({ status: 206, bytes: 65536 });

    expect(event.status).toBe('partial');
    expect(event.bytes_transferred).toBe(65536);
    expect(event.photo).not.toHaveProperty('size_bytes');
  });

  it.each([400, 403, 404, 416, 500, 503])('maps %i to failed without size', (status) => {
    const event = mapEvent({ status, bytes: 512 });

    expect(event.status).toBe('failed');
    expect(event.bytes_transferred).toBe(512);
    expect(event.http_status).toBe(status);
    expect(event.photo).not.toHaveProperty('size_bytes');
  });

  it.each([100, 204, 301, 302, 304])('skips status %i as no_file_sent', (status) => {
    expect(mapRecord({ status })).toEqual({ ok: false, reason: 'no_file_sent' });
  });

  it.each(['HEAD', 'POST', 'PUT', 'get'])('skips method %s as not_get', (method) => {
    expect(mapRecord({ method })).toEqual({ ok: false, reason: 'not_get' });
  });

  it.each(['/favicon.ico', '/logo.svg', '/index.html', '/style.css', '/images/', '/download', '/archive.png.gz'])(
    'skips %s as not_media_file',
    (filePath) => {
      expect(mapRecord({ path: filePath })).toEqual({ ok: false, reason: 'not_media_file' });
    },
  );

  it('skips a path too long for a media id', () => {
    const longPath = `/${'a'.repeat(300)}.jpg`;

    expect(mapRecord({ path: longPath })).toEqual({ ok: false, reason: 'media_id_too_long' });
  });

  it('checks the method before the file type and status', () => {
    expect(mapRecord({ method: 'HEAD', path: '/index.html', status: 304 })).toEqual({ ok: false, reason: 'not_get' });
  });

  it('does not create an event id for skipped records', () => {
    const createEventId = jest.fn(() => EVENT_ID);

    new DownloadEventMapper().map(record({ status: 304 }), createEventId);

    expect(createEventId).not.toHaveBeenCalled();
  });

  it('normalizes jpg to jpeg and tif to tiff', () => {
    expect(mapEvent({ path: '/a/B.JPG' }).photo.format).toBe('jpeg');
    expect(mapEvent({ path: '/a/scan.tif' }).photo.format).toBe('tiff');
    expect(mapEvent({ path: '/a/raw.CR2' }).photo.format).toBe('cr2');
  });

  it('maps a video to a single-step video.download', () => {
    const event = mapEvent({ path: '/weddings/2026/highlights.MP4', bytes: 5_000_000 });

    expect(event.type).toBe('video.download');
    expect(event.download_id).toBe(EVENT_ID);
    expect(event.video).toEqual({ id: '/weddings/2026/highlights.MP4', file_name: 'highlights.MP4', format: 'mp4', size_bytes: 5_000_000 });
    expect(event.status).toBe('completed');
    expect(event).not.toHaveProperty('duration_ms');
    expect(validateEvent(event)).toMatchObject({ ok: true });
  });

  it('uses configured extension lists', () => {
    const mapper = new DownloadEventMapper({ photoExtensions: ['.SVG'], videoExtensions: ['flv'] });

    expect(mapEvent({ path: '/a/logo.svg' }, mapper).photo.format).toBe('svg');
    expect(mapEvent({ path: '/a/clip.flv' }, mapper).type).toBe('video.download');
    expect(mapRecord({ path: '/a/photo.png' }, mapper)).toEqual({ ok: false, reason: 'not_media_file' });
  });

  it('rejects an extension that cannot be a format', () => {
    expect(() => new DownloadEventMapper({ photoExtensions: ['png', 'bad ext'] })).toThrow('invalid photoExtensions entry "bad ext"');
  });

  it('rejects an extension in both lists', () => {
    expect(() => new DownloadEventMapper({ videoExtensions: ['PNG'] })).toThrow('"png" is in both');
  });

  it('rejects a negative collection depth', () => {
    expect(() => new DownloadEventMapper({ collectionDepth: -1 })).toThrow('invalid collectionDepth -1');
  });

  it('percent-encodes spaces and non-ASCII in the media id', () => {
    const event = mapEvent({ path: '/Hochzeit%202026/K%C3%BCste/IMG%201.jpg' });

    expect(event.photo.id).toBe('/Hochzeit%202026/K%C3%BCste/IMG%201.jpg');
    expect(event.photo.file_name).toBe('IMG 1.jpg');
    expect(event.collection_id).toBe('Hochzeit-2026:K-ste');
    expect(validateEvent(event)).toMatchObject({ ok: true });
  });
});

describe('client id', () => {
  it('is stable for the same address and user agent', () => {
    const first = mapEvent().client.id;
    const second = new DownloadEventMapper().clientIdOf(record());

    expect(second).toBe(first);
  });

  it('differs by address, user agent and salt', () => {
    const base = mapEvent().client.id;

    expect(mapEvent({ remoteAddress: '192.0.2.2' }).client.id).not.toBe(base);
    expect(mapEvent({ userAgent: 'curl/8.0' }).client.id).not.toBe(base);
    expect(mapEvent({}, new DownloadEventMapper({ clientSalt: 'secret' })).client.id).not.toBe(base);
  });

  it('sends neither address nor user agent', () => {
    const event = mapEvent({ remoteAddress: '203.0.113.77', userAgent: 'UniqueAgent/1.0' });
    const json = JSON.stringify(event);

    expect(event.client).toEqual({ id: expect.stringMatching(/^c_[0-9a-f]{20}$/) });
    expect(json).not.toContain('203.0.113.77');
    expect(json).not.toContain('UniqueAgent');
  });
});

describe('collectionIdOf', () => {
  it.each([
    ['/presentations/logstash-monitorama-2013/images/kibana-search.png', 2, 'presentations:logstash-monitorama-2013'],
    ['/images/jordan-80.png', 2, 'images'],
    ['/favicon.png', 2, 'root'],
    ['/a/b/c/d.png', 1, 'a'],
    ['/a/b/c/d.png', 3, 'a:b:c'],
    ['/a/b/c/d.png', 0, 'root'],
    ['//a///b/c.png', 2, 'a:b'],
    ['/my%20photos/c.png', 2, 'my-photos'],
    ['/.well-known/c.png', 2, 'well-known'],
    ['/_/c.png', 2, 'root'],
    ['/bad%zzescape/c.png', 2, 'bad-zzescape'],
  ])('maps %s at depth %i to %s', (filePath, depth, expected) => {
    expect(collectionIdOf(filePath, depth)).toBe(expected);
  });

  it('cuts ids to 128 characters', () => {
    const id = collectionIdOf(`/${'x'.repeat(100)}/${'y'.repeat(100)}/c.png`, 2);

    expect(id).toHaveLength(128);
  });
});

describe('mediaIdOf', () => {
  it('keeps printable ASCII paths unchanged', () => {
    expect(mediaIdOf('/a/b-c_d~e.png')).toBe('/a/b-c_d~e.png');
  });

  it('returns null above 256 characters', () => {
    expect(mediaIdOf(`/${'a'.repeat(255)}`)).toBe(`/${'a'.repeat(255)}`);
    expect(mediaIdOf(`/${'a'.repeat(256)}`)).toBeNull();
  });
});

describe('AccessLogConverter', () => {
  const first = line('/images/a.png');

  it('derives the same event ids in every run', () => {
    const ids = [new AccessLogConverter(), new AccessLogConverter()].map((converter) => eventOf(converter.convert(first)).event_id);

    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[1]).toBe(ids[0]);
  });

  it('gives repeated identical lines distinct ids', () => {
    const converter = new AccessLogConverter();
    const ids = [first, first, first].map((text) => eventOf(converter.convert(text)).event_id);

    expect(new Set(ids).size).toBe(3);
  });

  it('keeps ids when lines are appended', () => {
    const original = [first, line('/images/b.png'), first];
    const longer = [...original, first, line('/images/c.png')];

    const originalConverter = new AccessLogConverter();
    const originalIds = original.map((text) => eventOf(originalConverter.convert(text)).event_id);
    const longerConverter = new AccessLogConverter();
    const longerIds = longer.map((text) => eventOf(longerConverter.convert(text)).event_id);

    expect(longerIds.slice(0, original.length)).toEqual(originalIds);
    expect(new Set(longerIds).size).toBe(longer.length);
  });

  it('numbers occurrences unaffected by skipped lines in between', () => {
    const withSkips = new AccessLogConverter();
    withSkips.convert(first);
    withSkips.convert(line('/index.html'));
    const secondWithSkips = eventOf(withSkips.convert(first)).event_id;

    const withoutSkips = new AccessLogConverter();
    withoutSkips.convert(first);
    const secondWithoutSkips = eventOf(withoutSkips.convert(first)).event_id;

    expect(secondWithSkips).toBe(secondWithoutSkips);
  });

  it('reports malformed lines with a reason', () => {
    const outcome = new AccessLogConverter().convert('not a log line');

    expect(outcome).toEqual({ kind: 'malformed', reason: expect.stringContaining('Combined Log Format') });
  });
});

describe('sample access log', () => {
  async function convertSample(): Promise<LineOutcome[]> {
    const converter = new AccessLogConverter();
    const outcomes: LineOutcome[] = [];
    for await (const sourceLine of readLines(createReadStream(SAMPLE_LOG))) {
      outcomes.push(converter.convert(sourceLine.text));
    }
    return outcomes;
  }

  it('yields only valid events with unique ids', async () => {
    const outcomes = await convertSample();
    const events = outcomes.flatMap((outcome) => (outcome.kind === 'photo' || outcome.kind === 'video' ? [outcome.event] : []));
    const invalid = outcomes.filter((outcome) => outcome.kind === 'invalid');

    expect(outcomes).toHaveLength(8000);
    expect(invalid).toEqual([]);
    expect(events.length).toBeGreaterThan(1000);
    for (const event of events) {
      const result = validateEvent(event);
      if (!result.ok) throw new Error(`event ${JSON.stringify(event)} is invalid: ${JSON.stringify(result.errors)}`);
    }
    expect(new Set(events.map((event) => event.event_id)).size).toBe(events.length);
  });

  it('agrees with the oracle per collection', async () => {
    const outcomes = await convertSample();
    const actual = new Map<string, { downloads: number; bytes: number; completed: number; partial: number; failed: number }>();
    for (const outcome of outcomes) {
      if (outcome.kind !== 'photo') continue;
      const event = outcome.event as PhotoDownloadedEvent;
      const entry = actual.get(event.collection_id) ?? { downloads: 0, bytes: 0, completed: 0, partial: 0, failed: 0 };
      entry.downloads += 1;
      entry.bytes += event.bytes_transferred;
      entry[event.status] += 1;
      actual.set(event.collection_id, entry);
    }

    const expected = computePhotoDownloadsByCollection(SAMPLE_LOG);

    expect(expected.size).toBeGreaterThan(1);
    expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
  });
});
