/**
 * Every SOA2 answer that is not the one asked for, mapped to the shared error family: the token and
 * profile endpoints (docs/protocols/soa2.md, "Error bodies") and the login and application
 * registration endpoints ("Login by profile comment", "Application registration"), in one file,
 * so the code any answer ends in is found here.
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
  type Transport,
} from '@exbo-soa2/core';
import { scratchProfileURL } from './username.js';

/** The requests of the login (client.ts). */
export type Soa2Request = 'exchange' | 'refresh' | 'profile';

/** The requests of the account tools (account-client.ts). */
export type Soa2AccountRequest =
  | 'startLogin'
  | 'finishLogin'
  | 'listApplications'
  | 'getApplication'
  | 'createApplication'
  | 'updateApplication'
  | 'deleteApplication';

/** What each request is called in messages. */
export const PURPOSE: Record<Soa2Request | Soa2AccountRequest, string> = {
  exchange: 'the authorization code exchange (POST /tokens)',
  refresh: 'the token refresh (PATCH /tokens)',
  profile: 'the profile request (GET /user)',
  startLogin: 'the login start (PUT /login/{username})',
  finishLogin: 'the login check (POST /login/{username})',
  listApplications: 'the application list (GET /applications)',
  getApplication: 'the application request (GET /applications/{client_id})',
  createApplication: 'the application registration (PUT /applications)',
  updateApplication: 'the application update (PATCH /applications/{client_id})',
  deleteApplication: 'the application deletion (DELETE /applications/{client_id})',
};

/** SOA2 accepts a login's CSRF token for 30 minutes after the login start. */
export const LOGIN_CSRF_LIFETIME_MS = 30 * 60 * 1000;

/** What a message may mention about the failed request. */
export interface AccountErrorContext {
  username?: string | undefined;
  clientID?: number | undefined;
  /** Milliseconds since the login started (finishLogin). */
  loginAgeMs?: number | undefined;
  /** The keys of the JSON body sent (create, update), to say what SOA2 refused. */
  sentKeys?: readonly string[] | undefined;
}

/** What to tell the user for one status: fixed text, or text from what the request was about. */
type Advice = string | ((context: AccountErrorContext) => string);

const REQUEST_BUG =
  'This is a bug in passport-soa2 (or an option it was given): please report it with this message.';

const CHECKED_LOCALLY =
  'passport-soa2 checks this before sending, so SOA2 has changed or passport-soa2 has a bug: please report it with this message.';

const NOT_LOGGED_IN: [OAuthErrorCode, Advice] = [
  'NOT_LOGGED_IN',
  () =>
    'SOA2 says you are not logged in: the login session is missing or has ended on its side. Log in again (`soa2 login <username>`, or startLogin then finishLogin).',
];

const UNSUPPORTED_TYPE: [OAuthErrorCode, Advice] = [
  'REQUEST_REJECTED',
  () => `SOA2 refused the request's content type. ${CHECKED_LOCALLY}`,
];

const NOT_YOURS: [OAuthErrorCode, Advice] = [
  'NOT_FOUND',
  ({ clientID }) =>
    `You have no application ${clientID ?? ''} on SOA2: it does not exist, was deleted, or belongs to another Scratch account (check the client id, and who you are logged in as).`,
];

const BAD_CLIENT_ID: [OAuthErrorCode, Advice] = [
  'REQUEST_REJECTED',
  ({ clientID }) => `SOA2 refused the client id ${clientID ?? ''} in the URL. ${CHECKED_LOCALLY}`,
];

function sent(keys: readonly string[] | undefined): string {
  return keys && keys.length > 0 ? ` (sent: ${keys.join(', ')})` : '';
}

function notVerified({ username = '', loginAgeMs }: AccountErrorContext): string {
  if (loginAgeMs !== undefined && loginAgeMs > LOGIN_CSRF_LIFETIME_MS) {
    const minutes = Math.floor(loginAgeMs / 60_000);
    return `SOA2 refused the login of ${username}: it was started ${minutes} minutes ago, and SOA2 accepts it for 30 minutes only. Start the login again (with the same session the text to post stays the same).`;
  }
  return `SOA2 did not find the login text on ${username}'s Scratch profile: post the whole text, exactly as given, as a comment on ${scratchProfileURL(username)} while signed in to Scratch as ${username}, then check again. (SOA2 answers the same when the login's session cookie was lost or its CSRF token is wrong: then start the login again.)`;
}

function noSuchUser({ username }: AccountErrorContext): string {
  return `Scratch has no user named ${JSON.stringify(username)}: check the spelling.`;
}

