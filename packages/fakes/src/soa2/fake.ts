/**
 * `startSoa2Fake()`: a local ScratchOAuth2 on 127.0.0.1 with the real server's URLs, consent page,
 * `/tokens` and `/user`, statuses and error bodies (soa2.md). Every request is recorded in
 * `requests`, so tests can check what a client actually sent.
 */
import {
  BodyTooLargeError,
  type RunningFake,
  readBody,
  sendHtml,
  startHttpServer,
} from '../http.js';
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

export interface Soa2Fake extends RunningFake {
  /** `${url}/wiki/Special:ScratchOAuth2/authorize`. */
  authorizationURL: string;
  /** `${url}/w/rest.php/soa2/v0`. */
  apiURL: string;
  /** Registers an application, replacing one with the same clientId. */
  addClient(client: Soa2ClientConfig): void;
  /** Every request received, oldest first. */
  requests: Soa2RecordedRequest[];
}

type Routes = Record<string, Partial<Record<string, EndpointHandler>>>;

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

/** Methods for which MediaWiki requires a Content-Type (soa2.md §2: else 415). */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The page a URL names: `/w/index.php?title=Special:X` is the same page as `/wiki/Special:X`. */
function pagePath(url: URL): string {
  const title = url.pathname === INDEX_PHP_PATH ? url.searchParams.get('title') : null;
  return title ? `/wiki/${title}` : url.pathname;
}

export async function startSoa2Fake(options: Soa2FakeOptions = {}): Promise<Soa2Fake> {
  const clock = options.clock ?? Date.now;
  let baseUrl = '';
  const ctx: Soa2Context = {
    clients: new ClientRegistry(options.clients ?? [DEFAULT_SOA2_CLIENT]),
    users: new UserDirectory(options.users ?? DEFAULT_SOA2_USERS),
    codes: new AuthorizationCodes(),
    tokens: new TokenStore(),
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
        const route = API[url.pathname];
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
        if (BODY_METHODS.has(method) && !req.headers['content-type']) {
          return sendMediaWikiError(
            res,
            415,
            'rest-unsupported-content-type',
            'A request body was sent without a Content-Type header.',
          );
        }
        return handler(ctx, req, res, url, body);
      }

      const page = PAGES[pagePath(url)];
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
  };
}
