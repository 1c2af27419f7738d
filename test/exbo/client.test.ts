/**
 * ExboClient (no Passport) against the EXBO fake over HTTP: the authorize URL the fake accepts, the
 * code exchange, refresh with `scope=` and token rotation, validation, the raw application token,
 * and the Client-Id/Client-Secret headers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_EXBO_USERS, type ExboFake } from '@exbo-soa2/fakes';
import { ExboClient, OAuthError } from 'passport-exbo';
import {
  approve,
  CALLBACK_URL,
  CLIENT_ID,
  CLIENT_SECRET,
  login,
  newClient,
  startFake,
  tokenRequests,
} from './setup.js';

let fake: ExboFake;
before(async () => {
  fake = await startFake();
});
after(() => fake.close());

function form(request: ExboFake['requests'][number] | undefined): Record<string, string> {
  assert.ok(request, 'no request recorded');
  return Object.fromEntries(new URLSearchParams(request.body));
}

/** Asserts an OAuthError with `code` whose message and fields carry none of `secrets`. */
async function rejectsWith(promise: Promise<unknown>, code: string, secrets: string[] = []) {
  const err = await promise.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e,
  );
  assert.ok(err instanceof OAuthError, String(err));
  assert.equal(err.code, code, err.message);
  const shown = JSON.stringify({ ...err, message: err.message });
  for (const secret of [CLIENT_SECRET, ...secrets]) {
    assert.ok(!shown.includes(secret), `a secret leaked into: ${err.message}`);
  }
  return err;
}

describe('construction', () => {
  test('needs clientID and clientSecret; callbackURL, when given, must be absolute', () => {
    const ok = { clientID: '30', clientSecret: 's' };
    assert.throws(() => new ExboClient({ ...ok, clientID: '' }), /clientID/);
    assert.throws(() => new ExboClient({ ...ok, clientSecret: '' }), /clientSecret/);
    assert.throws(() => new ExboClient({ ...ok, callbackURL: '/cb' }), /absolute/);
    assert.throws(() => new ExboClient({ ...ok, baseURL: 'exbo.net' }), /baseURL/);
    assert.throws(() => new ExboClient({ ...ok, timeout: -1 }), /timeout/);
    assert.equal(new ExboClient({ ...ok, clientID: 30 as unknown as string }).clientID, '30');
  });

  test('the secret is not visible on the instance (logging a client shows no secret)', () => {
    const client = new ExboClient({ clientID: '30', clientSecret: CLIENT_SECRET });
    assert.ok(!JSON.stringify(client).includes(CLIENT_SECRET));
    assert.ok(!Object.values(client).includes(CLIENT_SECRET));
  });
});

describe('authorization URL', () => {
  test('carries the documented parameters with scope= present and empty, and a random state', () => {
    const client = newClient(fake);
    const { url, state } = client.createAuthorizationURL();
    const parsed = new URL(url);
    assert.equal(`${parsed.origin}${parsed.pathname}`, fake.authorizationURL);
    assert.deepEqual(
      parsed.search
        .slice(1)
        .split('&')
        .filter((pair) => pair.startsWith('scope')),
      ['scope='],
    );
    assert.deepEqual(Object.fromEntries(parsed.searchParams), {
      response_type: 'code',
      client_id: CLIENT_ID,
      redirect_uri: CALLBACK_URL,
      scope: '',
      state,
    });
    assert.match(state, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(client.createAuthorizationURL().state, state);
  });

  test('a given state is used and comes back from the fake unchanged', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake);
    const { url, state } = client.createAuthorizationURL({ state: 'return:/clan/42' });
    assert.equal(state, 'return:/clan/42');
    const back = await approve(url);
    assert.equal(back.searchParams.get('state'), 'return:/clan/42');
  });

  test('without a callbackURL it says what is missing', () => {
    const client = new ExboClient({ clientID: '30', clientSecret: 's' });
    assert.throws(() => client.createAuthorizationURL(), /callbackURL is required/);
  });
});

