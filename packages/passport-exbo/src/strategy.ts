/**
 * `passport-exbo`'s Strategy: "Login with EXBO" on passport-oauth2's `OAuth2Strategy`.
 *
 * Kept from passport-oauth2: the redirect, state-store protocol (any `store` works), PKCE-free code
 * flow, `skipUserProfile`, `authInfo.state`. Replaced, because EXBO or correctness needs it:
 * - the authorize URL carries `scope=` present and empty (EXBO's docs require it);
 * - the code exchange and profile request go through the shared transport (timeouts, whole-body
 *   UTF-8, errors that keep the provider's answer) instead of node-oauth;
 * - verify may be callback- or promise-style, and a rejection becomes `error`, never a hang;
 * - state is on by default, kept in the session by the shared store;
 * - callback parameters are checked before anything reaches EXBO;
 * - a relative callbackURL is resolved through Express's `req.protocol` / host.
 */
import {
  bodyExcerpt,
  callbackify,
  callbackParam,
  invokeVerify,
  OAuthError,
  resolveCallbackURL,
  SessionStateStore,
  type SharedStrategyOptions,
  type Transport,
  traceLoginOutcome,
  type VerifyCallback,
} from '@exbo-soa2/core';
import type { Request } from 'express';
import OAuth2Strategy from 'passport-oauth2';
import { type ExboEndpointOptions, exboEndpoints } from './endpoints.js';
import { type ExboProfile, fetchProfile } from './profile.js';
import {
  type CharacterLoader,
  characterLoader,
  type ExboCharactersOption,
} from './profile-characters.js';
import { type ExboTokenParams, requestToken, tokenParams } from './token.js';
import { exboTransport } from './transport.js';

export type { VerifyCallback };

interface ExboStrategyOptionsBase extends ExboEndpointOptions, SharedStrategyOptions {
  /** Your application's numeric client id, as EXBO issued it (e.g. `'30'`). */
  clientID: string;
  /** The 40-character client secret. */
  clientSecret: string;
  /** Where EXBO sends the user back; must equal a registered redirect URI byte for byte. */
  callbackURL: string;
  /** A passport-oauth2 state store to use instead of the built-in session store. */
  store?: OAuth2Strategy.StateStore | undefined;
  /**
   * Attach the user's STALCRAFT characters for these regions to the profile
   * (`profile.characters`); a failure is reported in `profile.characterErrors`, never thrown.
   */
  characters?: ExboCharactersOption | undefined;
}

/** Strategy options when verify does not take the request (the default). */
export interface ExboStrategyOptions extends ExboStrategyOptionsBase {
  passReqToCallback?: false | undefined;
}

/** Strategy options with `passReqToCallback: true`: verify receives `req` first. */
export interface ExboStrategyOptionsWithRequest extends ExboStrategyOptionsBase {
  passReqToCallback: true;
}

/**
 * The verify function, 4-parameter form (the common one): `(accessToken, refreshToken, profile,
 * done)`, or `async (accessToken, refreshToken, profile) => user`.
 *
 * The forms are separate constructor overloads, not a union, so TypeScript infers the parameter
 * types of an inline arrow. An arrow with 5 parameters matches {@link ExboVerifyFunctionWithParams}
 * once its parameters are annotated (TypeScript types an inline arrow from the first overload).
 */
export type ExboVerifyFunction = (
  accessToken: string,
  refreshToken: string,
  profile: ExboProfile,
  done: VerifyCallback,
) => unknown;

/** The 5-parameter form: the token response's `params` before the profile. */
export type ExboVerifyFunctionWithParams = (
  accessToken: string,
  refreshToken: string,
  params: ExboTokenParams,
  profile: ExboProfile,
  done: VerifyCallback,
) => unknown;

/** {@link ExboVerifyFunction} with the request first (`passReqToCallback: true`). */
export type ExboVerifyFunctionWithRequest = (
  req: Request,
  accessToken: string,
  refreshToken: string,
  profile: ExboProfile,
  done: VerifyCallback,
) => unknown;

/** {@link ExboVerifyFunctionWithParams} with the request first (`passReqToCallback: true`). */
export type ExboVerifyFunctionWithRequestAndParams = (
  req: Request,
  accessToken: string,
  refreshToken: string,
  params: ExboTokenParams,
  profile: ExboProfile,
  done: VerifyCallback,
) => unknown;

/** What the strategy keeps per instance; per-request data stays in locals. */
interface ExboSettings {
  clientID: string;
  clientSecret: string;
  tokenURL: string;
  userProfileURL: string;
  transport: Transport;
  // biome-ignore lint/complexity/noBannedTypes: verify comes in several shapes (see verify.ts).
  verify: Function;
  passReqToCallback: boolean;
  /** Set by the `characters` option: prepared once here, run per login. */
  loadCharacters: CharacterLoader | undefined;
}

