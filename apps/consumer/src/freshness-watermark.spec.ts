import { computeWatermark } from './freshness-watermark';

describe('computeWatermark', () => {
  const margin = 2_000;

  it('uses the check time when caught up', () => {
    expect(computeWatermark({ committedOffset: 10, highWatermark: 10, checkedAtMs: 50_000 }, margin)).toBe(48_000);
  });

  it('treats an empty partition as caught up', () => {
    expect(computeWatermark({ committedOffset: 0, highWatermark: 0, checkedAtMs: 50_000 }, margin)).toBe(48_000);
  });

  it('stays below the last stored message when behind', () => {
    expect(computeWatermark({ committedOffset: 5, highWatermark: 10, checkedAtMs: 50_000, lastStoredTimestampMs: 40_000 }, margin)).toBe(37_999);
  });

  it('returns undefined when behind with nothing stored', () => {
    expect(computeWatermark({ committedOffset: 5, highWatermark: 10, checkedAtMs: 50_000 }, margin)).toBeUndefined();
  });
});
