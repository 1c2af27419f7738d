/**
 * The one error family of passport-exbo and passport-soa2.
 *
 * A user reading a log must be able to tell which of these happened without reading our source:
 * the provider could not be reached, it timed out, it answered garbage, it rejected our client
 * credentials, it rejected the code, the user denied access. `code` is stable (switch on it);
 * `message` is for people and never contains a secret or a token.
 */

import { redactCause, redactSecrets } from './redact.js';

/** Stable codes: part of the public API. */
export type OAuthErrorCode =
  /**
   * DNS failure, connection refused or reset, TLS failure: the request never got an answer, or the
   * answer was broken off mid-body (`upstreamStatus` is then set).
   */
  | 'PROVIDER_UNREACHABLE'
  /**
   * The outbound proxy asked for credentials (HTTP 407, or 401 to `CONNECT`): the `proxy` URL (or `HTTPS_PROXY`) has no
   * user and password, or wrong ones. A configuration problem: retrying cannot help.
   */
  | 'PROXY_AUTH_REQUIRED'
  /** No complete answer within the configured `timeout`. */
  | 'PROVIDER_TIMEOUT'
  /** An answer we cannot use: not JSON, a redirect, an HTML error page, a required field missing. */
  | 'PROVIDER_BAD_RESPONSE'
  /** The provider failed on its side (5xx) or answered with a status its protocol does not use. */
  | 'PROVIDER_ERROR'
  /** The provider rejected our client id or secret (EXBO `invalid_client`, SOA2 401). */
  | 'CLIENT_REJECTED'
  /** The authorization code is unknown, already used, expired or not ours: the user must log in again. */
  | 'CODE_REJECTED'
  /** The refresh token is unknown, revoked or superseded: the user must log in again. */
  | 'REFRESH_REJECTED'
  /** The refresh token has expired (SOA2 410): the user must log in again. */
  | 'REFRESH_EXPIRED'
  /** The provider rejected an access token (401 from the profile endpoint or an API). */
  | 'TOKEN_REJECTED'
  /** The scopes we sent are not the ones the user approved (SOA2 417). */
  | 'SCOPE_MISMATCH'
  /** The provider called our request malformed (400/415): a bug on our side, please report it. */
  | 'REQUEST_REJECTED'
  /** Too many requests; `retryAfter` says when to try again when the provider told us. */
  | 'RATE_LIMITED'
  /**
   * A provider API (EXBO's game API) refused the request for a reason of its own: unknown
   * character or clan (404), not allowed (403), bad parameters (400). `upstreamStatus` and
   * `providerDescription` say which.
   */
  | 'API_REJECTED'
  /** The provider redirected back with an `error` other than the user denying access. */
  | 'AUTHORIZATION_ERROR'
  /** The login state cannot be kept: there is no session middleware in front of Passport. */
  | 'SESSION_REQUIRED'
  /**
   * The login state cookie (`state: { cookie }`) cannot be set: the framework gives strategies no
   * response (`req.res`), or the response was already sent.
   */
  | 'RESPONSE_REQUIRED'
  /**
   * An account API call (SOA2's application registration) needs a provider login that is missing
   * or has ended (SOA2 401): log in again.
   */
  | 'NOT_LOGGED_IN'
  /**
   * The provider could not verify an account login (SOA2 403 after the profile comment): the
   * comment was not found, or the login's CSRF token was wrong or older than 30 minutes.
   */
  | 'LOGIN_NOT_VERIFIED'
  /**
   * The thing asked for does not exist for this account (SOA2 404): an application that is not
   * yours or no longer exists, or an unknown Scratch user.
   */
  | 'NOT_FOUND';

/** The HTTP status our app should answer with, per code (never the provider's status). */
const APP_STATUS: Record<OAuthErrorCode, number> = {
  PROVIDER_UNREACHABLE: 502,
  PROXY_AUTH_REQUIRED: 500,
  PROVIDER_TIMEOUT: 504,
  PROVIDER_BAD_RESPONSE: 502,
  PROVIDER_ERROR: 502,
  CLIENT_REJECTED: 500,
  CODE_REJECTED: 400,
  REFRESH_REJECTED: 401,
  REFRESH_EXPIRED: 401,
  TOKEN_REJECTED: 401,
  SCOPE_MISMATCH: 500,
  REQUEST_REJECTED: 500,
  RATE_LIMITED: 503,
  API_REJECTED: 502,
  AUTHORIZATION_ERROR: 502,
  SESSION_REQUIRED: 500,
  RESPONSE_REQUIRED: 500,
  NOT_LOGGED_IN: 401,
  LOGIN_NOT_VERIFIED: 403,
  NOT_FOUND: 404,
};

