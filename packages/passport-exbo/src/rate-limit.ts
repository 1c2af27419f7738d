/**
 * The game API's rate limit, surfaced: a token bucket per credential, refilled each minute (about
 * 400 points for an app, 50 for a user token), reported on every answer as `X-RateLimit-Limit`,
 * `X-RateLimit-Remaining` and `X-RateLimit-Reset` — the reset in Unix **milliseconds** (docs/protocols/exbo.md,
 * "Rate limits"). A 429 becomes an `OAuthError` `RATE_LIMITED` (errors.ts) whose `retryAfter`
 * (seconds) comes from that reset.
 */

/** The game API's rate-limit bucket after a request, from its `X-RateLimit-*` headers. */
export interface ExboRateLimit {
  /** Points in a full bucket. */
  limit: number;
  /** Points left until the refill. */
  remaining: number;
  /** When the bucket is refilled. */
  resetAt: Date;
}

function header(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : undefined;
}

/**
 * Below this a reset value cannot be milliseconds (it would be 1973): treat it as seconds, in case
 * a proxy or an older deployment sends the usual Unix seconds.
 */
const SECONDS_CUTOFF = 1e11;

/** The `X-RateLimit-*` headers of an answer, or `undefined` when it has none (e.g. `/regions`). */
export function parseRateLimit(headers: Headers): ExboRateLimit | undefined {
  const limit = header(headers, 'x-ratelimit-limit');
  const remaining = header(headers, 'x-ratelimit-remaining');
  const reset = header(headers, 'x-ratelimit-reset');
  if (limit === undefined || remaining === undefined || reset === undefined) return undefined;
  return {
    limit,
    remaining,
    resetAt: new Date(reset < SECONDS_CUTOFF ? reset * 1000 : reset),
  };
}
