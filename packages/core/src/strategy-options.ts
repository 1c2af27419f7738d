import type { ConnectionOptions } from './connection-options.js';
import type { LoginStateCookieOptions } from './cookie-state-store.js';

/** passport-oauth2's `skipUserProfile` forms: a boolean, `() => boolean`, `(accessToken, done)`. */
export type SkipUserProfile =
  | boolean
  | (() => boolean)
  | ((accessToken: string, done: (err: unknown, skip?: boolean) => void) => void);

/** The options both strategies share, with the same meaning and defaults. */
export interface SharedStrategyOptions extends ConnectionOptions {
  /**
   * CSRF protection with a per-login state, kept in the session (`true`, the default) or, for
   * apps without a server session, in an encrypted one-time cookie (`{ cookie: { secret } }`).
   * `false` turns the check off.
   */
  state?: boolean | { cookie: LoginStateCookieOptions } | undefined;
  /** How long a started login stays valid, in milliseconds. Default one hour (10 minutes in a cookie). */
  stateMaxAge?: number | undefined;
  /** Session key for pending logins. Default `passport-<name>`. */
  sessionKey?: string | undefined;
  /** Skip loading the profile (verify then receives `undefined`). Default `false`. */
  skipUserProfile?: SkipUserProfile | undefined;
  /** Strategy name for `passport.authenticate(name)`; defaults to the provider's. */
  name?: string | undefined;
  /** Refused: neither provider supports PKCE (a `TypeError` says so rather than ignoring it). */
  pkce?: undefined;
}

/**
 * The part of Passport's strategy protocol both strategies use, typed here so that their published
 * types need neither `@types/passport-strategy` nor `@types/passport-oauth2`: Passport runs each
 * request on a copy of the strategy (`Object.create`) that it gives these methods.
 */
/** What Passport gives a strategy for each `authenticate` call. */
export interface PassportStrategyActions {
  /** The login succeeded: `user` is logged in, `info` becomes `req.authInfo`. */
  success(user: unknown, info?: unknown): void;
  /** The login failed (bad or refused callback): `challenge` is the message, `status` the HTTP status. */
  fail(challenge?: unknown, status?: number): void;
  /** Send the browser elsewhere (to the provider's consent page). */
  redirect(url: string, status?: number): void;
  /** Let the request through without a login. */
  pass(): void;
  /** An error (provider unreachable, bad configuration): goes to the app's error handler. */
  error(err: unknown): void;
}
