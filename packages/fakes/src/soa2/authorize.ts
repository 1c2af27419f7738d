/**
 * The consent page, `Special:ScratchOAuth2/authorize`: GET checks the request, creates the code
 * (valid an hour from now, codes.ts) and shows Confirm / Cancel; POST (from that page) hands the
 * code out with a 303 to the redirect URI, or to the code page when there is none. Confirm on a
 * page whose code expired, or with a request that differs from the one shown, gets "Authorization
 * failed" and a fresh consent page (docs/protocols/soa2.md, "Codes are created when the consent
 * page is shown"). Cancel shows a page and never redirects (there is no `error=` ever).
 *
 * Any invalid parameter gets SOA2's "Invalid Auth URL" page with HTTP 200: nothing reaches the app.
 */
import { redirect, sendHtml } from '../http.js';
import type { Soa2Application } from './clients.js';
import type { EndpointHandler, Soa2Context } from './context.js';
import {
  AUTHORIZATION_FAILED,
  cancelledPage,
  codePage,
  consentPage,
  invalidAuthPage,
  problemPage,
} from './pages.js';
import { CODE_PAGE_PATH, IDENTIFY_SCOPE } from './paths.js';

const MAX_STATE_LENGTH = 255;

interface AuthorizationRequest {
  client: Soa2Application;
  /** `undefined`: show the code on the code page instead of redirecting. */
  redirectUri: string | undefined;
  scopes: string[];
  state: string;
}

type Checked = { ok: true; request: AuthorizationRequest } | { ok: false; reason: string };

/**
 * One parameter. PHP would silently keep the last of repeated values; the fake refuses them, so a
 * client that passes here sends each parameter once.
 */
function single(params: URLSearchParams, name: string): string | undefined | Error {
  const values = params.getAll(name);
  if (values.length > 1) return new Error(`"${name}" is given more than once`);
  return values[0];
}

/** SOA2's checks of an authorization request (docs/protocols/soa2.md, "Authorize"). */
function checkRequest(ctx: Soa2Context, params: URLSearchParams): Checked {
  const fail = (reason: string): Checked => ({ ok: false, reason });
  const clientId = single(params, 'client_id');
  if (clientId instanceof Error) return fail(clientId.message);
  if (clientId === undefined || !/^[1-9]\d{0,9}$/.test(clientId)) {
    return fail('client_id is missing or not a positive integer');
  }
  const state = single(params, 'state');
  if (state instanceof Error) return fail(state.message);
  // PHP's `!$state`: missing, empty and "0" are all refused.
  if (state === undefined || state === '' || state === '0') {
    return fail('state is required, must not be empty and must not be "0"');
  }
  if (state.length > MAX_STATE_LENGTH) return fail(`state is longer than ${MAX_STATE_LENGTH}`);
  const scopes = single(params, 'scopes');
  if (scopes instanceof Error) return fail(scopes.message);
  if (scopes === undefined) {
    return fail(
      params.has('scope')
        ? 'scopes is missing (SOA2 reads "scopes", plural, and ignores "scope")'
        : 'scopes is missing',
    );
  }
  // The server never splits the value (a bug): only exactly "identify" is accepted.
  if (scopes !== IDENTIFY_SCOPE) return fail(`scopes must be exactly "identify", got "${scopes}"`);
  const client = ctx.clients.find(Number(clientId));
  if (!client) return fail(`no application has client_id ${clientId}`);
  const redirectUri = single(params, 'redirect_uri');
  if (redirectUri instanceof Error) return fail(redirectUri.message);
  // An empty redirect_uri counts as none (PHP truthiness): the code page is used.
  if (redirectUri && !ctx.clients.isRegisteredRedirect(client, redirectUri)) {
    return fail(
      `redirect_uri "${redirectUri}" is not registered for this application (byte-for-byte match)`,
    );
  }
  return {
    ok: true,
    request: { client, redirectUri: redirectUri || undefined, scopes: [scopes], state },
  };
}

/** PHP's rawurlencode (RFC 3986): unlike encodeURIComponent it also encodes `!'()*`. */
function rawUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The consent page for a checked request, with a new code behind it (`problem`: shown above it).
 */
function sendConsentPage(
  ctx: Soa2Context,
  res: Parameters<EndpointHandler>[2],
  request: AuthorizationRequest,
  userHint: string | null,
  problem?: string,
): void {
  const { client, redirectUri, scopes, state } = request;
  const pageId = ctx.codes.start(
    { clientId: client.clientId, redirectUri, scopes, state },
    ctx.nowSeconds(),
  );
  const selected =
    (userHint === null ? undefined : ctx.users.byHint(userHint)) ?? ctx.users.all[0]!;
  sendHtml(
    res,
    200,
    consentPage({
      ...request,
      pageId,
      problem,
      users: ctx.users.all,
      selectedUserId: selected.userId,
    }),
  );
}

/** GET: the consent page for a valid request, with the `user` query parameter preselected. */
export const showConsentPage: EndpointHandler = (ctx, _req, res, url) => {
  const checked = checkRequest(ctx, url.searchParams);
  if (!checked.ok) return sendHtml(res, 200, invalidAuthPage(checked.reason));
  sendConsentPage(ctx, res, checked.request, url.searchParams.get('user'));
};

/** POST from the consent page: Confirm issues a code, Cancel shows a page and nothing else. */
export const decideConsent: EndpointHandler = (ctx, _req, res, _url, body) => {
  const form = new URLSearchParams(body);
  const checked = checkRequest(ctx, form);
  if (!checked.ok) return sendHtml(res, 200, invalidAuthPage(checked.reason));
  const { client, redirectUri, scopes, state } = checked.request;
  const action = form.get('action');
  const pageId = form.get('authing') ?? undefined;
  if (action === 'cancel') {
    ctx.codes.cancel(pageId);
    return sendHtml(res, 200, cancelledPage());
  }
  if (action !== 'confirm') {
    return sendHtml(res, 400, problemPage('Bad request', 'Press Confirm or Cancel.'));
  }
  const user = ctx.users.byId(Number(form.get('user')));
  if (!user) {
    return sendHtml(res, 400, problemPage('Unknown user', 'Pick one of the listed Scratch users.'));
  }
  const issued = ctx.codes.confirm(
    pageId,
    { clientId: client.clientId, redirectUri, scopes, state },
    user.userId,
    ctx.nowSeconds(),
  );
  // SOA2 answers a stale or mismatched Confirm with the consent page again, a new code behind it.
  if (!issued)
    return sendConsentPage(ctx, res, checked.request, String(user.userId), AUTHORIZATION_FAILED);
  const { code } = issued;
  if (redirectUri === undefined) {
    return redirect(res, 303, `${ctx.baseUrl()}${CODE_PAGE_PATH}?code=${rawUrlEncode(code)}`);
  }
  const separator = redirectUri.includes('?') ? '&' : '?';
  redirect(
    res,
    303,
    `${redirectUri}${separator}code=${rawUrlEncode(code)}&state=${rawUrlEncode(state)}`,
  );
};

/** `Special:SOA2Code?code=…`: shows the code to paste. */
export const showCodePage: EndpointHandler = (_ctx, _req, res, url) => {
  sendHtml(res, 200, codePage(url.searchParams.get('code') ?? ''));
};
