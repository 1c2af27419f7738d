/**
 * The documented error statuses of SOA2's login and application registration endpoints
 * (docs/protocols/soa2.md, "Login by profile comment" and "Application registration"), mapped to the shared error family with a message that says what to do. Like
 * the token endpoints, SOA2 says nothing but the status here, so the status and what we asked
 * decide the message; errors.ts builds the error itself.
 */
import type { HttpResponse, OAuthError, OAuthErrorCode } from '@exbo-soa2/core';
import { soa2AnswerError, soa2RateLimited } from './errors.js';
import { scratchProfileURL } from './username.js';

export type Soa2AccountRequest =
  | 'startLogin'
  | 'finishLogin'
  | 'listApplications'
  | 'getApplication'
  | 'createApplication'
  | 'updateApplication'
  | 'deleteApplication';

/** What each request is called in messages. */
export const ACCOUNT_PURPOSE: Record<Soa2AccountRequest, string> = {
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

type Advice = (context: AccountErrorContext) => string;

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

/** The documented error statuses of each request. */
const KNOWN: Record<Soa2AccountRequest, Partial<Record<number, [OAuthErrorCode, Advice]>>> = {
  startLogin: {
    400: [
      'REQUEST_REJECTED',
      ({ username }) =>
        `SOA2 refused ${JSON.stringify(username)} as a username. ${CHECKED_LOCALLY}`,
    ],
    // Documented for an unknown Scratch user; the current server answers 200 with
    // `"username": null` instead (account-client.ts handles that one).
    404: [
      'NOT_FOUND',
      ({ username }) =>
        `Scratch has no user named ${JSON.stringify(username)}: check the spelling.`,
    ],
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
 * The error for a documented error status of `request`, or `undefined` when SOA2 does not
 * document that status for it (the caller reports an unexpected answer).
 */
export function accountStatusError(
  res: HttpResponse,
  request: Soa2AccountRequest,
  context: AccountErrorContext,
  secrets: readonly (string | undefined)[],
): OAuthError | undefined {
  if (res.status === 429) return soa2RateLimited(res, ACCOUNT_PURPOSE[request]);
  const known = KNOWN[request][res.status];
  if (!known) return undefined;
  const [code, advice] = known;
  return soa2AnswerError(res, code, advice(context), ACCOUNT_PURPOSE[request], secrets);
}
