/**
 * The application's verify function, in the forms Passport users write, through a real login: each
 * ends in exactly one Passport action, and an async verify that rejects never hangs the request or
 * becomes an unhandled rejection.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Request } from 'express';
import {
  type Soa2Profile,
  type Soa2StrategyOptions,
  type Soa2TokenParams,
  type Soa2VerifyWithProfile,
  Strategy,
  type VerifyCallback,
} from 'passport-soa2';
import { startTestApp, type TestApp, trackProcessErrors } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import {
  appError,
  CALLBACK_PATH,
  CLIENT_ID,
  json,
  KENNY,
  login,
  SECRET,
  soa2FakeForFile,
} from './setup.js';

const suite = soa2FakeForFile();
const app = (verify: Soa2VerifyWithProfile, options: Partial<Soa2StrategyOptions> = {}) =>
  suite.app(options, verify);

async function failedMessages(browser: Browser, testApp: TestApp): Promise<string[]> {
  return json<{ messages: string[] }>(await browser.get(`${testApp.url}/failed`)).messages;
}

describe('verify forms', () => {
  test('an async verify that rejects becomes an error answer, not a hang or a crash', {
    timeout: 10_000,
  }, async () => {
    const tracker = trackProcessErrors();
    try {
      const testApp = await app(async (_accessToken, _refreshToken, profile) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        throw new Error(`user database is down (looking up ${profile.username})`);
      });
      const page = await login(new Browser(), testApp);
      assert.equal(page.status, 500);
      assert.equal(appError(page).message, 'user database is down (looking up kenny2scratch)');
      const [, callback] = await testApp.assertOneActionEach();
      assert.deepEqual(callback?.actions, ['error']);
      assert.deepEqual(tracker.errors, []);
    } finally {
      tracker.stop();
    }
  });

  test('an async verify returning the user logs in; returning false fails', {
    timeout: 10_000,
  }, async () => {
    const allowed = await app(async (_a, _r, profile) => ({ scratcher: profile.username }));
    const ok = await login(new Browser(), allowed);
    assert.deepEqual(json(ok).user, { scratcher: KENNY.name });
    await allowed.assertOneActionEach();

    const refused = await app(async () => false);
    const browser = new Browser();
    const page = await login(browser, refused);
    assert.equal(page.hops.at(-2)?.location, '/failed');
    assert.equal((await browser.get(`${refused.url}/me`)).status, 401);
    const [, callback] = await refused.assertOneActionEach();
    assert.deepEqual(callback?.actions, ['fail']);
  });

  test('done(null, false, { message }) fails with that message', { timeout: 10_000 }, async () => {
    const testApp = await app((_a, _r, profile, done) =>
      done(null, false, { message: `${profile.username} is not on the guest list` }),
    );
    const browser = new Browser();
    await login(browser, testApp);
    assert.deepEqual(await failedMessages(browser, testApp), [
      'kenny2scratch is not on the guest list',
    ]);
    await testApp.assertOneActionEach();
  });

  test('a verify that throws synchronously becomes an error', { timeout: 10_000 }, async () => {
    const testApp = await app(() => {
      throw new Error('bug in verify');
    });
    const page = await login(new Browser(), testApp);
    assert.equal(page.status, 500);
    assert.equal(appError(page).message, 'bug in verify');
    await testApp.assertOneActionEach();
  });

  test('a verify calling done twice still ends in one action', { timeout: 10_000 }, async () => {
    const testApp = await app((_a, _r, profile, done) => {
      done(null, { id: profile.id });
      done(new Error('second call'));
    });
    const page = await login(new Browser(), testApp);
    assert.equal(page.status, 200);
    await testApp.assertOneActionEach();
  });

  test('passReqToCallback puts the request first', { timeout: 10_000 }, async () => {
    let sawSession = false;
    const strategy = new Strategy(
      {
        clientID: CLIENT_ID,
        clientSecret: SECRET,
        baseURL: suite.fake.url,
        callbackURL: CALLBACK_PATH,
        passReqToCallback: true,
      },
      (req, _accessToken, _refreshToken, profile, done) => {
        sawSession = typeof req.session === 'object';
        done(null, { id: profile.id, path: req.path });
      },
    );
    const testApp = await startTestApp({ strategies: [strategy] });
    suite.closeAfterwards(() => testApp.close());
    suite.fake.addClient({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUris: [`${testApp.url}${CALLBACK_PATH}`],
    });
    const page = await login(new Browser(), testApp);
    assert.deepEqual(json(page).user, { id: KENNY.id, path: CALLBACK_PATH });
    assert.ok(sawSession);
    await testApp.assertOneActionEach();
  });

  test('with passReqToCallback, six parameters get params', { timeout: 10_000 }, async () => {
    let seen: Soa2TokenParams | undefined;
    const strategy = new Strategy(
      {
        clientID: CLIENT_ID,
        clientSecret: SECRET,
        baseURL: suite.fake.url,
        callbackURL: CALLBACK_PATH,
        passReqToCallback: true,
      },
      (
        _req: Request,
        _accessToken: string,
        _refreshToken: string,
        params: Soa2TokenParams,
        profile: Soa2Profile,
        done: VerifyCallback,
      ) => {
        seen = params;
        done(null, { id: profile.id });
      },
    );
    const testApp = await startTestApp({ strategies: [strategy] });
    suite.closeAfterwards(() => testApp.close());
    suite.fake.addClient({
      clientId: CLIENT_ID,
      clientSecret: SECRET,
      redirectUris: [`${testApp.url}${CALLBACK_PATH}`],
    });
    await login(new Browser(), testApp);
    assert.deepEqual(seen?.scopes, ['identify']);
    await testApp.assertOneActionEach();
  });

  test('skipUserProfile: no GET /user, and verify gets no profile', {
    timeout: 10_000,
  }, async () => {
    let profileSeen: unknown = 'not called';
    const testApp = await app(
      (_a, _r, profile, done) => {
        profileSeen = profile;
        done(null, { anonymous: true });
      },
      { skipUserProfile: true },
    );
    const mark = suite.fake.requests.length;
    const page = await login(new Browser(), testApp);
    assert.deepEqual(json(page).user, { anonymous: true });
    assert.equal(profileSeen, undefined);
    const paths = suite.fake.requests.slice(mark).map((r) => `${r.method} ${r.path}`);
    assert.ok(paths.includes('POST /w/rest.php/soa2/v0/tokens'));
    assert.ok(!paths.includes('GET /w/rest.php/soa2/v0/user'));
    await testApp.assertOneActionEach();
  });

  test('skipUserProfile as a callback that errs ends in one error', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app((_a, _r, profile, done) => done(null, profile), {
      skipUserProfile: (_accessToken, done) => done(new Error('cannot decide')),
    });
    const page = await login(new Browser(), testApp);
    assert.equal(page.status, 500);
    assert.equal(appError(page).message, 'cannot decide');
    await testApp.assertOneActionEach();
  });
});
