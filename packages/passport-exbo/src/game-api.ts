/**
 * The STALCRAFT game API (what "Login with EXBO" is usually for), on the same transport and error
 * family as the login. Each call says which credential it uses, because the API has three and the
 * wrong one fails (docs/protocols/exbo.md, "Routes and credentials"):
 * - `{ userToken }`: the signed-in user's token; required for the user's own data (characters,
 *   friends, their clan's members);
 * - `'app-token'`: the application token, from an {@link AppTokenManager} (cached, shared, renewed
 *   once on a 401);
 * - `'client-secret'`: `Client-Id` / `Client-Secret` headers, for app-level data without any token;
 * - `'none'`: routes that need no credential.
 */
import {
  type ConnectionOptions,
  checkServiceURL,
  OAuthError,
  type Transport,
} from '@exbo-soa2/core';
import { AppTokenManager } from './app-token.js';
import { type ExboCharacter, isCharacterList } from './characters.js';
import type { ExboClient } from './client.js';
import { gameApiError } from './errors.js';
import { type ExboRateLimit, parseRateLimit } from './rate-limit.js';
import { requireRegion } from './regions.js';
import { exboTransport } from './transport.js';
import { PACKAGE_NAME } from './version.js';

/** Hosts of the game API. The demo API only accepts EXBO's fixed demo credentials. */
export const GAME_API_URLS = {
  production: 'https://eapi.stalcraft.net',
  demo: 'https://dapi.stalcraft.net',
  /** The same API under the STALZONE name. */
  stalzone: 'https://eapi.stalzone.com',
} as const;

/**
 * The credential a game-API call uses: the signed-in user's token, the shared application token,
 * the `Client-Id`/`Client-Secret` headers, or none (public routes such as `/regions`).
 */
export type GameApiAuth = { userToken: string } | 'app-token' | 'client-secret' | 'none';

/** One GET for {@link ExboGameApi.request}. */
export interface GameApiRequest {
  /**
   * Path under the base URL, e.g. `/EU/emission`. Encode dynamic segments (`encodeURIComponent`);
   * an absolute URL is refused, so credentials only ever go to the configured host.
   */
  path: string;
  auth: GameApiAuth;
  /** Query parameters; `undefined` values are left out. */
  query?: Record<string, string | number | boolean | undefined> | undefined;
  /** How errors name this request, e.g. `'the auction lots request'`. */
  purpose?: string | undefined;
}

/** A successful (200, JSON) game-API answer. */
export interface GameApiResponse<T> {
  status: number;
  /** The parsed JSON body. */
  data: T;
  /** The bucket after this request, when the API reported it. */
  rateLimit: ExboRateLimit | undefined;
}

/** One entry of `GET /regions`: the region id (e.g. `EU`) and its display name. */
export interface ExboRegionInfo {
  id: string;
  name: string;
}

/** Where the game API is and which credentials and transport settings its calls use. */
export interface ExboGameApiOptions extends ConnectionOptions {
  /** Default {@link GAME_API_URLS}.production. A path prefix is kept (`https://host/prefix`). */
  baseURL?: string | undefined;
  /**
   * Needed for `'client-secret'` and `'app-token'` calls. Its transport is reused unless `timeout`
   * or `fetch` is given here.
   */
  client?: ExboClient | undefined;
  /** Application tokens for `'app-token'` calls. Default: a manager on `client` (shared store). */
  appTokens?: AppTokenManager | undefined;
}

/**
 * A client for the STALCRAFT game API on the login's transport and error family; every call names
 * its credential ({@link GameApiAuth}). The constructor throws a `TypeError` when `baseURL` is not
 * an absolute https URL (http only to this machine, or with `allowInsecureRequests`).
 */
export class ExboGameApi {
  /** The base URL, without a trailing slash. */
  readonly baseURL: string;
  readonly #transport: Transport;
  readonly #client: ExboClient | undefined;
  #appTokens: AppTokenManager | undefined;

  constructor(options: ExboGameApiOptions = {}) {
    // Calls carry the Client-Secret header or a token: https, or http to this machine only.
    const base = checkServiceURL(
      PACKAGE_NAME,
      'baseURL',
      options.baseURL ?? GAME_API_URLS.production,
      options.allowInsecureRequests,
    );
    this.baseURL = base.replace(/\/+$/, '');
    this.#client = options.client;
    this.#appTokens = options.appTokens;
    const ownTransport =
      options.timeout !== undefined || options.fetch !== undefined || options.proxy !== undefined;
    this.#transport =
      options.client && !ownTransport ? options.client.transport : exboTransport(options);
  }

