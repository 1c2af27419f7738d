/**
 * The steps of a login that both strategies share, written once: the constructor's opening
 * (options, verify, callbackURL, `pkce`, name, state store), `authenticate`'s opening (debug trace,
 * option check, callback parameters), and the two steps of passport-oauth2's callback that
 * passport-soa2 needs without it (`skipUserProfile`, app state back as `req.authInfo.state`).
 *
 * passport-exbo is an `OAuth2Strategy`, so passport-oauth2 runs its callback, skipUserProfile and
 * app state included; passport-soa2 is a strategy of its own (SOA2 only looks like OAuth 2.0,
 * docs/protocols/soa2.md, "Authorize") and takes those two from here, with passport-oauth2 1.8's
 * semantics (`lib/strategy.js` 180-189 and 385-407), so the two packages behave alike.
 */
import type { IncomingMessage } from 'node:http';
import { type CallbackRequestLike, callbackParam } from './callback-request.js';
import type { CookieStateStore } from './cookie-state-store.js';
import { traceLoginOutcome } from './debug-log.js';
import { loginStateStore } from './login-state.js';
import { checkOptionsObject, invalidOptionType, unsupportedOption } from './option-checks.js';
import type { LoginStateStore } from './state-store.js';
import type { SharedStrategyOptions, SkipUserProfile } from './strategy-options.js';

/**
 * What Passport gives a strategy for each `authenticate` call, typed here so that the published
 * types need neither `@types/passport-strategy` nor `@types/passport-oauth2`. Passport runs each
 * request on a copy of the strategy (`Object.create`) that carries these; exactly one is called.
 */
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

/** Which strategy is opening: the names its errors and debug lines use. */
export interface StrategyIdentity {
  /** The package, opening every option error: `'passport-exbo'`. */
  owner: string;
  /**
   * The provider's id: the default strategy name, the debug-log section `passport-<provider>`,
   * and `provider` on errors. `'exbo'`.
   */
  provider: string;
  /** The provider's name in messages: `'EXBO'`. */
  label: string;
}

/** The options the constructor's opening reads (each strategy's options extend these). */
export interface OpenedStrategyOptions extends SharedStrategyOptions {
  callbackURL?: string | undefined;
  passReqToCallback?: boolean | undefined;
}

/** How the two strategies differ in the constructor's opening. */
export interface OpeningRules<Store> {
  /** passport-exbo needs a `callbackURL` (EXBO requires `redirect_uri`); SOA2 can do without. */
  callbackURLRequired: boolean;
  /** An app's own state store (passport-exbo's `store` option); else the `state` option decides. */
  store?: Store | undefined;
}

/** What a strategy keeps per instance from the constructor's opening. */
export interface StrategySettings<Store = never> {
  /** `options.name`, or the provider's id. */
  name: string;
  /** As given (possibly relative): resolved per request. */
  callbackURL: string | undefined;
  /** Where pending logins are remembered; `undefined` with `state: false`. */
  store: Store | LoginStateStore | CookieStateStore | undefined;
  skipUserProfile: SkipUserProfile;
  // biome-ignore lint/complexity/noBannedTypes: verify comes in several shapes (verify.ts).
  verify: Function;
  passReqToCallback: boolean;
}

/**
 * The first check of a constructor, before the strategy's client checks the options it shares
 * (so a strategy and its client throw the same errors for the same values).
 */
export function checkStrategyArguments(owner: string, options: unknown, verify: unknown): void {
  checkOptionsObject(owner, options);
  if (typeof verify !== 'function') {
    throw invalidOptionType(owner, 'verify', 'a function', verify);
  }
}

/**
 * The rest of the constructor's opening, after the client's checks: `callbackURL` (a non-empty
 * string when given), `pkce` refused (neither provider has it), the name, the state store and the
 * verify settings.
 */
