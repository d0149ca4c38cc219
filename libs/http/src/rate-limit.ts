import { RateLimitConfig } from '@gallery/config';

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Outcome of one {@link TokenBucketLimiter.take}: allowed, or the whole seconds to wait. */
export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Per-key token buckets held in the memory of one process. Each key gets `burst` tokens that refill
 * at `perSecond`, and every request takes one. With several instances of an app behind a load
 * balancer, each instance enforces the limit on its own, so a key may get up to N times the rate.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.config.perSecond > 0;
  }

  take(keyId: string): RateLimitDecision {
    if (!this.enabled) return { allowed: true };
    const nowMs = this.now();
    const bucket = this.buckets.get(keyId) ?? { tokens: this.config.burst, updatedMs: nowMs };
    const elapsedSeconds = Math.max(0, nowMs - bucket.updatedMs) / 1000;
    bucket.tokens = Math.min(this.config.burst, bucket.tokens + elapsedSeconds * this.config.perSecond);
    bucket.updatedMs = nowMs;
    this.buckets.set(keyId, bucket);

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.config.perSecond)) };
  }
}
