/**
 * The EXBO fake's game API over raw HTTP: its routes, its credentials (bearer tokens, Client-Id /
 * Client-Secret), the token replacement rule seen from the API (a replaced token answers 401), and
 * the rate-limit bucket with its headers and documented 429 body.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DEFAULT_EXBO_CHARACTERS,
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  type ExboFake,
  startExboFake,
} from '@exbo-soa2/fakes';
import { Browser } from '../helpers/browser.js';

const REDIRECT = 'http://127.0.0.1:9/cb';
const { clientId, clientSecret } = DEFAULT_EXBO_CLIENT;

interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
}

async function get(fake: ExboFake, path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${fake.gameApiURL}${path}`, {
    headers: { Accept: 'application/json', ...headers },
  });
  return { status: res.status, headers: res.headers, json: await res.json() } satisfies Answer;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const clientHeaders = { 'Client-Id': clientId, 'Client-Secret': clientSecret };

async function tokenPost(fake: ExboFake, fields: Record<string, string>) {
  const res = await fetch(fake.tokenURL, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ client_id: clientId, client_secret: clientSecret, ...fields }),
  });
  assert.equal(res.status, 200);
  return (await res.json()) as { access_token: string };
}

const appToken = (fake: ExboFake) =>
  tokenPost(fake, { grant_type: 'client_credentials', scope: '' }).then((t) => t.access_token);

/** A user token for `user` through the fake's consent page. */
async function userToken(fake: ExboFake, user = DEFAULT_EXBO_USERS[0]?.id): Promise<string> {
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT,
    response_type: 'code',
    scope: '',
  });
  const browser = new Browser();
  const consent = await browser.get(`${fake.authorizationURL}?${query}`);
  const back = await browser.submit(consent, 'approve', { user: String(user) }, { follow: false });
  const code = new URL(back.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const tokens = await tokenPost(fake, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT,
  });
  return tokens.access_token;
}

function assertApiError(answer: Answer, status: number, title?: string) {
  assert.equal(answer.status, status);
  const body = answer.json as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['title', 'status', 'details']);
  assert.equal(body.status, status);
  if (title) assert.equal(body.title, title);
}

async function startFake(options: Parameters<typeof startExboFake>[0] = {}) {
  const fake = await startExboFake(options);
  fake.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [REDIRECT] });
  return fake;
}

