/**
 * The application token (client credentials), managed the way EXBO's replacement rule demands
 * (docs/protocols/exbo.md, "Token replacement": every newly issued application token invalidates the app's earlier
 * ones):
 * - one token is cached and reused until shortly before it expires;
 * - concurrent callers share one in-flight request (N callers → one token request);
 * - a store (token-store.ts) shares the token between managers and processes, with a lock so that
 *   racing processes do not both mint;
 * - when EXBO rejects the token (401, typically because something else minted a newer one), the
 *   store is read again, and only if it still holds the rejected token is a new one fetched: once
 *   per rejection, never in a loop.
 */
import { checkTimeout, OAuthError } from '@exbo-soa2/core';
import type { ExboClient } from './client.js';
import { decodeAccessToken } from './jwt.js';
import type { ExboTokenResponse } from './token-answer.js';
import { type AppTokenStore, processAppTokenStore, type StoredAppToken } from './token-store.js';
import { PACKAGE_NAME } from './version.js';

/** Where an {@link AppTokenManager} shares its token and when it renews it. */
export interface AppTokenManagerOptions {
  /**
   * Where the token is shared. Default: one in-memory store per process (every manager without a
   * store shares it). Use a shared store (e.g. `RedisAppTokenStore`) when several processes or
   * machines use the same EXBO application.
   */
  store?: AppTokenStore | undefined;
  /** Store key. Default `passport-exbo:app-token:<clientID>@<token endpoint host>`. */
  key?: string | undefined;
  /**
   * Fetch a new token this many milliseconds before the current one expires (at most half of its
   * lifetime). Default 10 minutes; EXBO's tokens live about a year.
   */
  renewBefore?: number | undefined;
  /** Lease on the store's lock while minting. Default: the request timeout plus 5 seconds. */
  lockTTL?: number | undefined;
  /** How often a process waiting for another one's token re-reads the store. Default 50 ms. */
  pollInterval?: number | undefined;
}

/** A token as this manager holds it: when to stop using it is decided once, when it arrives. */
interface HeldToken extends StoredAppToken {
  renewAt: number;
}

const DEFAULT_RENEW_BEFORE_MS = 10 * 60 * 1000;
/** Used only if EXBO ever omits `expires_in` and the token is not a readable JWT. */
const FALLBACK_LIFETIME_MS = 60 * 60 * 1000;
/** Rejected tokens remembered, so a stale copy read back from a store is never reused. */
const REMEMBERED_REJECTIONS = 16;