/**
 * Marks every OAuthError, whichever copy of this code created it. There are several in one app:
 * each published bundle (passport-exbo, passport-exbo/game-api, passport-soa2, …) compiles core in
 * (scripts/bundle-entries.mjs), and an app may install two versions. Each copy has its own
 * `OAuthError` class; `Symbol.for` is one symbol per process, so the brand is shared.
 */
const OAUTH_ERROR_BRAND = Symbol.for('@exbo-soa2/core.OAuthError');

/** What an {@link OAuthError} records besides its code and message; only `provider` is required. */
export interface OAuthErrorDetails {
  /** Which provider the error concerns, e.g. `'exbo'` or `'soa2'`. */
  provider: string;
  /** The provider's HTTP status, when it answered. */
  upstreamStatus?: number;
  /** The provider's `error` field (EXBO/OAuth 2.0 style). */
  providerError?: string;
  /** The provider's `error_description` (EXBO) or `message`. */
  providerDescription?: string;
  /** SOA2's `httpReason`. */
  providerReason?: string;
  /** The first characters of an unexpected body, with tokens and secrets removed. */
  bodyExcerpt?: string;
  /** Seconds to wait before retrying (rate limits). */
  retryAfter?: number;
  /** The underlying error (network failures, aborted requests). */
  cause?: unknown;
  /**
   * Values that must appear nowhere in the error: removed from the message, every detail above
   * and the cause, then forgotten (never stored). Give `answerSecrets(body, sent)` (redact.ts):
   * what we sent and every token the provider's answer holds.
   */
  redact?: readonly (string | undefined)[];
}

/**
 * An error of either strategy, its clients or the core transport. Switch on `code`; `status` is
 * the HTTP status our app should answer (never the provider's, which is in `upstreamStatus`), and
 * the other fields carry what the provider said. Fields that were not given are absent, not
 * `undefined`, so logged errors stay short.
 */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  readonly code: OAuthErrorCode;
  /** The status our app should answer with (passport and Express read `status`). */
  readonly status: number;
  readonly provider: string;
  declare readonly upstreamStatus?: number;
  declare readonly providerError?: string;
  declare readonly providerDescription?: string;
  declare readonly providerReason?: string;
  declare readonly bodyExcerpt?: string;
  declare readonly retryAfter?: number;

  /**
   * `err instanceof OAuthError` is true for an OAuthError of any copy (the brand above), so an
   * error from `passport-exbo/game-api` is an instance of the `OAuthError` of `passport-exbo`.
   * A subclass keeps the ordinary prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class `instanceof` was asked about: OAuthError itself, or a subclass.
    // biome-ignore lint/complexity/noThisInStatic: a subclass must not get the brand check
    if (this !== OAuthError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isOAuthError(value);
  }

  constructor(code: OAuthErrorCode, message: string, details: OAuthErrorDetails) {
    const hidden = details.redact ?? [];
    const clean = (text: string) => redactSecrets(text, hidden);
    // Redacted before super(): the stack captured there repeats the message.
    super(
      clean(message),
      details.cause === undefined ? undefined : { cause: redactCause(details.cause, hidden) },
    );
    this.code = code;
    this.status = APP_STATUS[code];
    this.provider = details.provider;
    Object.defineProperty(this, OAUTH_ERROR_BRAND, { value: true });
    // Only the fields that are set, so logged errors stay short (hence `declare` above: a class
    // field would exist as `undefined` on every instance).
    if (details.upstreamStatus !== undefined) this.upstreamStatus = details.upstreamStatus;
    if (details.providerError !== undefined) this.providerError = clean(details.providerError);
    if (details.providerDescription !== undefined) {
      this.providerDescription = clean(details.providerDescription);
    }
    if (details.providerReason !== undefined) this.providerReason = clean(details.providerReason);
    if (details.bodyExcerpt !== undefined) this.bodyExcerpt = clean(details.bodyExcerpt);
    if (details.retryAfter !== undefined) this.retryAfter = details.retryAfter;
  }
}

/**
 * Whether `value` is an {@link OAuthError} (a type guard for `catch` blocks and error handlers),
 * also one created by another loaded copy of this package (a brand, not `instanceof`).
 */
export function isOAuthError(value: unknown): value is OAuthError {
  return (
    value instanceof Error &&
    (value as unknown as Record<symbol, unknown>)[OAUTH_ERROR_BRAND] === true
  );
}
