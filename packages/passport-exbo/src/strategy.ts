/**
 * `passport-exbo`'s Strategy: "Login with EXBO" on passport-oauth2's `OAuth2Strategy`.
 *
 * Kept from passport-oauth2: the redirect, state-store protocol (any `store` works), PKCE-free code
 * flow, `skipUserProfile`, `authInfo.state`. Replaced, because EXBO or correctness needs it (what
 * touches passport-oauth2's internals is in passport-oauth2.ts only):
 * - the authorize URL carries `scope=` present and empty (EXBO's docs require it), and a `scope`
 *   given anyway is refused rather than sent;
 * - the code exchange and profile request are the strategy's `client` (client.ts);
 * - verify may be callback- or promise-style, and a rejection becomes `error`, never a hang;
 * - state is on by default, kept in the session by the shared store;
 * - callback parameters are checked before anything reaches EXBO;
 * - a relative callbackURL is resolved through Express's `req.protocol` / host.
 */
import type { IncomingMessage } from 'node:http';
import {
  bodyExcerpt,
  callbackify,
  checkStrategyArguments,
  invokeVerify,
  OAuthError,
  openLogin,
  resolveCallbackURL,
  type SharedStrategyOptions,
  type StrategyIdentity,
  type StrategySettings,
  strategySettings,
  unsupportedOption,
  type VerifyCallback,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
  type VerifyRequest,
  type VerifyWithParams,
  type VerifyWithParamsAndRequest,
  type VerifyWithProfile,
  type VerifyWithProfileAndRequest,
} from '@exbo-soa2/core';
import { ExboClient, type ExboClientOptions } from './client.js';
import { type ExboOAuth2StateStore, OAuth2StrategyBase } from './passport-oauth2.js';
import type { ExboProfile } from './profile.js';
import type {
  CharacterLoader,
  ExboCharactersOption,
  ExboProfileWithCharacters,
} from './profile-characters.js';
import { type ExboTokenParams, type ExboTokenResponse, tokenParams } from './token-answer.js';
import { PACKAGE_NAME } from './version.js';

export type { VerifyCallback };

const EXBO: StrategyIdentity = { owner: PACKAGE_NAME, provider: 'exbo', label: 'EXBO' };
const NO_SCOPES = 'EXBO has no scopes: the authorize URL always carries an empty "scope="';

interface ExboStrategyOptionsBase extends ExboClientOptions, SharedStrategyOptions {
  /**
   * Where EXBO sends the user back; must equal a registered redirect URI byte for byte. A relative
   * URL is resolved against the request.
   */
  callbackURL: string;
  /** A passport-oauth2 state store to use instead of the built-in session store. */
  store?: ExboOAuth2StateStore | undefined;
  /**
   * Attach the user's STALCRAFT characters for these regions to the profile
   * (`profile.characters`); a failure is reported in `profile.characterErrors`, never thrown.
   * With it, verify's `profile` is typed {@link ExboProfileWithCharacters}.
   */
  characters?: ExboCharactersOption | undefined;
  /** EXBO has no scopes: only an empty value is accepted (anything else throws a `TypeError`). */
  scope?: '' | readonly [] | undefined;
}

/** Strategy options when verify does not take the request (the default). */
export interface ExboStrategyOptions extends ExboStrategyOptionsBase {
  passReqToCallback?: false | undefined;
}

/** Strategy options with `passReqToCallback: true`: verify receives `req` first. */
export interface ExboStrategyOptionsWithRequest extends ExboStrategyOptionsBase {
  passReqToCallback: true;
}

/** Options of `passport.authenticate('exbo', options)` this strategy reads. */
export interface ExboAuthenticateOptions {
  /** App state carried through the login (e.g. `{ returnTo: '/settings' }`); back as `req.authInfo.state`. */
  state?: object | undefined;
  /** Overrides the strategy's callbackURL for this login. */
  callbackURL?: string | undefined;
  /** Refused unless empty: EXBO has no scopes (the login ends in an error, not a redirect). */
  scope?: '' | readonly [] | undefined;
  [key: string]: unknown;
}