/** The documented error statuses of one request: code and what the user or developer should do. */
type StatusTable = Partial<Record<number, [OAuthErrorCode, Advice]>>;

/**
 * The login's requests. Apart from the account requests' table below, so that the root bundle,
 * which never sends those, does not carry their table (esbuild drops what is not used).
 */
const LOGIN_STATUSES: Record<Soa2Request, StatusTable> = {
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

/** The account tools' requests (account-client.ts). */
const ACCOUNT_STATUSES: Record<Soa2AccountRequest, StatusTable> = {
  startLogin: {
    400: [
      'REQUEST_REJECTED',
      ({ username }) =>
        `SOA2 refused ${JSON.stringify(username)} as a username. ${CHECKED_LOCALLY}`,
    ],
    // Documented for an unknown Scratch user; the current server answers 200 with
    // `"username": null` instead (account-client.ts handles that one).
    404: ['NOT_FOUND', noSuchUser],
    415: UNSUPPORTED_TYPE,
  },
  finishLogin: {
    400: [
      'REQUEST_REJECTED',
      () =>
        `SOA2 called the login check malformed (it wants {"csrf": <the token from the login start>}). ${CHECKED_LOCALLY}`,
    ],
    403: ['LOGIN_NOT_VERIFIED', notVerified],
    415: UNSUPPORTED_TYPE,
  },
  listApplications: { 401: NOT_LOGGED_IN },
  getApplication: { 400: BAD_CLIENT_ID, 401: NOT_LOGGED_IN, 404: NOT_YOURS },
  createApplication: {
    400: [
      'REQUEST_REJECTED',
      ({ sentKeys }) =>
        `SOA2 called the new application malformed${sent(sentKeys)}: it wants both app_name (a string or null) and redirect_uris (an array of strings, or null). ${CHECKED_LOCALLY}`,
    ],
    401: NOT_LOGGED_IN,
    415: UNSUPPORTED_TYPE,
  },
  updateApplication: {
    400: [
      'REQUEST_REJECTED',
      ({ sentKeys }) =>
        `SOA2 called the application update malformed${sent(sentKeys)}: it takes at least one of app_name (a string or null), redirect_uris (an array of strings, or null) and reset_secret (true or false), and never flags. ${CHECKED_LOCALLY}`,
    ],
    401: NOT_LOGGED_IN,
    404: NOT_YOURS,
    415: UNSUPPORTED_TYPE,
  },
  deleteApplication: { 400: BAD_CLIENT_ID, 401: NOT_LOGGED_IN, 404: NOT_YOURS },
};

/**
 * The error for an answer to a login request other than its success: `RATE_LIMITED` for a 429,
 * the documented statuses of its table, else an unexpected answer (`PROVIDER_ERROR` for a 5xx,
 * else `PROVIDER_BAD_RESPONSE`).
 */
export function soa2Error(
  transport: Transport,
  res: HttpResponse,
  request: Soa2Request,
  secrets: readonly (string | undefined)[],
): OAuthError {
  return statusError(transport, res, PURPOSE[request], LOGIN_STATUSES[request], secrets, {});
}

/** {@link soa2Error} for an account request; `context` is what its messages may mention. */
export function accountError(
  transport: Transport,
  res: HttpResponse,
  request: Soa2AccountRequest,
  secrets: readonly (string | undefined)[],
  context: AccountErrorContext = {},
): OAuthError {
  return statusError(transport, res, PURPOSE[request], ACCOUNT_STATUSES[request], secrets, context);
}

function statusError(
  transport: Transport,
  res: HttpResponse,
  purpose: string,
  statuses: StatusTable,
  secrets: readonly (string | undefined)[],
  context: AccountErrorContext,
): OAuthError {
  if (res.status === 429) return soa2RateLimited(res, purpose);
  const known = statuses[res.status];
  if (!known) return transport.unexpected(res, purpose, 'not an answer SOA2 documents', secrets);
  const [code, advice] = known;
  const text = typeof advice === 'string' ? advice : advice(context);
  return soa2AnswerError(res, code, text, purpose, secrets);
}

/**
 * The login start's answer for a user Scratch does not know: documented as a 404, the current
 * server answers 200 with `"username": null` (account-client.ts reads it).
 */
export function unknownUserError(
  res: HttpResponse,
  username: string,
  secrets: readonly (string | undefined)[],
): OAuthError {
  return soa2AnswerError(res, 'NOT_FOUND', noSuchUser({ username }), PURPOSE.startLogin, secrets);
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
 * for the log.
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
