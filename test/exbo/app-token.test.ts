/**
 * Application tokens under EXBO's replacement rule, against the fake over HTTP: one request for many
 * concurrent callers, one for several managers sharing a store, one renewal (not a loop) when the
 * cached token was replaced, renewal before expiry.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ExboFake } from '@exbo-soa2/fakes';
import {
  AppTokenManager,
  type AppTokenStore,
  ExboGameApi,
  MemoryAppTokenStore,
  OAuthError,
  type StoredAppToken,
} from 'passport-exbo';
import { listen } from '../helpers/server.js';
import { gameRequests, newClient, startFake, tokenRequests } from './setup.js';

let fake: ExboFake;
before(async () => {
  fake = await startFake();
});
after(() => fake.close());

function appTokenRequests(): number {
  return tokenRequests(fake, 'client_credentials').length;
}

describe('caching and single flight', () => {
  test('ten concurrent callers make exactly one token request and share the token', {
    timeout: 10_000,
  }, async () => {
    const manager = new AppTokenManager(newClient(fake), { store: new MemoryAppTokenStore() });
    const before0 = appTokenRequests();
    const tokens = await Promise.all(Array.from({ length: 10 }, () => manager.getToken()));
    assert.equal(appTokenRequests() - before0, 1);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(fake.tokenStatus(tokens[0] ?? ''), 'active');
    // Cached afterwards: no more requests.
    assert.equal(await manager.getToken(), tokens[0]);
    assert.equal(appTokenRequests() - before0, 1);
  });

  test('two client instances sharing a store make one request together', {
    timeout: 10_000,
  }, async () => {
    const store = new MemoryAppTokenStore();
    const first = new AppTokenManager(newClient(fake), { store });
    const second = new AppTokenManager(newClient(fake), { store });
    const before0 = appTokenRequests();
    const tokens = await Promise.all([
      first.getToken(),
      second.getToken(),
      first.getToken(),
      second.getToken(),
    ]);
    assert.equal(appTokenRequests() - before0, 1);
    assert.equal(new Set(tokens).size, 1);
    assert.equal(fake.tokenStatus(tokens[0] ?? ''), 'active');
  });

  test('managers created without a store share the process-wide one', {
    timeout: 10_000,
  }, async () => {
    const own = await startFake();
    try {
      const count = () => tokenRequests(own, 'client_credentials').length;
      const tokens = await Promise.all([
        new AppTokenManager(newClient(own)).getToken(),
        new AppTokenManager(newClient(own)).getToken(),
      ]);
      // A manager made later (say, per request) reuses it too.
      tokens.push(await new AppTokenManager(newClient(own)).getToken());
      assert.equal(count(), 1);
      assert.equal(new Set(tokens).size, 1);
    } finally {
      await own.close();
    }
  });

  test('a failed token request reaches every waiting caller, and the next call tries again', {
    timeout: 10_000,
  }, async () => {
    const manager = new AppTokenManager(
      newClient(fake, { clientSecret: 'WrongSecret0WrongSecret0WrongSecret0Wr0' }),
      {
        store: new MemoryAppTokenStore(),
      },
    );
    const before0 = appTokenRequests();
    const results = await Promise.allSettled([manager.getToken(), manager.getToken()]);
    assert.equal(appTokenRequests() - before0, 1);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.equal((result.reason as OAuthError).code, 'CLIENT_REJECTED');
    }
    await assert.rejects(manager.getToken(), { code: 'CLIENT_REJECTED' });
    assert.equal(appTokenRequests() - before0, 2);
  });

  test('a store without a lock still works (single flight inside the manager)', {
    timeout: 10_000,
  }, async () => {
    const saved = new Map<string, StoredAppToken>();
    const minimal: AppTokenStore = {
      get: async (key) => saved.get(key),
      set: async (key, token) => void saved.set(key, token),
    };
    const manager = new AppTokenManager(newClient(fake), { store: minimal });
    const before0 = appTokenRequests();
    await Promise.all([manager.getToken(), manager.getToken(), manager.getToken()]);
    assert.equal(appTokenRequests() - before0, 1);
    assert.equal(saved.size, 1);
  });
});

describe('expiry', () => {
  test('a token close to expiry is replaced before it runs out', { timeout: 10_000 }, async () => {
    const short = await startFake({ tokenLifetimeSeconds: 2 });
    try {
      // Renewal at most half a lifetime early: with a 2 s token, after 1 s.
      const manager = new AppTokenManager(newClient(short), { store: new MemoryAppTokenStore() });
      const first = await manager.getToken();
      assert.equal(await manager.getToken(), first);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const second = await manager.getToken();
      assert.notEqual(second, first);
      assert.equal(tokenRequests(short, 'client_credentials').length, 2);
      assert.equal(short.tokenStatus(second), 'active');
    } finally {
      await short.close();
    }
  });
});

describe('a replaced token (401)', () => {
  test('is renewed once and the call retried, when another party minted a newer token', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake);
    const appTokens = new AppTokenManager(client, { store: new MemoryAppTokenStore() });
    const api = new ExboGameApi({ baseURL: fake.gameApiURL, client, appTokens });
    const stale = await appTokens.getToken();
    // Someone else (a script, another deployment) mints: EXBO kills our cached token.
    await newClient(fake).requestAppToken();
    assert.equal(fake.tokenStatus(stale), 'revoked');

    const before0 = appTokenRequests();
    const emissions0 = gameRequests(fake, '/EU/emission').length;
    const { data } = await api.request({ path: '/EU/emission', auth: 'app-token' });
    assert.ok(data && typeof data === 'object');
    assert.equal(appTokenRequests() - before0, 1, 'exactly one renewal');
    const calls = gameRequests(fake, '/EU/emission').slice(emissions0);
    assert.deepEqual(
      calls.map((c) => c.headers.authorization === `Bearer ${stale}`),
      [true, false],
      'first with the stale token, then once with the new one',
    );
    const fresh = await appTokens.getToken();
    assert.notEqual(fresh, stale);
    assert.equal(fake.tokenStatus(fresh), 'active');
  });

  test('a second 401 is returned, not retried in a loop', { timeout: 10_000 }, async () => {
    let calls = 0;
    const alwaysUnauthorized = await listen((_req, res) => {
      calls++;
      res
        .writeHead(401, { 'Content-Type': 'application/json' })
        .end('{"title":"Unauthorized","status":401,"details":{}}');
    });
    try {
      const client = newClient(fake);
      const appTokens = new AppTokenManager(client, { store: new MemoryAppTokenStore() });
      const api = new ExboGameApi({ baseURL: alwaysUnauthorized.url, client, appTokens });
      const before0 = appTokenRequests();
      const err = await api.request({ path: '/RU/emission', auth: 'app-token' }).catch((e) => e);
      assert.ok(err instanceof OAuthError);
      assert.equal(err.code, 'TOKEN_REJECTED');
      assert.match(err.message, /application token/);
      assert.equal(calls, 2, 'the call and one retry');
      assert.equal(appTokenRequests() - before0, 2, 'the first token and one renewal');
    } finally {
      await alwaysUnauthorized.close();
    }
  });

  test('managers sharing a store renew once between them: the second finds the new token', {
    timeout: 10_000,
  }, async () => {
    const store = new MemoryAppTokenStore();
    const clientA = newClient(fake);
    const clientB = newClient(fake);
    const apiA = new ExboGameApi({
      baseURL: fake.gameApiURL,
      client: clientA,
      appTokens: new AppTokenManager(clientA, { store }),
    });
    const apiB = new ExboGameApi({
      baseURL: fake.gameApiURL,
      client: clientB,
      appTokens: new AppTokenManager(clientB, { store }),
    });
    await Promise.all([
      apiA.request({ path: '/RU/emission', auth: 'app-token' }),
      apiB.request({ path: '/RU/emission', auth: 'app-token' }),
    ]);
    await newClient(fake).requestAppToken();
    const before0 = appTokenRequests();
    await Promise.all([
      apiA.request({ path: '/RU/emission', auth: 'app-token' }),
      apiB.request({ path: '/RU/emission', auth: 'app-token' }),
    ]);
    assert.equal(appTokenRequests() - before0, 1);
  });

  test('reportRejected drops a token so it is never taken from the store again', {
    timeout: 10_000,
  }, async () => {
    const store = new MemoryAppTokenStore();
    const manager = new AppTokenManager(newClient(fake), { store });
    const first = await manager.getToken();
    manager.reportRejected(first);
    const second = await manager.getToken();
    assert.notEqual(second, first);
    assert.equal((await store.get(manager.key))?.accessToken, second);
  });
});

test('options are checked', () => {
  const client = newClient(fake);
  assert.throws(() => new AppTokenManager(client, { renewBefore: 0 }), /renewBefore/);
  assert.throws(() => new AppTokenManager(client, { lockTTL: -1 }), /lockTTL/);
  assert.throws(() => new AppTokenManager(undefined as never), /ExboClient/);
  assert.match(new AppTokenManager(client).key, /^passport-exbo:app-token:30@127\.0\.0\.1:\d+$/);
});
