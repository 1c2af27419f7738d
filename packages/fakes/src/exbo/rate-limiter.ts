/**
 * The game API's rate limit: a bucket of points per credential (one per application, one per user
 * token owner), refilled in full at the end of each window. Every authenticated answer reports it
 * in `X-RateLimit-Limit` / `-Remaining` / `-Reset`, the reset in Unix milliseconds
 * (docs/protocols/exbo.md, "Rate limits").
 */

export interface BucketState {
  limit: number;
  remaining: number;
  /** Milliseconds since the epoch. */
  resetAt: number;
}

interface Bucket {
  remaining: number;
  resetAt: number;
}

export class RateLimiter {
  readonly #buckets = new Map<string, Bucket>();
  readonly #clock: () => number;
  readonly #windowMs: number;

  constructor(clock: () => number, windowSeconds: number) {
    this.#clock = clock;
    this.#windowMs = windowSeconds * 1000;
  }

  /** Spends `cost` points from `key`'s bucket when it has them; reports the bucket either way. */
  take(key: string, limit: number, cost: number): { allowed: boolean; state: BucketState } {
    const now = this.#clock();
    let bucket = this.#buckets.get(key);
    if (!bucket || now >= bucket.resetAt) {
      bucket = { remaining: limit, resetAt: now + this.#windowMs };
      this.#buckets.set(key, bucket);
    }
    const allowed = bucket.remaining >= cost;
    if (allowed) bucket.remaining -= cost;
    return { allowed, state: { limit, remaining: bucket.remaining, resetAt: bucket.resetAt } };
  }
}

export function rateLimitHeaders(state: BucketState): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': String(state.resetAt),
  };
}
