/**
 * The three SOA2 API calls an app needs, each once, in one small client: exchange a code
 * (POST /tokens), refresh (PATCH /tokens) and look up the user (GET /user). The strategy uses this same client for
 * its login, so an app that keeps tokens refreshes them with exactly the code that obtained them.
 *
 * Every method resolves with checked data or rejects with an {@link OAuthError} whose message says
 * what happened; no message contains the client secret, a code or a token.
 */
import {
  type ConnectionOptions,
  checkNonEmptyString,
  checkOptionsObject,
  type HttpResponse,
  type Transport,
} from '@exbo-soa2/core';
import { normaliseScopes, parseClientID, requireClientSecret } from './credentials.js';
import { type Soa2EndpointOptions, soa2Endpoints } from './endpoints.js';
import { PURPOSE, type Soa2Request, soa2Error } from './errors.js';
import { isUserJson, type Soa2Profile, toProfile } from './profile.js';
import { parseTokenResponse, type Soa2TokenResponse } from './token-answer.js';
import { soa2Transport } from './transport.js';
import { PACKAGE_NAME } from './version.js';

/** Credentials, scopes, URLs and transport settings of a {@link Soa2Client} (the strategy's names). */
export interface Soa2ClientOptions extends Soa2EndpointOptions, ConnectionOptions {
  /** Your application's client id: an integer, or a string of digits. */
  clientID: number | string;
  /** Your application's client secret (128 hex characters). */
  clientSecret: string;
  /** Scopes sent with the code exchange. Default `['identify']` (the only one SOA2 has). */
  scopes?: readonly string[] | string | undefined;
}

/** `Authorization` for `/user`: SOA2 wants the token base64-encoded; the raw token gets 401. */
function bearerAuthorization(accessToken: string): string {
  return `Bearer ${Buffer.from(accessToken, 'utf8').toString('base64')}`;
}

function requireToken(name: string, value: unknown): string {
  return checkNonEmptyString(PACKAGE_NAME, name, value);
}

/**
 * SOA2's token and user calls without Passport (the strategy logs in through one too). Methods
 * reject with an {@link OAuthError} chosen by SOA2's status (`CODE_REJECTED`, `REFRESH_EXPIRED`,
 * `TOKEN_REJECTED`, …). The constructor throws a `TypeError` / `RangeError` (`code`
 * `ERR_INVALID_ARG_TYPE` / `ERR_INVALID_ARG_VALUE`) naming the option for a client id that is
 * not an integer from 0 to 2^30, a missing secret, a scope other than `identify`, a relative URL
 * or an invalid `timeout` / `fetch`.
 */
export class Soa2Client {
  /** The client id as the integer SOA2 receives. */
  readonly clientID: number;
  readonly tokensURL: string;
  readonly userURL: string;
  readonly scopes: readonly string[];
  readonly transport: Transport;
  readonly #clientSecret: string;

  constructor(options: Soa2ClientOptions) {
    checkOptionsObject(PACKAGE_NAME, options);
    this.clientID = parseClientID(options.clientID);
    this.#clientSecret = requireClientSecret(options.clientSecret);
    this.scopes = normaliseScopes(options.scopes);
    const endpoints = soa2Endpoints(options);
    this.tokensURL = endpoints.tokensURL;
    this.userURL = endpoints.userURL;
    this.transport = soa2Transport(options);
  }

  /**
   * Exchanges an authorization code for tokens: POST `/tokens` with a JSON body whose `client_id` is
   * a JSON integer (a string gets 400). Never retried: a code is single use.
   */
  async exchangeCode(code: string): Promise<Soa2TokenResponse> {
    requireToken('code', code);
    return this.tokens('POST', 'exchange', { code, scopes: [...this.scopes] }, [code]);
  }

  /**
   * Gets a new access token: PATCH `/tokens`. SOA2 does not rotate the refresh token (the answer
   * carries the same one, with the same expiry) and deletes the previous access token. A 410 means
   * the refresh token expired: the error's code is `REFRESH_EXPIRED` and the user must log in again.
   */
  async refresh(refreshToken: string): Promise<Soa2TokenResponse> {
    requireToken('refreshToken', refreshToken);
    return this.tokens('PATCH', 'refresh', { refresh_token: refreshToken }, [refreshToken]);
  }

  /**
   * Who the access token belongs to: GET `/user`. A 203 is a success with
   * `profile.authoritative === false` (Scratch no longer shows that profile).
   */
  async fetchProfile(accessToken: string): Promise<Soa2Profile> {
    requireToken('accessToken', accessToken);
    const authorization = bearerAuthorization(accessToken);
    // The token goes out base64-encoded: a page echoing our header quotes it in that form.
    const secrets = [accessToken, authorization.slice('Bearer '.length)];
    const res = await this.transport.request({
      method: 'GET',
      url: this.userURL,
      headers: { Authorization: authorization },
      secrets,
      purpose: PURPOSE.profile,
    });
    if (res.status !== 200 && res.status !== 203) throw this.failure(res, 'profile', secrets);
    if (!isUserJson(res.json)) {
      throw this.transport.unexpected(
        res,
        PURPOSE.profile,
        'expected a user as JSON with user_id and user_name',
        secrets,
      );
    }
    return toProfile(res.json, res.text, res.status);
  }

  private async tokens(
    method: 'POST' | 'PATCH',
    request: Soa2Request,
    fields: Record<string, unknown>,
    sent: string[],
  ): Promise<Soa2TokenResponse> {
    const secrets = [this.#clientSecret, ...sent];
    const res = await this.transport.request({
      method,
      url: this.tokensURL,
      json: { client_id: this.clientID, client_secret: this.#clientSecret, ...fields },
      secrets,
      purpose: PURPOSE[request],
    });
    if (res.status !== 200) throw this.failure(res, request, secrets);
    const tokens = parseTokenResponse(res.json, Date.now());
    if (!tokens) {
      throw this.transport.unexpected(
        res,
        PURPOSE[request],
        'expected JSON with access_token, refresh_token, access_expiry, refresh_expiry and scopes',
        secrets,
      );
    }
    return tokens;
  }

  private failure(res: HttpResponse, request: Soa2Request, secrets: readonly string[]) {
    return soa2Error(this.transport, res, request, secrets);
  }
}
