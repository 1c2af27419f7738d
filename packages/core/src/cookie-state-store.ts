/**
 * Login state (CSRF protection for the callback) kept in the browser, for apps without a server
 * session (`session: false`, a token issued after login).
 *
 * The same 4-argument `store` / `verify` interface as the session store (state-store.ts), so
 * passport-exbo hands it to `OAuth2Strategy` and passport-soa2 calls it directly. Each pending
 * login is one cookie, encrypted and authenticated with AES-256-GCM under a key derived from the
 * app's secret (HKDF-SHA256), so its content (the app state) is neither readable nor forgeable:
 * - bound to the browser: the `state` in the URL is a random handle, and only the browser that
 *   started the login holds the cookie naming that handle (a callback from another browser fails);
 * - one-time: a used handle is recorded in the process-wide registry shared with the session store
 *   (a replay to the same instance fails), and the cookie is cleared on use, so the browser cannot
 *   send it again to any instance. A copy of the cookie taken before use would pass on another
 *   instance until it expires (`maxAge`), where only the provider's single-use code stops it;
 *   the optional `firstUse` hook (a store shared by the instances, e.g. Redis `SET NX`) closes
 *   that: the README says how;
 * - expiring: the creation time is inside the encrypted payload (the browser cannot extend it),
 *   and the cookie's Max-Age lets the browser drop it too;
 * - bounded: at most `maxPending` cookies per browser, and their total size stays under
 *   {@link MAX_TOTAL_COOKIE_BYTES} (the oldest are cleared to make room);
 * - `HttpOnly`, `SameSite=Lax` (the provider's redirect back is a top-level GET, which Lax lets
 *   through), `Secure` when the request is https as Express sees it (`req.protocol`, honouring
 *   `trust proxy`: express-session's `secure: 'auto'`).
 *
 * The request is read (its `Cookie` header, parsed here: no cookie-parser needed), never changed;
 * the response only gets `Set-Cookie` values appended to those already set.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callbackify } from './callbackify.js';
import { OAuthError } from './errors.js';
import { invalidOptionType, invalidOptionValue } from './option-checks.js';
import { firstUse, newStateHandle, type StateFailure } from './state-store.js';
import type { LoginStateCookieOptions } from './strategy-options.js';

/** How a {@link CookieStateStore} is made (the strategies fill it from their options). */
export interface CookieStateStoreOptions {
  /** `state.cookie` as the app gave it (checked here). */
  cookie: LoginStateCookieOptions;
  /** Default cookie name prefix, e.g. `'passport-exbo'`. */
  key: string;
  /** Provider name for errors. */
  provider: string;
  /** Package name for option errors, e.g. `'passport-exbo'`. */
  owner: string;
  /** How long a started login may take, in milliseconds. Default 10 minutes. */
  maxAge?: number | undefined;
}

/** What the encrypted cookie holds (short keys: it travels with every request to its path). */
interface CookiePayload {
  /** The handle sent as `state`. */
  h: string;
  /** Created at, milliseconds since the epoch. */
  t: number;
  /** The cookie's Path, to clear it with the same. */
  p: string;
  /** App state given to `authenticate(name, { state: {...} })`. */
  s?: unknown;
}

