/**
 * SOA2's token answers (POST and PATCH `/tokens` share one shape) and what verify receives of them.
 *
 * SOA2 is not OAuth 2.0 here either: no `token_type`, no `expires_in`, but absolute expiry times in
 * Unix seconds. `expires_in` is computed so code written for OAuth 2.0 keeps working.
 */

/** A successful `/tokens` answer, checked, plus the computed `expires_in`. */
export interface Soa2TokenResponse {
  access_token: string;
  refresh_token: string;
  /** When the access token expires, Unix seconds (24 hours after issue). */
  access_expiry: number;
  /** When the refresh token expires, Unix seconds (365 days after login; a refresh keeps it). */
  refresh_expiry: number;
  /** The approved scopes, e.g. `['identify']`. */
  scopes: string[];
  /** Seconds until `access_expiry`, from our clock when the answer arrived (never negative). */
  expires_in: number;
}

/** What the verify callback receives as `params`: the token answer without the tokens. */
export interface Soa2TokenParams {
  access_expiry: number;
  refresh_expiry: number;
  scopes: string[];
  expires_in: number;
}

function isUnixTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/**
 * The checked token answer, or `undefined` when the body is not one (the caller reports it as an
 * unexpected answer, quoting a redacted excerpt).
 */
export function parseTokenResponse(json: unknown, nowMs: number): Soa2TokenResponse | undefined {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return undefined;
  const body = json as Record<string, unknown>;
  const { access_token, refresh_token, access_expiry, refresh_expiry, scopes } = body;
  if (typeof access_token !== 'string' || access_token === '') return undefined;
  if (typeof refresh_token !== 'string' || refresh_token === '') return undefined;
  if (!isUnixTime(access_expiry) || !isUnixTime(refresh_expiry)) return undefined;
  if (!Array.isArray(scopes) || !scopes.every((scope) => typeof scope === 'string')) {
    return undefined;
  }
  return {
    access_token,
    refresh_token,
    access_expiry,
    refresh_expiry,
    scopes: [...scopes],
    expires_in: Math.max(0, access_expiry - Math.floor(nowMs / 1000)),
  };
}

/** `params` for verify: the token answer minus the tokens themselves. */
export function tokenParams(tokens: Soa2TokenResponse): Soa2TokenParams {
  return {
    access_expiry: tokens.access_expiry,
    refresh_expiry: tokens.refresh_expiry,
    scopes: tokens.scopes,
    expires_in: tokens.expires_in,
  };
}
