/**
 * EXBO's OAuth steps, each once, named for what it does: the authorize URL, the code exchange,
 * the refresh, the profile and the application token. The Strategy logs in through this client
 * (`strategy.client`), and scripts, workers and apps that keep tokens use it directly. It takes the
 * strategy's option names (`clientID`, `clientSecret`, `callbackURL`, `baseURL`, `timeout`,
 * `fetch`, …) so one settings object configures both, and checks them with the same validators.
 */
import {
  type ConnectionOptions,
  checkAbsoluteURL,
  checkClientID,
  checkClientSecret,
  checkNonEmptyString,
  checkOptionsObject,
  connectionOptions,
  newStateHandle,
  type ProxyEnv,
  proxyEnv,
  type Transport,
} from '@exbo-soa2/core';
import { type ExboEndpointOptions, type ExboEndpoints, exboEndpoints } from './endpoints.js';
import type { ExboGrant } from './errors.js';
import type { ExboProfile } from './profile.js';
import type { ExboTokenResponse } from './token-answer.js';
import { PACKAGE_NAME } from './version.js';

type RequestPath = typeof import('./requests.js');
let requestPath: RequestPath | undefined;

/** The transport and answer readers, required by the first request (requests.ts says why). */
function loadRequestPath(): RequestPath {
  requestPath ??= require('./requests.js') as RequestPath;
  return requestPath;
}

/** Credentials, URLs and transport settings of an {@link ExboClient} (the strategy's option names). */
export interface ExboClientOptions extends ExboEndpointOptions, ConnectionOptions {
  /** Your application's numeric client id (e.g. `'30'`; a number is accepted too). */
  clientID: string | number;
  /** The 40-character client secret. */
  clientSecret: string;
  /**
   * The registered redirect URI (absolute), used by {@link ExboClient.createAuthorizationURL} and
   * {@link ExboClient.exchangeCode} unless they are given one.
   */
  callbackURL?: string | undefined;
}

/** Per-login choices for {@link ExboClient.createAuthorizationURL}. */
export interface AuthorizationURLOptions {
  /** Echoed back unchanged. Default: 43 random URL-safe characters (keep it to check the callback). */
  state?: string | undefined;
  /** Overrides the client's `callbackURL`. */
  callbackURL?: string | undefined;
}

/** The EXBO client id rule: a non-negative integer, sent as its decimal string. */
const CLIENT_ID = { as: 'string', max: Number.MAX_SAFE_INTEGER } as const;

function redirectURI(value: string | undefined): string {
  return checkAbsoluteURL(PACKAGE_NAME, 'callbackURL', value);
}

/**
 * EXBO's OAuth steps without Passport: authorize URL, code exchange, refresh, profile and
 * application tokens, over the same transport and error mapping as the strategy. The constructor
 * throws a `TypeError` / `RangeError` (`code` `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`)
 * naming the option when `clientID` or `clientSecret` is missing or invalid, a given `callbackURL`
 * or endpoint URL is not absolute, or `timeout` / `fetch` is invalid.
 */
export class ExboClient {
  readonly clientID: string;
  readonly endpoints: ExboEndpoints;
  readonly callbackURL: string | undefined;
  // Private (#) so logging or serialising the client never shows it.
  readonly #clientSecret: string;
  /** The connection options, checked by the constructor, and the proxy variables then set. */
  readonly #connection: ConnectionOptions & { env: ProxyEnv };
  #transport: Transport | undefined;
  /** Refreshes in flight, by refresh token: EXBO rotates the pair, so a second use would fail. */
  readonly #refreshing = new Map<string, Promise<ExboTokenResponse>>();

  constructor(options: ExboClientOptions) {
    checkOptionsObject(PACKAGE_NAME, options);
    this.clientID = checkClientID(PACKAGE_NAME, options.clientID, CLIENT_ID) as string;
    this.#clientSecret = checkClientSecret(PACKAGE_NAME, options.clientSecret);
    this.endpoints = exboEndpoints(options);
    this.#connection = { ...connectionOptions(PACKAGE_NAME, options), env: proxyEnv() };
    this.callbackURL =
      options.callbackURL === undefined ? undefined : redirectURI(options.callbackURL);
  }

  /**
   * The shared transport (timeouts, whole-body UTF-8, redacted errors), also used by the game API.
   * Made on first use, with the request path (requests.ts); `proxy: 'env'` uses the environment
   * as it was when the client was made.
   */
  get transport(): Transport {
    this.#transport ??= loadRequestPath().exboTransport(this.#connection);
    return this.#transport;
  }

