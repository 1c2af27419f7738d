/**
 * An {@link AppTokenStore} on Redis, so every process of an app shares one EXBO application token.
 *
 * It takes a client you create and connect (node-redis `createClient()`), typed structurally by the
 * one method it uses, so passport-exbo has no dependency on any Redis package. Any client can be
 * adapted in one line, e.g. ioredis: `{ sendCommand: (args) => ioredis.call(...args) }`.
 *
 * Keys: `<prefix><key>` holds the token as JSON with a PX expiry at the token's own expiry;
 * `<prefix><key>:lock` is the minting lease, taken with `SET NX PX` and released only by its owner
 * (compare-and-delete in one script, so a lease that expired and was re-taken is left alone).
 */
import {
  type AppTokenLock,
  type AppTokenStore,
  isStoredAppToken,
  newLockOwner,
  type StoredAppToken,
} from './token-store.js';
import { PACKAGE_NAME } from './version.js';

/** What this store needs from a Redis client (node-redis v4+ `sendCommand`). */
export interface RedisCommandClient {
  /** Runs one Redis command given as its words (`['GET', key]`) and resolves with the reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** Options of {@link RedisAppTokenStore}. */
export interface RedisAppTokenStoreOptions {
  /** Prepended to every key. Default `''` (the manager's keys already start `passport-exbo:`). */
  prefix?: string | undefined;
}

const RELEASE_IF_OWNER =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

/**
 * Application tokens in Redis, shared by every process: the token under `<prefix><key>` expiring
 * with the token itself, the minting lease under `<prefix><key>:lock`. The constructor throws a
 * `TypeError` when the client has no `sendCommand`.
 */
export class RedisAppTokenStore implements AppTokenStore {
  readonly #redis: RedisCommandClient;
  readonly #prefix: string;

  constructor(redis: RedisCommandClient, options: RedisAppTokenStoreOptions = {}) {
    if (!redis || typeof redis.sendCommand !== 'function') {
      throw new TypeError(
        `${PACKAGE_NAME}: RedisAppTokenStore needs a connected Redis client with sendCommand (node-redis createClient())`,
      );
    }
    this.#redis = redis;
    this.#prefix = options.prefix ?? '';
  }

  async get(key: string): Promise<StoredAppToken | undefined> {
    const raw = await this.#redis.sendCommand(['GET', this.#prefix + key]);
    if (typeof raw !== 'string') return undefined;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      // Not ours (or corrupted): treat as absent; the next token we store overwrites it.
      return undefined;
    }
    return isStoredAppToken(value)
      ? { accessToken: value.accessToken, expiresAt: value.expiresAt }
      : undefined;
  }

  async set(key: string, token: StoredAppToken): Promise<void> {
    const ttl = Math.floor(token.expiresAt - Date.now());
    if (ttl <= 0) return;
    const value = JSON.stringify({ accessToken: token.accessToken, expiresAt: token.expiresAt });
    await this.#redis.sendCommand(['SET', this.#prefix + key, value, 'PX', String(ttl)]);
  }

  async lock(key: string, ttlMs: number): Promise<AppTokenLock | undefined> {
    const lockKey = `${this.#prefix}${key}:lock`;
    const owner = newLockOwner();
    const taken = await this.#redis.sendCommand([
      'SET',
      lockKey,
      owner,
      'NX',
      'PX',
      String(Math.max(1, Math.ceil(ttlMs))),
    ]);
    if (taken !== 'OK') return undefined;
    return {
      release: async () => {
        await this.#redis.sendCommand(['EVAL', RELEASE_IF_OWNER, '1', lockKey, owner]);
      },
    };
  }
}
