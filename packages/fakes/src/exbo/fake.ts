/**
 * The local fake of EXBO's OAuth provider (exbo.net): consent page, token endpoint and user endpoint
 * on 127.0.0.1, strict about everything the real server rejects (see docs/protocols/exbo.md).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BodyTooLargeError,
  type RunningFake,
  readBody,
  sendJson,
  startHttpServer,
} from '../http.js';
import { decideConsent, showConsentPage } from './authorize.js';
import { ClientRegistry } from './clients.js';
import { ConsentRequests } from './consent-requests.js';
import type { EndpointHandler, ExboContext } from './context.js';
import {
  DEFAULT_CODE_LIFETIME_SECONDS,
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  type ExboClientConfig,
  type ExboUserConfig,
} from './defaults.js';
import { GAME_API_PREFIX, type GameApiContext, isGameApiPath, serveGameApi } from './game-api.js';
import {
  DEFAULT_EXBO_CHARACTERS,
  type ExboCharactersConfig,
  type ExboGameApiLimits,
  gameApiLimits,
} from './game-data.js';
import { createJwtSigner } from './jwt.js';
import { LeagueError, sendLeagueError } from './league-errors.js';
import { RateLimiter } from './rate-limiter.js';
import { issueToken } from './token-endpoint.js';
import { type TokenStatus, TokenStore } from './tokens.js';
import { LOGIN_PATH, loginPage, userInfoEndpoint } from './user-endpoint.js';
import { UserDirectory } from './users.js';

/** How to start the EXBO fake: where it listens, its applications and users, clock and lifetimes. */
export interface ExboFakeOptions {
  /** Port to listen on; default 0 (a free one). */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** Registered applications; default `[DEFAULT_EXBO_CLIENT]`. */
  clients?: ExboClientConfig[];
  /** Accounts offered on the consent page; default `DEFAULT_EXBO_USERS`. */
  users?: ExboUserConfig[];
  /** Milliseconds since the epoch; default `Date.now`. Inject one to test expiry. */
  clock?: () => number;
  /** Default 600. */
  codeLifetimeSeconds?: number;
  /** Lifetime of access and refresh tokens; default 31536000 (a year). */
  tokenLifetimeSeconds?: number;
  /** The game API at `gameApiURL`: characters per user id and region, and rate-limit buckets. */
  gameApi?: {
    /** Default `DEFAULT_EXBO_CHARACTERS` (for the default users). */
    characters?: ExboCharactersConfig;
    /** Points per window: `app` 400, `user` 50; `windowSeconds` 60. */
    limits?: ExboGameApiLimits;
  };
}

/** One request as the fake received it; `query` is the raw query string without `?`. */
export interface ExboRecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * What {@link ExboFake.tokenStatus} reports: `'active'`, `'expired'`, `'revoked'` (for instance
 * replaced by a newer token under EXBO's replacement rule) or `'unknown'` (never issued here).
 */
export type ExboTokenStatus = TokenStatus;

/** A running EXBO fake: its OAuth and game-API URLs, the requests it received, test hooks. */
export interface ExboFake extends RunningFake {
  /** `${url}/oauth/authorize` */
  authorizationURL: string;
  /** `${url}/oauth/token` */
  tokenURL: string;
  /** `${url}/oauth/user` */
  userProfileURL: string;
  /** `${url}/game-api`: the game API's base URL (as `https://eapi.stalcraft.net` is EXBO's). */
  gameApiURL: string;
  /** Registers a client, replacing any client with the same id. */
  addClient(client: ExboClientConfig): void;
  /** Every request received, in order, recorded before it is handled. */
  requests: ExboRecordedRequest[];
  /** PEM (SPKI) of the RS256 key that signs access tokens. EXBO itself publishes none. */
  publicKeyPem: string;
  /**
   * Whether an access or refresh token still works: lets tests observe the token replacement rule
   * for application tokens, which no endpoint of the fake reveals.
   */
  tokenStatus(token: string): ExboTokenStatus;
}

const ROUTES: Record<string, Partial<Record<string, EndpointHandler>>> = {
  '/oauth/authorize': { GET: showConsentPage, POST: decideConsent },
  '/oauth/token': { POST: issueToken },
  '/oauth/user': { GET: userInfoEndpoint },
  [LOGIN_PATH]: { GET: loginPage },
};

function positiveInteger(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`EXBO fake: ${name} must be a positive integer of seconds`);
  }
  return value;
}

