/**
 * Every EXBO answer that is not the one asked for, mapped to the shared error family: in one file,
 * so the code any answer ends in is found here. The token endpoint's league/oauth2-server error
 * bodies (docs/protocols/exbo.md, "Token errors"), `/oauth/user`'s statuses, the game API's
 * (docs/protocols/exbo.md, "Routes and credentials") and the 429 of every endpoint
 * (docs/protocols/exbo.md, "Rate limits"). What is not mapped here is an unexpected answer
 * (`transport.unexpected`: `PROVIDER_ERROR` for a 5xx, else `PROVIDER_BAD_RESPONSE`).
 */
import {
  answerSecrets,
  answerText,
  bodyExcerpt,
  type HttpResponse,
  OAuthError,
  rateLimitedError,
  retryAfterSeconds,
  type Transport,
} from '@exbo-soa2/core';
import { parseRateLimit } from './rate-limit.js';

export type ExboGrant = 'authorization_code' | 'refresh_token' | 'client_credentials';

/** What each OAuth request is called in messages (the game API's are named per call). */
export const PURPOSE: Record<ExboGrant | 'profile', string> = {
  authorization_code: 'the authorization code exchange',
  refresh_token: 'the token refresh',
  client_credentials: 'the application token request',
  profile: 'the profile request',
};

/**
 * A token-endpoint answer that is not a 200 with tokens: `RATE_LIMITED` for a 429, league's error
 * names (league/oauth2-server 8.x error bodies, also on a 200) mapped to our codes, else an
 * unexpected answer. docs/protocols/exbo.md, "Token errors" lists the non-RFC choices this
 * accounts for.
 */
export function tokenError(
  transport: Transport,
  res: HttpResponse,
  grant: ExboGrant,
  secrets: readonly string[],
): OAuthError {
  if (res.status === 429) return rateLimited(transport, res, PURPOSE[grant]);
  const body = res.json as Record<string, unknown> | null | undefined;
  if (body === null || typeof body !== 'object' || typeof body.error !== 'string') {
    return transport.unexpected(res, PURPOSE[grant], 'expected a JSON token response', secrets);
  }
  const error = body.error;
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

/** A `/oauth/user` answer other than 200: `TOKEN_REJECTED` for a 401, `RATE_LIMITED` for a 429. */
export function profileError(
  transport: Transport,
  res: HttpResponse,
  secrets: readonly string[],
): OAuthError {
  if (res.status === 401) {
    return new OAuthError(
      'TOKEN_REJECTED',
      'EXBO rejected the access token when loading the profile (401): it is invalid, expired or was replaced by a newer login.',
      { provider: transport.provider, upstreamStatus: res.status },
    );
  }
  if (res.status === 429) return rateLimited(transport, res, PURPOSE.profile);
  return transport.unexpected(res, PURPOSE.profile, 'expected the user as JSON', secrets);
}

/**
 * A game-API answer other than 200 with JSON: `TOKEN_REJECTED` / `CLIENT_REJECTED` for a 401 (by
 * the credential sent), `RATE_LIMITED`, `API_REJECTED` for another 4xx (its error body's `title`
 * kept), else an unexpected answer (`PROVIDER_ERROR` for 5xx, `PROVIDER_BAD_RESPONSE`).
 */
export function gameApiError(
  transport: Transport,
  res: HttpResponse,
  purpose: string,
  secrets: (string | undefined)[],
  credential: 'user' | 'application' | 'client-secret' | 'none',
): OAuthError {
  const details = { provider: transport.provider, upstreamStatus: res.status };
  if (res.status === 401) {
    if (credential === 'client-secret') {
      return new OAuthError(
        'CLIENT_REJECTED',
        `EXBO rejected the Client-Id/Client-Secret headers for ${purpose} (401): check clientID and clientSecret, or use a token for this route`,
        details,
      );
    }
    const message = {
      user: `EXBO rejected the user token for ${purpose} (401): it is invalid, expired or replaced by a newer login, or the route needs another credential`,
      application: `EXBO rejected the application token for ${purpose} (401): a newer one was issued (by another process or app instance) or it expired`,
      none: `EXBO refused ${purpose} without credentials (401): this route needs authentication`,
    }[credential];
    return new OAuthError('TOKEN_REJECTED', message, details);
  }
  if (res.status === 429) return rateLimited(transport, res, purpose);
  if (res.status >= 400 && res.status < 500) {
    // The game API's error body: {"title": "...", "status": 4xx, "details": {...}}.
    const body = res.json as { title?: unknown } | undefined;
    const title = typeof body?.title === 'string' && body.title !== '' ? body.title : undefined;
    return new OAuthError(
      'API_REJECTED',
      `EXBO refused ${purpose} with HTTP ${res.status}${title ? `: ${title}` : ''}`,
      {
        ...details,
        ...(title !== undefined && { providerDescription: title }),
        bodyExcerpt: bodyExcerpt(res.text, secrets),
        redact: answerSecrets(res.text, secrets),
      },
    );
  }
  return transport.unexpected(res, purpose, 'expected JSON from the game API', secrets);
}

/**
 * The error for a 429 from any EXBO endpoint (OAuth or game API): when to retry comes from
 * `X-RateLimit-Reset`, else from a `Retry-After` (seconds, Laravel's throttle), else it is not known.
 */
export function rateLimited(
  transport: Transport,
  res: HttpResponse,
  purpose: string,
  now = Date.now(),
): OAuthError {
  const rateLimit = parseRateLimit(res.headers);
  const retryAfterHeader = retryAfterSeconds(res.headers, now);
  const answer = {
    provider: transport.provider,
    providerLabel: transport.providerLabel,
    status: res.status,
    purpose,
  };
  if (!rateLimit) return rateLimitedError({ ...answer, retryAfter: retryAfterHeader });
  const retryAfter = Math.max(0, Math.ceil((rateLimit.resetAt.getTime() - now) / 1000));
  return rateLimitedError({
    ...answer,
    retryAfter,
    when: `the ${rateLimit.limit}-point bucket refills at ${rateLimit.resetAt.toISOString()} (retry in ${retryAfter} s)`,
  });
}
