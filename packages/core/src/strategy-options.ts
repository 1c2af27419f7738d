import type { FetchLike, ProxyOption } from './transport.js';

/** passport-oauth2's `skipUserProfile` forms: a boolean, `() => boolean`, `(accessToken, done)`. */
export type SkipUserProfile =
  | boolean
  | (() => boolean)
  | ((accessToken: string, done: (err: unknown, skip?: boolean) => void) => void);

/** The options both strategies share, with the same meaning and defaults. */
export interface SharedStrategyOptions {
  /** CSRF protection with a per-login state kept in the session. Default `true`. */
  state?: boolean | undefined;
  /** How long a started login stays valid, in milliseconds. Default one hour. */
  stateMaxAge?: number | undefined;
  /** Session key for pending logins. Default `passport-<name>`. */
  sessionKey?: string | undefined;
  /** Milliseconds for each request to the provider (connect, headers and body). Default 10000. */
  timeout?: number | undefined;
  /** Send through this fetch instead of `node:http` (an undici `ProxyAgent`, instrumentation, tests). */
  fetch?: FetchLike | undefined;
  /** Outbound proxy: a URL, `false`, or `'env'` (default: HTTPS_PROXY / NO_PROXY). */
  proxy?: ProxyOption | undefined;
  /** Skip loading the profile (verify then receives `undefined`). Default `false`. */
  skipUserProfile?: SkipUserProfile | undefined;
  /** Strategy name for `passport.authenticate(name)`; defaults to the provider's. */
  name?: string | undefined;
}
