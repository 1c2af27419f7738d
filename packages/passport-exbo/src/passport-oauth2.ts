/**
 * Everything passport-exbo relies on inside passport-oauth2, in one place. The dependency is pinned
 * to `~1.8`, and test/exbo/passport-oauth2.test.ts fails if an upgrade changes any of it:
 * - the code exchange: passport-oauth2 asks node-oauth's `this._oauth2.getOAuthAccessToken(code,
 *   params, callback)`; here it is routed to `ExboClient` (our transport: timeouts, whole-body
 *   UTF-8, errors that keep the provider's answer). passport-oauth2-refresh calls the same method
 *   with `{ grant_type: 'refresh_token' }`, so refreshes go to the client too;
 * - errors: passport-oauth2 wraps a failed exchange with `_createOAuthError(message, err)`; ours
 *   already say what went wrong, so they pass through unchanged.
 * It also types the small part of `OAuth2Strategy` passport-exbo extends, so that the published
 * types need neither `@types/passport-oauth2` nor `@types/passport-strategy`.
 */
import type { IncomingMessage } from 'node:http';
import { callbackify, isOAuthError, type PassportStrategyActions } from '@exbo-soa2/core';

/** passport-oauth2's state store interface (the 4-argument form, with `meta`). */
export interface ExboOAuth2StateStore {
  /** Remembers a new login (`state` is the app state) and calls back with the handle to send. */
  store(
    req: IncomingMessage,
    state: unknown,
    meta: unknown,
    callback: (err: Error | null, state?: string) => void,
  ): void;
  /** Checks the `state` of a callback; calls back `ok` and the app state, or `false`. */
  verify(
    req: IncomingMessage,
    state: string,
    meta: unknown,
    callback: (err: Error | null, ok?: unknown, state?: unknown) => void,
  ): void;
}

/** The options passport-exbo gives `OAuth2Strategy`. */
interface OAuth2StrategyOptions {
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  passReqToCallback: true;
  skipUserProfile: unknown;
  store?: ExboOAuth2StateStore | undefined;
}

/** Tokens for a code (or a refresh token), as the strategy's client obtains them. */
export interface ObtainedTokens {
  accessToken: string;
  refreshToken: string;
  /** What verify receives as `params`. */
  params: object;
}

/** How the strategy obtains tokens; `params.grant_type` is `'refresh_token'` for a refresh. */
export type TokenRequest = (
  codeOrRefreshToken: string,
  params: Record<string, unknown>,
) => Promise<ObtainedTokens>;

/** The instance side of passport-oauth2's `OAuth2Strategy` that passport-exbo uses. */
interface OAuth2Strategy extends PassportStrategyActions {
  name: string;
  authenticate(req: IncomingMessage, options?: object): void;
  authorizationParams(options: object): object;
  userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void): void;
}

type OAuth2StrategyConstructor = new (
  options: OAuth2StrategyOptions,
  verify: (...args: never[]) => void,
) => OAuth2Strategy;

/** node-oauth's method that passport-oauth2 calls for the code exchange. */
type GetOAuthAccessToken = (
  code: string,
  params: Record<string, unknown>,
  callback: (err: unknown, accessToken?: string, refreshToken?: string, params?: object) => void,
) => void;

const OAuth2StrategyImpl = require('passport-oauth2') as OAuth2StrategyConstructor;

/** `OAuth2Strategy` with its code exchange and error wrapping handed to passport-exbo. */
export class OAuth2StrategyBase extends OAuth2StrategyImpl {
  constructor(
    options: OAuth2StrategyOptions,
    verify: (...args: never[]) => void,
    requestTokens: TokenRequest,
  ) {
    super(options, verify);
    const oauth2 = (this as unknown as { _oauth2: { getOAuthAccessToken: GetOAuthAccessToken } })
      ._oauth2;
    oauth2.getOAuthAccessToken = (code, params, callback) =>
      callbackify(requestTokens(code, params), (err, tokens) => {
        if (err || !tokens) return callback(err);
        callback(null, tokens.accessToken, tokens.refreshToken, tokens.params);
      });
  }

  /** Our client's errors already say what went wrong; passport-oauth2 would wrap them vaguely. */
  protected _createOAuthError(message: string, err: unknown): Error {
    return isOAuthError(err) ? err : new Error(message, { cause: err });
  }
}
