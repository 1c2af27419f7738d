/**
 * Where sessions live: in Redis when REDIS_URL is set, in express-session's MemoryStore otherwise.
 *
 * The MemoryStore is fine for one process, but it forgets everyone on restart and each process has
 * its own. Behind a load balancer a login that starts on one instance (the pending login's state is
 * kept in the session) finishes on whichever instance receives the provider's redirect, and a
 * logout on one instance must end the session on all of them: every instance has to read and
 * write the same sessions. Redis (through connect-redis and the node-redis client) does that.
 */
import { RedisStore } from 'connect-redis';
import type { Store } from 'express-session';
import { createClient } from 'redis';

/** Prefix of this app's session keys, so the same Redis can serve other things too. */
export const SESSION_KEY_PREFIX = 'example_login:sess:';

/** Connection attempts at start-up before giving up with a clear message. */
const STARTUP_ATTEMPTS = 3;
const CONNECT_TIMEOUT_MS = 5000;
/** Longest wait between reconnection attempts once the app is running. */
const MAX_RECONNECT_DELAY_MS = 2000;

export interface SessionStore {
  /** For express-session's `store` option; `undefined` means its own MemoryStore. */
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
