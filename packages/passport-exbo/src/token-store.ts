/**
 * Where application tokens are kept so that everything sharing one EXBO application also shares one
 * token. EXBO invalidates an app's earlier application tokens each time it issues one (docs/protocols/exbo.md,
 * "Token replacement"): two processes each minting their own would keep breaking each other.
 *
 * The interface is small on purpose, so a store over any shared database takes a few lines:
 * - `get` / `set` a token with its expiry (a store may drop it at `expiresAt`);
 * - `lock` (optional but recommended for shared stores): a short exclusive lease, taken before
 *   minting. A plain "set if absent" is not enough: both racers would still mint, and the second
 *   mint kills the first token, which may be the one that got stored.
 *
 * Guarantee given by {@link AppTokenManager} with a store that implements `lock`: at most one
 * process mints at a time per key, provided the lease (`lockTTL`, default the request timeout plus
 * five seconds) outlasts the token request; the others wait for the stored token. Without `lock`,
 * processes sharing a store may occasionally both mint; the loser's callers then see a 401, re-read
 * the store and recover with at most one more token request.
 */
import { randomBytes } from 'node:crypto';

/** A cached application token. */
export interface StoredAppToken {
  accessToken: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A held lease; `release` must only release this holder's lease (not one taken after expiry). */
export interface AppTokenLock {
  /** Ends the lease if this holder still owns it; a lease taken over after expiry is left alone. */
  release(): Promise<void>;
}

/**
 * Shared storage for application tokens, so every {@link AppTokenManager} of one EXBO application
 * uses the same token; implement it over any shared database (see {@link RedisAppTokenStore}).
 */
export interface AppTokenStore {
  /** The token stored under `key`, or `undefined` when there is none (or it has expired). */
  get(key: string): Promise<StoredAppToken | undefined>;
  /** Stores (replaces) the token; it may be dropped once `expiresAt` has passed. */
  set(key: string, token: StoredAppToken): Promise<void>;
  /**
   * Tries to take an exclusive lease on `key` for `ttlMs`: the lock, or `undefined` when another
   * holder has it. Optional: without it, concurrency is only coordinated inside one manager.
   */
  lock?(key: string, ttlMs: number): Promise<AppTokenLock | undefined>;
}

/** Random owner ids, so a lease that expired and was re-taken is never released by the old owner. */
export function newLockOwner(): string {
  return randomBytes(16).toString('hex');
}

/** Checks a stored value read back from a shared store (it may have been written by anyone). */
export function isStoredAppToken(value: unknown): value is StoredAppToken {
  if (value === null || typeof value !== 'object') return false;
  const token = value as Record<string, unknown>;
  return (
    typeof token.accessToken === 'string' &&
    token.accessToken !== '' &&
    typeof token.expiresAt === 'number' &&
    Number.isFinite(token.expiresAt)
  );
}

/**
 * The in-memory store: shares a token between every {@link AppTokenManager} using it in this
 * process, with a lock so that two managers (two `ExboClient`s) racing mint once.
 */
export class MemoryAppTokenStore implements AppTokenStore {
  readonly #tokens = new Map<string, StoredAppToken>();
  readonly #locks = new Map<string, { owner: string; until: number }>();

  async get(key: string): Promise<StoredAppToken | undefined> {
    const token = this.#tokens.get(key);
    if (token && token.expiresAt <= Date.now()) {
      this.#tokens.delete(key);
      return undefined;
    }
    return token && { ...token };
  }

  async set(key: string, token: StoredAppToken): Promise<void> {
    this.#tokens.set(key, { accessToken: token.accessToken, expiresAt: token.expiresAt });
  }

  async lock(key: string, ttlMs: number): Promise<AppTokenLock | undefined> {
    const now = Date.now();
    const held = this.#locks.get(key);
    if (held && held.until > now) return undefined;
    const owner = newLockOwner();
    this.#locks.set(key, { owner, until: now + ttlMs });
    return {
      release: async () => {
        if (this.#locks.get(key)?.owner === owner) this.#locks.delete(key);
      },
    };
  }
}

/**
 * The default store: one per process, so managers created without a store (even one per request)
 * still share a single token instead of invalidating each other's.
 */
export const processAppTokenStore: AppTokenStore = new MemoryAppTokenStore();
