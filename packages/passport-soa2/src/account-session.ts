/**
 * What an account client's login consists of, as a plain object to save and restore (the CLI keeps
 * it in a file only its user can read): which API it belongs to, who logged in, the session
 * cookies, and a login that was started but not yet checked.
 */

import type { Soa2AccountCookie } from './account-cookies.js';
import { isScratchUsername } from './username.js';
import { PACKAGE_NAME } from './version.js';

/** A started login (`PUT /login/{username}`), waiting for the user's profile comment. */
export interface Soa2LoginChallenge {
  /** The username as Scratch capitalises it. */
  username: string;
  /** The text to post, whole and unchanged, as a comment on the user's own Scratch profile. */
  code: string;
  /** SOA2's CSRF token for `finishLogin`: valid 30 minutes, and only with the same session. */
  csrf: string;
  /** When the login started, milliseconds since the epoch. */
  startedAt: number;
}

/** A login session: secret (its cookies act as the user's password for the registration API). */
export interface Soa2AccountSession {
  /** The SOA2 REST API the cookies belong to; they are never sent anywhere else. */
  apiURL: string;
  /** Who is logged in, as Scratch capitalises it; `null` while a login is only started. */
  username: string | null;
  cookies: Soa2AccountCookie[];
  /** A login started in this session and not yet checked. */
  login?: Soa2LoginChallenge | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isCookie(value: unknown): value is Soa2AccountCookie {
  return (
    isRecord(value) &&
    typeof value.name === 'string' &&
    value.name !== '' &&
    typeof value.value === 'string' &&
    (value.expires === undefined || Number.isFinite(value.expires))
  );
}

function isChallenge(value: unknown): value is Soa2LoginChallenge {
  return (
    isRecord(value) &&
    isScratchUsername(value.username) &&
    typeof value.code === 'string' &&
    typeof value.csrf === 'string' &&
    Number.isFinite(value.startedAt)
  );
}

/** A session read back from storage, checked; a TypeError says what is wrong with it. */
export function parseAccountSession(value: unknown): Soa2AccountSession {
  const fail = (what: string) =>
    new TypeError(`${PACKAGE_NAME}: not an SOA2 login session: ${what}`);
  if (!isRecord(value)) throw fail('expected an object');
  const { apiURL, username, cookies, login } = value;
  if (typeof apiURL !== 'string' || !URL.canParse(apiURL)) throw fail('apiURL is not a URL');
  if (username !== null && !isScratchUsername(username)) {
    throw fail('username is neither null nor a Scratch username');
  }
  if (!Array.isArray(cookies) || !cookies.every(isCookie)) {
    throw fail('cookies must be a list of {name, value, expires?}');
  }
  if (login !== undefined && !isChallenge(login)) {
    throw fail('login must be {username, code, csrf, startedAt}');
  }
  return {
    apiURL,
    username,
    cookies: cookies.map((cookie) => ({ ...cookie })),
    ...(login !== undefined && { login: { ...login } }),
  };
}
