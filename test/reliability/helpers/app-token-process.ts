/**
 * One "instance" of an app that calls the game API with EXBO's application token, for
 * instances.test.ts: `node --import tsx app-token-process.ts` with REDIS_URL and EXBO_BASE_URL.
 *
 * It builds an AppTokenManager on a RedisAppTokenStore, prints `ready`, waits for a line on stdin
 * (so several instances start at the same moment), asks for the token from 20 concurrent callers,
 * and prints the distinct tokens it was given as JSON.
 */
import { once } from 'node:events';
import { DEFAULT_EXBO_CLIENT } from '@exbo-soa2/fakes';
import { ExboClient } from 'passport-exbo';
import { AppTokenManager, RedisAppTokenStore } from 'passport-exbo/game-api';
import { createClient } from 'redis';

const redis = createClient({ url: process.env.REDIS_URL });
redis.on('error', () => {});
await redis.connect();
const client = new ExboClient({
  clientID: DEFAULT_EXBO_CLIENT.clientId,
  clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
  baseURL: process.env.EXBO_BASE_URL,
});
const manager = new AppTokenManager(client, { store: new RedisAppTokenStore(redis) });

console.log('ready');
process.stdin.setEncoding('utf8');
await once(process.stdin, 'data');
const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.getToken()));
console.log(JSON.stringify({ tokens: [...new Set(tokens)] }));
await redis.close();
process.stdin.destroy();
