/**
 * `/oauth/authorize`: GET validates the authorization request and shows the consent page; POST
 * (from that page) sends the browser back to the client with a code or `access_denied`.
 *
 * Errors in the request itself are answered here as league JSON and never redirected back: EXBO
 * strands the user on its own error page when the client or redirect_uri is wrong.
 */
import type { ServerResponse } from 'node:http';
import { redirect, sendHtml } from '../http.js';
import { consentPage } from './consent-page.js';
import type { EndpointHandler, ExboContext } from './context.js';
import type { ExboClientConfig } from './defaults.js';
import {
  ACCESS_DENIED,
  invalidClient,
  invalidRequest,
  invalidScope,
  unsupportedGrantType,
} from './league-errors.js';
import { formParams, optionalParam, requiredParam } from './params.js';

interface AuthorizationRequest {
  client: ExboClientConfig;
  redirectUri: string;
  state: string | undefined;
}

/** The checks league's AuthCodeGrant makes, in its order, plus EXBO's rules on `scope`. */
function validateAuthorizationRequest(ctx: ExboContext, query: URLSearchParams) {
  const responseType = optionalParam(query, 'response_type');
  if (responseType !== 'code') {
    throw unsupportedGrantType('Check the `response_type` parameter: EXBO supports only `code`');
  }
  const clientId = requiredParam(query, 'client_id');
  const client = ctx.clients.find(clientId);
  if (!client) throw invalidClient('Unknown client_id');
  const redirectUri = requiredParam(query, 'redirect_uri');
  if (!ctx.clients.isRegisteredRedirect(client, redirectUri)) {
    throw invalidClient('redirect_uri is not registered for this client (exact match required)');
  }
  // EXBO documents `scope` as required and empty: there are no scopes. Whether the live server
  // rejects a missing one is an open point, so the fake does, and a client that passes sends it.
  const scope = optionalParam(query, 'scope');
  if (scope === undefined) {
    throw invalidRequest('scope', 'Check the `scope` parameter: EXBO requires `scope=` (empty)');
  }
  if (scope !== '') throw invalidScope(scope);
  // PKCE is undocumented for EXBO; a client relying on it may break against the real server.
  if (query.has('code_challenge') || query.has('code_challenge_method')) {
    throw invalidRequest(
      'code_challenge',
      'Check the `code_challenge` parameter: EXBO does not document PKCE, do not rely on it',
    );
  }
  const state = optionalParam(query, 'state');
  return { client, redirectUri, state } satisfies AuthorizationRequest;
}

/** GET: the consent page for a valid request. */
export const showConsentPage: EndpointHandler = (ctx, _req, res, url) => {
  const request = validateAuthorizationRequest(ctx, url.searchParams);
  const hint = url.searchParams.get('login_hint') ?? url.searchParams.get('user');
  const selected = (hint === null ? undefined : ctx.users.byHint(hint)) ?? ctx.users.all[0]!;
  const nonce = ctx.consents.create({
    clientId: request.client.clientId,
    redirectUri: request.redirectUri,
    state: request.state,
  });
  sendHtml(
    res,
    200,
    consentPage({ ...request, nonce, users: ctx.users.all, selectedUserId: selected.id }),
  );
};

/** POST from the consent page: Allow issues a code, Deny returns `access_denied`. */
export const decideConsent: EndpointHandler = (ctx, req, res, _url, body) => {
  const form = formParams(req, body);
  const nonce = requiredParam(form, 'nonce');
  const pending = ctx.consents.take(nonce);
  if (!pending) {
    throw invalidRequest(
      'nonce',
      'This consent page is unknown or was already submitted: start the login again',
    );
  }
  const sameRequest =
    optionalParam(form, 'client_id') === pending.clientId &&
    optionalParam(form, 'redirect_uri') === pending.redirectUri &&
    optionalParam(form, 'state') === pending.state;
  if (!sameRequest) {
    throw invalidRequest('client_id', 'The form does not match the request it was shown for');
  }
  // The client may have been replaced (addClient) while the page was open.
  const client = ctx.clients.find(pending.clientId);
  if (!client || !ctx.clients.isRegisteredRedirect(client, pending.redirectUri)) {
    throw invalidClient('The client or its redirect_uri is no longer registered');
  }
  const decision = requiredParam(form, 'decision');
  if (decision === 'deny') {
    return sendBack(res, pending.redirectUri, {
      ...(pending.state !== undefined && { state: pending.state }),
      error: ACCESS_DENIED.error,
      error_description: ACCESS_DENIED.description,
      hint: ACCESS_DENIED.hint,
      message: ACCESS_DENIED.description,
    });
  }
  if (decision !== 'approve') {
    throw invalidRequest('decision', 'Check the `decision` parameter: `approve` or `deny`');
  }
  const userId = requiredParam(form, 'user');
  const user = /^[0-9]+$/.test(userId) ? ctx.users.byId(Number(userId)) : undefined;
  if (!user) throw invalidRequest('user', 'Check the `user` parameter: no such account');
  const code = ctx.tokens.issueCode({
    clientId: client.clientId,
    redirectUri: pending.redirectUri,
    userId: user.id,
  });
  sendBack(res, pending.redirectUri, {
    code,
    ...(pending.state !== undefined && { state: pending.state }),
  });
};

/** league appends to the registered URI as is: `?` or, when it already has a query, `&`. */
function sendBack(res: ServerResponse, redirectUri: string, params: Record<string, string>) {
  const separator = redirectUri.includes('?') ? '&' : '?';
  redirect(res, 302, `${redirectUri}${separator}${new URLSearchParams(params)}`);
}
