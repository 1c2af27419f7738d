/**
 * The STALCRAFT game API (eapi.stalcraft.net), the part logins are usually for, served by the EXBO
 * fake under `/game-api`: `GET /regions` (no auth), `GET /{region}/characters` (user token only) and
 * `GET /{region}/emission` (any credential). Like the real API it takes
 * - `Authorization: Bearer <token>`: a live access token, so an application token replaced by a
 *   newer one answers 401, exactly as EXBO's token replacement rule makes it;
 * - or `Client-Id` / `Client-Secret` headers, for app-level calls without a token;
 * and it meters every authenticated call in a per-credential bucket reported in `X-RateLimit-*`
 * headers, answering 429 `{"title":"Rate limit exceeded",...}` when the bucket is empty.
 * Errors have the API's shape: `{"title": "...", "status": N, "details": {...}}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http.js';
import type { ClientRegistry } from './clients.js';
import {
  type ExboCharactersConfig,
  type ExboGameApiLimits,
  GAME_REGIONS,
  type GameRegion,
} from './game-data.js';
import type { AccessTokenClaims } from './jwt.js';
import { type RateLimiter, rateLimitHeaders } from './rate-limiter.js';

/** Where the game API is mounted on the fake (the real one has a host of its own). */
export const GAME_API_PREFIX = '/game-api';

export interface GameApiContext {
  clients: ClientRegistry;
  characters: ExboCharactersConfig;
  limits: Required<ExboGameApiLimits>;
  limiter: RateLimiter;
  clock: () => number;
  /** The claims of a signed, known, unrevoked, unexpired access token; otherwise `undefined`. */
  liveAccessToken(token: string): AccessTokenClaims | undefined;
}

/** Who is calling: an application (app token or client headers) or a user through a user token. */
type Principal =
  | { kind: 'app'; clientId: string }
  | { kind: 'user'; clientId: string; userId: number };

/**
 * What each metered route costs, in points (docs/protocols/exbo.md, "Rate limits": emission 1).
 */
const COST = { characters: 1, emission: 1 } as const;

class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly details: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(title);
  }
}

export function isGameApiPath(pathname: string): boolean {
  return pathname === GAME_API_PREFIX || pathname.startsWith(`${GAME_API_PREFIX}/`);
}

export function serveGameApi(
  ctx: GameApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): void {
  try {
    route(ctx, req, res, url.pathname.slice(GAME_API_PREFIX.length));
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    sendJson(
      res,
      err.status,
      { title: err.title, status: err.status, details: err.details },
      err.headers,
    );
  }
}

function route(ctx: GameApiContext, req: IncomingMessage, res: ServerResponse, path: string): void {
  if (req.method !== 'GET') {
    throw new ApiError(405, 'Method Not Allowed', {}, { Allow: 'GET' });
  }
  if (path === '/regions') return sendJson(res, 200, GAME_REGIONS);
  const match = /^\/([^/]+)\/(characters|emission)$/.exec(path);
  if (!match) throw new ApiError(404, 'Not Found');
  const region = toRegion(match[1] ?? '');
  if (!region) throw new ApiError(404, 'Region not found', { region: match[1] });
  const principal = authenticate(ctx, req);
  if (match[2] === 'characters') {
    // Authenticated but the wrong kind of credential: 403, kept apart from a bad token's 401 (a
    // client renewing its application token on 401 must not do so here).
    if (principal.kind !== 'user') {
      throw new ApiError(403, 'Forbidden', { reason: 'This method requires a user access token' });
    }
    const headers = meter(ctx, principal, COST.characters);
    return sendJson(res, 200, ctx.characters[principal.userId]?.[region] ?? [], headers);
  }
  const headers = meter(ctx, principal, COST.emission);
  sendJson(res, 200, emission(ctx.clock()), headers);
}

/** Regions are a path segment the API reads case-insensitively. */
function toRegion(segment: string): GameRegion | undefined {
  let upper: string;
  try {
    upper = decodeURIComponent(segment).toUpperCase();
  } catch {
    return undefined;
  }
  return GAME_REGIONS.find((region) => region.id === upper)?.id;
}

/** A bearer token wins over client headers; anything presented must be valid. */
function authenticate(ctx: GameApiContext, req: IncomingMessage): Principal {
  const authorization = req.headers.authorization;
  if (authorization !== undefined) {
    const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
    const claims = token === undefined ? undefined : ctx.liveAccessToken(token);
    if (!claims) {
      throw new ApiError(401, 'Unauthorized', {
        reason: 'The access token is invalid, expired or was replaced by a newer one',
      });
    }
    return claims.sub === undefined
      ? { kind: 'app', clientId: claims.aud }
      : { kind: 'user', clientId: claims.aud, userId: Number(claims.sub) };
  }
  const clientId = header(req, 'client-id');
  const secret = header(req, 'client-secret');
  if (clientId !== undefined || secret !== undefined) {
    const client = clientId === undefined ? undefined : ctx.clients.find(clientId);
    if (!client || secret === undefined || !ctx.clients.secretMatches(client, secret)) {
      throw new ApiError(401, 'Unauthorized', {
        reason: 'Unknown Client-Id or wrong Client-Secret',
      });
    }
    return { kind: 'app', clientId: client.clientId };
  }
  throw new ApiError(401, 'Unauthorized', {
    reason: 'Send Authorization: Bearer <token>, or Client-Id and Client-Secret',
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Spends the call's points; the X-RateLimit-* headers for the answer, or a 429. */
function meter(ctx: GameApiContext, principal: Principal, cost: number): Record<string, string> {
  const [key, limit] =
    principal.kind === 'user'
      ? [`user:${principal.clientId}:${principal.userId}`, ctx.limits.user]
      : [`app:${principal.clientId}`, ctx.limits.app];
  const { allowed, state } = ctx.limiter.take(key, limit, cost);
  const headers = rateLimitHeaders(state);
  if (!allowed) throw new ApiError(429, 'Rate limit exceeded', {}, headers);
  return headers;
}

/** The last emission ended an hour ago, five minutes long; none is running. */
function emission(now: number) {
  const previousEnd = new Date(now - 60 * 60 * 1000);
  const previousStart = new Date(previousEnd.getTime() - 5 * 60 * 1000);
  return { previousStart: previousStart.toISOString(), previousEnd: previousEnd.toISOString() };
}
