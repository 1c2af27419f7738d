/**
 * `/login/{username}` (docs/protocols/soa2.md, "Login by profile comment: /login/{username}"):
 * logging in to SOA2's registration API with a Scratch account. PUT answers the text to post and a
 * CSRF token and sets the session cookie; the user comments the text on their own Scratch profile
 * (in the fake: `fake.postComment`); POST with the CSRF token checks the comment and logs the
 * session in (204). Checked in the server's order: username 400, body 400, CSRF 403, comment 403.
 */
import type { ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { EndpointHandler, Soa2Context } from './context.js';
import type { LoginSession } from './login-sessions.js';
import { jsonObject } from './token-endpoint.js';
import { sendSoa2Error } from './wire-errors.js';

/**
 * Scratch usernames (docs/protocols/soa2.md, "Value formats"); SOA2 answers 400 to anything else.
 */
const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,20}$/;

/** The `{username}` of `/login/{username}`, or `undefined` when it is not a Scratch username. */
function usernameParam(url: URL): string | undefined {
  const raw = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    return undefined;
  }
  return USERNAME_PATTERN.test(name) ? name : undefined;
}

function sendNoContent(res: ServerResponse, headers: Record<string, string>): void {
  res.writeHead(204, { 'Cache-Control': 'no-store', ...headers });
  res.end();
}

function cookieHeader(ctx: Soa2Context, session: LoginSession) {
  return { 'Set-Cookie': ctx.sessions.setCookie(session, ctx.nowSeconds()) };
}

/**
 * PUT: starts a login. An unknown (but well-formed) username still gets 200, with
 * `"username": null`: that is what the current server does, although its docs promise 404.
 */
export const startLogin: EndpointHandler = (ctx, req, res, url) => {
  const name = usernameParam(url);
  if (name === undefined) return sendSoa2Error(res, 400);
  const now = ctx.nowSeconds();
  const session = ctx.sessions.findOrCreate(req, now);
  const user = ctx.users.byName(name);
  sendJson(
    res,
    200,
    {
      username: user?.userName ?? null,
      csrf: ctx.sessions.issueCsrf(session, now),
      code: ctx.sessions.code(session),
    },
    cookieHeader(ctx, session),
  );
};

/** POST `{"csrf": "..."}`: 204 once the session's text is on the user's profile. */
export const finishLogin: EndpointHandler = (ctx, req, res, url, body) => {
  const name = usernameParam(url);
  if (name === undefined) return sendSoa2Error(res, 400);
  const data = jsonObject(body);
  // SOA2 checks `is_string($data['csrf'])`: a number, null or anything else that is not a string
  // is a malformed body (400), not a wrong token (403) (docs/protocols/soa2.md, "Login by profile
  // comment: /login/{username}").
  if (!data || typeof data.csrf !== 'string') return sendSoa2Error(res, 400);
  const now = ctx.nowSeconds();
  const session = ctx.sessions.find(req, now);
  if (!session || !ctx.sessions.checkCsrf(session, data.csrf, now)) {
    return sendSoa2Error(res, 403);
  }
  const user = ctx.users.byName(name);
  const code = session.code;
  if (!user || code === undefined || !ctx.comments.hasPosted(user.userName, code)) {
    return sendSoa2Error(res, 403);
  }
  ctx.sessions.logIn(session, user.userId);
  sendNoContent(res, cookieHeader(ctx, session));
};
