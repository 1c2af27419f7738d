/**
 * EXBO's OAuth steps without Passport, for scripts, workers and apps that keep tokens themselves:
 * authorize URL, code exchange, refresh, token validation and the application token. It takes the
 * strategy's option names (`clientID`, `clientSecret`, `callbackURL`, `baseURL`, `timeout`,
 * `fetch`, …) so one settings object configures both, and it goes through the same transport,
 * token request and profile code as the strategy (token.ts, profile.ts): one implementation each.
 */
import { newStateHandle, type Transport } from '@exbo-soa2/core';
import { clientSecretHeaders } from './client-headers.js';
import { type ExboEndpointOptions, type ExboEndpoints, exboEndpoints } from './endpoints.js';
import { type ExboProfile, fetchProfile } from './profile.js';
import { type ExboTokenResponse, requestToken, type TokenRequest } from './token.js';
import { type ExboTransportOptions, exboTransport } from './transport.js';

/** Credentials, URLs and transport settings of an {@link ExboClient} (the strategy's option names). */
export interface ExboClientOptions extends ExboEndpointOptions, ExboTransportOptions {
  /** Your application's numeric client id (e.g. `'30'`). */
  clientID: string;
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

function requireString(name: string, value: unknown): string {
  // EXBO client ids are numeric; configuration read from JSON may carry one as a number.
  if (typeof value === 'number' && name === 'clientID' && Number.isSafeInteger(value)) {
    return String(value);
  }
  if (typeof value !== 'string' || value === '') {
    throw new TypeError(`passport-exbo: ${name} is required`);
  }
  return value;
}

function absoluteCallbackURL(value: string | undefined): string {
  if (value === undefined || value === '') {
    throw new TypeError(
      'passport-exbo: callbackURL is required (the registered redirect URI, as an absolute URL)',
    );
  }
  if (!URL.canParse(value)) {
    throw new TypeError(`passport-exbo: callbackURL must be an absolute URL, got "${value}"`);
  }
  return value;
}

/**
 * EXBO's OAuth steps without Passport: authorize URL, code exchange, refresh, token validation and
 * application tokens, over the same transport and error mapping as the strategy. The constructor
 * throws a `TypeError` when `clientID` or `clientSecret` is missing, or a given `callbackURL` or
 * endpoint URL is not absolute.
 */
export class ExboClient {
  readonly clientID: string;
  readonly endpoints: ExboEndpoints;
  /** The shared transport (timeouts, whole-body UTF-8, redacted errors), also used by the game API. */
  readonly transport: Transport;
  readonly callbackURL: string | undefined;
  // Private (#) so logging or serialising the client never shows it.
  readonly #clientSecret: string;
  /** Refreshes in flight, by refresh token: EXBO rotates the pair, so a second use would fail. */
  readonly #refreshing = new Map<string, Promise<ExboTokenResponse>>();

  constructor(options: ExboClientOptions) {
    if (!options || typeof options !== 'object') {
      throw new TypeError('passport-exbo: ExboClient options are required');
    }
    this.clientID = requireString('clientID', options.clientID);
    this.#clientSecret = requireString('clientSecret', options.clientSecret);
    this.endpoints = exboEndpoints(options);
    this.transport = exboTransport(options);
    this.callbackURL =
      options.callbackURL === undefined ? undefined : absoluteCallbackURL(options.callbackURL);
  }

  /**
   * The URL to send the browser to, with `scope=` present and empty (EXBO's docs require it) and a
   * `state` to check when the user comes back (a fresh random one unless given).
   */
  createAuthorizationURL(options: AuthorizationURLOptions = {}): { url: string; state: string } {
    const state = options.state ?? newStateHandle();
    if (typeof state !== 'string' || state === '') {
      throw new TypeError('passport-exbo: state must be a non-empty string');
    }
    const url = new URL(this.endpoints.authorizationURL);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.clientID);
    url.searchParams.set(
      'redirect_uri',
      absoluteCallbackURL(options.callbackURL ?? this.callbackURL),
    );
    url.searchParams.set('scope', '');
    url.searchParams.set('state', state);
    return { url: url.toString(), state };
  }

  /**
   * Exchanges an authorization code (single use, about ten minutes) for the user's token pair.
   * `callbackURL` must be the one the login was started with. Never retried: a code works once.
   */
  exchangeCode(
    code: string,
    options: { callbackURL?: string | undefined } = {},
  ): Promise<ExboTokenResponse> {
    const redirectURI = absoluteCallbackURL(options.callbackURL ?? this.callbackURL);
    return this.#token('authorization_code', {
      code: requireString('code', code),
      redirect_uri: redirectURI,
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
    const token = requireString('refreshToken', refreshToken);
    const pending = this.#refreshing.get(token);
    if (pending) return pending;
    const request = this.#token('refresh_token', { refresh_token: token }).finally(() =>
      this.#refreshing.delete(token),
    );
    this.#refreshing.set(token, request);
    return request;
  }

  /**
   * Checks a user access token with EXBO (`GET /oauth/user`) and returns the user in the strategy's
   * profile shape. Rejects with `TOKEN_REJECTED` when the token is invalid, expired or replaced.
   */
  validateToken(accessToken: string): Promise<ExboProfile> {
    const token = requireString('accessToken', accessToken);
    return fetchProfile(this.transport, this.endpoints.userProfileURL, token);
  }

  /**
   * Mints a new application token (client credentials). EXBO then invalidates every earlier
   * application token of this app, in every process: use {@link AppTokenManager} (cached, shared)
   * rather than calling this per request.
   */
  requestAppToken(): Promise<ExboTokenResponse> {
    return this.#token('client_credentials');
  }

  /** `Client-Id` / `Client-Secret` headers for app-level game-API calls (no token needed). */
  clientSecretHeaders(): Record<string, string> {
    return clientSecretHeaders({ clientID: this.clientID, clientSecret: this.#clientSecret });
  }

  #token(grant: TokenRequest['grant'], fields?: Record<string, string>) {
    return requestToken(this.transport, {
      tokenURL: this.endpoints.tokenURL,
      clientID: this.clientID,
      clientSecret: this.#clientSecret,
      grant,
      ...(fields && { fields }),
    });
  }
}
