/**
 * SOA2's account API in one client: log in with Scratch (a text posted as a comment on your own
 * Scratch profile, docs/protocols/soa2.md, "Login by profile comment") and register, change and
 * delete your SOA2 applications ("Application registration"), which the wiki's special pages
 * otherwise do by hand. Each instance holds one SOA2 login session (its
 * cookies); `session` exports it and the `session` option restores it.
 *
 * Shares the token client's transport (timeout, UTF-8, no redirects), endpoint settings and
 * errors. Every method resolves with checked data or rejects with an {@link OAuthError} (SOA2's
 * answer, with a stable `code`) or a `TypeError` (bad input, refused before any request). No
 * message contains a cookie, a CSRF token or a client secret.
 */
import {
  type ConnectionOptions,
  checkOptionsObject,
  type HttpResponse,
  OAuthError,
  type Transport,
} from '@exbo-soa2/core';
import { AccountCookies } from './account-cookies.js';
import {
  parseAccountSession,
  type Soa2AccountSession,
  type Soa2LoginChallenge,
} from './account-session.js';
import {
  applicationChangesBody,
  newApplicationBody,
  parseApplication,
  parseApplicationList,
  type Soa2Application,
  type Soa2ApplicationChanges,
  type Soa2ApplicationSummary,
  type Soa2NewApplication,
} from './applications.js';
import { parseClientID } from './credentials.js';
import { type Soa2EndpointOptions, soa2Endpoints } from './endpoints.js';
import {
  type AccountErrorContext,
  accountError,
  PURPOSE,
  type Soa2AccountRequest,
  unknownUserError,
} from './errors.js';
import { soa2Transport } from './transport.js';
import { parseScratchUsername } from './username.js';
import { PACKAGE_NAME } from './version.js';

/** Under the REST API root: `PUT`/`POST /login/{username}`. */
export const LOGIN_PATH = '/login';
/** Under the REST API root: `GET`/`PUT /applications`, `GET`/`PATCH`/`DELETE /applications/{id}`. */
export const APPLICATIONS_PATH = '/applications';

export interface Soa2AccountClientOptions extends Soa2EndpointOptions, ConnectionOptions {
  /**
   * A session exported earlier from `client.session` (e.g. kept in a file): its cookies are used
   * until they expire. It must belong to the same API URL.
   */
  session?: Soa2AccountSession | undefined;
  /** The clock for cookie expiry and login age, milliseconds since the epoch. Default `Date.now`. */
  clock?: (() => number) | undefined;
}

type Method = 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

interface Call {
  request: Soa2AccountRequest;
  method: Method;
  path: string;
  json?: unknown;
  context?: AccountErrorContext;
  /** Secrets sent in this request besides the session cookies (the CSRF token). */
  secrets?: string[];
}

/**
 * SOA2's account API: log in with Scratch (a profile comment), then list, register, change and
 * delete your applications, holding one login session. Methods reject with an {@link OAuthError}
 * (`NOT_LOGGED_IN`, `LOGIN_NOT_VERIFIED`, `NOT_FOUND`, …) or a `TypeError` for bad input. The
 * constructor throws a `TypeError` for a malformed `session` or one from another API URL.
 */
export class Soa2AccountClient {
  /** The SOA2 REST API root this client (and its session) belongs to. */
  readonly apiURL: string;
  readonly transport: Transport;
  readonly #cookies: AccountCookies;
  readonly #clock: () => number;
  #username: string | null;
  #login: Soa2LoginChallenge | undefined;

  constructor(options: Soa2AccountClientOptions = {}) {
    checkOptionsObject(PACKAGE_NAME, options);
    this.apiURL = soa2Endpoints(options).apiURL;
    this.transport = soa2Transport(options);
    this.#clock = options.clock ?? Date.now;
    const session =
      options.session === undefined ? undefined : parseAccountSession(options.session);
    // The cookies are the user's login: never send them to another server than the one that set them.
    if (session && session.apiURL.replace(/\/+$/, '') !== this.apiURL) {
      throw new TypeError(
        `${PACKAGE_NAME}: this SOA2 session belongs to ${session.apiURL}, not ${this.apiURL}: log in again for this API`,
      );
    }
    this.#cookies = new AccountCookies(session?.cookies);
    this.#username = session?.username ?? null;
    this.#login = session?.login;
  }

  /** Who is logged in (as Scratch capitalises the name), as far as this client knows. */
  get username(): string | null {
    return this.#username;
  }

  /** The login started by `startLogin` and not yet finished, if any. */
  get pendingLogin(): Soa2LoginChallenge | undefined {
    return this.#login && { ...this.#login };
  }