function requireString(name: string, value: unknown): string {
  if (typeof value === 'number' && name === 'clientID') return String(value);
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`passport-exbo: the ${name} option is required`);
  }
  return value;
}

/**
 * The adapter passport-oauth2 calls as its verify: always the 6-argument request form, so the
 * application's own verify can be dispatched by the shared adapter (async included).
 */
function verifyAdapter(
  this: Strategy,
  req: Request,
  accessToken: string,
  refreshToken: string,
  params: ExboTokenParams,
  profile: ExboProfile,
  verified: (err: unknown, user?: unknown, info?: unknown) => void,
): void {
  const settings = this.exboSettings;
  invokeVerify(
    settings.verify,
    settings.passReqToCallback,
    req,
    { accessToken, refreshToken, params, profile },
    {
      error: (err) => verified(err),
      fail: (info) => verified(null, false, info),
      success: (user, info) => verified(null, user, info),
    },
  );
}

/**
 * "Login with EXBO" for Passport (default name `'exbo'`): passport-oauth2's flow with EXBO's empty
 * `scope=`, the shared transport for the code exchange and profile, session state on by default,
 * and checked callback parameters. The constructor throws a `TypeError` when `clientID`,
 * `clientSecret`, `callbackURL` or verify is missing, or an endpoint URL or `characters` region is
 * invalid.
 */
export class Strategy extends OAuth2Strategy {
  /** Configuration shared by every request (Passport runs each request on an `Object.create` copy). */
  protected readonly exboSettings: ExboSettings;

  constructor(options: ExboStrategyOptions, verify: ExboVerifyFunction);
  constructor(options: ExboStrategyOptions, verify: ExboVerifyFunctionWithParams);
  constructor(options: ExboStrategyOptionsWithRequest, verify: ExboVerifyFunctionWithRequest);
  constructor(
    options: ExboStrategyOptionsWithRequest,
    verify: ExboVerifyFunctionWithRequestAndParams,
  );
  constructor(
    options: ExboStrategyOptions | ExboStrategyOptionsWithRequest,
    verify:
      | ExboVerifyFunction
      | ExboVerifyFunctionWithParams
      | ExboVerifyFunctionWithRequest
      | ExboVerifyFunctionWithRequestAndParams,
  ) {
    if (!options || typeof options !== 'object') {
      throw new TypeError('passport-exbo: options are required');
    }
    if (typeof verify !== 'function') {
      throw new TypeError('passport-exbo: a verify function is required');
    }
    const clientID = requireString('clientID', options.clientID);
    const clientSecret = requireString('clientSecret', options.clientSecret);
    const callbackURL = requireString('callbackURL', options.callbackURL);
    const endpoints = exboEndpoints(options);
    const name = options.name ?? 'exbo';
    const store =
      options.store ??
      (options.state === false
        ? undefined
        : (new SessionStateStore({
            key: options.sessionKey ?? `passport-${name}`,
            provider: 'exbo',
            maxAge: options.stateMaxAge,
          }) as unknown as OAuth2Strategy.StateStore));

    super(
      {
        authorizationURL: endpoints.authorizationURL,
        tokenURL: endpoints.tokenURL,
        clientID,
        clientSecret,
        callbackURL,
        passReqToCallback: true,
        skipUserProfile: options.skipUserProfile ?? false,
        ...(store && { store }),
      },
      verifyAdapter as unknown as OAuth2Strategy.VerifyFunctionWithRequest,
    );
    this.name = name;
    this.exboSettings = {
      clientID,
      clientSecret,
      tokenURL: endpoints.tokenURL,
      userProfileURL: endpoints.userProfileURL,
      transport: exboTransport(options),
      verify,
      passReqToCallback: options.passReqToCallback === true,
      loadCharacters: options.characters && characterLoader(options.characters, options),
    };
    // node-oauth's transport is replaced for the code exchange (see token.ts for why), and for
    // refresh: passport-oauth2-refresh calls this with `{ grant_type: 'refresh_token' }`, which
    // must become EXBO's refresh grant (`scope=` empty, no redirect_uri: see requestToken).
    const exchangeCode = (
      codeOrRefreshToken: string,
      params: Record<string, unknown>,
      callback: (err: unknown, access?: string, refresh?: string, params?: object) => void,
    ) => {
      const { transport, ...client } = this.exboSettings;
      const isRefresh = params.grant_type === 'refresh_token';
      const fields: Record<string, string> = isRefresh
        ? { refresh_token: codeOrRefreshToken }
        : { code: codeOrRefreshToken, redirect_uri: String(params.redirect_uri ?? '') };
      callbackify(
        requestToken(transport, {
          tokenURL: client.tokenURL,
          clientID: client.clientID,
          clientSecret: client.clientSecret,
          grant: isRefresh ? 'refresh_token' : 'authorization_code',
          fields,
        }),
        (err, tokens) => {
          if (err || !tokens) return callback(err);
          callback(null, tokens.access_token, tokens.refresh_token ?? '', tokenParams(tokens));
        },
      );
    };
    this._oauth2.getOAuthAccessToken = exchangeCode as typeof this._oauth2.getOAuthAccessToken;
  }

