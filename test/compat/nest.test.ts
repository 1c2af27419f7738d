/**
 * Both strategies inside a NestJS app, as Nest users write it: `PassportStrategy(Strategy, name)`
 * with a `validate` method, `AuthGuard` login guards that sign into the session, a guarded route,
 * and full logins over HTTP against the fakes.
 *
 * The app (fixtures/nest) is compiled by the repo's tsc with `experimentalDecorators` and
 * `emitDecoratorMetadata`, as Nest projects are (tsx/esbuild emit no decorator metadata), then
 * loaded into this process. Nest's wrapper calls the strategy's verify with `(...params)`: its
 * declared arity is 0, or validate's + 1 with `callbackArity: true`.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import type { ExboProfile } from 'passport-exbo';
import type { Soa2Profile } from 'passport-soa2';
import { trackProcessErrors } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import type { FixtureConfig } from './fixtures/nest/src/config.js';
import {
  EXBO_CLIENT,
  type Fakes,
  json,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
  startFakes,
} from './logins.js';
import { fixturePath, tsc } from './tsc.js';

const FIXTURE = fixturePath('nest');
const STRATEGIES = ['exbo', 'exbo-params', 'soa2', 'soa2-req'];
const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;

let fakes: Fakes;
let app: INestApplication;
let url: string;
let config: FixtureConfig;
const processErrors = trackProcessErrors();

before(async () => {
  const build = tsc(FIXTURE);
  assert.equal(build.status, 0, `the Nest fixture does not compile:\n${build.output}`);
  fakes = await startFakes();
  config = {
    exbo: {
      baseURL: fakes.exbo.url,
      clientID: EXBO_CLIENT.clientId,
      clientSecret: EXBO_CLIENT.clientSecret,
    },
    soa2: {
      baseURL: fakes.soa2.url,
      clientID: String(SOA2_CLIENT.clientId),
      clientSecret: SOA2_CLIENT.clientSecret,
    },
    refusedUsernames: ['SteamStalker'],
    validateCalls: [],
  };
  const { createApp } = (await import(pathToFileURL(`${FIXTURE}/dist/main.js`).href)) as {
    createApp(config: FixtureConfig): Promise<INestApplication>;
  };
  app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  url = `http://127.0.0.1:${port}`;
  fakes.allowCallbacks({
    exbo: STRATEGIES.filter((s) => s.startsWith('exbo')).map((s) => `${url}/auth/${s}/callback`),
    soa2: STRATEGIES.filter((s) => s.startsWith('soa2')).map((s) => `${url}/auth/${s}/callback`),
  });
});

after(async () => {
  await app?.close();
  await fakes?.close();
  processErrors.stop();
  assert.deepEqual(processErrors.errors, [], 'no unhandled rejection or uncaught exception');
});

/** The validate call the last login made, for `strategy`. */
function lastValidate(strategy: string): unknown[] {
  const call = config.validateCalls.findLast((c) => c.strategy === strategy);
  assert.ok(call, `validate of "${strategy}" was called`);
  return call.args;
}

describe('NestJS: PassportStrategy(Strategy, name) + AuthGuard', () => {
  test('exbo: validate gets (accessToken, refreshToken, profile); the guard signs in', {
    timeout: 60_000,
  }, async () => {
    const browser = new Browser();
    const before = await browser.get(`${url}/me`);
    assert.equal(before.status, 403, 'the guarded route refuses an anonymous user');

    const done = await loginWithExbo(browser, `${url}/auth/exbo?returnTo=/clan/42`);

    assert.equal(done.status, 200, done.text);
    const body = json(done);
    assert.deepEqual(body.user, { provider: 'exbo', id: '90102', name: 'Test-1' });
    assert.deepEqual(body.authInfo.state, { returnTo: '/clan/42' }, 'app state through Nest');
    const [accessToken, refreshToken, profile] = lastValidate('exbo') as [
      string,
      string,
      ExboProfile,
    ];
    assert.match(accessToken, JWT, 'an EXBO access token is a JWT');
    assert.equal(typeof refreshToken, 'string');
    assert.ok(refreshToken.length > 0 && refreshToken !== accessToken);
    assert.equal(profile.provider, 'exbo');
    assert.equal(profile.username, 'Test-1');

    const me = await browser.get(`${url}/me`);
    assert.equal(me.status, 200, me.text);
    assert.deepEqual(json(me).user, body.user, 'the session keeps the user');
  });

  test('exbo with callbackArity true: validate also gets the token params', {
    timeout: 60_000,
  }, async () => {
    const done = await loginWithExbo(new Browser(), `${url}/auth/exbo-params`, {
      user: 'Сталкер',
    });

    assert.equal(done.status, 200, done.text);
    assert.equal(json(done).user.name, 'Сталкер-Бандит');
    const [accessToken, refreshToken, params, profile] = lastValidate('exbo-params') as [
      string,
      string,
      Record<string, unknown>,
      ExboProfile,
    ];
    assert.match(accessToken, JWT);
    assert.ok(refreshToken.length > 0);
    assert.deepEqual(params, { token_type: 'Bearer', expires_in: 31536000 });
    assert.equal(profile.username, 'Сталкер');
  });

  test('exbo: validate returning null ends in 401 and no session', {
    timeout: 60_000,
  }, async () => {
    const browser = new Browser();
    const done = await loginWithExbo(browser, `${url}/auth/exbo`, { user: 'SteamStalker' });

    assert.equal(done.status, 401, done.text);
    assert.equal((await browser.get(`${url}/me`)).status, 403);
  });

  test('exbo: a user who denies at EXBO gets 401 from the guard', { timeout: 60_000 }, async () => {
    const calls = config.validateCalls.length;
    const done = await loginWithExbo(new Browser(), `${url}/auth/exbo`, { decision: 'deny' });

    assert.equal(done.status, 401, done.text);
    assert.equal(config.validateCalls.length, calls, 'validate is not called');
  });

  test('soa2: validate gets (accessToken, refreshToken, profile); the guard signs in', {
    timeout: 60_000,
  }, async () => {
    const browser = new Browser();
    const done = await loginWithSoa2(browser, `${url}/auth/soa2`);

    assert.equal(done.status, 200, done.text);
    assert.deepEqual(json(done).user, { provider: 'soa2', id: '10114764', name: 'kenny2scratch' });
    const [accessToken, refreshToken, profile] = lastValidate('soa2') as [
      string,
      string,
      Soa2Profile,
    ];
    assert.match(accessToken, /^[0-9a-f]{128}$/);
    assert.match(refreshToken, /^[0-9a-f]{128}$/);
    assert.notEqual(refreshToken, accessToken);
    assert.equal(profile.provider, 'soa2');
    assert.equal(profile.authoritative, true);
    assert.equal((await browser.get(`${url}/me`)).status, 200);
  });

  test('soa2 with passReqToCallback: validate gets the request first', {
    timeout: 60_000,
  }, async () => {
    const done = await loginWithSoa2(new Browser(), `${url}/auth/soa2-req`, 'Gone_Scratcher');

    assert.equal(done.status, 200, done.text);
    const [path, accessToken, refreshToken, profile] = lastValidate('soa2-req') as [
      string,
      string,
      string,
      Soa2Profile,
    ];
    assert.equal(path, '/auth/soa2-req/callback');
    assert.match(accessToken, /^[0-9a-f]{128}$/);
    assert.match(refreshToken, /^[0-9a-f]{128}$/);
    assert.equal(profile.username, 'Gone_Scratcher');
    assert.equal(profile.authoritative, false, 'a 203 profile is still a login');
  });
});
