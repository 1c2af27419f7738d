/**
 * EXBO's token answers: the tokens of a successful one, and the mapping of its errors
 * (league/oauth2-server 8.x error bodies, see docs/protocols/exbo.md, "Token errors") to our error family. The
 * request is `ExboClient`'s (client.ts).
 */
import {
  answerSecrets,
  answerText,
  type HttpResponse,
  OAuthError,
  type Transport,
} from '@exbo-soa2/core';
import { rateLimited } from './rate-limit.js';

export type ExboGrant = 'authorization_code' | 'refresh_token' | 'client_credentials';

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

/** What each grant's request is called in messages. */
export const PURPOSE: Record<ExboGrant, string> = {
  authorization_code: 'the authorization code exchange',
  refresh_token: 'the token refresh',
  client_credentials: 'the application token request',
};

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
  if (isObject && typeof body.error === 'string') {
    throw tokenError(transport, res, body, grant, secrets);
  }
  if (res.status === 429) throw rateLimited(transport, res, purpose);
  if (res.status !== 200 || !isObject) {
    throw transport.unexpected(res, purpose, 'expected a JSON token response', secrets);
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

/** Maps a league error body to our codes. docs/protocols/exbo.md, "Token errors" lists the non-RFC choices this accounts for. */
function tokenError(
  transport: Transport,
  res: HttpResponse,
  body: Record<string, unknown>,
  grant: ExboGrant,
  secrets: readonly string[],
): OAuthError {
  const error = String(body.error);
  const description = answerText(body.error_description) ?? answerText(body.message);
  const hint = answerText(body.hint);
  const said = [error, description, hint].filter((part) => part !== undefined).join(': ');
  const details = {
    provider: transport.provider,
    upstreamStatus: res.status,
    providerError: error,
    ...(description !== undefined && {
      providerDescription: hint ? `${description} ${hint}` : description,
    }),
    // What we sent and every token the answer holds: league's text may quote either.
    redact: answerSecrets(res.text, secrets),
  };
  if (res.status === 429) return rateLimited(transport, res, PURPOSE[grant]);
  if (error === 'invalid_client') {
    return new OAuthError(
      'CLIENT_REJECTED',
      `EXBO rejected the client credentials (${said}). Check clientID and clientSecret, and that the callback URL is registered for this app exactly as sent.`,
      details,
    );
  }
  // league answers a bad code with 400 invalid_request (hint says which problem) and a bad refresh
  // token with 401 invalid_request; newer versions may say invalid_grant.
  if (error === 'invalid_request' || error === 'invalid_grant') {
    if (grant === 'authorization_code') {
      return new OAuthError(
        'CODE_REJECTED',
        `EXBO rejected the authorization code (${said}). It is single use and short-lived: start the login again.`,
        details,
      );
    }
    if (grant === 'refresh_token') {
      return new OAuthError(
        'REFRESH_REJECTED',
        `EXBO rejected the refresh token (${said}). It was revoked, replaced by a newer login or expired: the user must log in again.`,
        details,
      );
    }
  }
  if (res.status >= 500) {
    return new OAuthError('PROVIDER_ERROR', `EXBO failed on its side (${said})`, details);
  }
  return new OAuthError(
    'REQUEST_REJECTED',
    `EXBO refused ${PURPOSE[grant]} as malformed (${said}). This is likely a bug in passport-exbo: please report it.`,
    details,
  );
}
