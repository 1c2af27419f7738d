/**
 * Where sessions live: in Redis when REDIS_URL is set, in a bounded memory store otherwise.
 *
 * The MemoryStore is fine for one process, but it forgets everyone on restart and each process has
 * its own. Behind a load balancer a login that starts on one instance (the pending login's state is
 * kept in the session) finishes on whichever instance receives the provider's redirect, and a
 * logout on one instance must end the session on all of them: every instance has to read and
 * write the same sessions. Redis (through connect-redis and the node-redis client) does that.
 */
import { RedisStore } from 'connect-redis';
import session, { type Store } from 'express-session';
import createMemoryStore from 'memorystore';
import { createClient } from 'redis';

/** Prefix of this app's session keys, so the same Redis can serve other things too. */
export const SESSION_KEY_PREFIX = 'example_login:sess:';

/** Connection attempts at start-up before giving up with a clear message. */
const STARTUP_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 5000;
/** Longest wait between reconnection attempts once the app is running. */
const MAX_RECONNECT_DELAY_MS = 2000;

/** Most sessions the memory store keeps; beyond that the least recently used one is dropped. */
export const MEMORY_STORE_MAX_SESSIONS = 10_000;
/** How often the memory store deletes expired sessions. */
const MEMORY_STORE_PRUNE_MS = 5 * 60 * 1000;

/**
 * The store without Redis: memorystore (maintained, an LRU cache under express-session's Store
 * API), not express-session's own MemoryStore, which never deletes an expired session and has no
 * size limit (its docs say it is not for production). Every session expires with its own cookie's
 * maxAge, expired ones are pruned every few minutes, and at most
 * {@link MEMORY_STORE_MAX_SESSIONS} are kept, so a flood of abandoned login starts cannot grow
 * the process without bound (it can push out the least recently used sessions: one process with
 * sessions in memory is a demo or a small deployment; use REDIS_URL beyond that).
 */
export function memorySessionStore(): Store {
  const MemoryStore = createMemoryStore(session);
  return new MemoryStore({ checkPeriod: MEMORY_STORE_PRUNE_MS, max: MEMORY_STORE_MAX_SESSIONS });
}

export interface SessionStore {
  /** For express-session's `store` option; `undefined` means {@link memorySessionStore}. */
  store: Store | undefined;
  /** For the start-up message: `memory`, or the Redis address without any password. */
  description: string;
  close(): Promise<void>;
}

/**
 * Opens the session store. With a Redis URL the connection is made here, so a wrong REDIS_URL stops
 * start-up with one clear message instead of failing every request later.
 */
export async function openSessionStore(
  redisURL: string | undefined,
  log: (line: string) => void = console.error,
): Promise<SessionStore> {
  if (redisURL === undefined) {
    return { store: undefined, description: 'memory', close: async () => {} };
  }
  const where = redactedURL(redisURL);
  let connected = false;
  let lastProblem: string | undefined;
  const client = createClient({
    url: redisURL,
    // While Redis is unreachable, fail session reads and writes at once (the user gets an error
    // page) instead of queueing them until it comes back: a request must never hang.
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries, cause) => {
        if (!connected && retries >= STARTUP_ATTEMPTS - 1) {
          return new Error(`cannot reach Redis at ${where} (REDIS_URL): ${cause.message}`);
        }
        return Math.min(100 * 2 ** retries, MAX_RECONNECT_DELAY_MS);
      },
    },
  });
  // node-redis reports every failed (re)connection as an 'error' event; without a listener it
  // would crash the process. Log each new problem once, not once per retry.
  client.on('error', (err: Error) => {
    if (!connected || err.message === lastProblem) return;
    lastProblem = err.message;
    log(`Session store: lost Redis at ${where}, reconnecting: ${err.message}`);
  });
  client.on('ready', () => {
    if (connected && lastProblem !== undefined) log(`Session store: Redis at ${where} is back.`);
    connected = true;
    lastProblem = undefined;
  });
  await client.connect();
  return {
    store: new RedisStore({ client, prefix: SESSION_KEY_PREFIX }),
    description: `Redis at ${where}`,
    close: async () => {
      // While reconnecting there is nothing to wait for: drop the connection attempts.
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
    },
  };
}

/** The URL as it can be printed: a password in it is replaced by `***`. */
export function redactedURL(url: string): string {
  if (!URL.canParse(url)) return 'an invalid URL';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString().replace(/\/$/, '');
}
