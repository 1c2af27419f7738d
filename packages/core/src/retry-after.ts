/**
 * `Retry-After` (RFC 9110 §10.2.3): how long a rate-limited client should wait, as delay-seconds
 * (`120`) or an HTTP date. Both strategies report it as `retryAfter` on `RATE_LIMITED` errors.
 */

/** Seconds to wait according to `Retry-After`, or `undefined` when it is absent or unreadable. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+$/.test(raw)) return Number(raw);
  // An HTTP date must name a weekday and a month: plain numbers and garbage are not dates.
  const at = /[A-Za-z]{3}/.test(raw) ? Date.parse(raw) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