/** Starts the EXBO fake; `close()` it when done. */
export async function startExboFake(options: ExboFakeOptions = {}): Promise<ExboFake> {
  const clock = options.clock ?? Date.now;
  const clients = new ClientRegistry(options.clients ?? [DEFAULT_EXBO_CLIENT]);
  const users = new UserDirectory(options.users ?? DEFAULT_EXBO_USERS);
  const codeLifetimeSeconds = positiveInteger(
    'codeLifetimeSeconds',
    options.codeLifetimeSeconds,
    DEFAULT_CODE_LIFETIME_SECONDS,
  );
  const tokenLifetimeSeconds = positiveInteger(
    'tokenLifetimeSeconds',
    options.tokenLifetimeSeconds,
    DEFAULT_TOKEN_LIFETIME_SECONDS,
  );
  const signer = await createJwtSigner();
  const tokens = new TokenStore({ signer, clock, codeLifetimeSeconds, tokenLifetimeSeconds });
  const requests: ExboRecordedRequest[] = [];
  const limits = gameApiLimits(options.gameApi?.limits);
  const game: GameApiContext = {
    clients,
    characters: options.gameApi?.characters ?? DEFAULT_EXBO_CHARACTERS,
    limits,
    limiter: new RateLimiter(clock, limits.windowSeconds),
    clock,
    // Signed by us and still active: a replaced application token fails here (token replacement).
    liveAccessToken: (token) =>
      tokens.status(token) === 'active' ? signer.verify(token) : undefined,
  };
  let baseUrl = '';
  const ctx: ExboContext = {
    clients,
    users,
    tokens,
    consents: new ConsentRequests(),
    baseUrl: () => baseUrl,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const record = (body: string) =>
      requests.push({
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.search.slice(1),
        headers: { ...req.headers },
        body,
      });
    let body: string;
    try {
      body = await readBody(req);
    } catch (err) {
      // readBody has already destroyed the connection; keep a trace of the attempt.
      if (err instanceof BodyTooLargeError) return void record('');
      throw err;
    }
    record(body);
    if (isGameApiPath(url.pathname)) return serveGameApi(game, req, res, url);
    await route(ctx, req, res, url, body);
  };

  const server = await startHttpServer(handle, { port: options.port, host: options.host });
  baseUrl = server.url;
  return {
    url: server.url,
    close: server.close,
    authorizationURL: `${server.url}/oauth/authorize`,
    tokenURL: `${server.url}/oauth/token`,
    userProfileURL: `${server.url}/oauth/user`,
    gameApiURL: `${server.url}${GAME_API_PREFIX}`,
    addClient: (client) => clients.add(client),
    requests,
    publicKeyPem: signer.publicKeyPem,
    tokenStatus: (token) => tokens.status(token),
  };
}

async function route(
  ctx: ExboContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  body: string,
): Promise<void> {
  const methods = Object.hasOwn(ROUTES, url.pathname) ? ROUTES[url.pathname] : undefined;
  if (!methods) return sendJson(res, 404, { message: 'Not Found' });
  const method = req.method ?? 'GET';
  const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!handler) {
    const allowed = Object.keys(methods).join(', ');
    return sendJson(
      res,
      405,
      {
        message: `The ${method} method is not supported for route ${url.pathname.slice(1)}. Supported methods: ${allowed}.`,
      },
      { Allow: allowed },
    );
  }
  try {
    await handler(ctx, req, res, url, body);
  } catch (err) {
    if (err instanceof LeagueError) return sendLeagueError(res, err);
    throw err;
  }
}
