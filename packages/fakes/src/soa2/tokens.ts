/**
 * Refresh and access tokens, with SOA2's lifetimes and replacement rules (docs/protocols/soa2.md,
 * "Code exchange: POST /tokens", "Refresh: PATCH /tokens", "GET /user"):
 * - an exchange deletes every earlier token of the same (application, user): a login on a second
 *   device ends the first device's tokens;
 * - a refresh issues a new access token, deletes the previous one, and keeps the refresh token and
 *   its expiry unchanged, so an access token can outlive its refresh token by up to a day.
 */
import { randomBytes } from 'node:crypto';
import { ACCESS_TOKEN_LIFETIME_SECONDS, REFRESH_TOKEN_LIFETIME_SECONDS } from './defaults.js';

interface RefreshToken {
  token: string;
  clientId: number;
  userId: number;
  scopes: string[];
  expiry: number;
}

export interface AccessToken {
  token: string;
  refreshToken: string;
  clientId: number;
  userId: number;
  scopes: string[];
  expiry: number;
}

/** A `/tokens` answer, in the key order SOA2 sends. */
export interface TokenAnswer {
  refresh_token: string;
  refresh_expiry: number;
  scopes: string[];
  access_token: string;
  access_expiry: number;
}

/** Why a refresh was refused: unknown (or another client's) → 404, expired → 410. */
export type RefreshOutcome = TokenAnswer | 'unknown' | 'expired';

/** 128 lowercase hex characters, as SOA2's tokens. */
function newToken(): string {
  return randomBytes(64).toString('hex');
}

export class TokenStore {
  readonly #refresh = new Map<string, RefreshToken>();
  readonly #access = new Map<string, AccessToken>();

  /** Tokens for a redeemed code, replacing all earlier tokens of the same application and user. */
  issue(clientId: number, userId: number, scopes: string[], nowSeconds: number): TokenAnswer {
    for (const [token, refresh] of this.#refresh) {
      if (refresh.clientId === clientId && refresh.userId === userId) this.#refresh.delete(token);
    }
    for (const [token, access] of this.#access) {
      if (access.clientId === clientId && access.userId === userId) this.#access.delete(token);
    }
    const refresh: RefreshToken = {
      token: newToken(),
      clientId,
      userId,
      scopes: [...scopes],
      expiry: nowSeconds + REFRESH_TOKEN_LIFETIME_SECONDS,
    };
    this.#refresh.set(refresh.token, refresh);
    return this.answer(refresh, this.newAccessToken(refresh, nowSeconds));
  }

  /** A new access token for `refreshToken`, if it is this client's and still valid. */
  refresh(refreshToken: string, clientId: number, nowSeconds: number): RefreshOutcome {
    const refresh = this.#refresh.get(refreshToken);
    if (!refresh || refresh.clientId !== clientId) return 'unknown';
    if (refresh.expiry < nowSeconds) return 'expired';
    for (const [token, access] of this.#access) {
      if (access.refreshToken === refresh.token) this.#access.delete(token);
    }
    return this.answer(refresh, this.newAccessToken(refresh, nowSeconds));
  }

  /** Deletes every token of an application (it was deleted). */
  revokeClient(clientId: number): void {
    for (const [token, refresh] of this.#refresh) {
      if (refresh.clientId === clientId) this.#refresh.delete(token);
    }
    for (const [token, access] of this.#access) {
      if (access.clientId === clientId) this.#access.delete(token);
    }
  }

  /**
   * The access token when it is known and not expired, and its refresh token is not expired
   * either: SOA2's `GET /user` looks the refresh token up with its expiry filter, so it answers 401
   * once the refresh token has expired even while the access token is live
   * (docs/protocols/soa2.md, "GET /user").
   */
  access(token: string, nowSeconds: number): AccessToken | undefined {
    const access = this.#access.get(token);
    if (!access || access.expiry < nowSeconds) return undefined;
    const refresh = this.#refresh.get(access.refreshToken);
    if (!refresh || refresh.expiry < nowSeconds) return undefined;
    return access;
  }

  private newAccessToken(refresh: RefreshToken, nowSeconds: number): AccessToken {
    const access: AccessToken = {
      token: newToken(),
      refreshToken: refresh.token,
      clientId: refresh.clientId,
      userId: refresh.userId,
      scopes: [...refresh.scopes],
      expiry: nowSeconds + ACCESS_TOKEN_LIFETIME_SECONDS,
    };
    this.#access.set(access.token, access);
    return access;
  }

  private answer(refresh: RefreshToken, access: AccessToken): TokenAnswer {
    return {
      refresh_token: refresh.token,
      refresh_expiry: refresh.expiry,
      scopes: [...refresh.scopes],
      access_token: access.token,
      access_expiry: access.expiry,
    };
  }
}