/** With the `characters` option, verify's `profile` carries the characters. */
type WithCharacters = { characters: ExboCharactersOption };

/**
 * The verify function without the request: `(accessToken, refreshToken, profile, done)`, or with
 * 5 parameters `(accessToken, refreshToken, params, profile, done)`. `Profile` is
 * {@link ExboProfileWithCharacters} when the `characters` option is set.
 */
export type ExboVerifyFunction<Profile = ExboProfile> = VerifyFunction<Profile, ExboTokenParams>;

/** {@link ExboVerifyFunction} with the request first (`passReqToCallback: true`). */
export type ExboVerifyFunctionWithRequest<Profile = ExboProfile> = VerifyFunctionWithRequest<
  VerifyRequest,
  Profile,
  ExboTokenParams
>;

/** What the strategy keeps per instance; per-request data stays in locals. */
interface ExboSettings extends StrategySettings<ExboOAuth2StateStore> {
  /** Set by the `characters` option: prepared once here, run per login. */
  loadCharacters: CharacterLoader | undefined;
}

function checkScope(scope: unknown): void {
  const empty = scope === undefined || scope === '' || (Array.isArray(scope) && scope.length === 0);
  if (!empty) throw unsupportedOption(PACKAGE_NAME, 'scope', NO_SCOPES);
}

/**
 * The adapter passport-oauth2 calls as its verify: always the 6-argument request form, so the
 * application's own verify can be dispatched by the shared adapter (async included).
 */
