/**
 * `startSoa2Fake()`: a local ScratchOAuth2 on 127.0.0.1 with the real server's URLs, consent page,
 * `/tokens` and `/user`, statuses and error bodies (docs/protocols/soa2.md). Every request is
 * recorded in `requests`, so tests can check what a client actually sent.
 */
import {
  BodyTooLargeError,
  type RunningFake,
  readBody,
  sendHtml,
  startHttpServer,
} from '../http.js';
import { accountRoute } from './account-routes.js';
import { ApplicationOwners } from './application-owners.js';
import { decideConsent, showCodePage, showConsentPage } from './authorize.js';
import { ClientRegistry } from './clients.js';
import { AuthorizationCodes } from './codes.js';
import type { EndpointHandler, Soa2Context } from './context.js';
import {
  DEFAULT_SOA2_CLIENT,
  DEFAULT_SOA2_USERS,
  type Soa2ClientConfig,
  type Soa2FakeOptions,
} from './defaults.js';
import { LoginSessions } from './login-sessions.js';
import { problemPage } from './pages.js';
import {
  API_PATH,
  AUTHORIZE_PATH,
  CODE_PAGE_PATH,
  INDEX_PHP_PATH,
  REST_PATH,
  TOKENS_PATH,
  USER_PATH,
} from './paths.js';
import { ProfileComments } from './profile-comments.js';
import { profileRoute } from './profile-page.js';
import { exchangeCode, refreshToken } from './token-endpoint.js';
import { TokenStore } from './tokens.js';
import { currentUser } from './user-endpoint.js';
import { UserDirectory } from './users.js';
import { sendMediaWikiError, sendSoa2Error } from './wire-errors.js';

/** One request as the fake received it. */
export interface Soa2RecordedRequest {
  method: string;
  /** The path without the query, e.g. `/w/rest.php/soa2/v0/tokens`. */
  path: string;
  /** The raw query string without `?` (empty when none). */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A running SOA2 fake: its consent-page and REST URLs, the requests it received, test hooks. */
export interface Soa2Fake extends RunningFake {
  /** `${url}/wiki/Special:ScratchOAuth2/authorize`. */
  authorizationURL: string;
  /** `${url}/w/rest.php/soa2/v0`. */
  apiURL: string;
  /** Registers an application, replacing one with the same clientId. */
  addClient(client: Soa2ClientConfig): void;
  /** Every request received, oldest first. */
  requests: Soa2RecordedRequest[];
  /**
   * Posts `text` as a comment by `username` (a configured user) on their own Scratch profile: what
   * a user does with the text `PUT /login/{username}` answered, before `POST /login/{username}`.
   */
  postComment(username: string, text: string): void;
  /**
   * Sets an application's flags as SOA2's moderators and admins do: `1` name approved, `2`
   * verified, `4` owner hidden (owners cannot change them through the API).
   */
  setApplicationFlags(clientId: number, flags: number): void;
}

type Routes = Record<string, Partial<Record<string, EndpointHandler>>>;

/** Methods whose body MediaWiki's REST framework parses (and so needs a Content-Type for). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Browser pages (MediaWiki special pages). */
const PAGES: Routes = {
  [AUTHORIZE_PATH]: { GET: showConsentPage, POST: decideConsent },
  [CODE_PAGE_PATH]: { GET: showCodePage },
};

/** REST routes. */
const API: Routes = {
  [TOKENS_PATH]: { POST: exchangeCode, PATCH: refreshToken },
  [USER_PATH]: { GET: currentUser },
};

/** The page a URL names: `/w/index.php?title=Special:X` is the same page as `/wiki/Special:X`. */
function pagePath(url: URL): string {
  const title = url.pathname === INDEX_PHP_PATH ? url.searchParams.get('title') : null;
  return title ? `/wiki/${title}` : url.pathname;
}

/**
 * Starts the SOA2 fake on loopback (by default a free port on 127.0.0.1); `close()` it when done.
 * Rejects with a `TypeError` for an invalid client or user config, or when it cannot listen.
 */
export async function startSoa2Fake(options: Soa2FakeOptions = {}): Promise<Soa2Fake> {
  const clock = options.clock ?? Date.now;
  let baseUrl = '';
  const ctx: Soa2Context = {
    clients: new ClientRegistry(options.clients ?? [DEFAULT_SOA2_CLIENT]),
    users: new UserDirectory(options.users ?? DEFAULT_SOA2_USERS),
    codes: new AuthorizationCodes(),
    tokens: new TokenStore(),
    sessions: new LoginSessions(),
    comments: new ProfileComments(),
    owners: new ApplicationOwners(),
    strict: options.strict === true,
    nowSeconds: () => Math.floor(clock() / 1000),
    baseUrl: () => baseUrl,
  };
  const requests: Soa2RecordedRequest[] = [];

  const running = await startHttpServer(
    async (req, res, url) => {
      const method = req.method ?? 'GET';
      let body = '';
      try {
        body = await readBody(req);
      } catch (err) {
        if (err instanceof BodyTooLargeError) return sendSoa2Error(res, 413);
        throw err;
      }
      requests.push({
        method,
        path: url.pathname,
        query: url.search.slice(1),
        headers: { ...req.headers },
        body,
      });

      if (url.pathname.startsWith(`${REST_PATH}/`)) {
        const route = API[url.pathname] ?? accountRoute(url.pathname);
        if (!route) {
          return sendMediaWikiError(
            res,
            404,
            'rest-no-match',
            'The requested relative path did not match any known handler.',
          );
        }
        const handler = route[method];
        if (!handler) {
          return sendMediaWikiError(
            res,
            405,
            'rest-wrong-method',
            'The request method was not allowed by any handler for this path.',
            { Allow: Object.keys(route).join(', ') },
          );
        }
        // MediaWiki's REST body validator: a non-empty body without a Content-Type is 415; an
        // empty one passes to the handler (docs/protocols/soa2.md, "Content-Type and 415").
        if (BODY_METHODS.has(method) && body !== '' && !req.headers['content-type']) {
          return sendMediaWikiError(
            res,
            415,
            'rest-unsupported-content-type',
            'A request body was sent without a Content-Type header.',
          );
        }
        return handler(ctx, req, res, url, body);
      }

      const page = PAGES[pagePath(url)] ?? profileRoute(url.pathname);
      const handler = page?.[method];
      if (handler) return handler(ctx, req, res, url, body);
      sendHtml(
        res,
        page ? 405 : 404,
        problemPage(
          page ? 'Method not allowed' : 'Not found',
          `No ${method} ${url.pathname} on the SOA2 fake.`,
        ),
      );
    },
    { port: options.port, host: options.host },
  );
  baseUrl = running.url;

  return {
    url: running.url,
    close: running.close,
    authorizationURL: `${running.url}${AUTHORIZE_PATH}`,
    apiURL: `${running.url}${API_PATH}`,
    addClient: (client) => ctx.clients.add(client),
    requests,
    postComment: (username, text) => {
      const user = typeof username === 'string' ? ctx.users.byName(username) : undefined;
      if (!user) {
        throw new TypeError(`SOA2 fake: no Scratch user named ${JSON.stringify(username)}`);
      }
      if (typeof text !== 'string') throw new TypeError('SOA2 fake: a comment is a string');
      ctx.comments.post(user.userName, text);
    },
    setApplicationFlags: (clientId, flags) => {
      const app = ctx.clients.find(clientId);
      if (!app) throw new TypeError(`SOA2 fake: no application ${clientId}`);
      ctx.clients.add({ ...app, flags });
    },
  };
}