  /** The session to save and restore later (with the `session` option). Treat it as a secret. */
  get session(): Soa2AccountSession {
    return {
      apiURL: this.apiURL,
      username: this.#username,
      cookies: this.#cookies.valid(this.#clock()),
      ...(this.#login && { login: { ...this.#login } }),
    };
  }

  /** Whether a session cookie is held that has not expired (SOA2 may still have ended it). */
  hasSession(): boolean {
    return this.#cookies.has(this.#clock());
  }

  /**
   * When the session cookie expires (milliseconds since the epoch), or `undefined` when it has no
   * expiry of its own (then SOA2 ends the session on its side and answers 401).
   */
  sessionExpiresAt(): number | undefined {
    return this.#cookies.expiresAt(this.#clock());
  }

  /** Forgets the session here. SOA2 has no logout endpoint; its side of the session just ends. */
  logout(): void {
    this.#cookies.clear();
    this.#username = null;
    this.#login = undefined;
  }

  /**
   * Starts a login: `PUT /login/{username}` answers the text to post and a CSRF token, and sets
   * the session cookie. The user then posts `code`, whole, as a comment on their own Scratch
   * profile (see `scratchProfileURL`), and you call {@link finishLogin} within 30 minutes.
   *
   * The username is checked first (3 to 20 of `A-Z a-z 0-9 _ -`: a `TypeError` otherwise, with no
   * request). An unknown Scratch user rejects with `NOT_FOUND`, whichever way SOA2 says it: the
   * documented 404, or the 200 with `"username": null` the current server sends.
   */
  async startLogin(username: string): Promise<Soa2LoginChallenge> {
    const name = parseScratchUsername(username);
    const context = { username: name };
    // MediaWiki refuses a PUT without a Content-Type (415): send an empty JSON object.
    const res = await this.call(
      { request: 'startLogin', method: 'PUT', path: loginPath(name), json: {}, context },
      200,
    );
    const body = res.json as Record<string, unknown> | undefined;
    if (
      body === null ||
      typeof body !== 'object' ||
      typeof body.csrf !== 'string' ||
      body.csrf === '' ||
      typeof body.code !== 'string' ||
      body.code === ''
    ) {
      throw this.unexpected(res, 'startLogin', 'expected JSON with username, csrf and code');
    }
    if (body.username === null) {
      throw unknownUserError(res, name, this.secrets([body.csrf]));
    }
    if (typeof body.username !== 'string' || body.username.toLowerCase() !== name.toLowerCase()) {
      throw this.unexpected(res, 'startLogin', `expected the username ${name} back`, [body.csrf]);
    }
    this.#login = {
      username: body.username,
      code: body.code,
      csrf: body.csrf,
      startedAt: this.#clock(),
    };
    return { ...this.#login };
  }

  /**
   * Finishes a login once the text is posted: `POST /login/{username}` with the CSRF token. Resolves
   * with the username now logged in. `LOGIN_NOT_VERIFIED` (SOA2 403) means the comment was not
   * found, or the login is older than 30 minutes (the message says which is likely) or lost its
   * session; the pending login is kept, so the user can post the comment and call this again.
   */
  async finishLogin(challenge: Soa2LoginChallenge | undefined = this.#login): Promise<string> {
    if (!challenge) {
      throw new TypeError(`${PACKAGE_NAME}: no login to finish: call startLogin(username) first`);
    }
    const username = parseScratchUsername(challenge.username);
    if (typeof challenge.csrf !== 'string' || challenge.csrf === '') {
      throw new TypeError(`${PACKAGE_NAME}: the login has no CSRF token: start it again`);
    }
    const context = { username, loginAgeMs: this.#clock() - challenge.startedAt };
    await this.call(
      {
        request: 'finishLogin',
        method: 'POST',
        path: loginPath(username),
        json: { csrf: challenge.csrf },
        context,
        secrets: [challenge.csrf],
      },
      204,
    );
    this.#username = username;
    this.#login = undefined;
    return username;
  }

  /** Your applications: `GET /applications` → `[{client_id, app_name}]`. */
  async listApplications(): Promise<Soa2ApplicationSummary[]> {
    const res = await this.call(
      { request: 'listApplications', method: 'GET', path: APPLICATIONS_PATH },
      200,
    );
    const list = parseApplicationList(res.json);
    if (!list) {
      throw this.unexpected(res, 'listApplications', 'expected a list of {client_id, app_name}');
    }
    return list;
  }

  /** One of your applications, secret included. `NOT_FOUND`: not yours, or no such app. */
  async getApplication(clientID: number | string): Promise<Soa2Application> {
    const id = parseClientID(clientID);
    return this.application(
      { request: 'getApplication', method: 'GET', path: appPath(id), context: { clientID: id } },
      'getApplication',
    );
  }

  /**
   * Registers an application: `PUT /applications` with both `app_name` and `redirect_uris` (each
   * `null` when not given). The answer carries the new client id and secret. SOA2 drops empty and
   * repeated redirect URIs; a name waits for a moderator's approval (`NAME_APPROVED`).
   */
  async createApplication(input: Soa2NewApplication = {}): Promise<Soa2Application> {
    const json = newApplicationBody(input);
    return this.application(
      {
        request: 'createApplication',
        method: 'PUT',
        path: APPLICATIONS_PATH,
        json,
        context: { sentKeys: Object.keys(json) },
      },
      'createApplication',
    );
  }

  /**
   * Changes an application: `PATCH /applications/{id}` with any of `app_name` (a change clears
   * `NAME_APPROVED`), `redirect_uris` (replaces the list) and `reset_secret: true`. An empty
   * change or a `flags` key is refused with a `TypeError` before sending (SOA2 would answer 400).
   */
  async updateApplication(
    clientID: number | string,
    changes: Soa2ApplicationChanges,
  ): Promise<Soa2Application> {
    const id = parseClientID(clientID);
    const json = applicationChangesBody(changes);
    return this.application(
      {
        request: 'updateApplication',
        method: 'PATCH',
        path: appPath(id),
        json,
        context: { clientID: id, sentKeys: Object.keys(json) },
      },
      'updateApplication',
    );
  }

  /** Issues a new client secret (the old one stops working at once); resolves with the app. */
  async resetSecret(clientID: number | string): Promise<Soa2Application> {
    return this.updateApplication(clientID, { reset_secret: true });
  }

  /**
   * Deletes an application: `DELETE /applications/{id}`. SOA2 also deletes every token and code
   * issued for it, so its users are signed out of SOA2 for that app at once.
   */
  async deleteApplication(clientID: number | string): Promise<void> {
    const id = parseClientID(clientID);
    await this.call(
      {
        request: 'deleteApplication',
        method: 'DELETE',
        path: appPath(id),
        context: { clientID: id },
      },
      204,
    );
  }

  private async application(call: Call, request: Soa2AccountRequest): Promise<Soa2Application> {
    const res = await this.call(call, 200);
    const app = parseApplication(res.json);
    if (!app) {
      throw this.unexpected(
        res,
        request,
        'expected an application with client_id, client_secret, app_name, flags and redirect_uris',
      );
    }
    return app;
  }

  /**
   * Sends one request with the session cookies, keeps the cookies SOA2 sets (on errors too), and
   * returns the answer when its status is `expected`; otherwise rejects with the mapped error.
   * The application endpoints are not called without a session: SOA2 could only answer 401.
   */
  private async call(call: Call, expected: number): Promise<HttpResponse> {
    const now = this.#clock();
    const cookie = this.#cookies.header(now);
    if (!cookie && call.request !== 'startLogin' && call.request !== 'finishLogin') {
      throw this.notLoggedIn(now);
    }
    const secrets = this.secrets(call.secrets);
    const res = await this.transport.request({
      method: call.method,
      url: `${this.apiURL}${call.path}`,
      ...(cookie && { headers: { Cookie: cookie } }),
      ...(call.json !== undefined && { json: call.json }),
      secrets,
      purpose: PURPOSE[call.request],
    });
    this.#cookies.update(res.headers.getSetCookie(), this.#clock());
    if (res.status === expected) return res;
    // SOA2 ended the session on its side: whoever we thought was logged in is not.
    if (res.status === 401) this.#username = null;
    throw accountError(this.transport, res, call.request, this.secrets(call.secrets), call.context);
  }

  private notLoggedIn(now: number): OAuthError {
    const expiredAt = this.#cookies.expiredAt(now);
    const why =
      expiredAt === undefined
        ? 'You are not logged in to SOA2 (no login session)'
        : `Your SOA2 login session expired at ${new Date(expiredAt).toISOString()}`;
    return new OAuthError(
      'NOT_LOGGED_IN',
      `${why}: log in first (\`soa2 login <username>\`, or startLogin then finishLogin).`,
      { provider: 'soa2' },
    );
  }

  private unexpected(
    res: HttpResponse,
    request: Soa2AccountRequest,
    what: string,
    extraSecrets: string[] = [],
  ): OAuthError {
    return this.transport.unexpected(res, PURPOSE[request], what, this.secrets(extraSecrets));
  }

  /** Values no message may contain: the session cookies and what the request carries. */
  private secrets(extra: readonly string[] = []): string[] {
    return [...this.#cookies.values(), ...(this.#login ? [this.#login.csrf] : []), ...extra];
  }
}

function loginPath(username: string): string {
  return `${LOGIN_PATH}/${encodeURIComponent(username)}`;
}

function appPath(clientID: number): string {
  return `${APPLICATIONS_PATH}/${clientID}`;
}