  /**
   * `GET /regions`. With a `client` it sends the `Client-Id`/`Client-Secret` headers (no token is
   * minted), else with `appTokens` the application token, else nothing: no source says whether the
   * live API needs authentication here (docs/protocols/exbo.md, "Regions"), and credentials it
   * does not need cost nothing.
   */
  async regions(): Promise<ExboRegionInfo[]> {
    const auth: GameApiAuth = this.#client
      ? 'client-secret'
      : this.#appTokens
        ? 'app-token'
        : 'none';
    const { data } = await this.request<unknown>({
      path: '/regions',
      auth,
      purpose: 'the regions request',
    });
    const isRegion = (r: unknown) => typeof (r as ExboRegionInfo | null)?.id === 'string';
    if (!Array.isArray(data) || !data.every(isRegion)) {
      throw this.#badShape('the regions request', 'expected an array of {id, name}');
    }
    return data as ExboRegionInfo[];
  }

  /**
   * The token owner's characters in one region (`GET /{region}/characters`, user token only).
   * `region` is one of `EXBO_REGIONS`, any case. An empty array when the user has none there.
   */
  async characters(region: string, userToken: string): Promise<ExboCharacter[]> {
    const id = requireRegion(region);
    const purpose = `the characters request (${id})`;
    const { data } = await this.request<unknown>({
      path: `/${id}/characters`,
      auth: { userToken },
      purpose,
    });
    if (!isCharacterList(data)) {
      throw this.#badShape(purpose, 'expected an array of characters with information.id/name');
    }
    return data;
  }

  /**
   * One GET to the game API with the chosen credential. Rejects with `OAuthError`:
   * `TOKEN_REJECTED` (401 on a token; an app token is renewed and retried once first),
   * `CLIENT_REJECTED` (401 on Client-Id/Client-Secret), `RATE_LIMITED` (429, `retryAfter` from
   * `X-RateLimit-Reset`), `API_REJECTED` (another 4xx: `upstreamStatus`, `providerDescription`),
   * `PROVIDER_ERROR` (5xx) or a transport error.
   */
  async request<T = unknown>(request: GameApiRequest): Promise<GameApiResponse<T>> {
    const url = this.#url(request);
    // The path only: a query (written into `path` or given as `query`) may carry what the app
    // would not want in a message or the debug log.
    const purpose = request.purpose ?? `the game-API request GET ${request.path.split(/[?#]/)[0]}`;
    const { auth } = request;
    if (auth === 'app-token') {
      const tokens = this.#appTokenManager();
      return tokens.withToken((token) =>
        this.#send<T>(url, purpose, { Authorization: `Bearer ${token}` }, [token], 'application'),
      );
    }
    if (auth === 'client-secret') {
      if (!this.#client) {
        throw new TypeError(
          `${PACKAGE_NAME}: 'client-secret' game-API calls need the client option`,
        );
      }
      const headers = this.#client.clientSecretHeaders();
      return this.#send<T>(url, purpose, headers, [headers['Client-Secret']], 'client-secret');
    }
    if (auth === 'none') return this.#send<T>(url, purpose, {}, [], 'none');
    const token = typeof auth === 'object' && auth !== null ? auth.userToken : undefined;
    if (typeof token !== 'string' || token === '') {
      throw new TypeError(
        `${PACKAGE_NAME}: game-API auth must be { userToken }, 'app-token', 'client-secret' or 'none'`,
      );
    }
    return this.#send<T>(url, purpose, { Authorization: `Bearer ${token}` }, [token], 'user');
  }

  #appTokenManager(): AppTokenManager {
    if (!this.#appTokens) {
      if (!this.#client) {
        throw new TypeError(
          `${PACKAGE_NAME}: 'app-token' game-API calls need the appTokens or client option`,
        );
      }
      this.#appTokens = new AppTokenManager(this.#client);
    }
    return this.#appTokens;
  }

  #url(request: GameApiRequest): string {
    const path = request?.path;
    // A path like `//evil.example` or `https://…` would carry the credentials to another host.
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      throw new TypeError(
        `${PACKAGE_NAME}: a game-API path must start with a single "/", got ${JSON.stringify(path)?.slice(0, 80)}`,
      );
    }
    const url = new URL(`${this.baseURL}${path}`);
    if (url.origin !== new URL(this.baseURL).origin) {
      throw new TypeError(`${PACKAGE_NAME}: a game-API path must stay on the configured host`);
    }
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.append(name, String(value));
    }
    return url.toString();
  }

  async #send<T>(
    url: string,
    purpose: string,
    headers: Record<string, string>,
    secrets: (string | undefined)[],
    credential: 'user' | 'application' | 'client-secret' | 'none',
  ): Promise<GameApiResponse<T>> {
    const res = await this.#transport.request({ method: 'GET', url, headers, secrets, purpose });
    if (res.status === 200 && res.json !== undefined) {
      return { status: res.status, data: res.json as T, rateLimit: parseRateLimit(res.headers) };
    }
    throw gameApiError(this.#transport, res, purpose, secrets, credential);
  }

  #badShape(purpose: string, what: string): OAuthError {
    return new OAuthError(
      'PROVIDER_BAD_RESPONSE',
      `${this.#transport.providerLabel} answered ${purpose} with JSON of an unexpected shape: ${what}`,
      { provider: this.#transport.provider, upstreamStatus: 200 },
    );
  }
}
