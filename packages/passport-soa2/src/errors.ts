/**
 * SOA2's error statuses, per request, mapped to the shared error family (docs/protocols/soa2.md, "Error bodies").
 *
 * SOA2 says what went wrong only through the HTTP status: its own error bodies are
 * `{"httpCode": 404, "httpReason": "Not Found"}`, with no OAuth `error` field. So the status decides
 * the code and the message, and `httpReason` (or MediaWiki's `message`) is kept for the log.
 */
import {
  answerSecrets,
  answerText,
  bodyExcerpt,
  type HttpResponse,
  OAuthError,
  type OAuthErrorCode,
  rateLimitedError,
  retryAfterSeconds,
} from '@exbo-soa2/core';

export type Soa2Request = 'exchange' | 'refresh' | 'profile';

/** What each request is called in messages. */
export const PURPOSE: Record<Soa2Request, string> = {
  exchange: 'the authorization code exchange (POST /tokens)',
  refresh: 'the token refresh (PATCH /tokens)',
  profile: 'the profile request (GET /user)',
};

const REQUEST_BUG =
  'This is a bug in passport-soa2 (or an option it was given): please report it with this message.';

/** The documented error statuses of each request: code and what the user or developer should do. */
const KNOWN: Record<Soa2Request, Partial<Record<number, [OAuthErrorCode, string]>>> = {
  exchange: {
    400: ['REQUEST_REJECTED', `SOA2 called the code exchange malformed. ${REQUEST_BUG}`],
    401: [
      'CLIENT_REJECTED',
      'SOA2 rejected the client credentials: check clientID and clientSecret against your application on the SOA2 applications page (resetting the secret there invalidates the old one).',
    ],
    404: [
      'CODE_REJECTED',
      'SOA2 does not know this authorization code: it is unknown, already used, cancelled or older than an hour. Start the login again.',
    ],
    415: ['REQUEST_REJECTED', `SOA2 refused the code exchange's content type. ${REQUEST_BUG}`],
    417: [
      'SCOPE_MISMATCH',
      'SOA2 says the scopes sent with the code exchange are not the ones the user approved: the scopes option must match what the login asked for (["identify"]).',
    ],
  },
  refresh: {
    400: ['REQUEST_REJECTED', `SOA2 called the token refresh malformed. ${REQUEST_BUG}`],
    401: [
      'CLIENT_REJECTED',
      'SOA2 rejected the client credentials: check clientID and clientSecret against your application on the SOA2 applications page.',
    ],
    404: [
      'REFRESH_REJECTED',
      'SOA2 does not know this refresh token: it was replaced by a newer login of the same user (SOA2 keeps one set of tokens per user and app) or belongs to another client. The user must log in again.',
    ],
    410: [
      'REFRESH_EXPIRED',
      'SOA2 says the refresh token has expired (refresh tokens last 365 days and are never extended): the user must log in again.',
    ],
    415: ['REQUEST_REJECTED', `SOA2 refused the token refresh's content type. ${REQUEST_BUG}`],
  },
  profile: {
    400: ['REQUEST_REJECTED', `SOA2 called the profile request malformed. ${REQUEST_BUG}`],
    401: [
      'TOKEN_REJECTED',
      'SOA2 rejected the access token: it is invalid, expired (access tokens last 24 hours) or was replaced by a newer login or refresh.',
    ],
    403: [
      'SCOPE_MISMATCH',
      'SOA2 refused the profile request: the access token lacks the identify scope.',
    ],
    404: ['PROVIDER_ERROR', 'SOA2 has no user record for this access token.'],
  },
};

/**
 * The error for a documented error status of `request`, or `undefined` when the status is not one
 * of them (the caller then reports it as an unexpected answer).
 */
export function soa2StatusError(
  res: HttpResponse,
  request: Soa2Request,
  secrets: readonly (string | undefined)[],
): OAuthError | undefined {
  if (res.status === 429) return soa2RateLimited(res, PURPOSE[request]);
  const known = KNOWN[request][res.status];
  if (!known) return undefined;
  const [code, advice] = known;
  return soa2AnswerError(res, code, advice, PURPOSE[request], secrets);
}

/**
 * A 429 from any SOA2 endpoint (MediaWiki or a proxy in front of it throttling): `RATE_LIMITED`,
 * as passport-exbo reports EXBO's, with `retryAfter` when the answer has a `Retry-After`.
 */
export function soa2RateLimited(res: HttpResponse, purpose: string): OAuthError {
  return rateLimitedError({
    provider: 'soa2',
    providerLabel: 'SOA2',
    status: res.status,
    purpose,
    retryAfter: retryAfterSeconds(res.headers),
  });
}

/**
 * An error for an SOA2 error answer to `purpose`: `advice` (what happened, what to do) followed by
 * what SOA2 said, with its `httpReason`, MediaWiki's `message` and a redacted body excerpt kept
 * for the log. Shared by every SOA2 request table (token requests here, account requests in
 * account-errors.ts).
 */
export function soa2AnswerError(
  res: HttpResponse,
  code: OAuthErrorCode,
  advice: string,
  purpose: string,
  secrets: readonly (string | undefined)[],
): OAuthError {
  const body =
    res.json !== null && typeof res.json === 'object' ? (res.json as Record<string, unknown>) : {};
  const reason = answerText(body.httpReason);
  // MediaWiki's own errors (415, route validation) explain themselves in `message`.
  const description = answerText(body.message);
  const said = reason ? `HTTP ${res.status} ${reason}` : `HTTP ${res.status}`;
  return new OAuthError(code, `${advice} [${purpose}: ${said}]`, {
    provider: 'soa2',
    upstreamStatus: res.status,
    ...(reason !== undefined && { providerReason: reason }),
    ...(description !== undefined && { providerDescription: description }),
    ...(res.text !== '' && { bodyExcerpt: bodyExcerpt(res.text, secrets) }),
    // What we sent and every token the answer holds, wherever the answer repeats them.
    redact: answerSecrets(res.text, secrets),
  });
}
