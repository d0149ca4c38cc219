import { TokenBucketLimiter } from './rate-limit';

describe('TokenBucketLimiter', () => {
  it('allows a burst, then asks to wait', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter({ perSecond: 2, burst: 3 }, () => now);
    expect([1, 2, 3].map(() => limiter.take('k').allowed)).toEqual([true, true, true]);
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });

    now = 500;
    expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });

  it('keeps a bucket per key', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1 }, () => 0);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
    expect(limiter.take('b').allowed).toBe(true);
  });

  it('rounds the wait up to whole seconds', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 1, burst: 1 }, () => 0);
    limiter.take('k');
    expect(limiter.take('k')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    const slow = new TokenBucketLimiter({ perSecond: 0.2, burst: 1 }, () => 0);
    slow.take('k');
    expect(slow.take('k')).toEqual({ allowed: false, retryAfterSeconds: 5 });
  });

  it('never limits when the rate is 0', () => {
    const limiter = new TokenBucketLimiter({ perSecond: 0, burst: 1 }, () => 0);
    expect(Array.from({ length: 100 }, () => limiter.take('k').allowed).every(Boolean)).toBe(true);
  });
});
