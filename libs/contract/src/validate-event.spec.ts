import 'reflect-metadata';
import { EVENT_TYPES, EventType } from './event-type';
import { EVENT_EXAMPLES } from './examples';
import { validateEvent } from './validate-event';

function example(type: EventType): Record<string, any> {
  return structuredClone(EVENT_EXAMPLES[type]);
}

describe('validateEvent', () => {
  it.each(EVENT_TYPES)('accepts the %s example', (type) => {
    const result = validateEvent(example(type));
    expect(result).toEqual({ ok: true, event: expect.objectContaining({ type }) });
  });

  it('names the path of every bad field', () => {
    const event = example(EventType.PhotoDownloaded);
    event.occurred_at = '2026-02-30T00:00:00Z';
    event.client.email = 'not-an-email';
    event.photo.format = 'JPEG';
    const result = validateEvent(event, 'events[3]');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field).sort()).toEqual([
      'events[3].client.email',
      'events[3].occurred_at',
      'events[3].photo.format',
    ]);
    expect(result.errors.find((error) => error.field === 'events[3].occurred_at')?.value).toBe('2026-02-30T00:00:00Z');
  });

  it('rejects unknown fields at every level', () => {
    const event = example(EventType.FavoriteAdded);
    event.extra = 1;
    event.media.extra = 2;
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field).sort()).toEqual(['extra', 'media.extra']);
  });

  it('rejects an unknown type with the list of types', () => {
    const result = validateEvent({ ...example(EventType.PhotoStarred), type: 'photo.liked' });
    expect(result).toEqual({
      ok: false,
      errors: [{ field: 'type', message: expect.stringContaining('photo.downloaded'), value: 'photo.liked' }],
    });
  });

  it('rejects arrays where objects belong', () => {
    const event = example(EventType.PhotoDownloaded);
    event.client = [event.client];
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toEqual(expect.objectContaining({ field: 'client', message: 'client must be an object' }));
  });

  it('rejects a missing nested object', () => {
    const event = example(EventType.VideoDownload);
    delete event.video;
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field)).toContain('video');
  });

  it.each([
    ['status', 'done'],
    ['bytes_transferred', -1],
    ['bytes_transferred', 1.5],
    ['bytes_transferred', '100'],
    ['schema_version', 2],
    ['event_id', 'not-a-uuid'],
    ['collection_id', 'has space'],
    ['collection_id', '-leading-dash'],
    ['collection_id', 'x'.repeat(129)],
  ])('rejects %s = %j', (field, value) => {
    const event = example(EventType.PhotoDownloaded);
    event[field] = value;
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field)).toContain(field);
  });

  it('rejects a share link with unknown permissions and a non-http URL', () => {
    const event = example(EventType.ShareLinkCreated);
    event.share_link.permissions = ['view', 'delete'];
    event.share_link.url = 'javascript:alert(1)';
    const result = validateEvent(event);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((error) => error.field).sort()).toEqual(['share_link.permissions', 'share_link.url']);
  });

  it('rejects a body that is not an object', () => {
    expect(validateEvent('text', 'events[0]')).toEqual({
      ok: false,
      errors: [{ field: 'events[0]', message: 'must be a JSON object', value: 'text' }],
    });
  });
});
