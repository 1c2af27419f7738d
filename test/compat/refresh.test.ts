/**
 * passport-oauth2-refresh, the usual add-on for renewing stored tokens, with both strategies
 * against the fakes. It calls the strategy's `_oauth2.getOAuthAccessToken(refreshToken,
 * { grant_type: 'refresh_token' }, done)`.
 *
 * EXBO: `refresh.use(strategy)` works as is; the refresh grant carries `scope=` present and empty
 * (EXBO's docs require it) and no redirect_uri, and EXBO rotates the refresh token.
 * SOA2 refreshes with a JSON PATCH, not an OAuth grant: passport-oauth2-refresh needs the small
 * adapter the README shows, and the refresh token is not rotated.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Strategy as ExboStrategy, type ExboTokenParams, isOAuthError } from 'passport-exbo';
import refresh from 'passport-oauth2-refresh';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import {
  EXBO_CLIENT,
  type Fakes,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
  startFakes,
} from './logins.js';

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

/** passport-oauth2-refresh's callback, as a promise of everything it passes. */
function requestNewAccessToken(
  name: string,
  refreshToken: string,
): Promise<{ accessToken: string; refreshToken: string; params: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    refresh.requestNewAccessToken(name, refreshToken, (err, accessToken, newRefresh, params) => {
      if (err) return reject(err);
      resolve({
        accessToken: accessToken ?? '',
        refreshToken: newRefresh ?? '',
        params: params as Record<string, unknown>,
      });
    });
  });
}

let fakes: Fakes;
const apps: TestApp[] = [];

before(async () => {
  fakes = await startFakes();
});
after(async () => {
  for (const app of apps) await app.close();
  await fakes.close();
});

