/**
 * Authorization codes, access tokens and refresh tokens, with EXBO's lifetimes and its token
 * replacement rule: a code exchange revokes that user's earlier tokens for the client, an
 * application token revokes the client's earlier application tokens, and a refresh rotates the pair.
 * Every time comes from the injected clock, so expiry can be tested without waiting.
 */
import { randomBytes } from 'node:crypto';
import type { JwtSigner } from './jwt.js';

/** What a token endpoint answers on success (league's BearerTokenResponse, in its key order). */
export interface TokenResponseBody {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  refresh_token?: string;
}

export type TokenStatus = 'active' | 'expired' | 'revoked' | 'unknown';

/** Why a code cannot be exchanged, in the order league checks. */
export type CodeRejection =
  | 'unknown'
  | 'expired'
  | 'revoked'
  | 'other_client'
  | 'redirect_uri_missing'
  | 'redirect_uri_mismatch';

/** Why a refresh token cannot be used, in the order league checks. */
export type RefreshRejection = 'unknown' | 'other_client' | 'expired' | 'revoked';

interface AuthCode {
  clientId: string;
  redirectUri: string;
  userId: number;
  /** Unix seconds. */
  expireTime: number;
  revoked: boolean;
}

interface AccessTokenRecord {
  clientId: string;
  /** `null` for application (client credentials) tokens. */
  userId: number | null;
  expireTime: number;
  revoked: boolean;
}

interface RefreshTokenRecord {
  accessTokenId: string;
  clientId: string;
  userId: number;
  expireTime: number;
  revoked: boolean;
}

export interface TokenStoreOptions {
  signer: JwtSigner;
  clock: () => number;
  codeLifetimeSeconds: number;
  tokenLifetimeSeconds: number;
}

/**
 * Real codes and refresh tokens are league's encrypted payloads: hex strings of 700-800 characters
 * starting with Defuse's `def50200` header. Same prefix and length here, so storage columns and
 * length limits in client code meet what production sends.
 */
function encryptedLookingToken(bytes: number): string {
  return `def50200${randomBytes(bytes).toString('hex')}`;
}

export class TokenStore {
  readonly #codes = new Map<string, AuthCode>();
  readonly #accessTokens = new Map<string, AccessTokenRecord>();
  readonly #refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly #options: TokenStoreOptions;

  constructor(options: TokenStoreOptions) {
    this.#options = options;
  }

  /** Seconds since the epoch by the injected clock (league compares whole seconds). */
  #now(): number {
    return Math.floor(this.#options.clock() / 1000);
  }

  issueCode(grant: { clientId: string; redirectUri: string; userId: number }): string {
    const code = encryptedLookingToken(384);
    this.#codes.set(code, {
      ...grant,
      expireTime: this.#now() + this.#options.codeLifetimeSeconds,
      revoked: false,
    });
    return code;
  }

  /**
   * Checks a code like league's AuthCodeGrant and, when it passes, revokes it (single use) and
   * returns its user. `redirectUri` is what the token request sent, if anything.
   */
  redeemCode(
    code: string,
    clientId: string,
    redirectUri: string | undefined,
  ): { ok: true; userId: number } | { ok: false; reason: CodeRejection } {
    const record = this.#codes.get(code);
    if (!record) return { ok: false, reason: 'unknown' };
    if (this.#now() > record.expireTime) return { ok: false, reason: 'expired' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    if (record.clientId !== clientId) return { ok: false, reason: 'other_client' };
    if (redirectUri === undefined) return { ok: false, reason: 'redirect_uri_missing' };
    if (redirectUri !== record.redirectUri) return { ok: false, reason: 'redirect_uri_mismatch' };
    record.revoked = true;
    return { ok: true, userId: record.userId };
  }

  /** A user token pair after a code exchange; the user's earlier tokens for the client die. */
  issueUserTokens(clientId: string, userId: number): TokenResponseBody {
    for (const token of this.#accessTokens.values()) {
      if (token.clientId === clientId && token.userId === userId) token.revoked = true;
    }
    for (const token of this.#refreshTokens.values()) {
      if (token.clientId === clientId && token.userId === userId) token.revoked = true;
    }
    return this.#issuePair(clientId, userId);
  }

  /** Rotates a refresh token: the old access and refresh tokens stop working. */
  refresh(
    refreshToken: string,
    clientId: string,
  ): { ok: true; body: TokenResponseBody } | { ok: false; reason: RefreshRejection } {
    const record = this.#refreshTokens.get(refreshToken);
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.clientId !== clientId) return { ok: false, reason: 'other_client' };
    if (record.expireTime < this.#now()) return { ok: false, reason: 'expired' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    record.revoked = true;
    const oldAccess = this.#accessTokens.get(record.accessTokenId);
    if (oldAccess) oldAccess.revoked = true;
    return { ok: true, body: this.#issuePair(clientId, record.userId) };
  }

  /** An application token (no refresh token); the client's earlier application tokens die. */
  issueAppToken(clientId: string): TokenResponseBody {
    for (const token of this.#accessTokens.values()) {
      if (token.clientId === clientId && token.userId === null) token.revoked = true;
    }
    const { accessToken } = this.#issueAccessToken(clientId, null);
    return {
      token_type: 'Bearer',
      expires_in: this.#options.tokenLifetimeSeconds,
      access_token: accessToken,
    };
  }

  /** The user of a live (signed, known, unrevoked, current) user access token. */
  userOfAccessToken(token: string): number | undefined {
    const found = this.#findAccessToken(token);
    if (!found || this.#statusOf(found) !== 'active') return undefined;
    return found.userId ?? undefined;
  }

  /** Status of an access or refresh token, for tests that check the replacement rule. */
  status(token: string): TokenStatus {
    const record = this.#refreshTokens.get(token) ?? this.#findAccessToken(token);
    return record ? this.#statusOf(record) : 'unknown';
  }

  #statusOf(record: AccessTokenRecord | RefreshTokenRecord): TokenStatus {
    if (record.revoked) return 'revoked';
    // A JWT is expired from its `exp` second on; league's refresh check is `expire_time < now`.
    const now = this.#now();
    const expired = 'accessTokenId' in record ? record.expireTime < now : now >= record.expireTime;
    return expired ? 'expired' : 'active';
  }

  #findAccessToken(token: string): AccessTokenRecord | undefined {
    const claims = this.#options.signer.verify(token);
    return claims ? this.#accessTokens.get(claims.jti) : undefined;
  }

  #issuePair(clientId: string, userId: number): TokenResponseBody {
    const { id, accessToken, expireTime } = this.#issueAccessToken(clientId, userId);
    const refreshToken = encryptedLookingToken(330);
    this.#refreshTokens.set(refreshToken, {
      accessTokenId: id,
      clientId,
      userId,
      expireTime,
      revoked: false,
    });
    return {
      token_type: 'Bearer',
      expires_in: this.#options.tokenLifetimeSeconds,
      access_token: accessToken,
      refresh_token: refreshToken,
    };
  }

  #issueAccessToken(clientId: string, userId: number | null) {
    const now = this.#now();
    const expireTime = now + this.#options.tokenLifetimeSeconds;
    // Passport's token ids: 40 random bytes as 80 hex characters.
    const id = randomBytes(40).toString('hex');
    this.#accessTokens.set(id, { clientId, userId, expireTime, revoked: false });
    const accessToken = this.#options.signer.sign({
      aud: clientId,
      jti: id,
      iat: now,
      nbf: now,
      exp: expireTime,
      ...(userId !== null && { sub: String(userId) }),
    });
    return { id, accessToken, expireTime };
  }
}
