import type { ConnectionOptions } from './connection-options.js';

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

/** What `state: { cookie: {...} }` takes. */
export interface LoginStateCookieOptions {
  /**
   * Encrypts and authenticates the cookies: at least 32 characters, the same on every instance,
   * kept out of source control. Changing it ends the logins pending at that moment.
   */
  secret: string;
  /** Prefix of the cookies' names (`<name>.<first 8 characters of the handle>`). Default `passport-<strategy name>`. */
  name?: string | undefined;
  /**
   * Cookie `Path`. Default: the longest path that covers both the login route and the callback
   * route (`/auth/exbo` for `/auth/exbo` and `/auth/exbo/callback`), `/` when they share none.
   */
  path?: string | undefined;
  /** `'auto'` (default): `Secure` when the request is https (`req.protocol`, as `trust proxy` says). */
  secure?: boolean | 'auto' | undefined;
  /** Logins pending at once per browser (tabs); the oldest is dropped beyond this. Default 5. */
  maxPending?: number | undefined;
  /**
   * One-time use across instances: called once a callback's cookie checked out, with an id of
   * the login (a SHA-256 of its state, not the state) and how long (ms) a copy of its cookie
   * could still be replayed. Record the id in a store all instances share for that long and
   * answer `true` the first time, `false` when it was already there (Redis:
   * `SET login-state:<id> 1 NX PX <ms>` answered `OK`). A throw or rejection ends the login in
   * an error. Without it, a replay to another instance is stopped by the provider's single-use
   * authorization code.
   */
  firstUse?: ((id: string, ttlMs: number) => boolean | Promise<boolean>) | undefined;
}
