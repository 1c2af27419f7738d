/**
 * Reading an EXBO access token's claims, for diagnostics only.
 *
 * EXBO's access tokens are RS256 JWTs, but EXBO publishes no public key or JWKS, so nobody outside
 * EXBO can check the signature: anyone can forge a token with any claims. Decoding answers "when
 * does this expire, which app, which user" for logs and scheduling. It is NOT verification: never
 * use decoded claims to decide who a user is. A token is valid when EXBO accepts it (`/oauth/user`,
 * see `ExboClient.fetchProfile`, or a game-API call).
 */

/** The claims EXBO puts in an access token (exbo.md, "Access tokens are JWTs"). */
export interface ExboTokenClaims {
  /** The client id the token was issued to (a string, e.g. `'30'`). */
  aud: string;
  /** The user id, as a string; absent on application (client-credentials) tokens. */
  sub?: string;
  /** Expiry, Unix seconds. */
  exp: number;
  /** Not before, Unix seconds. */
  nbf?: number;
  /** Issued at, Unix seconds. */
  iat?: number;
  /** The token id (80 characters at EXBO). */
  jti?: string;
  /** `exp` as a Date. */
  expiresAt: Date;
  /** `'user'` when the token names a user (`sub`), else `'application'`. */
  kind: 'user' | 'application';
}

/** Why a string cannot be decoded; never quotes the token itself. */
function notAToken(reason: string): TypeError {
  return new TypeError(`passport-exbo: not an EXBO access token (${reason})`);
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

/**
 * Decodes an access token's payload WITHOUT verifying it (see the file comment). Throws a
 * `TypeError` for anything that is not a JWT with `aud` and `exp` (a refresh token, for example,
 * which is opaque).
 */
export function decodeAccessToken(token: string): ExboTokenClaims {
  if (typeof token !== 'string' || token === '') throw notAToken('empty');
  const parts = token.split('.');
  if (parts.length !== 3) throw notAToken('a JWT has three dot-separated parts');
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
  const aud = stringClaim(record, 'aud');
  const exp = numericClaim(record, 'exp');
  if (aud === undefined) throw notAToken('no aud claim');
  if (exp === undefined) throw notAToken('no exp claim');
  const decoded: ExboTokenClaims = {
    aud,
    exp,
    expiresAt: new Date(exp * 1000),
    kind: 'application',
  };
  const sub = stringClaim(record, 'sub');
  if (sub !== undefined) {
    decoded.sub = sub;
    decoded.kind = 'user';
  }
  const nbf = numericClaim(record, 'nbf');
  if (nbf !== undefined) decoded.nbf = nbf;
  const iat = numericClaim(record, 'iat');
  if (iat !== undefined) decoded.iat = iat;
  const jti = stringClaim(record, 'jti');
  if (jti !== undefined) decoded.jti = jti;
  return decoded;
}
