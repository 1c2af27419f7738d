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
