/**
 * `GET /oauth/user` behind Laravel's `auth:api` guard: the token only from `Authorization: Bearer`,
 * and Laravel's answer to an unauthenticated request, which depends on the Accept header: JSON 401
 * when the client asks for JSON, otherwise a redirect to the login page (a client that follows it
 * gets HTML with status 200, which is why clients must send `Accept: application/json`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { htmlPage, redirect, sendHtml, sendJson } from '../http.js';
import type { EndpointHandler, ExboContext } from './context.js';
import { userInfo } from './users.js';

export const LOGIN_PATH = '/login';

export const userInfoEndpoint: EndpointHandler = async (ctx, req, res) => {
  const userId = bearerTokenUser(ctx, req);
  const user = userId === undefined ? undefined : ctx.users.byId(userId);
  if (!user) {
    if (expectsJson(req)) return sendJson(res, 401, { message: 'Unauthenticated.' });
    return redirect(res, 302, `${ctx.baseUrl()}${LOGIN_PATH}`);
  }
  await sendJsonSplitInsideCharacter(res, userInfo(user));
};

/** Where Laravel sends unauthenticated browsers; the fake has no real login, just says so. */
export const loginPage: EndpointHandler = (_ctx, _req, res) => {
  sendHtml(
    res,
    200,
    htmlPage(
      'EXBO: sign in',
      `<h1>EXBO</h1>
<p>Sign in page. A request to <code>/oauth/user</code> without a valid token and without
<code>Accept: application/json</code> lands here instead of getting a 401: send that header.</p>`,
    ),
  );
};

/**
 * The user of a live user access token in `Authorization: Bearer <token>` (the scheme is
 * case-sensitive for Laravel). An `access_token` query parameter is never read, and an application
 * token has no user, so both end as unauthenticated.
 */
function bearerTokenUser(ctx: ExboContext, req: IncomingMessage): number | undefined {
  const match = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
  return match?.[1] === undefined ? undefined : ctx.tokens.userOfAccessToken(match[1]);
}

/** Laravel's `Request::expectsJson()`: AJAX accepting anything, or JSON as the preferred type. */
function expectsJson(req: IncomingMessage): boolean {
  const types = acceptableContentTypes(req.headers.accept);
  const preferred = types[0]?.toLowerCase();
  const wantsJson = preferred !== undefined && /\/json|\+json/.test(preferred);
  const ajax = req.headers['x-requested-with'] === 'XMLHttpRequest';
  const pjax = req.headers['x-pjax'] === 'true';
  const acceptsAnything = preferred === undefined || preferred === '*/*' || preferred === '*';
  return wantsJson || (ajax && !pjax && acceptsAnything);
}

/** Media types of an Accept header by descending quality, ties in header order (Symfony's rule). */
function acceptableContentTypes(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((item, index) => {
      const [type = '', ...params] = item.split(';').map((part) => part.trim());
      const q = params.find((param) => param.startsWith('q='));
      const quality = q === undefined ? 1 : Number(q.slice(2));
      return { type, quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.type !== '')
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
    .map((entry) => entry.type);
}

/**
 * Sends the JSON in two writes, cut inside the first multi-byte character, with a pause between:
 * on a real network Cyrillic logins arrive split like this, and a client that decodes chunk by chunk
 * (passport-oauth2's `oauth` transport) turns them into U+FFFD. The fake makes that happen every time.
 */
async function sendJsonSplitInsideCharacter(res: ServerResponse, body: unknown): Promise<void> {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(200, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': bytes.length,
    'Cache-Control': 'no-cache, private',
  });
  const lead = bytes.findIndex((byte) => byte >= 0xc0);
  if (lead < 0) {
    res.end(bytes);
    return;
  }
  res.write(bytes.subarray(0, lead + 1));
  await new Promise((resolve) => setTimeout(resolve, 15));
  res.end(bytes.subarray(lead + 1));
}
