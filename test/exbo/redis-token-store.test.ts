/**
 * RedisAppTokenStore against a real redis-server and the EXBO fake: several "processes" (managers
 * with their own clients and Redis connections) share one application token, mint it once when
 * they race, and renew it once after it was replaced.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExboFake } from '@exbo-soa2/fakes';
import { AppTokenManager, ExboGameApi, RedisAppTokenStore } from 'passport-exbo/game-api';
import { createClient } from 'redis';
import { newClient, type RunningRedis, startFake, startRedis, tokenRequests } from './setup.js';

let fake: ExboFake;
let redis: RunningRedis;
const connections: Array<{ close(): Promise<unknown> }> = [];

// One after the other and each closed only if it started: when redis-server fails to start, the
// fake must still be closed, or its open server keeps this file's process (and the run) alive.
before(
  async () => {
    fake = await startFake();
    redis = await startRedis();
  },
  { timeout: 15_000 },
);
after(
  async () => {
    for (const connection of connections) await connection.close().catch(() => {});
    await fake?.close(); // undefined when before() failed
    await redis?.stop();
  },
  { timeout: 10_000 },
);

async function connect() {
  const connection = createClient({ url: redis.url });
  connection.on('error', () => {});
  await connection.connect();
  connections.push(connection);
  return connection;
}

/** One simulated process: its own EXBO client, Redis connection, store and manager. */
async function processWith(key: string) {
  const client = newClient(fake);
  const store = new RedisAppTokenStore(await connect());
  const appTokens = new AppTokenManager(client, { store, key });
  return {
    client,
    store,
    appTokens,
    api: new ExboGameApi({ baseURL: fake.gameApiURL, client, appTokens }),
  };
}

const appTokenRequests = () => tokenRequests(fake, 'client_credentials').length;

describe('RedisAppTokenStore', () => {
  test('three processes racing for the token mint it once and all get it', {
    timeout: 10_000,
  }, async () => {
    const key = 'race';
    const processes = await Promise.all([processWith(key), processWith(key), processWith(key)]);
    const before0 = appTokenRequests();
    const tokens = await Promise.all(
      processes.flatMap((p) => [p.appTokens.getToken(), p.appTokens.getToken()]),
    );
    assert.equal(appTokenRequests() - before0, 1);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(fake.tokenStatus(tokens[0] ?? ''), 'active');

    const inspect = await connect();
    const raw = await inspect.get(key);
    assert.equal(JSON.parse(raw ?? '{}').accessToken, tokens[0]);
    // Expires with the token (a year at EXBO), and the minting lease is gone.
    const ttl = await inspect.pTTL(key);
    assert.ok(ttl > 364 * 24 * 3600 * 1000, `PTTL ${ttl}`);
    assert.equal(await inspect.exists(`${key}:lock`), 0);

    // A process started later takes it from Redis without asking EXBO.
    const late = await processWith(key);
    assert.equal(await late.appTokens.getToken(), tokens[0]);
    assert.equal(appTokenRequests() - before0, 1);
  });

  test('after the token was replaced, processes renew it once between them', {
    timeout: 10_000,
  }, async () => {
    const key = 'replaced';
    const [a, b] = await Promise.all([processWith(key), processWith(key)]);
    await Promise.all([
      a.api.request({ path: '/NA/emission', auth: 'app-token' }),
      b.api.request({ path: '/NA/emission', auth: 'app-token' }),
    ]);
    const stale = await a.appTokens.getToken();
    await newClient(fake).requestAppToken();
    assert.equal(fake.tokenStatus(stale), 'revoked');

    const before0 = appTokenRequests();
    await Promise.all([
      a.api.request({ path: '/NA/emission', auth: 'app-token' }),
      b.api.request({ path: '/NA/emission', auth: 'app-token' }),
    ]);
    assert.equal(appTokenRequests() - before0, 1);
    const fresh = await b.appTokens.getToken();
    assert.equal(await a.appTokens.getToken(), fresh);
    assert.equal((await a.store.get(key))?.accessToken, fresh);
    assert.equal(fake.tokenStatus(fresh), 'active');
  });

  test('the lock is exclusive and only its owner releases it', { timeout: 10_000 }, async () => {
    const store = new RedisAppTokenStore(await connect());
    const first = await store.lock('lock-test', 5000);
    assert.ok(first);
    assert.equal(await store.lock('lock-test', 5000), undefined);
    await first.release();
    const second = await store.lock('lock-test', 5000);
    assert.ok(second);
    // A stale holder's release (its lease expired and was re-taken) leaves the new lease alone.
    await first.release();
    assert.equal(await store.lock('lock-test', 5000), undefined);
    await second.release();
  });

  test('a value that is not a token reads as absent; an expired token is not stored', {
    timeout: 10_000,
  }, async () => {
    const connection = await connect();
    const store = new RedisAppTokenStore(connection, { prefix: 'test:' });
    await connection.set('test:garbage', 'not json');
    assert.equal(await store.get('garbage'), undefined);
    await store.set('past', { accessToken: 'x'.repeat(20), expiresAt: Date.now() - 1 });
    assert.equal(await connection.exists('test:past'), 0);
    await store.set('future', { accessToken: 'y'.repeat(20), expiresAt: Date.now() + 60_000 });
    assert.deepEqual((await store.get('future'))?.accessToken, 'y'.repeat(20));
  });

  test('refuses something that is not a Redis client', () => {
    assert.throws(() => new RedisAppTokenStore({} as never), /sendCommand/);
  });
});