describe('EXBO: refresh.use(strategy)', () => {
  let strategy: ExboStrategy;
  const kept: Tokens[] = [];

  before(async () => {
    strategy = new ExboStrategy(
      {
        clientID: EXBO_CLIENT.clientId,
        clientSecret: EXBO_CLIENT.clientSecret,
        callbackURL: '/callback/exbo',
        baseURL: fakes.exbo.url,
      },
      (accessToken, refreshToken, profile, done) => {
        kept.push({ accessToken, refreshToken });
        done(null, { id: profile.id });
      },
    );
    const app = await startTestApp({ strategies: [strategy] });
    apps.push(app);
    fakes.allowCallbacks({ exbo: [`${app.url}/callback/exbo`] });
    const done = await loginWithExbo(new Browser(), `${app.url}/login/exbo`);
    assert.equal(done.status, 200, done.text);
    refresh.use(strategy);
  });

  test('refreshes with grant_type=refresh_token and an empty scope=, and gets a new pair', {
    timeout: 30_000,
  }, async () => {
    const login = kept.at(-1);
    assert.ok(login);
    const mark = fakes.exbo.requests.length;

    const renewed = await requestNewAccessToken('exbo', login.refreshToken);

    const [sent, ...more] = fakes.exbo.requests.slice(mark);
    assert.equal(more.length, 0, 'one request');
    assert.ok(sent);
    assert.equal(`${sent.method} ${sent.path}`, 'POST /oauth/token');
    assert.equal(sent.query, '', 'nothing in the query string');
    const form = new URLSearchParams(sent.body);
    assert.deepEqual([...form.keys()].sort(), [
      'client_id',
      'client_secret',
      'grant_type',
      'refresh_token',
      'scope',
    ]);
    assert.equal(form.get('grant_type'), 'refresh_token');
    assert.equal(form.get('refresh_token'), login.refreshToken);
    assert.equal(form.get('scope'), '', 'scope= present and empty');
    assert.equal(form.get('client_id'), EXBO_CLIENT.clientId);

    assert.match(renewed.accessToken, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.notEqual(renewed.accessToken, login.accessToken);
    assert.notEqual(renewed.refreshToken, login.refreshToken, 'EXBO rotates the refresh token');
    assert.deepEqual(renewed.params, {
      token_type: 'Bearer',
      expires_in: 31536000,
    } satisfies ExboTokenParams);
    assert.equal(fakes.exbo.tokenStatus(renewed.accessToken), 'active');
    assert.equal(fakes.exbo.tokenStatus(login.refreshToken), 'revoked', 'the old pair is gone');
    assert.equal(fakes.exbo.tokenStatus(login.accessToken), 'revoked');
    kept.push({ accessToken: renewed.accessToken, refreshToken: renewed.refreshToken });
  });

  test('a used refresh token ends in REFRESH_REJECTED, without the token in the message', {
    timeout: 30_000,
  }, async () => {
    const first = kept[0];
    assert.ok(first);

    const err = await requestNewAccessToken('exbo', first.refreshToken).then(
      () => assert.fail('refreshing with a rotated token must fail'),
      (e: unknown) => e,
    );

    assert.ok(isOAuthError(err), String(err));
    assert.equal(err.code, 'REFRESH_REJECTED');
    assert.equal(err.upstreamStatus, 401);
    assert.ok(!err.message.includes(first.refreshToken), err.message);
    assert.ok(!err.message.includes(EXBO_CLIENT.clientSecret), err.message);
  });

  test('logins still exchange the code after refresh is registered', {
    timeout: 30_000,
  }, async () => {
    const app = apps[0];
    assert.ok(app);
    const done = await loginWithExbo(new Browser(), `${app.url}/login/exbo`);
    assert.equal(done.status, 200, done.text);
  });
});

describe('SOA2: passport-oauth2-refresh through the client (README adapter)', () => {
  let strategy: Soa2Strategy;
  const kept: Tokens[] = [];

  before(async () => {
    strategy = new Soa2Strategy(
      {
        clientID: SOA2_CLIENT.clientId,
        clientSecret: SOA2_CLIENT.clientSecret,
        callbackURL: '/callback/soa2',
        baseURL: fakes.soa2.url,
      },
      (accessToken, refreshToken, profile, done) => {
        kept.push({ accessToken, refreshToken });
        done(null, { id: profile.id });
      },
    );
    const app = await startTestApp({ strategies: [strategy] });
    apps.push(app);
    fakes.allowCallbacks({ soa2: [`${app.url}/callback/soa2`] });
    const done = await loginWithSoa2(new Browser(), `${app.url}/login/soa2`);
    assert.equal(done.status, 200, done.text);
  });

  test('refresh.use(strategy) alone is refused: SOA2 is not an OAuth 2.0 token endpoint', () => {
    assert.throws(
      () => refresh.use(strategy as unknown as Parameters<typeof refresh.use>[0]),
      /setRefreshOAuth2/,
    );
  });

  test('with the adapter: a PATCH, a new access token, the same refresh token', {
    timeout: 30_000,
  }, async () => {
    // The README's adapter, verbatim apart from the cast (@types/passport-oauth2-refresh does not
    // declare the third `options` argument).
    const withOptions = refresh as unknown as {
      use(name: string, strategy: unknown, options: object): void;
    };
    withOptions.use('soa2', strategy, {
      setRefreshOAuth2: () => ({
        getOAuthAccessToken(
          refreshToken: string,
          _params: unknown,
          done: (
            err: unknown,
            accessToken?: string,
            refreshToken?: string,
            result?: object,
          ) => void,
        ) {
          strategy.client.refresh(refreshToken).then(
            (tokens) => done(null, tokens.access_token, tokens.refresh_token, tokens),
            (err) => done(err),
          );
        },
      }),
    });
    const login = kept.at(-1);
    assert.ok(login);
    const mark = fakes.soa2.requests.length;

    const renewed = await requestNewAccessToken('soa2', login.refreshToken);

    const sent = fakes.soa2.requests.slice(mark);
    assert.deepEqual(
      sent.map((r) => `${r.method} ${r.path}`),
      ['PATCH /w/rest.php/soa2/v0/tokens'],
    );
    assert.match(renewed.accessToken, /^[0-9a-f]{128}$/);
    assert.notEqual(renewed.accessToken, login.accessToken);
    assert.equal(renewed.refreshToken, login.refreshToken, 'SOA2 does not rotate it');
    assert.deepEqual(renewed.params.scopes, ['identify']);
    assert.equal(typeof renewed.params.access_expiry, 'number');
    const profile = await strategy.client.fetchProfile(renewed.accessToken);
    assert.equal(profile.username, 'kenny2scratch');
    await assert.rejects(strategy.client.fetchProfile(login.accessToken), {
      code: 'TOKEN_REJECTED',
    });
  });
});
