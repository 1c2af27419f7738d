/**
 * Login state (CSRF protection for the callback), kept in the user's session.
 *
 * Compatible with passport-oauth2's `StateStore` interface (the 4-argument `store` and `verify`), so
 * passport-exbo hands it to `OAuth2Strategy` and passport-soa2 calls it directly: one implementation.
 *
 * Differences from passport-oauth2's built-in stores, each for a reason:
 * - several logins may be pending at once (two tabs), each with its own random handle;
 * - a handle is deleted when used, so a replayed callback fails;
 * - handles expire (`maxAge`), so an old consent page cannot complete a login hours later;
 * - comparison is constant-time;
 * - app state (for example a safe return-to path) travels with the handle and comes back as
 *   `req.authInfo.state`, because passport >= 0.6 regenerates the session at login and drops
 *   whatever else was stored in it.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { OAuthError } from './errors.js';

/**
 * What a pending login keeps in the session. Plain JSON, so every session store can save it; a
 * list of these (oldest first) with fixed keys, not an object keyed by handle: a random property
 * name gives every parsed session its own hidden class in V8, which made loading the session at
 * the callback ~2.5× slower (bench/README.md).
 */
interface PendingLogin {
  handle: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** App state given to `authenticate(name, { state: {...} })`, returned on success. */
  appState?: unknown;
}

type SessionLike = Record<string, unknown>;

/** Where a {@link LoginStateStore} keeps pending logins and how long they stay valid. */
export interface StateStoreOptions {
  /** Session key under which pending logins are kept, e.g. `'passport-exbo'`. */
  key: string;
  /** Provider name for errors. */
  provider: string;
  /** How long a started login may take, in milliseconds. Default one hour. */
  maxAge?: number | undefined;
  /** Pending logins kept per session; the oldest is dropped beyond this. Default 5. */
  maxPending?: number | undefined;
}

/** Failure info as Passport expects it (`req.session.messages`, `failureMessage`). */
export interface StateFailure {
  message: string;
}

/** 32 random bytes, base64url: URL-safe (SOA2 turns `+` into a space), never `0`, 43 characters. */
export function newStateHandle(): string {
  return randomBytes(32).toString('base64url');
}
const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

const DEFAULT_MAX_AGE_MS = 60 * 60 * 1000;
const DEFAULT_MAX_PENDING = 5;

/**
 * Handles already used, process-wide. Two concurrent requests carrying the same callback (a double
 * click, a browser retrying, a prefetch) each load their own copy of the session, and both copies
 * still hold the handle: without this, both would pass and the code would be sent to the provider
 * twice. For the session store an entry only has to outlive the first request (its session save
 * then removes the handle for good), so a few minutes; the cookie store keeps its entries as long
 * as a copied cookie stays valid (cookie-state-store.ts). A size cap keeps this small. Each entry
 * holds the time it may be forgotten; Map order is insertion order, hence oldest first.
 */
const USED_HANDLES = Symbol.for('@exbo-soa2/core.usedStateHandles');
// One per process whichever copies of this package are loaded (two installed versions would
// otherwise each keep their own, and a replay could pass through the other one). The one global
// this package sets: a symbol-keyed, non-enumerable slot holding a Map.
const registry = globalThis as unknown as Record<symbol, Map<string, number> | undefined>;
const usedHandles: Map<string, number> = registry[USED_HANDLES] ?? new Map<string, number>();
Object.defineProperty(registry, USED_HANDLES, { value: usedHandles, configurable: true });
const USED_HANDLE_RETENTION_MS = 5 * 60 * 1000;
const MAX_USED_HANDLES = 50_000;

/**
 * Records `handle` as used in this process for `retentionMs` (at least the default few minutes);
 * false when it already was. Shared by the session store and the cookie store
 * (cookie-state-store.ts): one registry.
 */
export function firstUse(handle: string, now: number, retentionMs = 0): boolean {
  for (const [old, forgetAt] of usedHandles) {
    if (now < forgetAt && usedHandles.size < MAX_USED_HANDLES) break;
    usedHandles.delete(old);
  }
  const forgetAt = usedHandles.get(handle);
  if (forgetAt !== undefined && now < forgetAt) return false;
  usedHandles.set(handle, now + Math.max(USED_HANDLE_RETENTION_MS, retentionMs));
  return true;
}