describe('code exchange and validation', () => {
  test('exchanges a code for a token pair and validates it into the strategy profile shape', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake);
    const before0 = tokenRequests(fake).length;
    const tokens = await login(client, String(DEFAULT_EXBO_USERS[1]?.id));
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(typeof tokens.expires_in, 'number');
    assert.ok(tokens.access_token && tokens.refresh_token);

    const exchange = tokenRequests(fake).slice(before0);
    assert.equal(exchange.length, 1);
    assert.deepEqual(Object.keys(form(exchange[0])).sort(), [
      'client_id',
      'client_secret',
      'code',
      'grant_type',
      'redirect_uri',
    ]);
    assert.equal(form(exchange[0]).redirect_uri, CALLBACK_URL);

    const profile = await client.validateToken(tokens.access_token);
    const user = DEFAULT_EXBO_USERS[1];
    assert.ok(user);
    assert.deepEqual(
      { ...profile, _raw: undefined, _json: undefined },
      {
        provider: 'exbo',
        id: String(user.id),
        uuid: user.uuid,
        username: user.login,
        displayName: user.displayLogin ?? user.login,
        distributor: user.distributor,
        distributorId: user.distributorId,
        _raw: undefined,
        _json: undefined,
      },
    );
    const validation = fake.requests.filter((r) => r.path === '/oauth/user').at(-1);
    assert.equal(validation?.headers.authorization, `Bearer ${tokens.access_token}`);
    assert.equal(validation?.query, '');
  });

  test('a used code is CODE_REJECTED and the code is not quoted', { timeout: 10_000 }, async () => {
    const client = newClient(fake);
    const { url } = client.createAuthorizationURL();
    const code = (await approve(url)).searchParams.get('code') ?? '';
    await client.exchangeCode(code);
    await rejectsWith(client.exchangeCode(code), 'CODE_REJECTED', [code]);
  });

  test('a wrong secret is CLIENT_REJECTED without the secret in the error', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake, { clientSecret: 'WrongSecretWrongSecretWrongSecretWrong00' });
    await rejectsWith(client.requestAppToken(), 'CLIENT_REJECTED', [
      'WrongSecretWrongSecretWrongSecretWrong00',
    ]);
  });

  test('validateToken of a garbage token is TOKEN_REJECTED', { timeout: 10_000 }, async () => {
    await rejectsWith(newClient(fake).validateToken('not-a-token-at-all'), 'TOKEN_REJECTED', [
      'not-a-token-at-all',
    ]);
  });
});

describe('refresh', () => {
  test('sends grant_type=refresh_token with scope= present and empty, and rotates the pair', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake);
    const first = await login(client);
    // What an app keeps per user; refreshing must replace both tokens in it.
    const stored = { accessToken: first.access_token, refreshToken: first.refresh_token ?? '' };

    const before0 = tokenRequests(fake, 'refresh_token').length;
    const second = await client.refresh(stored.refreshToken);
    const sent = tokenRequests(fake, 'refresh_token').slice(before0);
    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(form(sent[0])).sort(), [
      'client_id',
      'client_secret',
      'grant_type',
      'refresh_token',
      'scope',
    ]);
    assert.match(sent[0]?.body ?? '', /(^|&)scope=(&|$)/);
    assert.equal(sent[0]?.query, '');

    assert.ok(second.refresh_token, 'a new refresh token is returned');
    assert.notEqual(second.refresh_token, stored.refreshToken);
    const old = { ...stored };
    stored.accessToken = second.access_token;
    stored.refreshToken = second.refresh_token;

    // The old pair is dead; the stored (rotated) pair works and refreshes again.
    await rejectsWith(client.refresh(old.refreshToken), 'REFRESH_REJECTED', [old.refreshToken]);
    await rejectsWith(client.validateToken(old.accessToken), 'TOKEN_REJECTED', [old.accessToken]);
    assert.equal((await client.validateToken(stored.accessToken)).provider, 'exbo');
    const third = await client.refresh(stored.refreshToken);
    assert.ok(third.refresh_token && third.refresh_token !== stored.refreshToken);
  });

  test('parallel refreshes with the same token share one request instead of spending it twice', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake);
    const tokens = await login(client);
    const before0 = tokenRequests(fake, 'refresh_token').length;
    const results = await Promise.all([
      client.refresh(tokens.refresh_token ?? ''),
      client.refresh(tokens.refresh_token ?? ''),
      client.refresh(tokens.refresh_token ?? ''),
    ]);
    assert.equal(tokenRequests(fake, 'refresh_token').length - before0, 1);
    assert.equal(new Set(results.map((r) => r.refresh_token)).size, 1);
  });
});

describe('application token and client headers', () => {
  test('requestAppToken mints with client credentials and scope=, no redirect_uri', {
    timeout: 10_000,
  }, async () => {
    const client = newClient(fake);
    const before0 = tokenRequests(fake, 'client_credentials').length;
    const first = await client.requestAppToken();
    const sent = tokenRequests(fake, 'client_credentials').slice(before0);
    assert.deepEqual(Object.keys(form(sent[0])).sort(), [
      'client_id',
      'client_secret',
      'grant_type',
      'scope',
    ]);
    assert.equal(first.refresh_token, undefined);
    // Each mint replaces the previous one: why AppTokenManager exists.
    const second = await client.requestAppToken();
    assert.equal(fake.tokenStatus(first.access_token), 'revoked');
    assert.equal(fake.tokenStatus(second.access_token), 'active');
  });

  test('clientSecretHeaders gives Client-Id and Client-Secret', () => {
    assert.deepEqual(newClient(fake).clientSecretHeaders(), {
      'Client-Id': CLIENT_ID,
      'Client-Secret': CLIENT_SECRET,
    });
  });
});
