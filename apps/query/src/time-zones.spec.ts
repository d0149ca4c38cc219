import { bucketStart, fromLocal, nextBucketStart, offsetMs } from './time-zones';

const iso = (ms: number) => new Date(ms).toISOString();

describe('time zones', () => {
  it('gives Berlin a 23-hour day when clocks go forward', () => {
    const start = bucketStart(Date.parse('2026-03-29T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(iso(start)).toBe('2026-03-28T23:00:00.000Z');
    expect(iso(nextBucketStart(start, 'day', 'Europe/Berlin'))).toBe('2026-03-29T22:00:00.000Z');
  });

  it('gives Berlin a 25-hour day when clocks go back', () => {
    const start = bucketStart(Date.parse('2026-10-25T12:00:00Z'), 'day', 'Europe/Berlin');
    expect(nextBucketStart(start, 'day', 'Europe/Berlin') - start).toBe(25 * 3_600_000);
  });

  it('starts hours on the half hour in India', () => {
    expect(iso(bucketStart(Date.parse('2026-03-29T12:40:00Z'), 'hour', 'Asia/Kolkata'))).toBe('2026-03-29T12:30:00.000Z');
  });

  it('starts weeks on Monday and months on the first', () => {
    expect(iso(bucketStart(Date.parse('2026-03-29T12:00:00Z'), 'week', 'Europe/Berlin'))).toBe('2026-03-22T23:00:00.000Z');
    expect(iso(bucketStart(Date.parse('2026-03-29T12:00:00Z'), 'month', 'Europe/Berlin'))).toBe('2026-02-28T23:00:00.000Z');
    expect(iso(nextBucketStart(Date.parse('2026-02-28T23:00:00Z'), 'month', 'Europe/Berlin'))).toBe('2026-03-31T22:00:00.000Z');
  });

  it('resolves a repeated local time to its first occurrence', () => {
    expect(iso(fromLocal(2026, 10, 25, 2, 'Europe/Berlin'))).toBe('2026-10-25T00:00:00.000Z');
  });

  it('measures offsets east of Greenwich as positive', () => {
    expect(offsetMs(Date.parse('2026-07-01T00:00:00Z'), 'Europe/Berlin')).toBe(2 * 3_600_000);
    expect(offsetMs(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * 3_600_000);
  });
});