describe('EXBO fake: game API', () => {
  let fake: ExboFake;
  before(async () => {
    fake = await startFake();
  });
  after(() => fake.close());

  test('is served under gameApiURL, next to the unchanged OAuth routes', () => {
    assert.equal(fake.gameApiURL, `${fake.url}/game-api`);
    assert.equal(fake.tokenURL, `${fake.url}/oauth/token`);
  });

  test('GET /regions needs no credential and is not metered', { timeout: 10_000 }, async () => {
    const answer = await get(fake, '/regions');
    assert.equal(answer.status, 200);
    assert.deepEqual(
      (answer.json as Array<{ id: string }>).map((r) => r.id),
      ['RU', 'EU', 'NA', 'SEA', 'NEA'],
    );
    assert.equal(answer.headers.get('x-ratelimit-limit'), null);
  });

  test("GET /{region}/characters answers the token owner's characters, region in any case", {
    timeout: 10_000,
  }, async () => {
    const token = await userToken(fake);
    const mine = DEFAULT_EXBO_CHARACTERS[DEFAULT_EXBO_USERS[0]?.id ?? 0];
    const ru = await get(fake, '/RU/characters', bearer(token));
    assert.equal(ru.status, 200);
    assert.deepEqual(ru.json, mine?.RU);
    assert.deepEqual((await get(fake, '/eu/characters', bearer(token))).json, mine?.EU);
    assert.deepEqual((await get(fake, '/NA/characters', bearer(token))).json, []);
    const other = await userToken(fake, DEFAULT_EXBO_USERS[1]?.id);
    const theirs = (await get(fake, '/RU/characters', bearer(other))).json as Array<{
      information: { name: string };
    }>;
    assert.equal(theirs[0]?.information.name, 'Сталкер');
  });

  test('characters are user-only: an app token or client headers get 403, nothing gets 401', {
    timeout: 10_000,
  }, async () => {
    assertApiError(await get(fake, '/RU/characters', bearer(await appToken(fake))), 403);
    assertApiError(await get(fake, '/RU/characters', clientHeaders), 403);
    assertApiError(await get(fake, '/RU/characters'), 401, 'Unauthorized');
    const token = await userToken(fake);
    assertApiError(await get(fake, `/RU/characters?access_token=${token}`), 401);
    assertApiError(await get(fake, '/RU/characters', { Authorization: `bearer ${token}` }), 401);
  });

  test('Client-Id/Client-Secret authenticate app-level calls; a wrong pair is 401', {
    timeout: 10_000,
  }, async () => {
    const ok = await get(fake, '/EU/emission', clientHeaders);
    assert.equal(ok.status, 200);
    assert.equal(typeof (ok.json as { previousStart: unknown }).previousStart, 'string');
    assertApiError(
      await get(fake, '/EU/emission', { ...clientHeaders, 'Client-Secret': 'x' }),
      401,
    );
    assertApiError(await get(fake, '/EU/emission', { ...clientHeaders, 'Client-Id': '999' }), 401);
    assertApiError(await get(fake, '/EU/emission', { 'Client-Id': clientId }), 401);
  });

  test('token replacement: an app token answers 401 once a newer one was issued', {
    timeout: 10_000,
  }, async () => {
    const first = await appToken(fake);
    assert.equal((await get(fake, '/RU/emission', bearer(first))).status, 200);
    const second = await appToken(fake);
    assertApiError(await get(fake, '/RU/emission', bearer(first)), 401, 'Unauthorized');
    assert.equal((await get(fake, '/RU/emission', bearer(second))).status, 200);
  });

  test("token replacement: a user's new login kills the previous user token", {
    timeout: 10_000,
  }, async () => {
    const first = await userToken(fake);
    const second = await userToken(fake);
    assertApiError(await get(fake, '/RU/characters', bearer(first)), 401);
    assert.equal((await get(fake, '/RU/characters', bearer(second))).status, 200);
  });

  test('unknown regions and routes are 404, other methods 405, in the API error shape', {
    timeout: 10_000,
  }, async () => {
    const headers = clientHeaders;
    assertApiError(await get(fake, '/MARS/emission', headers), 404, 'Region not found');
    assertApiError(await get(fake, '/RU/nothing', headers), 404, 'Not Found');
    assertApiError(await get(fake, '/%E0%A4%A/emission', headers), 404);
    const post = await fetch(`${fake.gameApiURL}/regions`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET');
  });
});

describe('EXBO fake: game API rate limit', () => {
  let now = Date.now();
  let fake: ExboFake;
  before(async () => {
    fake = await startFake({ clock: () => now, gameApi: { limits: { user: 3, app: 4 } } });
  });
  after(() => fake.close());

  test('every metered answer carries the bucket; the reset is Unix milliseconds', {
    timeout: 10_000,
  }, async () => {
    const answer = await get(fake, '/RU/emission', clientHeaders);
    assert.equal(answer.headers.get('x-ratelimit-limit'), '4');
    assert.equal(answer.headers.get('x-ratelimit-remaining'), '3');
    assert.equal(answer.headers.get('x-ratelimit-reset'), String(now + 60_000));
  });

  test('an empty bucket answers 429 with the documented body until the window ends', {
    timeout: 10_000,
  }, async () => {
    const token = await userToken(fake);
    const remaining: (string | null)[] = [];
    for (let i = 0; i < 3; i++) {
      const answer = await get(fake, '/RU/characters', bearer(token));
      assert.equal(answer.status, 200);
      remaining.push(answer.headers.get('x-ratelimit-remaining'));
    }
    assert.deepEqual(remaining, ['2', '1', '0']);
    const limited = await get(fake, '/RU/characters', bearer(token));
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.json, { title: 'Rate limit exceeded', status: 429, details: {} });
    assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
    const reset = Number(limited.headers.get('x-ratelimit-reset'));
    assert.ok(reset > now && reset <= now + 60_000);

    now = reset;
    const refilled = await get(fake, '/RU/characters', bearer(token));
    assert.equal(refilled.status, 200);
    assert.equal(refilled.headers.get('x-ratelimit-remaining'), '2');
  });

  test("an app's bucket is shared by its app token and its client headers, apart from users", {
    timeout: 10_000,
  }, async () => {
    now += 120_000;
    const token = await appToken(fake);
    const a = await get(fake, '/EU/emission', bearer(token));
    const b = await get(fake, '/EU/emission', clientHeaders);
    assert.deepEqual(
      [a.headers.get('x-ratelimit-remaining'), b.headers.get('x-ratelimit-remaining')],
      ['3', '2'],
    );
  });

  test('limits are checked', { timeout: 10_000 }, async () => {
    await assert.rejects(
      startExboFake({ gameApi: { limits: { user: 0 } } }),
      /gameApi\.limits\.user/,
    );
  });
});
