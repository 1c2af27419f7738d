/**
 * ExboGameApi against the EXBO fake's game API over HTTP: characters per region with the user
 * token, the three credentials, rate-limit headers and the typed 429, and errors that say what
 * happened without quoting a token or secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_EXBO_CHARACTERS, DEFAULT_EXBO_USERS, type ExboFake } from '@exbo-soa2/fakes';
import { type ExboClient, OAuthError } from 'passport-exbo';
import {
  AppTokenManager,
  ExboGameApi,
  GAME_API_URLS,
  MemoryAppTokenStore,
} from 'passport-exbo/game-api';
// Internal (not exported): its parsing is tested directly.
import { parseRateLimit } from '../../packages/passport-exbo/dist/lib/rate-limit.js';
import { listen } from '../helpers/server.js';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  gameRequests,
  login,
  newClient,
  startFake,
  tokenRequests,
} from './setup.js';

let fake: ExboFake;
let client: ExboClient;
let appTokens: AppTokenManager;
let api: ExboGameApi;
before(async () => {
  fake = await startFake();
  client = newClient(fake);
  appTokens = new AppTokenManager(client, { store: new MemoryAppTokenStore() });
  api = new ExboGameApi({ baseURL: fake.gameApiURL, client, appTokens });
});
after(() => fake.close());

async function rejection(promise: Promise<unknown>, code: string, secrets: string[] = []) {
  const err = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OAuthError, String(err));
  assert.equal(err.code, code, err.message);
  const shown = JSON.stringify({ ...err, message: err.message });
  for (const secret of [CLIENT_SECRET, ...secrets]) assert.ok(!shown.includes(secret), shown);
  return err;
}

describe('characters', () => {
  test("the signed-in user's characters per region, with the user token in the header", {
    timeout: 10_000,
  }, async () => {
    const user = DEFAULT_EXBO_USERS[0];
    assert.ok(user);
    const { access_token } = await login(client, String(user.id));
    const expected = DEFAULT_EXBO_CHARACTERS[user.id];
    assert.ok(expected);

    assert.deepEqual(await api.characters('RU', access_token), expected.RU);
    const eu = await api.characters('eu', access_token);
    assert.deepEqual(eu, expected.EU);
    assert.equal(eu[0]?.clan?.member.rank, 'SOLDIER');
    assert.deepEqual(await api.characters('NA', access_token), []);

    const sent = gameRequests(fake, '/EU/characters').at(-1);
    assert.equal(sent?.headers.authorization, `Bearer ${access_token}`);
    assert.equal(sent?.query, '');
    assert.equal(sent?.headers['client-secret'], undefined);
  });

  test('a Cyrillic character name arrives intact', { timeout: 10_000 }, async () => {
    const user = DEFAULT_EXBO_USERS[1];
    assert.ok(user);
    const { access_token } = await login(client, String(user.id));
    const [character] = await api.characters('RU', access_token);
    assert.equal(character?.information.name, 'Сталкер');
    assert.equal(character?.clan?.info.name, 'Долг');
  });

  test('an unknown region is refused before any request', { timeout: 10_000 }, async () => {
    const count = fake.requests.length;
    await assert.rejects(api.characters('MARS', 'token'), /unknown STALCRAFT region "MARS"/);
    assert.equal(fake.requests.length, count);
  });

  test('a replaced user token is TOKEN_REJECTED and is not quoted', {
    timeout: 10_000,
  }, async () => {
    const first = await login(client);
    await login(client); // the same user logs in again: EXBO revokes the first pair
    const err = await rejection(api.characters('RU', first.access_token), 'TOKEN_REJECTED', [
      first.access_token,
    ]);
    assert.match(err.message, /user token/);
    assert.equal(err.upstreamStatus, 401);
  });

  test('an application credential on the user-only route is API_REJECTED (403), without renewing the app token', {
    timeout: 10_000,
  }, async () => {
    const err = await rejection(
      api.request({ path: '/RU/characters', auth: 'client-secret' }),
      'API_REJECTED',
    );
    assert.equal(err.upstreamStatus, 403);
    await appTokens.getToken();
    const mints = tokenRequests(fake, 'client_credentials').length;
    await rejection(api.request({ path: '/RU/characters', auth: 'app-token' }), 'API_REJECTED');
    assert.equal(tokenRequests(fake, 'client_credentials').length, mints);
  });
});

describe('credentials', () => {
  test('client-secret sends Client-Id/Client-Secret and no Authorization', {
    timeout: 10_000,
  }, async () => {
    const { data, status } = await api.request<{ previousEnd: string }>({
      path: '/EU/emission',
      auth: 'client-secret',
    });
    assert.equal(status, 200);
    assert.equal(typeof data.previousEnd, 'string');
    const sent = gameRequests(fake, '/EU/emission').at(-1);
    assert.equal(sent?.headers['client-id'], CLIENT_ID);
    assert.equal(sent?.headers['client-secret'], CLIENT_SECRET);
    assert.equal(sent?.headers.authorization, undefined);
  });

  test('a wrong client secret is CLIENT_REJECTED and the secret is not quoted', {
    timeout: 10_000,
  }, async () => {
    const wrong = 'WrongSecretWrongSecretWrongSecretWrong00';
    const badApi = new ExboGameApi({
      baseURL: fake.gameApiURL,
      client: newClient(fake, { clientSecret: wrong }),
    });
    await rejection(
      badApi.request({ path: '/EU/emission', auth: 'client-secret' }),
      'CLIENT_REJECTED',
      [wrong],
    );
  });

  test('app-token uses the managed application token', { timeout: 10_000 }, async () => {
    await api.request({ path: '/SEA/emission', auth: 'app-token' });
    const sent = gameRequests(fake, '/SEA/emission').at(-1);
    assert.match(String(sent?.headers.authorization), /^Bearer ey/);
  });

  test("regions send the app's Client-Id/Client-Secret when there is a client, else nothing", {
    timeout: 10_000,
  }, async () => {
    // Whether the live /regions needs authentication is unknown (docs/protocols/exbo.md), so the
    // app's credentials go along when it has them; a token is never minted for it.
    const minted = fake.requests.filter((r) => r.path === '/oauth/token').length;
    const regions = await api.regions();
    assert.deepEqual(
      regions.map((r) => r.id),
      ['RU', 'EU', 'NA', 'SEA', 'NEA'],
    );
    const sent = gameRequests(fake, '/regions').at(-1);
    assert.equal(sent?.headers['client-id'], CLIENT_ID);
    assert.equal(sent?.headers['client-secret'], CLIENT_SECRET);
    assert.equal(sent?.headers.authorization, undefined);
    assert.equal(fake.requests.filter((r) => r.path === '/oauth/token').length, minted);

    await new ExboGameApi({ baseURL: fake.gameApiURL }).regions();
    const bare = gameRequests(fake, '/regions').at(-1);
    assert.equal(bare?.headers.authorization, undefined);
    assert.equal(bare?.headers['client-secret'], undefined);
  });

  test('a credential needing the client option says so', { timeout: 10_000 }, async () => {
    const bare = new ExboGameApi({ baseURL: fake.gameApiURL });
    await assert.rejects(
      bare.request({ path: '/EU/emission', auth: 'client-secret' }),
      /client option/,
    );
    await assert.rejects(
      bare.request({ path: '/EU/emission', auth: 'app-token' }),
      /appTokens or client/,
    );
    await assert.rejects(
      bare.request({ path: '/EU/emission', auth: { userToken: '' } }),
      /userToken/,
    );
  });

  test('paths that would leave the configured host are refused', { timeout: 10_000 }, async () => {
    for (const path of ['//evil.example/x', 'https://evil.example/x', 'EU/emission']) {
      await assert.rejects(api.request({ path, auth: 'client-secret' }), /single "\/"/);
    }
  });

  test('the default base URL is production; demo and stalzone are named', () => {
    assert.equal(new ExboGameApi().baseURL, 'https://eapi.stalcraft.net');
    assert.equal(GAME_API_URLS.demo, 'https://dapi.stalcraft.net');
    assert.equal(GAME_API_URLS.stalzone, 'https://eapi.stalzone.com');
    assert.throws(() => new ExboGameApi({ baseURL: 'eapi.stalcraft.net' }), /absolute URL/);
  });
});

describe('rate limit', () => {
  test('X-RateLimit-* headers are parsed, the reset read as milliseconds', {
    timeout: 10_000,
  }, async () => {
    const started = Date.now();
    const { rateLimit } = await api.request({ path: '/NEA/emission', auth: 'client-secret' });
    assert.ok(rateLimit);
    assert.equal(rateLimit.limit, 400);
    assert.ok(rateLimit.remaining < 400);
    assert.ok(rateLimit.resetAt.getTime() > started);
    assert.ok(rateLimit.resetAt.getTime() <= Date.now() + 60_000);
    // Seconds from some other server are recognised as seconds, not 1970.
    const seconds = parseRateLimit(
      new Headers({
        'x-ratelimit-limit': '50',
        'x-ratelimit-remaining': '3',
        'x-ratelimit-reset': String(Math.floor(started / 1000) + 30),
      }),
    );
    assert.ok(seconds && seconds.resetAt.getTime() > started);
    assert.equal(parseRateLimit(new Headers()), undefined);
  });

  test('an empty bucket is RATE_LIMITED with retryAfter from the reset', {
    timeout: 10_000,
  }, async () => {
    const small = await startFake({ gameApi: { limits: { user: 2 } } });
    try {
      const smallClient = newClient(small);
      const smallApi = new ExboGameApi({ baseURL: small.gameApiURL, client: smallClient });
      const { access_token } = await login(smallClient);
      await smallApi.characters('RU', access_token);
      await smallApi.characters('EU', access_token);
      const err = await rejection(smallApi.characters('NA', access_token), 'RATE_LIMITED', [
        access_token,
      ]);
      assert.equal(err.upstreamStatus, 429);
      assert.equal(err.status, 503);
      assert.ok(
        err.retryAfter !== undefined && err.retryAfter > 50 && err.retryAfter <= 60,
        String(err.retryAfter),
      );
      assert.match(err.message, /refills at \d{4}-\d\d-\d\dT.*retry in \d+ s/);
      // The application's bucket is separate.
      await smallApi.request({ path: '/NA/emission', auth: 'client-secret' });
    } finally {
      await small.close();
    }
  });

  test('a 429 with only Retry-After uses it', { timeout: 10_000 }, async () => {
    const server = await listen((_req, res) => {
      res.writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '7' }).end('{}');
    });
    try {
      const other = new ExboGameApi({ baseURL: server.url, client });
      const err = await rejection(
        other.request({ path: '/RU/emission', auth: 'client-secret' }),
        'RATE_LIMITED',
      );
      assert.equal(err.retryAfter, 7);
    } finally {
      await server.close();
    }
  });
});

describe('other answers', () => {
  test('a 404 is API_REJECTED with the API title', { timeout: 10_000 }, async () => {
    const err = await rejection(
      api.request({ path: '/XX/emission', auth: 'client-secret' }),
      'API_REJECTED',
    );
    assert.equal(err.upstreamStatus, 404);
    assert.equal(err.providerDescription, 'Region not found');
  });

  test('the default purpose names the path without its query', { timeout: 10_000 }, async () => {
    const err = await rejection(
      api.request({
        path: '/XX/emission?key=in-the-path-query',
        query: { other: 'in-the-query-option' },
        auth: 'client-secret',
      }),
      'API_REJECTED',
    );
    assert.match(err.message, /GET \/XX\/emission\b/);
    assert.doesNotMatch(err.message, /in-the-path-query|in-the-query-option|\?/);
  });

  test('a 502 HTML page is PROVIDER_ERROR with an excerpt; a non-JSON 200 is a bad response', {
    timeout: 10_000,
  }, async () => {
    let answer = 502;
    const server = await listen((_req, res) => {
      res.writeHead(answer, { 'Content-Type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    });
    try {
      const other = new ExboGameApi({ baseURL: server.url, client });
      const err = await rejection(
        other.request({ path: '/RU/emission', auth: 'client-secret' }),
        'PROVIDER_ERROR',
      );
      assert.match(err.bodyExcerpt ?? '', /Bad Gateway/);
      answer = 200;
      await rejection(
        other.request({ path: '/RU/emission', auth: 'client-secret' }),
        'PROVIDER_BAD_RESPONSE',
      );
    } finally {
      await server.close();
    }
  });

  test('a characters answer of the wrong shape is PROVIDER_BAD_RESPONSE', {
    timeout: 10_000,
  }, async () => {
    const server = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"characters":[]}');
    });
    try {
      const other = new ExboGameApi({ baseURL: server.url });
      await rejection(other.characters('RU', 'some-user-token'), 'PROVIDER_BAD_RESPONSE');
    } finally {
      await server.close();
    }
  });
});