export function strategySettings<Store = never>(
  identity: StrategyIdentity,
  options: OpenedStrategyOptions,
  // biome-ignore lint/complexity/noBannedTypes: verify comes in several shapes (verify.ts).
  verify: Function,
  rules: OpeningRules<Store>,
): StrategySettings<Store> {
  const { owner, provider, label } = identity;
  const { callbackURLRequired } = rules;
  const { callbackURL } = options;
  if (
    (callbackURLRequired || callbackURL !== undefined) &&
    (typeof callbackURL !== 'string' || callbackURL === '')
  ) {
    const expected = `a non-empty string (a URL)${callbackURLRequired ? '' : ' when given'}`;
    throw invalidOptionType(owner, 'callbackURL', expected, callbackURL);
  }
  if (options.pkce !== undefined && (options.pkce as unknown) !== false) {
    throw unsupportedOption(owner, 'pkce', `${label} does not support PKCE`);
  }
  const name = options.name ?? provider;
  return {
    name,
    callbackURL,
    store: rules.store ?? loginStateStore(options, { owner, provider, name }),
    skipUserProfile: options.skipUserProfile ?? false,
    verify,
    passReqToCallback: options.passReqToCallback === true,
  };
}

/** What `authenticate`'s opening needs to know. */
export interface LoginOpening<Name extends string> {
  identity: StrategyIdentity;
  /** Throws for `authenticate` options the provider cannot honour (a scope); reported as `error`. */
  checkOptions?: (() => void) | undefined;
  /** The callback parameters to read, in the order their problems are reported. */
  params: readonly Name[];
}

/**
 * The first thing in `authenticate`: traces the outcome (`NODE_DEBUG=passport-<provider>`),
 * checks the options, and reads each named callback parameter once (Express 5's `req.query` is a
 * getter that parses the query string at every read). Returns the parameters, or `undefined` once
 * it has called `error` (a bad option) or `fail(…, 400)` (a duplicated, oversized or non-string
 * parameter, which never reaches the provider). The request is read, never changed.
 */
export function openLogin<Name extends string>(
  strategy: PassportStrategyActions,
  req: IncomingMessage,
  opening: LoginOpening<Name>,
): Record<Name, string | undefined> | undefined {
  traceLoginOutcome(strategy, opening.identity.provider, opening.identity.label);
  try {
    opening.checkOptions?.();
  } catch (err) {
    strategy.error(err);
    return undefined;
  }
  const { query, body } = req as CallbackRequestLike;
  const callback = { query, body };
  const params = {} as Record<Name, string | undefined>;
  for (const name of opening.params) {
    // `code` and `state` may come in a form body (a form_post callback, a pasted code).
    const param = callbackParam(callback, name, name === 'code' || name === 'state');
    if (!param.ok) {
      strategy.fail({ message: param.message }, 400);
      return undefined;
    }
    params[name] = param.value;
  }
  return params;
}

/**
 * Whether to skip the profile, from passport-oauth2's `skipUserProfile` forms (`_loadUserProfile`):
 * a value, a function of at most one parameter called with none, or `(accessToken, done)`; what
 * they give is taken for its truthiness, as passport-oauth2 does.
 */
export function skipsProfile(skip: SkipUserProfile, accessToken: string): Promise<boolean> {
  if (typeof skip !== 'function') return Promise.resolve(Boolean(skip));
  if (skip.length > 1) {
    return new Promise((resolve, reject) => {
      (skip as (token: string, done: (err: unknown, skip?: boolean) => void) => void)(
        accessToken,
        (err, value) => (err ? reject(err) : resolve(Boolean(value))),
      );
    });
  }
  return Promise.resolve().then(() => Boolean((skip as () => boolean)()));
}

/**
 * The `info` for `success`, as passport-oauth2's `verified` makes it: verify's info or `{}`, with
 * the app state from the login's start (`authenticate(name, { state })`) as `info.state`, which
 * Passport puts on `req.authInfo.state`. A copy: the app's own object is not changed.
 */
export function withAppState(info: unknown, appState: unknown): unknown {
  const base = info || {};
  if (!appState || typeof base !== 'object') return base;
  return { ...base, state: appState };
}
