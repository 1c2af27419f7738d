/**
 * EXBO's token answers read: the tokens of a successful one, checked and normalised. An error
 * answer goes to errors.ts. The request is `ExboClient`'s (client.ts).
 */
import type { HttpResponse, Transport } from '@exbo-soa2/core';
import { type ExboGrant, PURPOSE, tokenError } from './errors.js';

export type { ExboGrant } from './errors.js';

/** What EXBO's token endpoint answers, normalised. */
export interface ExboTokenResponse {
  access_token: string;
  /** Absent for application tokens (client credentials). */
  refresh_token?: string;
  token_type: string;
  /**
   * Seconds until the access token expires. EXBO always sends it (an integer; a numeric string is
   * accepted too); an answer without it is refused as unexpected.
   */
  expires_in: number;
}

/** The token response without the tokens: what the verify callback receives as `params`. */
export interface ExboTokenParams {
  token_type: string;
  /** Seconds until the access token expires. */
  expires_in: number;
}

/**
 * The tokens of a token-endpoint answer, or an {@link OAuthError} that says what went wrong
 * (the request itself is sent by `ExboClient`, client.ts).
 */
export function readTokenAnswer(
  transport: Transport,
  res: HttpResponse,
  grant: ExboGrant,
  secrets: readonly string[],
): ExboTokenResponse {
  const purpose = PURPOSE[grant];
  const body = res.json as Record<string, unknown> | undefined;
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  // A 200 that carries `error` (GitHub style) is still an error: report it as one.
  if (res.status !== 200 || !isObject || typeof body.error === 'string') {
    throw tokenError(transport, res, grant, secrets);
  }
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw transport.unexpected(res, purpose, 'the answer has no access_token', secrets);
  }
  const expiresIn = typeof body.expires_in === 'string' ? Number(body.expires_in) : body.expires_in;
  if (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn) || body.expires_in === '') {
    throw transport.unexpected(res, purpose, 'the answer has no expires_in', secrets);
  }
  const tokens: ExboTokenResponse = {
    access_token: body.access_token,
    token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
    expires_in: expiresIn,
  };
  if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
    tokens.refresh_token = body.refresh_token;
  }
  return tokens;
}

/** `params` for verify: the token response minus the tokens themselves. */
export function tokenParams(tokens: ExboTokenResponse): ExboTokenParams {
  return { token_type: tokens.token_type, expires_in: tokens.expires_in };
}