/** Shorter than the session store's hour: a cookie may be copied, so its window stays small. */
const DEFAULT_MAX_AGE_MS = 10 * 60 * 1000;
const DEFAULT_MAX_PENDING = 5;
const MIN_SECRET_LENGTH = 32;
/** One pending login's `name=value`: room for a few of them under the total. */
export const MAX_COOKIE_BYTES = 1500;
/** All pending-login cookies of one browser together, under the 4096 bytes browsers keep per cookie. */
export const MAX_TOTAL_COOKIE_BYTES = 3800;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** HKDF info: a key for this purpose only, even if the app reuses the secret elsewhere. */
const KEY_INFO = '@exbo-soa2/core login-state cookie v1';
const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const HANDLE_PREFIX_LENGTH = 8;
const COOKIE_NAME_PATTERN = /^[!#$%&'*+.^`|~0-9A-Za-z_-]+$/;

const NOT_STARTED_HERE =
  'This login was not started in this browser, has expired, or was already completed: please start the login again.';

/** The parts of a request this store reads (Express, Koa via koa-passport, Nest, plain Node). */
interface RequestLike {
  headers?: IncomingMessage['headers'];
  protocol?: unknown;
  originalUrl?: unknown;
  url?: unknown;
  socket?: { encrypted?: unknown };
  /** Express sets it (and so Nest and @fastify/express). */
  res?: unknown;
  /** koa-passport's request: Koa's context, whose `res` is Node's response. */
  ctx?: { res?: unknown };
}

type HeaderWriter = Pick<ServerResponse, 'getHeader' | 'setHeader' | 'headersSent'>;

function isHeaderWriter(value: unknown): value is HeaderWriter {
  const res = value as HeaderWriter | null | undefined;
  return typeof res?.setHeader === 'function' && typeof res.getHeader === 'function';
}

/**
 * passport-oauth2-compatible state store that keeps each pending login in its own encrypted,
 * one-time, expiring cookie: login state without a server session.
 */
export class CookieStateStore {
  readonly #key: Buffer;
  readonly #prefix: string;
  readonly #provider: string;
  readonly #maxAge: number;
  readonly #maxPending: number;
  readonly #path: string | undefined;
  readonly #secure: boolean | 'auto';
  readonly #sharedFirstUse: LoginStateCookieOptions['firstUse'];

  constructor(options: CookieStateStoreOptions) {
    const { cookie, owner } = options;
    if (cookie === null || typeof cookie !== 'object') {
      throw invalidOptionType(owner, 'state.cookie', 'an object ({ secret })', cookie);
    }
    const { secret } = cookie;
    const expected = `a string of at least ${MIN_SECRET_LENGTH} characters`;
    if (typeof secret !== 'string') {
      throw invalidOptionType(owner, 'state.cookie.secret', expected, secret, true);
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      throw invalidOptionValue(owner, 'state.cookie.secret', expected, secret, true, true);
    }
    const prefix = cookie.name ?? options.key;
    if (typeof prefix !== 'string' || !COOKIE_NAME_PATTERN.test(prefix) || prefix.length > 64) {
      throw invalidOptionValue(
        owner,
        'state.cookie.name',
        "a cookie name (letters, digits and !#$%&'*+-.^_`|~, at most 64)",
        prefix,
      );
    }
    if (
      cookie.path !== undefined &&
      (typeof cookie.path !== 'string' || !/^\/[\x21-\x3a\x3c-\x7e]*$/.test(cookie.path))
    ) {
      throw invalidOptionValue(owner, 'state.cookie.path', 'a path starting with "/"', cookie.path);
    }
    if (
      cookie.secure !== undefined &&
      typeof cookie.secure !== 'boolean' &&
      cookie.secure !== 'auto'
    ) {
      throw invalidOptionValue(
        owner,
        'state.cookie.secure',
        "true, false or 'auto'",
        cookie.secure,
      );
    }
    const maxPending = cookie.maxPending ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(maxPending) || maxPending < 1 || maxPending > 20) {
      throw invalidOptionValue(
        owner,
        'state.cookie.maxPending',
        'an integer from 1 to 20',
        maxPending,
        typeof maxPending === 'number',
      );
    }
    if (cookie.firstUse !== undefined && typeof cookie.firstUse !== 'function') {
      throw invalidOptionType(
        owner,
        'state.cookie.firstUse',
        'a function (id, ttlMs) => boolean | Promise<boolean>',
        cookie.firstUse,
      );
    }
    // The key, not the secret, is kept; neither is an enumerable property (inspect, JSON).
    this.#key = Buffer.from(hkdfSync('sha256', secret, '', KEY_INFO, 32));
    this.#prefix = prefix;
    this.#provider = options.provider;
    this.#maxAge = options.maxAge ?? DEFAULT_MAX_AGE_MS;
    this.#maxPending = maxPending;
    this.#path = cookie.path;
    this.#secure = cookie.secure ?? 'auto';
    this.#sharedFirstUse = cookie.firstUse;
  }

  /** Remembers a new pending login in a cookie and returns its handle, to be sent as `state`. */
  store(
    req: unknown,
    appState: unknown,
    meta: unknown,
    callback: (err: Error | null, handle?: string) => void,
  ): void {
    const request = (req ?? {}) as RequestLike;
    const res = this.responseOf(request);
    if (!res) return callback(this.noResponse());
    const now = Date.now();
    const handle = newStateHandle();
    const path =
      this.#path ?? cookiePath(request, (meta as { callbackURL?: unknown })?.callbackURL);
    const payload: CookiePayload = { h: handle, t: now, p: path };
    // Object state (a return-to and the like) travels; passport-oauth2 passes `true` or
    // `undefined` when there is none.
    if (appState !== null && typeof appState === 'object') payload.s = appState;
    const name = this.cookieName(handle);
    let value: string;
    try {
      value = this.seal(name, payload);
    } catch (err) {
      return callback(err as Error);
    }
    if (name.length + 1 + value.length > MAX_COOKIE_BYTES) {
      return callback(
        new RangeError(
          `the app state of a login kept in a cookie must stay small (at most about ${MAX_COOKIE_BYTES - 300} bytes of JSON): keep a short return-to path, not data`,
        ),
      );
    }
    // The other pending logins this browser sent, oldest first: beyond the count or the total
    // size, the oldest are cleared. Unreadable or expired ones (ours by name) are cleared too.
    const kept: Array<{ name: string; bytes: number; payload: CookiePayload }> = [];
    const cleared: string[] = [];
    for (const [otherName, otherValue] of this.ownCookies(request)) {
      const other = this.open(otherName, otherValue);
      if (other && now - other.t <= this.#maxAge) {
        kept.push({
          name: otherName,
          bytes: otherName.length + 1 + otherValue.length,
          payload: other,
        });
      } else cleared.push(this.clearing(otherName, other?.p ?? path, request));
    }
    kept.sort((a, b) => a.payload.t - b.payload.t);
    let total = kept.reduce((sum, entry) => sum + entry.bytes, name.length + 1 + value.length);
    while (kept.length > 0 && (kept.length >= this.#maxPending || total > MAX_TOTAL_COOKIE_BYTES)) {
      const oldest = kept.shift() as (typeof kept)[number];
      total -= oldest.bytes;
      cleared.push(this.clearing(oldest.name, oldest.payload.p, request));
    }
    const maxAgeSeconds = Math.max(1, Math.ceil(this.#maxAge / 1000));
    const set = `${name}=${value}; Max-Age=${maxAgeSeconds}${this.attributes(path, request)}`;
    const err = appendSetCookie(res, [...cleared, set]);
    if (err) return callback(err);
    callback(null, handle);
  }

  /**
   * Checks the `state` of a callback against this browser's cookie and consumes it (clears the
   * cookie). Calls back `(null, true, appState)` on a match, `(null, false, { message })` otherwise.
   */
  verify(
    req: unknown,
    providedState: unknown,
    _meta: unknown,
    callback: (err: Error | null, ok?: unknown, info?: unknown) => void,
  ): void {
    const request = (req ?? {}) as RequestLike;
    const fail = (message: string) => callback(null, false, { message } satisfies StateFailure);
    if (providedState === undefined || providedState === '') {
      return fail('The login response has no state: please start the login again.');
    }
    if (typeof providedState !== 'string' || !HANDLE_PATTERN.test(providedState)) {
      return fail('The login response has a malformed state: please start the login again.');
    }
    const name = this.cookieName(providedState);
    const sealed = this.ownCookies(request).get(name);
    if (sealed === undefined) return fail(NOT_STARTED_HERE);
    const res = this.responseOf(request);
    if (!res) return callback(this.noResponse());
    const payload = this.open(name, sealed);
    if (!payload) {
      appendSetCookie(res, [this.clearing(name, this.#path ?? '/', request)]);
      return fail(
        'The login state cookie is not one this app made (tampered with, or made with another secret): please start the login again.',
      );
    }
    // The name holds only the handle's first characters: the whole handle must match.
    if (!sameHandle(payload.h, providedState)) return fail(NOT_STARTED_HERE);
    const now = Date.now();
    // Remembered as used for as long as a copy of this cookie stays valid.
    const first = firstUse(payload.h, now, payload.t + this.#maxAge - now);
    const err = appendSetCookie(res, [this.clearing(name, payload.p, request)]);
    if (err) return callback(err);
    if (!first) return fail(NOT_STARTED_HERE);
    if (now - payload.t > this.#maxAge) {
      return fail('The login took too long and has expired: please start the login again.');
    }
    const shared = this.#sharedFirstUse;
    if (!shared) return callback(null, true, payload.s);
    const id = createHash('sha256').update(payload.h).digest('base64url');
    const ttl = Math.max(1, Math.ceil(payload.t + this.#maxAge - now));
    callbackify(
      Promise.resolve().then(() => shared(id, ttl)),
      (failed, answer) => {
        if (failed) return callback(failed instanceof Error ? failed : new Error(String(failed)));
        if (answer !== true) return fail(NOT_STARTED_HERE);
        callback(null, true, payload.s);
      },
    );
  }

  /** Nothing of the key: `util.inspect` and `JSON.stringify` show only what the store is. */
  toJSON(): object {
    return { store: 'CookieStateStore', cookie: this.#prefix, maxAge: this.#maxAge };
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `CookieStateStore { cookie: '${this.#prefix}', maxAge: ${this.#maxAge} }`;
  }

  private cookieName(handle: string): string {
    return `${this.#prefix}.${handle.slice(0, HANDLE_PREFIX_LENGTH)}`;
  }

  /** This store's cookies in the request's `Cookie` header, by name (the first of a name wins). */
  private ownCookies(req: RequestLike): Map<string, string> {
    const found = new Map<string, string>();
    const header = req.headers?.cookie;
    if (typeof header !== 'string') return found;
    const start = `${this.#prefix}.`;
    for (const pair of header.split(';')) {
      const at = pair.indexOf('=');
      if (at < 0) continue;
      const name = pair.slice(0, at).trim();
      if (
        name.length !== start.length + HANDLE_PREFIX_LENGTH ||
        !name.startsWith(start) ||
        found.has(name)
      )
        continue;
      found.set(name, pair.slice(at + 1).trim());
    }
    return found;
  }

  /** AES-256-GCM with the cookie's name as associated data: a cookie cannot be renamed. */
  private seal(name: string, payload: CookiePayload): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(name));
    const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
    return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The payload of a cookie this store made, or undefined (forged, altered, other secret). */
  private open(name: string, value: string): CookiePayload | undefined {
    if (!/^[A-Za-z0-9_-]+$/.test(value) || value.length > MAX_COOKIE_BYTES) return undefined;
    const raw = Buffer.from(value, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(name));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)),
        decipher.final(),
      ]);
      const payload = JSON.parse(plain.toString('utf8')) as CookiePayload;
      return typeof payload.h === 'string' &&
        typeof payload.t === 'number' &&
        typeof payload.p === 'string'
        ? payload
        : undefined;
    } catch {
      return undefined;
    }
  }

  private clearing(name: string, path: string, req: RequestLike): string {
    return `${name}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${this.attributes(path, req)}`;
  }

  private attributes(path: string, req: RequestLike): string {
    const secure = this.#secure === 'auto' ? isHttps(req) : this.#secure;
    return `; Path=${path}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  /**
   * Where `Set-Cookie` goes: Express's `req.res` (Express, Nest, @fastify/express), else
   * koa-passport's `req.ctx.res` (its `req.res` is a stand-in without `getHeader`, whose
   * `setHeader` would replace the app's cookies).
   */
  private responseOf(req: RequestLike): HeaderWriter | undefined {
    if (isHeaderWriter(req.res)) return req.res;
    if (isHeaderWriter(req.ctx?.res)) return req.ctx.res;
    return undefined;
  }

  private noResponse(): OAuthError {
    return new OAuthError(
      'RESPONSE_REQUIRED',
      'Login state in a cookie needs the response: the framework gives strategies no req.res (with Fastify, use @fastify/express; see the README)',
      { provider: this.#provider },
    );
  }
}

/** Appends to the `Set-Cookie` values already set (the app's own cookies stay). */
function appendSetCookie(res: HeaderWriter, cookies: string[]): Error | undefined {
  if (cookies.length === 0) return undefined;
  if (res.headersSent) {
    return new Error('the login state cookie cannot be set: the response was already sent');
  }
  const existing = res.getHeader('set-cookie');
  const list =
    existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...list, ...cookies]);
  return undefined;
}

/** https as the framework sees it: Express's and Koa's `req.protocol` honour `trust proxy`. */
function isHttps(req: RequestLike): boolean {
  if (typeof req.protocol === 'string') return req.protocol === 'https';
  return req.socket?.encrypted === true;
}

/**
 * The longest path (whole segments) covering the login route and the callback route: the
 * browser sends the cookie to both, and to little else.
 */
function cookiePath(req: RequestLike, callbackURL: unknown): string {
  const requestURL = typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
  if (typeof requestURL !== 'string' || typeof callbackURL !== 'string') return '/';
  const here = new URL(requestURL, 'http://localhost').pathname.split('/');
  const there = new URL(callbackURL, 'http://localhost').pathname.split('/');
  const common: string[] = [];
  for (let i = 1; i < Math.min(here.length, there.length); i++) {
    if (here[i] !== there[i] || here[i] === '') break;
    common.push(here[i] as string);
  }
  const path = `/${common.join('/')}`;
  return /^\/[\x21-\x3a\x3c-\x7e]*$/.test(path) ? path : '/';
}

function sameHandle(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
