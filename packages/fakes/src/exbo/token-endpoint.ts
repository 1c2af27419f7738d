/**
 * `POST /oauth/token` with league/oauth2-server's three grants as EXBO runs them. Parameters come
 * only from an `application/x-www-form-urlencoded` body: a JSON body or query parameters leave the
 * request without a grant_type, which league answers with 400 `unsupported_grant_type`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { EndpointHandler, ExboContext } from './context.js';
import type { ExboClientConfig } from './defaults.js';
import {
  invalidClient,
  invalidRefreshToken,
  invalidRequest,
  invalidScope,
  unsupportedGrantType,
} from './league-errors.js';
import { formParams, isFormRequest, optionalParam, requiredParam } from './params.js';
import type { CodeRejection, RefreshRejection, TokenResponseBody } from './tokens.js';

export const issueToken: EndpointHandler = (ctx, req, res, url, body) => {
  const form = formParams(req, body);
  const grantType = optionalParam(form, 'grant_type');
  switch (grantType) {
    case 'authorization_code':
      return sendTokens(res, authorizationCodeGrant(ctx, form));
    case 'refresh_token':
      return sendTokens(res, refreshTokenGrant(ctx, form));
    case 'client_credentials':
      return sendTokens(res, clientCredentialsGrant(ctx, form));
    default:
      throw unsupportedGrantType(grantTypeHint(req, url, grantType));
  }
};

/** Says why no usable grant_type arrived, which is usually an encoding mistake. */
function grantTypeHint(req: IncomingMessage, url: URL, grantType: string | undefined): string {
  if (grantType !== undefined) {
    return `Check the \`grant_type\` parameter: \`${grantType}\` is not supported`;
  }
  if (!isFormRequest(req)) {
    return 'Send the parameters as an application/x-www-form-urlencoded body';
  }
  if (url.searchParams.has('grant_type')) {
    return 'Parameters in the query string are not read: send them in the form body';
  }
  return 'Check the `grant_type` parameter';
}

/**
 * Client authentication as league does it: the id, then the secret, then any redirect_uri the
 * request carries, which must be registered whatever the grant.
 */
function authenticateClient(ctx: ExboContext, form: URLSearchParams) {
  const clientId = requiredParam(form, 'client_id');
  const client = ctx.clients.find(clientId);
  if (!client) throw invalidClient('Unknown client_id');
  const secret = requiredParam(form, 'client_secret');
  if (!ctx.clients.secretMatches(client, secret)) {
    throw invalidClient('client_secret does not match this client');
  }
  const redirectUri = optionalParam(form, 'redirect_uri');
  if (redirectUri !== undefined && !ctx.clients.isRegisteredRedirect(client, redirectUri)) {
    throw invalidClient('redirect_uri is not registered for this client (exact match required)');
  }
  return { client, redirectUri } satisfies { client: ExboClientConfig; redirectUri?: string };
}

/** Refresh and client credentials accept `scope` absent or empty (EXBO has no scopes). */
function checkEmptyScope(form: URLSearchParams): void {
  const scope = optionalParam(form, 'scope');
  if (scope !== undefined && scope !== '') throw invalidScope(scope);
}

const CODE_HINTS: Record<Exclude<CodeRejection, `redirect_uri_${string}`>, string> = {
  unknown: 'Cannot decrypt the authorization code',
  expired: 'Authorization code has expired',
  revoked: 'Authorization code has been revoked',
  other_client: 'Authorization code was not issued to this client',
};

function authorizationCodeGrant(ctx: ExboContext, form: URLSearchParams): TokenResponseBody {
  const { client, redirectUri } = authenticateClient(ctx, form);
  const code = requiredParam(form, 'code');
  const result = ctx.tokens.redeemCode(code, client.clientId, redirectUri);
  if (!result.ok) {
    if (result.reason === 'redirect_uri_missing') throw invalidRequest('redirect_uri');
    if (result.reason === 'redirect_uri_mismatch') {
      throw invalidRequest('redirect_uri', 'Invalid redirect URI');
    }
    throw invalidRequest('code', CODE_HINTS[result.reason]);
  }
  return ctx.tokens.issueUserTokens(client.clientId, result.userId);
}

const REFRESH_HINTS: Record<RefreshRejection, string> = {
  unknown: 'Cannot decrypt the refresh token',
  other_client: 'Token is not linked to client',
  expired: 'Token has expired',
  revoked: 'Token has been revoked',
};

function refreshTokenGrant(ctx: ExboContext, form: URLSearchParams): TokenResponseBody {
  const { client } = authenticateClient(ctx, form);
  const refreshToken = requiredParam(form, 'refresh_token');
  // Checked before the rotation so a rejected request leaves the old pair working.
  checkEmptyScope(form);
  const result = ctx.tokens.refresh(refreshToken, client.clientId);
  if (!result.ok) throw invalidRefreshToken(REFRESH_HINTS[result.reason]);
  return result.body;
}

function clientCredentialsGrant(ctx: ExboContext, form: URLSearchParams): TokenResponseBody {
  const { client } = authenticateClient(ctx, form);
  checkEmptyScope(form);
  return ctx.tokens.issueAppToken(client.clientId);
}

function sendTokens(res: ServerResponse, body: TokenResponseBody): void {
  sendJson(res, 200, body, { Pragma: 'no-cache' });
}
