/**
 * The building blocks both packages use to map a provider's error answer to an {@link OAuthError}
 * (each package's own status → code table is its `errors.ts`): reading a text field of an error
 * body, and the one `RATE_LIMITED` error.
 */
import { OAuthError } from './errors.js';

/** A non-empty string field of an error body (`httpReason`, `error_description`, `hint`, …). */
export function answerText(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** What a 429 said, for {@link rateLimitedError}. */
export interface RateLimitAnswer {
  /** `'exbo'` or `'soa2'`: the error's `provider`. */
  provider: string;
  /** The provider's name in messages (`EXBO`, `SOA2`). */
  providerLabel: string;
  /** The answer's HTTP status (429, or what a proxy in front used). */
  status: number;
  /** What the request is called in messages (`the token refresh`). */
  purpose: string;
  /** Seconds until a retry may succeed, when the answer said. */
  retryAfter?: number | undefined;
  /**
   * What the answer said about when, for the message (EXBO: the bucket's refill time). Without it
   * the message says `retry in <retryAfter> s` when `retryAfter` is known.
   */
  when?: string | undefined;
}

/**
 * The `RATE_LIMITED` error of both packages: `<provider> rate-limited <purpose>: <when>`, with
 * `retryAfter` (seconds) when the provider said when to retry.
 */
export function rateLimitedError(answer: RateLimitAnswer): OAuthError {
  const { retryAfter } = answer;
  const when = answer.when ?? (retryAfter === undefined ? undefined : `retry in ${retryAfter} s`);
  return new OAuthError(
    'RATE_LIMITED',
    `${answer.providerLabel} rate-limited ${answer.purpose}${when ? `: ${when}` : ''}`,
    {
      provider: answer.provider,
      upstreamStatus: answer.status,
      ...(retryAfter !== undefined && { retryAfter }),
    },
  );
}
