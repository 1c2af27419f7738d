/**
 * `passport-soa2`'s Strategy: "Login with Scratch" through ScratchOAuth2 (SOA2).
 *
 * A strategy of its own on passport-strategy, because SOA2 only looks like OAuth 2.0 and
 * passport-oauth2 cannot speak it (docs/protocols/soa2.md, "Authorize"): the authorize parameter is `scopes` (plural), `state`
 * is required and must not be `0`, the code exchange is a JSON body with `client_id` as a JSON
 * integer, the bearer token is base64-encoded, a 203 profile is still a success, and a user who
 * cancels is never sent back. Everything that is not SOA2-specific comes from the shared core:
 * transport, errors, session state store, the verify adapter, and the login steps passport-exbo
 * shares or gets from passport-oauth2 (core login-flow.ts: option and callback-parameter checks,
 * `skipUserProfile`, app state as `req.authInfo.state`).
 */
import type { IncomingMessage } from 'node:http';
import {
  callbackify,
  checkStrategyArguments,
  invokeVerify,
  newStateHandle,
  openLogin,
  type PassportStrategyActions,
  resolveCallbackURL,
  type SharedStrategyOptions,
  type StrategyIdentity,
  type StrategySettings,
  skipsProfile,
  strategySettings,
  type VerifyCallback,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
  type VerifyRequest,
  type VerifyWithParams,
  type VerifyWithParamsAndRequest,
  type VerifyWithProfile,
  type VerifyWithProfileAndRequest,
  withAppState,
} from '@exbo-soa2/core';
import { Soa2Client, type Soa2ClientOptions } from './client.js';
import { normaliseScopes } from './credentials.js';
import { soa2Endpoints } from './endpoints.js';
import type { Soa2Profile } from './profile.js';
import { type Soa2TokenParams, type Soa2TokenResponse, tokenParams } from './token-answer.js';
import { PACKAGE_NAME } from './version.js';

export type { VerifyCallback };

const SOA2: StrategyIdentity = { owner: PACKAGE_NAME, provider: 'soa2', label: 'SOA2' };

/**
 * passport-strategy's `Strategy`, typed here (the part this strategy extends) so that the published
 * types need no `@types/passport-strategy`. Its constructor does nothing; Passport adds the
 * actions to each request's copy of the strategy.
 */
const PassportStrategy = require('passport-strategy').Strategy as new () => PassportStrategyActions;

interface Soa2StrategyOptionsBase extends Soa2ClientOptions, SharedStrategyOptions {
  /**
   * Where SOA2 sends the user back; must equal a registered redirect URI byte for byte. A relative
   * URL is resolved against the request. Without it SOA2 shows the user the code to paste into
   * your app, which then posts `code` and `state` to the callback route.
   */
  callbackURL?: string | undefined;
  /** The same as `scopes` (Passport's usual name): only `identify` is accepted. */
  scope?: readonly string[] | string | undefined;
}

/** Strategy options when verify does not take the request (the default). */
export interface Soa2StrategyOptions extends Soa2StrategyOptionsBase {
  passReqToCallback?: false | undefined;
}

/** Strategy options with `passReqToCallback: true`: verify receives `req` first. */
export interface Soa2StrategyOptionsWithRequest extends Soa2StrategyOptionsBase {
  passReqToCallback: true;
}

/** Options of `passport.authenticate('soa2', options)` this strategy reads. */
export interface Soa2AuthenticateOptions {
  /** App state carried through the login (e.g. `{ returnTo: '/settings' }`); back as `req.authInfo.state`. */
  state?: object | undefined;
  /** Overrides the strategy's callbackURL for this login. */
  callbackURL?: string | undefined;
  /** Only `identify` (SOA2's one scope) is accepted; anything else ends in an error. */
  scope?: readonly string[] | string | undefined;
  /** The same as `scope`. */
  scopes?: readonly string[] | string | undefined;
  [key: string]: unknown;
}

/**
 * The verify function. Which arguments it receives depends on how many parameters it declares
 * (passport-oauth2's convention, for async functions too): 5 or more get `params` before the
 * profile, fewer get `(accessToken, refreshToken, profile, done)`. An async verify may return the
 * user (or `false`) instead of calling `done`.
 */
export type Soa2VerifyFunction = VerifyFunction<Soa2Profile, Soa2TokenParams>;

