/**
 * `/applications` and `/applications/{client_id}` (docs/protocols/soa2.md, "Application
 * registration"): a logged-in Scratch user lists, registers, shows, changes and deletes their own
 * SOA2 applications. Checked in the server's order: a non-integer `{client_id}` is MediaWiki's 400,
 * then no login 401, then the body 400, then someone else's or no application 404.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { Soa2Application } from './clients.js';
import type { EndpointHandler, Soa2Context } from './context.js';
import { NAME_APPROVED } from './defaults.js';
import { jsonObject } from './token-endpoint.js';
import { sendMediaWikiError, sendSoa2Error } from './wire-errors.js';

type Body = Record<string, unknown>;

function validName(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function validRedirectURIs(value: unknown): value is string[] | null {
  return value === null || (Array.isArray(value) && value.every((uri) => typeof uri === 'string'));
}

/** The logged-in user of the request's session, or `undefined` after answering 401. */
function owner(ctx: Soa2Context, req: IncomingMessage, res: ServerResponse): number | undefined {
  const userId = ctx.sessions.find(req, ctx.nowSeconds())?.userId ?? null;
  if (userId === null) {
    sendSoa2Error(res, 401);
    return undefined;
  }
  return userId;
}

/**
 * `{client_id}` from the path. MediaWiki validates it as an integer before SOA2 runs: anything
 * else is MediaWiki's 400 (with its `message`), sent here, and `undefined` is returned.
 */
function clientIdParam(url: URL, res: ServerResponse): number | undefined {
  const raw = url.pathname.slice(url.pathname.lastIndexOf('/') + 1);
  if (!/^-?\d{1,15}$/.test(raw)) {
    sendMediaWikiError(
      res,
      400,
      'paramvalidator-badinteger',
      `Invalid value "${raw}" for integer parameter "client_id".`,
    );
    return undefined;
  }
  return Number(raw);
}

/** The application answer, in the key order SOA2 sends. */
function applicationJson(app: Soa2Application, createdAt: number) {
  return {
    client_id: app.clientId,
    client_secret: app.clientSecret,
    created_at: createdAt,
    app_name: app.appName,
    flags: app.flags,
    redirect_uris: [...app.redirectUris],
  };
}

/** The user's own application, or `undefined` (→ 404: SOA2 does not say whether it exists). */
function ownApplication(ctx: Soa2Context, clientId: number, userId: number) {
  const owned = ctx.owners.ownedBy(clientId, userId);
  const app = owned && ctx.clients.find(clientId);
  return owned && app ? { app, createdAt: owned.createdAt } : undefined;
}

/** GET /applications: `[{client_id, app_name}]` of the user's applications. */
export const listApplications: EndpointHandler = (ctx, req, res) => {
  const userId = owner(ctx, req, res);
  if (userId === undefined) return;
  const list = ctx.owners.listFor(userId).flatMap((clientId) => {
    const app = ctx.clients.find(clientId);
    return app ? [{ client_id: app.clientId, app_name: app.appName }] : [];
  });
  sendJson(res, 200, list);
};

/**
 * PUT /applications: both `app_name` and `redirect_uris` are required (each may be null). A new
 * application's name awaits moderation (flags 0), unless it has none (NAME_APPROVED). Empty and
 * repeated redirect URIs are dropped (the registry does that for every application).
 */
export const createApplication: EndpointHandler = (ctx, req, res, _url, body) => {
  const userId = owner(ctx, req, res);
  if (userId === undefined) return;
  const data = jsonObject(body);
  if (!data || !('app_name' in data) || !validName(data.app_name)) {
    return sendSoa2Error(res, 400);
  }
  if (!('redirect_uris' in data) || !validRedirectURIs(data.redirect_uris)) {
    return sendSoa2Error(res, 400);
  }
  const clientId = ctx.owners.newClientId((id) => ctx.clients.find(id) !== undefined);
  ctx.clients.add({
    clientId,
    clientSecret: ctx.owners.newClientSecret(),
    appName: data.app_name,
    redirectUris: data.redirect_uris ?? [],
    flags: data.app_name === null ? NAME_APPROVED : 0,
  });
  const createdAt = ctx.nowSeconds();
  ctx.owners.assign(clientId, userId, createdAt);
  sendJson(res, 200, applicationJson(ctx.clients.find(clientId)!, createdAt));
};

/** GET /applications/{client_id}. */
export const getApplication: EndpointHandler = (ctx, req, res, url) => {
  const clientId = clientIdParam(url, res);
  if (clientId === undefined) return;
  const userId = owner(ctx, req, res);
  if (userId === undefined) return;
  const own = ownApplication(ctx, clientId, userId);
  if (!own) return sendSoa2Error(res, 404);
  sendJson(res, 200, applicationJson(own.app, own.createdAt));
};

/** Whether SOA2 refuses a PATCH body (400). */
function badChanges(data: Body | undefined): boolean {
  if (!data) return true;
  // Flags are for moderators and admins (Special:SOA2Admin), never for owners.
  if ('flags' in data) return true;
  if ('reset_secret' in data && typeof data.reset_secret !== 'boolean') return true;
  if ('app_name' in data && !validName(data.app_name)) return true;
  if ('redirect_uris' in data && !validRedirectURIs(data.redirect_uris)) return true;
  return false;
}

/**
 * PATCH /applications/{client_id}: `reset_secret: true` issues a new secret; a different
 * `app_name` clears NAME_APPROVED (set again when the name becomes null); `redirect_uris`
 * replaces the list. Keys SOA2 does not know are ignored, as PHP does.
 */
export const updateApplication: EndpointHandler = (ctx, req, res, url, body) => {
  const clientId = clientIdParam(url, res);
  if (clientId === undefined) return;
  const userId = owner(ctx, req, res);
  if (userId === undefined) return;
  const data = jsonObject(body);
  if (badChanges(data)) return sendSoa2Error(res, 400);
  const changes = data as Body;
  const own = ownApplication(ctx, clientId, userId);
  if (!own) return sendSoa2Error(res, 404);
  const app = { ...own.app };
  if (changes.reset_secret === true) app.clientSecret = ctx.owners.newClientSecret();
  if ('app_name' in changes && changes.app_name !== app.appName) {
    app.appName = changes.app_name as string | null;
    app.flags &= ~NAME_APPROVED;
    if (app.appName === null) app.flags |= NAME_APPROVED;
  }
  if ('redirect_uris' in changes)
    app.redirectUris = (changes.redirect_uris as string[] | null) ?? [];
  ctx.clients.add(app);
  sendJson(res, 200, applicationJson(ctx.clients.find(clientId)!, own.createdAt));
};

/** DELETE /applications/{client_id}: 204, and every token and code of the application goes too. */
export const deleteApplication: EndpointHandler = (ctx, req, res, url) => {
  const clientId = clientIdParam(url, res);
  if (clientId === undefined) return;
  const userId = owner(ctx, req, res);
  if (userId === undefined) return;
  if (!ownApplication(ctx, clientId, userId)) return sendSoa2Error(res, 404);
  ctx.clients.remove(clientId);
  ctx.owners.remove(clientId);
  ctx.tokens.revokeClient(clientId);
  ctx.codes.revokeClient(clientId);
  res.writeHead(204, { 'Cache-Control': 'no-store' });
  res.end();
};
