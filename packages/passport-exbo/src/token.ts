/**
 * EXBO's token endpoint: one function for the three grants, and the mapping of its answers
 * (league/oauth2-server 8.x error bodies, see exbo.md "Token errors") to our error family.
 */
import { answerSecrets, type HttpResponse, OAuthError, type Transport } from '@exbo-soa2/core';
import { rateLimited } from './rate-limit.js';

export type ExboGrant = 'authorization_code' | 'refresh_token' | 'client_credentials';

/** What EXBO's token endpoint answers, normalised. */
export interface ExboTokenResponse {
  access_token: string;
  /** Absent for application tokens (client credentials). */
  refresh_token?: string;
  token_type: string;
  /** Seconds; EXBO sends an integer (some clients see a string: both are accepted). */
  expires_in?: number;
}

/** The token response without the tokens: what the verify callback receives as `params`. */
export interface ExboTokenParams {
  token_type: string;
  expires_in?: number;
}

export interface TokenRequest {
  tokenURL: string;
  clientID: string;
  clientSecret: string;
  grant: ExboGrant;
  /** Grant-specific fields: `code` + `redirect_uri`, or `refresh_token`. */
  fields?: Record<string, string>;
}

const PURPOSE: Record<ExboGrant, string> = {
  authorization_code: 'the authorization code exchange',
  refresh_token: 'the token refresh',
  client_credentials: 'the application token request',
};

/**
 * POSTs one grant to the token endpoint as a form (EXBO ignores query-string parameters) and
 * returns the parsed tokens, or throws an {@link OAuthError} that says what went wrong.
 */
export async function requestToken(
  transport: Transport,
  request: TokenRequest,
): Promise<ExboTokenResponse> {
  const form: Record<string, string> = {
    grant_type: request.grant,
    client_id: request.clientID,
    client_secret: request.clientSecret,
    ...request.fields,
  };
  // EXBO's docs mark `scope` required and empty on refresh and client credentials; league reads it
  // on every grant, so it is sent present and empty except on the code exchange, where the scope
  // was fixed at authorization time.
  if (request.grant !== 'authorization_code') form.scope = '';
  const secrets = [request.clientSecret, ...Object.values(request.fields ?? {})];
  const purpose = PURPOSE[request.grant];
  const res = await transport.request({
    method: 'POST',
    url: request.tokenURL,
    form,
    secrets,
    purpose,
  });
  const body = res.json as Record<string, unknown> | undefined;
  const isObject = body !== null && typeof body === 'object' && !Array.isArray(body);
  // A 200 that carries `error` (GitHub style) is still an error: report it as one.
  if (isObject && typeof body.error === 'string') {
    throw tokenError(transport, res, body, request.grant, secrets);
  }
  if (res.status === 429) throw rateLimited(transport, res, purpose);
  if (res.status !== 200 || !isObject) {
    throw transport.unexpected(res, purpose, 'expected a JSON token response', secrets);
  }
  if (typeof body.access_token !== 'string' || body.access_token === '') {
    throw transport.unexpected(res, purpose, 'the answer has no access_token', secrets);
  }
  const expiresIn = Number(body.expires_in);
  const tokens: ExboTokenResponse = {
    access_token: body.access_token,
    token_type: typeof body.token_type === 'string' ? body.token_type : 'Bearer',
  };
  if (body.expires_in !== undefined && Number.isFinite(expiresIn)) tokens.expires_in = expiresIn;
  if (typeof body.refresh_token === 'string' && body.refresh_token !== '') {
    tokens.refresh_token = body.refresh_token;
  }
  return tokens;
}

/** `params` for verify: the token response minus the tokens themselves. */
export function tokenParams(tokens: ExboTokenResponse): ExboTokenParams {
  const params: ExboTokenParams = { token_type: tokens.token_type };
  if (tokens.expires_in !== undefined) params.expires_in = tokens.expires_in;
  return params;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Maps a league error body to our codes. exbo.md lists the non-RFC choices this accounts for. */
function tokenError(
  transport: Transport,
  res: HttpResponse,
  body: Record<string, unknown>,
  grant: ExboGrant,
  secrets: readonly string[],
): OAuthError {
  const error = String(body.error);
  const description = text(body.error_description) ?? text(body.message);
  const hint = text(body.hint);
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