/** The same forms with the request first (`passReqToCallback: true`): 6 or more get `params`. */
export type Soa2VerifyFunctionWithRequest = VerifyFunctionWithRequest<
  VerifyRequest,
  Soa2Profile,
  Soa2TokenParams
>;

/** A login ready to start: the consent page URL and the state it carries. */
export interface Soa2AuthorizationRequest {
  /** The SOA2 consent page to send the user to. */
  url: string;
  /** The state in that URL; a "paste your code" form posts it back with the code. */
  state: string;
}

/** SOA2 codes are 64 lowercase hex characters: anything else is not sent to SOA2. */
const CODE_PATTERN = /^[0-9a-f]{64}$/;

/** What the strategy keeps per instance; per-request data stays in locals. */
interface Soa2Settings extends StrategySettings {
  authorizationURL: string;
}

type StateCheck = (err: unknown, ok?: unknown, info?: unknown) => void;

/**
 * "Login with Scratch" for Passport (default name `'soa2'`), written for SOA2's own wire rather than
 * on passport-oauth2: `scopes=identify`, a state always sent (checked in the session unless
 * `state: false`), a JSON code exchange, a 203 profile accepted. The constructor throws the same
 * errors as {@link Soa2Client} for the same options (a `TypeError` / `RangeError` with `code`
 * `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE` naming the option), and one for a missing
 * verify, an empty `callbackURL`, a scope other than `identify` or `pkce`.
 */
export class Strategy extends PassportStrategy {
  /** Strategy name for `passport.authenticate(name)`. */
  name: string;
  /**
   * The SOA2 API client this strategy logs in with: use `strategy.client.refresh(refreshToken)` to
   * renew tokens you kept, with the same credentials and options.
   */
  readonly client: Soa2Client;
  /** Configuration shared by every request (Passport runs each request on an `Object.create` copy). */
  protected readonly soa2Settings: Soa2Settings;

  // One overload per form, the usual one first, so TypeScript types the parameters of an
  // unannotated verify of that form (core verify.ts).
  constructor(options: Soa2StrategyOptions, verify: VerifyWithProfile<Soa2Profile>);
  constructor(options: Soa2StrategyOptions, verify: VerifyWithParams<Soa2Profile, Soa2TokenParams>);
  constructor(
    options: Soa2StrategyOptionsWithRequest,
    verify: VerifyWithProfileAndRequest<VerifyRequest, Soa2Profile>,
  );
  constructor(
    options: Soa2StrategyOptionsWithRequest,
    verify: VerifyWithParamsAndRequest<VerifyRequest, Soa2Profile, Soa2TokenParams>,
  );
  constructor(options: Soa2StrategyOptions, verify: Soa2VerifyFunction);
  constructor(options: Soa2StrategyOptionsWithRequest, verify: Soa2VerifyFunctionWithRequest);
  constructor(
    options: Soa2StrategyOptions | Soa2StrategyOptionsWithRequest,
    verify: Soa2VerifyFunction | Soa2VerifyFunctionWithRequest,
  ) {
    super();
    checkStrategyArguments(PACKAGE_NAME, options, verify);
    // `scope` is Passport's usual name for SOA2's `scopes`: both are checked the same way.
    const scopes = options.scopes ?? options.scope;
    // The client checks the options it shares with the strategy, so both accept the same values.
    this.client = new Soa2Client({ ...options, scopes });
    if (options.scope !== undefined) normaliseScopes(options.scope, 'scope');
    // SOA2 requires a state whatever we do; `state: false` only stops checking it.
    const settings = strategySettings(SOA2, options, verify, { callbackURLRequired: false });
    this.name = settings.name;
    this.soa2Settings = { ...settings, authorizationURL: soa2Endpoints(options).authorizationURL };
  }

  /**
   * Starts a login (redirect to the SOA2 consent page) or finishes one (a callback, or a pasted code
   * posted as a form). Callback parameters are checked first: duplicated, oversized, non-string or
   * malformed values end in `fail(…, 400)` without contacting SOA2; a missing, wrong, expired or
   * replayed state ends in `fail(…, 403)`.
   */
  authenticate(req: IncomingMessage, options: Soa2AuthenticateOptions = {}): void {
    const params = openLogin(this, req, {
      identity: SOA2,
      checkOptions: () => {
        for (const option of ['scope', 'scopes'] as const) {
          if (options[option] !== undefined) normaliseScopes(options[option], option);
        }
      },
      params: ['code', 'state', 'error'],
    });
    if (!params) return;
    const { code, state, error } = params;
    if (code === undefined && state === undefined) {
      if (error !== undefined) {
        // SOA2 never redirects with an error (Cancel shows a page instead): this one is not from it.
        return this.fail(
          {
            message:
              'The login response carries an "error" parameter, which SOA2 never sends: please start the login again.',
          },
          400,
        );
      }
      return this.startLogin(req, options);
    }
    this.finishLogin(req, code, state);
  }

