/**
 * Reading an EXBO token's claims, for diagnostics only.
 *
 * EXBO's access tokens are RS256 JWTs, but EXBO publishes no public key or JWKS, so nobody outside
 * EXBO can check the signature: anyone can forge a token with any claims. Decoding answers "when
 * does this expire, which app, which user" for logs and scheduling. It is NOT verification: never
 * use decoded claims to decide who a user is. A token is valid when EXBO accepts it (`/oauth/user`,
 * see `ExboClient.fetchProfile`, or a game-API call).
 *
 * Refresh tokens: every source we have shows them opaque (league/oauth2-server encrypts their
 * payload), but EXBO's OAuth page says both kinds are JWTs (docs/protocols/exbo.md, "Refresh
 * tokens"). So nothing here assumes either: a JWT carrying league's refresh-token claims
 * (`refresh_token_id`, `access_token_id`) decodes as kind `'refresh'`, and an opaque token is
 * refused.
 */
import { PACKAGE_NAME } from './version.js';

/** The claims of an EXBO token (docs/protocols/exbo.md, "Access tokens are JWTs"), and which kind it is. */
export interface ExboTokenClaims {
  /**
   * The client id the token was issued to (a string, e.g. `'30'`; `client_id` in a refresh token).
   */
  aud: string;
  /** The user id, as a string (`user_id` in a refresh token); absent on application tokens. */
  sub?: string;
  /** Expiry, Unix seconds (`expire_time` in a refresh token). */
  exp: number;
  /** Not before, Unix seconds. */
  nbf?: number;
  /** Issued at, Unix seconds. */
  iat?: number;
  /** The token id (80 characters at EXBO; `refresh_token_id` in a refresh token). */
  jti?: string;
  /** `exp` as a Date. */
  expiresAt: Date;
  /**
   * `'refresh'`: a refresh token (recognised by its claims); otherwise an access token: `'user'`
   * when it names a user (`sub`), else `'application'`.
   */
  kind: 'user' | 'application' | 'refresh';
}

/** Why a string cannot be decoded; never quotes the token itself. */
function notAToken(reason: string): TypeError {
  return new TypeError(`${PACKAGE_NAME}: not a decodable EXBO token (${reason})`);
}

function numericClaim(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw notAToken(`the ${name} claim is not a number`);
  }
  return value;
}

function stringClaim(claims: Record<string, unknown>, name: string): string | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  // Laravel Passport writes ids as strings; tolerate an integer from another issuer version.
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') throw notAToken(`the ${name} claim is not a string`);
  return value;
}

/** league/oauth2-server's refresh-token payload names these; access tokens never carry them. */
const REFRESH_TOKEN_CLAIMS = ['refresh_token_id', 'access_token_id'];

/**
 * Decodes a token's payload WITHOUT verifying it (see the file comment) and says which kind it is.
 * Throws a `TypeError` (never quoting the token) for anything that is not a JWT with a client id
 * and an expiry: an opaque refresh token, for example.
 */
export function decodeAccessToken(token: string): ExboTokenClaims {
  if (typeof token !== 'string' || token === '') throw notAToken('empty');
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw notAToken('not a JWT: a JWT has three dot-separated parts; refresh tokens may be opaque');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString('utf8'));
  } catch {
    throw notAToken('the payload is not base64url JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
    throw notAToken('the payload is not a JSON object');
  }
  const record = claims as Record<string, unknown>;
  const refresh = REFRESH_TOKEN_CLAIMS.some((name) => Object.hasOwn(record, name));
  const aud =
    stringClaim(record, 'aud') ?? (refresh ? stringClaim(record, 'client_id') : undefined);
  const exp =
    numericClaim(record, 'exp') ?? (refresh ? numericClaim(record, 'expire_time') : undefined);
  if (aud === undefined) throw notAToken(refresh ? 'no aud or client_id claim' : 'no aud claim');
  if (exp === undefined) throw notAToken(refresh ? 'no exp or expire_time claim' : 'no exp claim');
  const decoded: ExboTokenClaims = {
    aud,
    exp,
    expiresAt: new Date(exp * 1000),
    kind: refresh ? 'refresh' : 'application',
  };
  const sub = stringClaim(record, 'sub') ?? (refresh ? stringClaim(record, 'user_id') : undefined);
  if (sub !== undefined) {
    decoded.sub = sub;
    if (!refresh) decoded.kind = 'user';
  }
  const nbf = numericClaim(record, 'nbf');
  if (nbf !== undefined) decoded.nbf = nbf;
  const iat = numericClaim(record, 'iat');
  if (iat !== undefined) decoded.iat = iat;
  const jti =
    stringClaim(record, 'jti') ?? (refresh ? stringClaim(record, 'refresh_token_id') : undefined);
  if (jti !== undefined) decoded.jti = jti;
  return decoded;
}