function verifyAdapter(
  this: Strategy,
  req: IncomingMessage,
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
 * `scope=`, the strategy's {@link ExboClient} for the code exchange and profile, session state on
 * by default, and checked callback parameters. The constructor throws the same errors as
 * {@link ExboClient} for the same options (a `TypeError` / `RangeError` with `code`
 * `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` naming the option), and one when
 * `callbackURL` or verify is missing, a `scope` or `pkce` is given, or a `characters` region is
 * invalid.
 */
export class Strategy extends OAuth2StrategyBase {
  /** The EXBO client this strategy logs in with: `strategy.client.refresh(refreshToken)` renews tokens. */
  readonly client: ExboClient;
  /** Configuration shared by every request (Passport runs each request on an `Object.create` copy). */
  protected readonly exboSettings: ExboSettings;

  // One overload per form, the usual one first, so TypeScript types the parameters of an
  // unannotated verify (core verify.ts); the `characters` forms first, as they are the narrower.
  constructor(
    options: ExboStrategyOptions & WithCharacters,
    verify: VerifyWithProfile<ExboProfileWithCharacters>,
  );
  constructor(
    options: ExboStrategyOptions & WithCharacters,
    verify: VerifyWithParams<ExboProfileWithCharacters, ExboTokenParams>,
  );
  constructor(
    options: ExboStrategyOptionsWithRequest & WithCharacters,
    verify: VerifyWithProfileAndRequest<VerifyRequest, ExboProfileWithCharacters>,
  );
  constructor(
    options: ExboStrategyOptionsWithRequest & WithCharacters,
    verify: VerifyWithParamsAndRequest<VerifyRequest, ExboProfileWithCharacters, ExboTokenParams>,
  );
  constructor(options: ExboStrategyOptions, verify: VerifyWithProfile<ExboProfile>);
  constructor(options: ExboStrategyOptions, verify: VerifyWithParams<ExboProfile, ExboTokenParams>);
  constructor(
    options: ExboStrategyOptionsWithRequest,
    verify: VerifyWithProfileAndRequest<VerifyRequest, ExboProfile>,
  );
  constructor(
    options: ExboStrategyOptionsWithRequest,
    verify: VerifyWithParamsAndRequest<VerifyRequest, ExboProfile, ExboTokenParams>,
  );
  constructor(
    options: ExboStrategyOptions | ExboStrategyOptionsWithRequest,
    verify: ExboVerifyFunction<never> | ExboVerifyFunctionWithRequest<never>,
  ) {
    checkStrategyArguments(PACKAGE_NAME, options, verify);
    // The client checks the options it shares with the strategy, so both accept the same values.
    const client = new ExboClient({ ...options, callbackURL: undefined });
    checkScope(options.scope);
    const settings = strategySettings(EXBO, options, verify, {
      callbackURLRequired: true,
      store: options.store,
    });
    const requestTokens = async (codeOrRefreshToken: string, params: Record<string, unknown>) => {
      const tokens: ExboTokenResponse =
        params.grant_type === 'refresh_token'
          ? await client.refresh(codeOrRefreshToken)
          : await client.exchangeCode(codeOrRefreshToken, {
              callbackURL: String(params.redirect_uri ?? ''),
            });
      return {
        accessToken: tokens.access_token,
        refreshToken: tokens.refresh_token ?? '',
        params: tokenParams(tokens),
      };
    };
    super(
      {
        authorizationURL: client.endpoints.authorizationURL,
        tokenURL: client.endpoints.tokenURL,
        clientID: client.clientID,
        // passport-oauth2 requires one; the exchange is the client's, which keeps the real one.
        clientSecret: 'held-by-ExboClient',
        callbackURL: options.callbackURL,
        passReqToCallback: true,
        // passport-oauth2 runs these two steps for EXBO (core login-flow.ts has them for SOA2).
        skipUserProfile: settings.skipUserProfile,
        ...(settings.store && { store: settings.store }),
      },
      verifyAdapter as (...args: never[]) => void,
      requestTokens,
    );
    this.name = settings.name;
    this.client = client;
    let loadCharacters: CharacterLoader | undefined;
    if (options.characters !== undefined) {
      // Loaded only when asked for: the game API stays out of a plain login's module graph.
      const { characterLoader } =
        require('./profile-characters.js') as typeof import('./profile-characters.js');
      loadCharacters = characterLoader(options.characters, options);
    }
    this.exboSettings = { ...settings, loadCharacters };
  }

  /**
   * Starts a login (redirect to EXBO) or finishes one (callback). Callback parameters are checked
   * here first: duplicated, oversized or non-string values end in `fail` without contacting EXBO.
   * The request is read, never changed.
   */
  override authenticate(req: IncomingMessage, options: ExboAuthenticateOptions = {}): void {
    const params = openLogin(this, req, {
      identity: EXBO,
      checkOptions: () => checkScope(options.scope),
      params: ['error', 'error_description', 'code', 'state'],
    });
    if (!params) return;
    const { error, error_description: description, code, state } = params;
    if (error !== undefined) {
      // Anyone can put anything in these two parameters: quote them as one bounded line
      // (bodyExcerpt), so a crafted link cannot fill or forge lines in the app's log.
      const said = description !== undefined ? bodyExcerpt(description) : undefined;
      const reason = bodyExcerpt(error);
      if (error === 'access_denied') {
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
    if (!code && (state !== undefined || code === '')) {
      return this.fail(
        { message: 'The login response has no code: please start the login again.' },
        400,
      );
    }
    const callbackURL = resolveCallbackURL(
      req,
      options.callbackURL ?? this.exboSettings.callbackURL,
    );
    super.authenticate(req, { ...options, callbackURL });
  }

  /** EXBO has no scopes, but its docs require `scope=` present and empty on the authorize URL. */
  override authorizationParams(_options: object): object {
    return { scope: '' };
  }

  /** Loads the profile through the client (never with the token in the URL). */
  override userProfile(accessToken: string, done: (err?: unknown, profile?: unknown) => void) {
    const { loadCharacters } = this.exboSettings;
    const profile = this.client.fetchProfile(accessToken);
    // `characters` option: loaded alongside the profile; the loader never rejects, so a game-API
    // failure ends up in the profile and the login still succeeds.
    const withCharacters = loadCharacters
      ? Promise.all([profile, loadCharacters(accessToken)]).then(([user, found]) =>
          Object.assign(user, found),
        )
      : profile;
    callbackify(withCharacters, done);
  }
}