  /**
   * Prepares a login without redirecting: remembers a new state in the session and returns the
   * consent page URL. For a "paste your code" page (no callbackURL), which links to `url` and posts
   * the pasted code with `state` to the callback route. `authenticate` uses the same steps.
   */
  authorizationRequest(
    req: IncomingMessage,
    options: Soa2AuthenticateOptions = {},
  ): Promise<Soa2AuthorizationRequest> {
    const { authorizationURL, store } = this.soa2Settings;
    const callbackURL = resolveCallbackURL(
      req,
      options.callbackURL ?? this.soa2Settings.callbackURL,
    );
    return new Promise((resolve, reject) => {
      const redirectTo = (state: string) => {
        const url = new URL(authorizationURL);
        // `set`, not `append`: keeps the query of the older `index.php?title=…` form of the URL.
        url.searchParams.set('client_id', String(this.client.clientID));
        if (callbackURL !== undefined) url.searchParams.set('redirect_uri', callbackURL);
        url.searchParams.set('scopes', this.client.scopes.join(' '));
        url.searchParams.set('state', state);
        resolve({ url: url.toString(), state });
      };
      // Without checking, a state is still sent (SOA2 requires one); it is random, never a constant.
      if (!store) return redirectTo(newStateHandle());
      const meta = { authorizationURL, clientID: this.client.clientID, callbackURL };
      store.store(req, options.state, meta, (err, handle) => {
        if (err || handle === undefined)
          reject(err ?? new Error('the state store returned no state'));
        else redirectTo(handle);
      });
    });
  }

  private startLogin(req: IncomingMessage, options: Soa2AuthenticateOptions): void {
    callbackify(this.authorizationRequest(req, options), (err, request) => {
      if (err || !request) return this.error(err);
      this.redirect(request.url);
    });
  }

  private finishLogin(
    req: IncomingMessage,
    rawCode: string | undefined,
    state: string | undefined,
  ): void {
    // A pasted code often comes with spaces or a newline around it.
    const code = rawCode?.trim();
    if (!code) {
      return this.fail(
        { message: 'The login response has no code: please start the login again.' },
        400,
      );
    }
    if (!CODE_PATTERN.test(code)) {
      return this.fail(
        {
          message:
            'The login response has a malformed code (an SOA2 code is 64 characters, 0-9 and a-f): please start the login again.',
        },
        400,
      );
    }
    // The store answers the app state on a match, the failure message otherwise.
    this.checkState(req, state, (err, ok, appStateOrFailure) => {
      if (err) return this.error(err);
      if (!ok) return this.fail(appStateOrFailure, 403);
      const appState = appStateOrFailure;
      callbackify(this.loadLogin(code), (loadErr, login) => {
        if (loadErr || !login) return this.error(loadErr);
        const { verify, passReqToCallback } = this.soa2Settings;
        invokeVerify(
          verify,
          passReqToCallback,
          req,
          {
            accessToken: login.tokens.access_token,
            refreshToken: login.tokens.refresh_token,
            params: tokenParams(login.tokens),
            profile: login.profile,
          },
          {
            error: (verifyErr) => this.error(verifyErr),
            fail: (info) => this.fail(info, 401),
            success: (user, info) => this.success(user, withAppState(info, appState)),
          },
        );
      });
    });
  }

  private checkState(req: IncomingMessage, state: string | undefined, done: StateCheck): void {
    const { store, authorizationURL } = this.soa2Settings;
    if (!store) return done(null, true);
    const meta = { authorizationURL, clientID: this.client.clientID };
    store.verify(req, state, meta, done);
  }

  /** Code → tokens → profile, through the one SOA2 client. */
  private async loadLogin(
    code: string,
  ): Promise<{ tokens: Soa2TokenResponse; profile: Soa2Profile | undefined }> {
    const tokens = await this.client.exchangeCode(code);
    const skip = await skipsProfile(this.soa2Settings.skipUserProfile, tokens.access_token);
    const profile = skip ? undefined : await this.client.fetchProfile(tokens.access_token);
    return { tokens, profile };
  }
}