function positive(name: string, value: number | undefined, fallback: number): number {
  return checkTimeout(PACKAGE_NAME, value, name) ?? fallback;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Keeps one EXBO application token per client and store key, shared by every caller: cached until
 * shortly before expiry, fetched by one caller at a time, renewed once when EXBO rejects it
 * (minting one per request would invalidate the previous one each time). The constructor throws a
 * `TypeError` without an {@link ExboClient} or with a non-positive duration option.
 */
export class AppTokenManager {
  /** The store key this manager's token lives under. */
  readonly key: string;
  readonly #client: ExboClient;
  readonly #store: AppTokenStore;
  readonly #renewBefore: number;
  readonly #lockTTL: number;
  readonly #pollInterval: number;
  #held: HeldToken | undefined;
  #inflight: Promise<HeldToken> | undefined;
  readonly #rejected = new Set<string>();

  constructor(client: ExboClient, options: AppTokenManagerOptions = {}) {
    if (!client || typeof client.requestAppToken !== 'function') {
      throw new TypeError(`${PACKAGE_NAME}: AppTokenManager needs an ExboClient`);
    }
    this.#client = client;
    this.#store = options.store ?? processAppTokenStore;
    this.key =
      options.key ??
      `${PACKAGE_NAME}:app-token:${client.clientID}@${new URL(client.endpoints.tokenURL).host}`;
    this.#renewBefore = positive('renewBefore', options.renewBefore, DEFAULT_RENEW_BEFORE_MS);
    this.#lockTTL = positive('lockTTL', options.lockTTL, client.transport.timeout + 5000);
    this.#pollInterval = positive('pollInterval', options.pollInterval, 50);
  }

  /**
   * A usable application token: the cached one, the shared one from the store, or a new one
   * (fetched by exactly one caller while the others wait for it).
   */
  async getToken(): Promise<string> {
    for (let attempt = 0; ; attempt++) {
      const held = this.#held;
      if (held && this.#usable(held)) return held.accessToken;
      if (!this.#inflight) {
        this.#inflight = this.#obtain()
          .then((token) => {
            this.#held = token;
            return token;
          })
          .finally(() => {
            this.#inflight = undefined;
          });
      }
      const token = await this.#inflight;
      // Reported rejected while it was being fetched (it came from the store): look again, once.
      if (!this.#rejected.has(token.accessToken) || attempt > 0) return token.accessToken;
    }
  }

  /**
   * Tells the manager EXBO answered 401 to `token`: it is dropped here and never taken from the
   * store again; the next {@link getToken} reads the store (another process may already have a
   * newer token) or fetches a new one.
   */
  reportRejected(token: string): void {
    this.#rejected.add(token);
    if (this.#rejected.size > REMEMBERED_REJECTIONS) {
      const oldest = this.#rejected.values().next().value;
      if (oldest !== undefined) this.#rejected.delete(oldest);
    }
    if (this.#held?.accessToken === token) this.#held = undefined;
  }

  /**
   * Runs `call` with the token; if it rejects with `TOKEN_REJECTED` (the API answered 401), reports
   * the token, gets a new one and calls once more. A second 401 is returned to the caller as is.
   */
  async withToken<T>(call: (token: string) => Promise<T>): Promise<T> {
    const token = await this.getToken();
    try {
      return await call(token);
    } catch (err) {
      if (!(err instanceof OAuthError && err.code === 'TOKEN_REJECTED')) throw err;
      this.reportRejected(token);
      return call(await this.getToken());
    }
  }

  #usable(token: HeldToken): boolean {
    return !this.#rejected.has(token.accessToken) && Date.now() < token.renewAt;
  }

  /** The shared token when it is usable; otherwise a new one minted under the store's lock. */
  async #obtain(): Promise<HeldToken> {
    const deadline = Date.now() + 2 * this.#lockTTL;
    for (;;) {
      const shared = await this.#fromStore();
      if (shared) return shared;
      const lock = this.#store.lock
        ? await this.#store.lock(this.key, this.#lockTTL)
        : { release: async () => {} };
      if (lock) {
        try {
          // Another holder may have stored a token between our read and our lock.
          const stored = this.#store.lock ? await this.#fromStore() : undefined;
          return stored ?? (await this.#mint());
        } finally {
          // The lease expires on its own; a failed release must not hide the real outcome.
          await lock.release().catch(() => {});
        }
      }
      if (Date.now() >= deadline) {
        throw new OAuthError(
          'PROVIDER_TIMEOUT',
          `Another process held the EXBO application-token lock "${this.key}" and stored no token within ${2 * this.#lockTTL} ms`,
          { provider: this.#client.transport.provider },
        );
      }
      await sleep(this.#pollInterval);
    }
  }

  async #fromStore(): Promise<HeldToken | undefined> {
    const stored = await this.#store.get(this.key);
    if (!stored) return undefined;
    const held = this.#hold(stored, lifetimeOf(stored));
    return this.#usable(held) ? held : undefined;
  }

  async #mint(): Promise<HeldToken> {
    const requestedAt = Date.now();
    const tokens = await this.#client.requestAppToken();
    const lifetime = lifetimeFromResponse(tokens);
    const stored: StoredAppToken = {
      accessToken: tokens.access_token,
      expiresAt: requestedAt + lifetime,
    };
    await this.#store.set(this.key, stored);
    return this.#hold(stored, lifetime);
  }

  /** Renew `renewBefore` ahead of expiry, but never past half the lifetime (short-lived tokens). */
  #hold(token: StoredAppToken, lifetime: number | undefined): HeldToken {
    const margin = Math.min(this.#renewBefore, lifetime === undefined ? Infinity : lifetime / 2);
    return {
      accessToken: token.accessToken,
      expiresAt: token.expiresAt,
      renewAt: token.expiresAt - margin,
    };
  }
}

/** Milliseconds the token lives: `expires_in`, else the JWT's own `exp`, else an hour. */
function lifetimeFromResponse(tokens: ExboTokenResponse): number {
  if (tokens.expires_in !== undefined && tokens.expires_in > 0) return tokens.expires_in * 1000;
  const claims = tryDecode(tokens.access_token);
  const fromJwt = claims ? claims.exp * 1000 - Date.now() : 0;
  return fromJwt > 0 ? fromJwt : FALLBACK_LIFETIME_MS;
}

/** For a token another process stored: its lifetime from the JWT's `iat`..`exp`, when readable. */
function lifetimeOf(token: StoredAppToken): number | undefined {
  const claims = tryDecode(token.accessToken);
  return claims?.iat === undefined ? undefined : (claims.exp - claims.iat) * 1000;
}

/** Decoding only schedules renewal (see jwt.ts: never used to trust the token). */
function tryDecode(token: string) {
  try {
    return decodeAccessToken(token);
  } catch {
    return undefined;
  }
}
