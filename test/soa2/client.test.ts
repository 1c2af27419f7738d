/**
 * The standalone SOA2 client (the one the strategy logs in with): refresh, token lifetimes and
 * replacement, and the checks made on options at construction.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_SOA2_CLIENT, type Soa2Fake, startSoa2Fake } from '@exbo-soa2/fakes';
import {
  type FetchLike,
  OAuthError,
  Soa2Client,
  type Soa2ClientOptions,
  Strategy,
  VERSION,
} from 'passport-soa2';
import { Browser } from '../helpers/browser.js';
import { CLIENT_ID, confirmWithoutFollowing, GONE, KENNY, SECRET } from './setup.js';

const DAY_MS = 24 * 3600 * 1000;
let fake: Soa2Fake;
/** The fake's clock: tests move it forward to expire tokens. */
let now = Date.now();

before(async () => {
  fake = await startSoa2Fake({ clock: () => now });
});
after(() => fake.close());

function client(options: Partial<Soa2ClientOptions> = {}): Soa2Client {
  return new Soa2Client({
    clientID: CLIENT_ID,
    clientSecret: SECRET,
    baseURL: fake.url,
    ...options,
  });
}

/** A fresh code from the consent page, as `user`. */
async function newCode(user?: string): Promise<string> {
  const browser = new Browser();
  const url = new URL(fake.authorizationURL);
  url.searchParams.set('client_id', String(CLIENT_ID));
  url.searchParams.set('redirect_uri', DEFAULT_SOA2_CLIENT.redirectUris[0] ?? '');
  url.searchParams.set('scopes', 'identify');
  url.searchParams.set('state', 'test-state');
  const consent = await browser.get(url.toString());
  const callback = await confirmWithoutFollowing(browser, consent, user);
  return callback.searchParams.get('code') ?? '';
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof OAuthError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

describe('Soa2Client against the fake', () => {
  test('exchange, profile, then refresh: same refresh token, new access token', {
    timeout: 10_000,
  }, async () => {
    now = Date.now();
    const soa2 = client();
    const first = await soa2.exchangeCode(await newCode());
    assert.equal((await soa2.fetchProfile(first.access_token)).id, KENNY.id);

    now += 3600 * 1000;
    const refreshed = await soa2.refresh(first.refresh_token);
    assert.equal(refreshed.refresh_token, first.refresh_token, 'not rotated');
    assert.equal(refreshed.refresh_expiry, first.refresh_expiry, 'not extended');
    assert.notEqual(refreshed.access_token, first.access_token);
    assert.equal(refreshed.access_expiry, Math.floor(now / 1000) + 86400);
    assert.deepEqual(refreshed.scopes, ['identify']);
    assert.equal(typeof refreshed.expires_in, 'number');

    const profile = await soa2.fetchProfile(refreshed.access_token);
    assert.equal(profile.username, KENNY.name);
    const old = await rejection(soa2.fetchProfile(first.access_token));
    assert.equal(old.code, 'TOKEN_REJECTED', 'the previous access token is deleted');

    const sent = fake.requests.filter((r) => r.method === 'PATCH').at(-1);
    assert.equal(sent?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(sent?.body ?? ''), {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      refresh_token: first.refresh_token,
    });
  });

  test('410: an expired refresh token says to log in again', { timeout: 10_000 }, async () => {
    now = Date.now();
    const soa2 = client();
    const tokens = await soa2.exchangeCode(await newCode());
    now += 366 * DAY_MS;
    const error = await rejection(soa2.refresh(tokens.refresh_token));
    assert.equal(error.code, 'REFRESH_EXPIRED');
    assert.equal(error.upstreamStatus, 410);
    assert.equal(error.providerReason, 'Gone');
    assert.match(error.message, /refresh token has expired.*the user must log in again/);
    assert.ok(!error.message.includes(tokens.refresh_token));
    assert.ok(!error.message.includes(SECRET));
  });

  test('access tokens expire after 24 hours', { timeout: 10_000 }, async () => {
    now = Date.now();
    const soa2 = client();
    const tokens = await soa2.exchangeCode(await newCode());
    // Computed from our clock, which may have ticked a second past the fake's.
    assert.ok(tokens.expires_in >= 86399 && tokens.expires_in <= 86400, String(tokens.expires_in));
    now += DAY_MS + 1000;
    const error = await rejection(soa2.fetchProfile(tokens.access_token));
    assert.equal(error.code, 'TOKEN_REJECTED');
  });

  test('a new login of the same user replaces the earlier tokens (404 on refresh)', {
    timeout: 10_000,
  }, async () => {
    now = Date.now();
    const soa2 = client();
    const firstDevice = await soa2.exchangeCode(await newCode(GONE.id));
    const secondDevice = await soa2.exchangeCode(await newCode(GONE.id));
    const error = await rejection(soa2.refresh(firstDevice.refresh_token));
    assert.equal(error.code, 'REFRESH_REJECTED');
    assert.match(error.message, /replaced by a newer login/);
    const profile = await soa2.fetchProfile(secondDevice.access_token);
    assert.equal(profile.authoritative, false, 'this user answers 203');
  });

  test('401 on refresh with the wrong secret', { timeout: 10_000 }, async () => {
    now = Date.now();
    const tokens = await client().exchangeCode(await newCode());
    const error = await rejection(
      client({ clientSecret: 'f'.repeat(128) }).refresh(tokens.refresh_token),
    );
    assert.equal(error.code, 'CLIENT_REJECTED');
  });

  test('the strategy exposes the client it logs in with, for refreshing kept tokens', {
    timeout: 10_000,
  }, async () => {
    now = Date.now();
    const strategy = new Strategy(
      { clientID: String(CLIENT_ID), clientSecret: SECRET, baseURL: fake.url },
      (_a: string, _r: string, profile: unknown, done: (e: null, u: unknown) => void) =>
        done(null, profile),
    );
    const tokens = await strategy.client.exchangeCode(await newCode());
    const refreshed = await strategy.client.refresh(tokens.refresh_token);
    assert.equal(refreshed.refresh_token, tokens.refresh_token);
  });

  test('an injected fetch carries every request', { timeout: 10_000 }, async () => {
    now = Date.now();
    const seen: string[] = [];
    const observed: FetchLike = (input, init) => {
      seen.push(`${init?.method} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const soa2 = client({ fetch: observed });
    const tokens = await soa2.exchangeCode(await newCode());
    await soa2.fetchProfile(tokens.access_token);
    await soa2.refresh(tokens.refresh_token);
    assert.deepEqual(seen, [
      'POST /w/rest.php/soa2/v0/tokens',
      'GET /w/rest.php/soa2/v0/user',
      'PATCH /w/rest.php/soa2/v0/tokens',
    ]);
  });
});

describe('options checked at construction', () => {
  const base = { clientSecret: SECRET };

  test('clientID: an integer or a string of digits, sent as a JSON integer', () => {
    assert.equal(new Soa2Client({ ...base, clientID: 123456789 }).clientID, 123456789);
    assert.equal(new Soa2Client({ ...base, clientID: '123456789' }).clientID, 123456789);
    assert.equal(new Soa2Client({ ...base, clientID: ' 42\n' }).clientID, 42);
    for (const bad of ['12a', '', '1.5', '-1', 1.5, -1, 2 ** 31, Number.NaN, null, undefined, {}]) {
      assert.throws(
        () => new Soa2Client({ ...base, clientID: bad as never }),
        (err: Error) => err instanceof TypeError && /clientID must be an integer/.test(err.message),
        `clientID ${String(bad)}`,
      );
    }
  });

  test('clientSecret is required and never quoted', () => {
    assert.throws(
      () => new Soa2Client({ clientID: 1, clientSecret: '' }),
      /clientSecret option is required/,
    );
  });

  test('scopes: only identify, which SOA2 compares as one unsplit string', () => {
    const ok = new Soa2Client({ ...base, clientID: 1, scopes: ['identify', 'identify'] });
    assert.deepEqual(ok.scopes, ['identify']);
    assert.deepEqual(new Soa2Client({ ...base, clientID: 1, scopes: 'identify' }).scopes, [
      'identify',
    ]);
    for (const bad of [[], ['identify', 'email'], 'identify,email', 42]) {
      assert.throws(
        () => new Soa2Client({ ...base, clientID: 1, scopes: bad as never }),
        /only the "identify" scope|must be an array/,
      );
    }
  });

  test('URLs must be absolute; apiURL defaults from baseURL', () => {
    assert.throws(
      () => new Soa2Client({ ...base, clientID: 1, baseURL: 'oauth2.example' }),
      /baseURL/,
    );
    const soa2 = new Soa2Client({ ...base, clientID: 1 });
    assert.equal(soa2.tokensURL, 'https://oauth2.scratch-wiki.info/w/rest.php/soa2/v0/tokens');
    const custom = new Soa2Client({ ...base, clientID: 1, apiURL: 'http://127.0.0.1:9/api/' });
    assert.equal(custom.userURL, 'http://127.0.0.1:9/api/user');
  });

  test('the strategy checks its own options too', () => {
    const verify = (_a: string, _r: string, p: unknown, done: (e: null, u: unknown) => void) =>
      done(null, p);
    assert.throws(() => new Strategy({ ...base, clientID: 'abc' }, verify), /clientID/);
    assert.throws(
      () => new Strategy({ ...base, clientID: 1, callbackURL: '' }, verify),
      /callbackURL/,
    );
    assert.throws(() => new Strategy({ ...base, clientID: 1 }, undefined as never), /verify/);
    const strategy = new Strategy({ ...base, clientID: 1 }, verify);
    assert.equal(strategy.name, 'soa2');
    assert.equal(new Strategy({ ...base, clientID: 1, name: 'scratch' }, verify).name, 'scratch');
  });

  test('VERSION matches package.json (it is sent in the User-Agent)', () => {
    const pkg = JSON.parse(
      readFileSync(new URL('../../packages/passport-soa2/package.json', import.meta.url), 'utf8'),
    );
    assert.equal(VERSION, pkg.version);
  });
});