  /**
   * The URL to send the browser to, with `scope=` present and empty (EXBO's docs require it) and a
   * `state` to check when the user comes back (a fresh random one unless given).
   */
  createAuthorizationURL(options: AuthorizationURLOptions = {}): { url: string; state: string } {
    const state = checkNonEmptyString(
      PACKAGE_NAME,
      'state',
      options.state ?? newStateHandle(),
      false,
    );
    const url = new URL(this.endpoints.authorizationURL);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.clientID);
    url.searchParams.set('redirect_uri', redirectURI(options.callbackURL ?? this.callbackURL));
    url.searchParams.set('scope', '');
    url.searchParams.set('state', state);
    return { url: url.toString(), state };
  }

  /**
   * Exchanges an authorization code (single use, about ten minutes) for the user's token pair:
   * POST to the token endpoint as a form (EXBO ignores query-string parameters). `callbackURL`
   * must be the one the login was started with. Never retried: a code works once.
   */
  exchangeCode(
    code: string,
    options: { callbackURL?: string | undefined } = {},
  ): Promise<ExboTokenResponse> {
    const uri = redirectURI(options.callbackURL ?? this.callbackURL);
    return this.#token('authorization_code', {
      code: checkNonEmptyString(PACKAGE_NAME, 'code', code),
      redirect_uri: uri,
    });
  }

  /**
   * Trades a refresh token for a new pair (`grant_type=refresh_token`, `scope=` empty). EXBO rotates
   * both tokens: store the returned `refresh_token`, the old one no longer works. Concurrent calls
   * with the same refresh token share one request, so two parallel requests of one user do not
   * spend it twice (across processes, serialise refreshes per user yourself).
   * A revoked or replaced refresh token rejects with `REFRESH_REJECTED`: the user logs in again.
   */
  refresh(refreshToken: string): Promise<ExboTokenResponse> {
    const token = checkNonEmptyString(PACKAGE_NAME, 'refreshToken', refreshToken);
    const pending = this.#refreshing.get(token);
    if (pending) return pending;
    const request = this.#token('refresh_token', { refresh_token: token }).finally(() =>
      this.#refreshing.delete(token),
    );
    this.#refreshing.set(token, request);
    return request;
  }

  /**
   * The user an access token belongs to, in the strategy's profile shape: GET `/oauth/user` with
   * the token in the Authorization header (never in the URL) and `Accept: application/json`
   * (without it Laravel may redirect to its login page instead of 401). Also the way to check a
   * token: it rejects with `TOKEN_REJECTED` when the token is invalid, expired or replaced.
   */
  async fetchProfile(accessToken: string): Promise<ExboProfile> {
    const token = checkNonEmptyString(PACKAGE_NAME, 'accessToken', accessToken);
    const { PURPOSE, readProfileAnswer } = loadRequestPath();
    const res = await this.transport.request({
      method: 'GET',
      url: this.endpoints.userProfileURL,
      headers: { Authorization: `Bearer ${token}` },
      secrets: [token],
      purpose: PURPOSE.profile,
    });
    return readProfileAnswer(this.transport, res, token);
  }

  /**
   * Mints a new application token (client credentials). EXBO then invalidates every earlier
   * application token of this app, in every process: use `AppTokenManager` (passport-exbo/game-api:
   * cached, shared) rather than calling this per request.
   */
  requestAppToken(): Promise<ExboTokenResponse> {
    return this.#token('client_credentials');
  }

  /**
   * `Client-Id` / `Client-Secret` headers for app-level game-API calls: EXBO's secret-based
   * authentication (docs/protocols/exbo.md,
   * "Secret-based authentication"). No token is requested, so nothing is
   * replaced and nothing expires. They carry the client secret: send them to the game-API host
   * only (never to the token endpoint, never to a third party).
   */
  clientSecretHeaders(): Record<string, string> {
    return { 'Client-Id': this.clientID, 'Client-Secret': this.#clientSecret };
  }

  /** One grant, POSTed to the token endpoint as a form; the answer is read by token-answer.ts. */
  async #token(grant: ExboGrant, fields: Record<string, string> = {}): Promise<ExboTokenResponse> {
    const form: Record<string, string> = {
      grant_type: grant,
      client_id: this.clientID,
      client_secret: this.#clientSecret,
      ...fields,
    };
    // EXBO's docs mark `scope` required and empty on refresh and client credentials; league reads it
    // on every grant, so it is sent present and empty except on the code exchange, where the scope
    // was fixed at authorization time.
    if (grant !== 'authorization_code') form.scope = '';
    const secrets = [this.#clientSecret, ...Object.values(fields)];
    const { PURPOSE, readTokenAnswer } = loadRequestPath();
    const res = await this.transport.request({
      method: 'POST',
      url: this.endpoints.tokenURL,
      form,
      secrets,
      purpose: PURPOSE[grant],
    });
    return readTokenAnswer(this.transport, res, grant, secrets);
  }
}