/**
 * passport-oauth2-compatible state store that keeps each pending login under its own random
 * handle in the session, deletes it when used and expires it after `maxAge`. Without a session it
 * calls back with an {@link OAuthError} `SESSION_REQUIRED`.
 */
export class LoginStateStore {
  readonly key: string;
  private readonly provider: string;
  private readonly maxAge: number;
  private readonly maxPending: number;

  constructor(options: StateStoreOptions) {
    this.key = options.key;
    this.provider = options.provider;
    this.maxAge = options.maxAge ?? DEFAULT_MAX_AGE_MS;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
  }

  /** Remembers a new pending login and returns its handle, to be sent as `state`. */
  store(
    req: unknown,
    appState: unknown,
    _meta: unknown,
    callback: (err: Error | null, handle?: string) => void,
  ): void {
    const session = this.sessionOf(req);
    if (!session) return callback(this.noSession());
    const now = Date.now();
    const handle = newStateHandle();
    // Object state (the app's return-to and the like) travels; passport-oauth2 passes `true` or
    // `undefined` when there is none.
    const entry: PendingLogin =
      appState !== null && typeof appState === 'object'
        ? { handle, createdAt: now, appState }
        : { handle, createdAt: now };
    const pending = [...this.pendingOf(session, now), entry];
    session[this.key] = pending.slice(Math.max(0, pending.length - this.maxPending));
    callback(null, handle);
  }

  /**
   * Checks the `state` of a callback against the session and consumes it.
   * Calls back `(null, true, appState)` on a match, `(null, false, { message })` otherwise.
   */
  verify(
    req: unknown,
    providedState: unknown,
    _meta: unknown,
    callback: (err: Error | null, ok?: unknown, info?: unknown) => void,
  ): void {
    const session = this.sessionOf(req);
    if (!session) return callback(this.noSession());
    const now = Date.now();
    const fail = (message: string) => callback(null, false, { message } satisfies StateFailure);

    if (providedState === undefined || providedState === '') {
      return fail('The login response has no state: please start the login again.');
    }
    if (typeof providedState !== 'string' || !HANDLE_PATTERN.test(providedState)) {
      return fail('The login response has a malformed state: please start the login again.');
    }
    const stored = session[this.key];
    const pending = isPendingList(stored) ? stored : [];
    const entry = pending.find((candidate) => sameHandle(candidate.handle, providedState));
    if (entry === undefined || !firstUse(entry.handle, now)) {
      return fail(
        'This login was not started in this browser session, or was already completed: please start the login again.',
      );
    }
    const rest = pending.filter((candidate) => candidate !== entry);
    if (rest.length === 0) delete session[this.key];
    else session[this.key] = rest;
    if (now - entry.createdAt > this.maxAge) {
      return fail('The login took too long and has expired: please start the login again.');
    }
    callback(null, true, entry.appState);
  }

  private sessionOf(req: unknown): SessionLike | undefined {
    const session = (req as { session?: unknown } | undefined)?.session;
    return session !== null && typeof session === 'object' ? (session as SessionLike) : undefined;
  }

  private noSession(): OAuthError {
    return new OAuthError(
      'SESSION_REQUIRED',
      'Login state needs a session: add express-session (or another session middleware with regenerate and save) before passport.authenticate(), or keep it in a cookie with the strategy option state: { cookie: { secret } }',
      { provider: this.provider },
    );
  }

  /** The pending logins in the session, without those past their age. */
  private pendingOf(session: SessionLike, now: number): PendingLogin[] {
    const stored = session[this.key];
    if (!isPendingList(stored)) return [];
    return stored.filter((entry) => now - entry.createdAt <= this.maxAge);
  }
}

function isPendingList(value: unknown): value is PendingLogin[] {
  return (
    Array.isArray(value) &&
    value.every(
      (entry) =>
        entry !== null &&
        typeof entry === 'object' &&
        typeof entry.handle === 'string' &&
        typeof entry.createdAt === 'number',
    )
  );
}

function sameHandle(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