  /**
   * Starts a login (redirect to EXBO) or finishes one (callback). Callback parameters are checked
   * here first: duplicated, oversized or non-string values end in `fail` without contacting EXBO.
   */
  override authenticate(req: Request, options: Record<string, unknown> = {}): void {
    traceLoginOutcome(this, 'exbo', 'EXBO'); // NODE_DEBUG=passport-exbo: one line per outcome
    // Express 5's req.query is a getter that parses the query string again at every read; a callback
    // reads it a dozen times (callbackParam here, passport-oauth2's authenticate) and EXBO's code
    // alone is ~780 characters. Keep the parsed object for the rest of this request, as Express 4 did.
    Object.defineProperty(req, 'query', {
      value: req.query,
      writable: true,
      configurable: true,
      enumerable: true,
    });
    const error = callbackParam(req, 'error');
    const description = callbackParam(req, 'error_description');
    const code = callbackParam(req, 'code', true);
    const state = callbackParam(req, 'state', true);
    for (const param of [error, description, code, state]) {
      if (!param.ok) return this.fail({ message: param.message }, 400);
    }
    if (error.ok && error.value !== undefined) {
      // Anyone can put anything in these two parameters: quote them as one bounded line
      // (bodyExcerpt), so a crafted link cannot fill or forge lines in the app's log.
      const said =
        description.ok && description.value !== undefined
          ? bodyExcerpt(description.value)
          : undefined;
      const reason = bodyExcerpt(error.value);
      if (error.value === 'access_denied') {
        // Our own sentence first: the description is whatever the link says, possibly nothing.
        const message = `You declined the login at EXBO${said ? ` (EXBO said: ${said})` : ''}.`;
        return this.fail({ message }, 403);
      }
      return this.error(
        new OAuthError(
          'AUTHORIZATION_ERROR',
          `EXBO sent the user back with an error (${reason}${said ? `: ${said}` : ''})`,
          {
            provider: 'exbo',
            providerError: reason,
            ...(said !== undefined && { providerDescription: said }),
          },
        ),
      );
    }
    // A state, or a code present but empty, means this is a callback (EXBO always sends both):
    // without a usable code it is broken or forged. passport-oauth2 would take it for the start of
    // a new login and send the user to EXBO again; fail instead, as for any other bad callback.
    if (code.ok && state.ok && !code.value && (state.value !== undefined || code.value === '')) {
      return this.fail(
        { message: 'The login response has no code: please start the login again.' },
        400,
      );
    }
    const callbackURL = resolveCallbackURL(
      req,
      (options.callbackURL as string | undefined) ?? this._callbackURLOption(),
    );
    super.authenticate(req, { ...options, callbackURL });
  }

  /** EXBO has no scopes, but its docs require `scope=` present and empty on the authorize URL. */
  override authorizationParams(_options: unknown): object {
    return { scope: '' };
  }

  /** Loads the profile through the shared transport (never with the token in the URL). */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void) {
    const { transport, userProfileURL, loadCharacters } = this.exboSettings;
    const profile = fetchProfile(transport, userProfileURL, accessToken);
    // `characters` option: loaded alongside the profile; the loader never rejects, so a game-API
    // failure ends up in the profile and the login still succeeds.
    const withCharacters = loadCharacters
      ? Promise.all([profile, loadCharacters(accessToken)]).then(([user, found]) =>
          Object.assign(user, found),
        )
      : profile;
    callbackify(withCharacters, done);
  }

  /** Our transport already produces precise errors; passport-oauth2 would wrap them vaguely. */
  protected _createOAuthError(message: string, err: unknown): Error {
    if (err instanceof OAuthError) return err;
    return new Error(message, { cause: err });
  }

  /** The callbackURL given at construction (passport-oauth2 keeps it as `_callbackURL`). */
  private _callbackURLOption(): string | undefined {
    return (this as unknown as { _callbackURL?: string })._callbackURL;
  }
}
