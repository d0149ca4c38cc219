import { medianPairIndex, pairRatio } from './repetitions';

const pair = (insertRowsPerSecond: number, endToEndEventsPerSecond: number) => ({ insertRowsPerSecond, endToEndEventsPerSecond });

describe('pairRatio', () => {
  it('divides end-to-end by its baseline', () => {
    expect(pairRatio(pair(69_390, 26_132))).toBe(0.38);
  });

  it('rejects a non-positive baseline', () => {
    expect(() => pairRatio(pair(0, 100))).toThrow('insert baseline must be a positive rate, got 0');
    expect(() => pairRatio(pair(Number.NaN, 100))).toThrow('got NaN');
  });
});

describe('medianPairIndex', () => {
  it('picks the middle ratio', () => {
    // Ratios 0.30, 0.50 and 0.40: the median is the third pair.
    const pairs = [pair(80_000, 24_000), pair(50_000, 25_000), pair(60_000, 24_000)];
    expect(medianPairIndex(pairs)).toBe(2);
  });

  it('takes the lower middle pair', () => {
    // Ratios 0.20, 0.60, 0.40 and 0.50: the middle two are 0.40 and 0.50.
    const pairs = [pair(100, 20), pair(100, 60), pair(100, 40), pair(100, 50)];
    expect(medianPairIndex(pairs)).toBe(2);
  });

  it('orders equal ratios by run order', () => {
    expect(medianPairIndex([pair(100, 40), pair(200, 80), pair(100, 90)])).toBe(1);
    expect(medianPairIndex([pair(100, 40), pair(200, 80)])).toBe(0);
  });

  it('returns a single pair', () => {
    expect(medianPairIndex([pair(100, 30)])).toBe(0);
  });

  it('rejects an empty list', () => {
    expect(() => medianPairIndex([])).toThrow('no paired runs');
  });
});
