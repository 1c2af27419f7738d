/**
 * passport-soa2 against the SOA2 fake over real HTTP, through a real Express 5 app with
 * express-session: the login, the exact wire, state handling and the paste-the-code mode.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Request } from 'express';
import { Strategy, VERSION } from 'passport-soa2';
import { startTestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import {
  appError,
  CALLBACK_PATH,
  CLIENT_ID,
  confirmWithoutFollowing,
  GONE,
  json,
  KENNY,
  login,
  recordingVerify,
  SECRET,
  type Seen,
  soa2FakeForFile,
  startLogin,
  UNKNOWN_CODE,
} from './setup.js';

const suite = soa2FakeForFile();
const app = suite.app;

/** Requests the fake received since `mark` (an index into `suite.fake.requests`). */
function requestsSince(mark: number) {
  return suite.fake.requests.slice(mark);
}

describe('login through the SOA2 fake', () => {
  test('a full login signs the user in and keeps the session', { timeout: 10_000 }, async () => {
    const seen: Seen = {};
    const testApp = await app({}, recordingVerify(seen));
    const browser = new Browser();
    const mark = suite.fake.requests.length;

    const done = await login(browser, testApp);

    assert.equal(done.status, 200, done.text);
    const { user } = json(done);
    assert.equal(user.provider, 'soa2');
    assert.equal(user.id, KENNY.id);
    assert.equal(user.username, KENNY.name);
    assert.equal(user.displayName, KENNY.name);
    assert.equal(user.authoritative, true);
    assert.deepEqual(user._json, { user_id: Number(KENNY.id), user_name: KENNY.name });
    assert.equal(user._raw, JSON.stringify(user._json));
    // The consent page answered 303 straight to the app's callback.
    const hops = done.hops.map((hop) => hop.status);
    assert.deepEqual(hops, [303, 200]);

    const me = await browser.get(`${testApp.url}/me`);
    assert.equal(me.status, 200);
    assert.equal(json(me).user.id, KENNY.id);

    // The wire: JSON body with an integer client_id, base64 bearer, our User-Agent, no Origin.
    const [tokens, user_] = requestsSince(mark).filter((r) => r.path.startsWith('/w/rest.php'));
    assert.ok(tokens && user_);
    assert.equal(tokens.method, 'POST');
    assert.equal(tokens.path, '/w/rest.php/soa2/v0/tokens');
    assert.equal(tokens.headers['content-type'], 'application/json');
    assert.equal(tokens.headers['user-agent'], `passport-soa2/${VERSION}`);
    assert.match(tokens.body, new RegExp(`"client_id":${CLIENT_ID}[,}]`));
    const body = JSON.parse(tokens.body);
    assert.deepEqual(Object.keys(body).sort(), ['client_id', 'client_secret', 'code', 'scopes']);
    assert.deepEqual(body.scopes, ['identify']);
    assert.match(body.code, /^[0-9a-f]{64}$/);
    assert.equal(user_.method, 'GET');
    assert.equal(user_.path, '/w/rest.php/soa2/v0/user');
    assert.equal(user_.query, '');
    assert.equal(
      user_.headers.authorization,
      `Bearer ${Buffer.from(seen.accessToken ?? '').toString('base64')}`,
    );
    assert.equal(user_.headers.origin, undefined);

    // Tokens reach verify as arguments and nowhere else.
    assert.match(seen.accessToken ?? '', /^[0-9a-f]{128}$/);
    assert.match(seen.refreshToken ?? '', /^[0-9a-f]{128}$/);
    for (const token of [seen.accessToken, seen.refreshToken] as string[]) {
      assert.ok(!JSON.stringify(seen.profile).includes(token), 'no token in the profile');
      assert.ok(!JSON.stringify(seen.params).includes(token), 'no token in params');
      assert.ok(!done.text.includes(token), 'no token in the session user');
    }
    await testApp.assertOneActionEach();
  });

  test('the authorize URL is exactly what SOA2 expects', { timeout: 10_000 }, async () => {
    const testApp = await app();
    const url = await startLogin(new Browser(), testApp);
    const state = url.searchParams.get('state') ?? '';
    assert.match(state, /^[A-Za-z0-9_-]{43}$/, 'URL-safe, never "0", under 255 characters');
    const callback = `${testApp.url}${CALLBACK_PATH}`;
    assert.equal(
      url.toString(),
      `${suite.fake.authorizationURL}?client_id=${CLIENT_ID}&redirect_uri=${encodeURIComponent(callback)}&scopes=identify&state=${state}`,
    );
    // A second login gets a different state.
    const again = await startLogin(new Browser(), testApp);
    assert.notEqual(again.searchParams.get('state'), state);
    await testApp.assertOneActionEach();
  });

  test('the older index.php form of the authorize URL keeps its title parameter', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app({
      authorizationURL: `${suite.fake.url}/w/index.php?title=Special:ScratchOAuth2/authorize`,
    });
    const browser = new Browser();
    const url = await startLogin(browser, testApp);
    assert.equal(url.searchParams.get('title'), 'Special:ScratchOAuth2/authorize');
    const consent = await browser.get(url.toString());
    const done = await browser.submit(consent, 'confirm');
    assert.equal(json(done).user.id, KENNY.id);
    await testApp.assertOneActionEach();
  });

  test('a user whose Scratch profile is gone (203) logs in with authoritative === false', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app();
    const done = await login(new Browser(), testApp, GONE.id);
    assert.equal(done.status, 200, done.text);
    const { user } = json(done);
    assert.equal(user.id, GONE.id);
    assert.equal(user.username, GONE.name);
    assert.equal(user.authoritative, false);
    await testApp.assertOneActionEach();
  });

  test('verify receives params with expiries, scopes and a computed expires_in', {
    timeout: 10_000,
  }, async () => {
    const seen: Seen = {};
    const testApp = await app({}, recordingVerify(seen));
    await login(new Browser(), testApp);
    const params = seen.params;
    assert.ok(params);
    assert.deepEqual(Object.keys(params).sort(), [
      'access_expiry',
      'expires_in',
      'refresh_expiry',
      'scopes',
    ]);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(Math.abs(params.access_expiry - (now + 86400)) <= 2);
    assert.ok(Math.abs(params.refresh_expiry - (now + 365 * 86400)) <= 2);
    assert.ok(params.expires_in > 86400 - 3 && params.expires_in <= 86400);
    assert.deepEqual(params.scopes, ['identify']);
    await testApp.assertOneActionEach();
  });

  test('app state (a return-to path) comes back as req.authInfo.state', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app();
    const browser = new Browser();
    const consent = await browser.get(`${testApp.url}/login/soa2?returnTo=/settings`);
    const done = await browser.submit(consent, 'confirm');
    assert.deepEqual(json(done).authInfo, { state: { returnTo: '/settings' } });
    await testApp.assertOneActionEach();
  });
});

describe('state and callback checks', () => {
  async function failedMessages(browser: Browser, testApp: { url: string }) {
    const failed = await browser.get(`${testApp.url}/failed`);
    return json<{ messages: string[] }>(failed).messages;
  }

  test('a callback without state fails with 403 and never reaches SOA2', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app();
    const browser = new Browser();
    await startLogin(browser, testApp);
    const mark = suite.fake.requests.length;
    const page = await browser.get(`${testApp.url}${CALLBACK_PATH}?code=${UNKNOWN_CODE}`);
    assert.equal(page.hops[0]?.status, 302);
    assert.equal(page.hops[0]?.location, '/failed');
    assert.deepEqual(await failedMessages(browser, testApp), [
      'The login response has no state: please start the login again.',
    ]);
    assert.deepEqual(requestsSince(mark), []);
    const [, failure] = await testApp.assertOneActionEach();
    assert.deepEqual(failure?.actions, ['fail']);
    assert.equal(failure?.last?.[1], 403);
  });

  test('a wrong state fails with 403 and never reaches SOA2', { timeout: 10_000 }, async () => {
    const testApp = await app();
    const browser = new Browser();
    await startLogin(browser, testApp);
    const mark = suite.fake.requests.length;
    await browser.get(
      `${testApp.url}${CALLBACK_PATH}?code=${UNKNOWN_CODE}&state=${'x'.repeat(43)}`,
    );
    const [message] = await failedMessages(browser, testApp);
    assert.match(message ?? '', /not started in this browser session/);
    assert.deepEqual(requestsSince(mark), []);
    const [, failure] = await testApp.assertOneActionEach();
    assert.equal(failure?.last?.[1], 403);
  });

  test('a replayed callback fails: the state was used up by the first one', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app();
    const browser = new Browser();
    const first = await login(browser, testApp);
    assert.equal(first.status, 200);
    const callback = first.hops.at(-1)?.url ?? '';
    assert.match(callback, /\?code=[0-9a-f]{64}&state=/);
    const mark = suite.fake.requests.length;
    const replay = await browser.get(callback);
    assert.equal(replay.hops[0]?.location, '/failed');
    assert.match(
      (await failedMessages(browser, testApp))[0] ?? '',
      /already completed: please start the login again/,
    );
    assert.deepEqual(requestsSince(mark), [], 'the used code is not sent again');
    await testApp.assertOneActionEach();
  });

  test('a callback carried to another browser fails (login CSRF)', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app();
    const victim = new Browser();
    const attacker = new Browser();
    const consent = await attacker.get(`${testApp.url}/login/soa2`);
    const callback = (await confirmWithoutFollowing(attacker, consent)).toString();
    await startLogin(victim, testApp);
    const page = await victim.get(callback);
    assert.equal(page.hops[0]?.location, '/failed');
    assert.equal((await victim.get(`${testApp.url}/me`)).status, 401);
    await testApp.assertOneActionEach();
  });

  test('duplicated, malformed or oversized parameters fail with 400 before anything else', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app();
    const browser = new Browser();
    const url = await startLogin(browser, testApp);
    const state = url.searchParams.get('state') ?? '';
    const mark = suite.fake.requests.length;
    const cases: Array<[string, RegExp]> = [
      [`code=${UNKNOWN_CODE}&code=${UNKNOWN_CODE}&state=${state}`, /more than one "code"/],
      [`code=${UNKNOWN_CODE}&state=${state}&state=${state}`, /more than one "state"/],
      [`code=${'a'.repeat(5000)}&state=${state}`, /oversized "code"/],
      [`code=NOT-A-CODE&state=${state}`, /malformed code/],
      [`code=&state=${state}`, /has no code/],
      ['error=access_denied', /"error" parameter, which SOA2 never sends/],
    ];
    for (const [query, expected] of cases) {
      const page = await browser.get(`${testApp.url}${CALLBACK_PATH}?${query}`);
      assert.equal(page.hops[0]?.location, '/failed', query);
      const messages = await failedMessages(browser, testApp);
      assert.match(messages.at(-1) ?? '', expected, query);
    }
    assert.deepEqual(requestsSince(mark), [], 'nothing was sent to SOA2');
    const records = await testApp.assertOneActionEach();
    for (const record of records.slice(1)) assert.equal(record.last?.[1], 400);
    // The checks above did not use the state up: the login can still finish.
    const consent = await browser.get(url.toString());
    const done = await browser.submit(consent, 'confirm');
    assert.equal(json(done).user.id, KENNY.id);
  });

  test('state: false still sends a random state (SOA2 requires one) and does not check it', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app({ state: false });
    const browser = new Browser();
    const first = await startLogin(browser, testApp);
    const second = await startLogin(browser, testApp);
    assert.match(first.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first.searchParams.get('state'), second.searchParams.get('state'));
    const consent = await browser.get(first.toString());
    const done = await browser.submit(consent, 'confirm');
    assert.equal(json(done).user.id, KENNY.id);
    await testApp.assertOneActionEach();
  });
});

describe('without a session', () => {
  test('starting a login says a session middleware is needed', { timeout: 10_000 }, async () => {
    const strategy = new Strategy(
      { clientID: CLIENT_ID, clientSecret: SECRET, baseURL: suite.fake.url },
      (_a, _r, profile, done) => done(null, profile),
    );
    const testApp = await startTestApp({ strategies: [strategy], withoutSession: true });
    suite.closeAfterwards(() => testApp.close());
    const page = await new Browser().get(`${testApp.url}/login/soa2`);
    assert.equal(page.status, 500);
    const error = appError(page);
    assert.equal(error.code, 'SESSION_REQUIRED');
    assert.match(error.message, /add express-session/);
    await testApp.assertOneActionEach();
  });
});

describe('paste-the-code mode (no callbackURL)', () => {
  test('the code shown by SOA2, pasted into a form with the state, logs the user in', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app({ callbackURL: undefined });
    const browser = new Browser();
    const authorize = await startLogin(browser, testApp);
    assert.equal(authorize.searchParams.has('redirect_uri'), false);
    const state = authorize.searchParams.get('state') ?? '';

    const consent = await browser.get(authorize.toString());
    const shown = await browser.submit(consent, 'confirm');
    assert.equal(shown.status, 200);
    assert.match(shown.url, /\/wiki\/Special:SOA2Code\?code=/);
    const code = /id="soa2-code">([0-9a-f]{64})</.exec(shown.text)?.[1];
    assert.ok(code, 'the code page shows the code');

    // What a "paste your code" form posts; pasted text often has spaces and a newline around it.
    const done = await browser.post(`${testApp.url}${CALLBACK_PATH}`, {
      code: `  ${code}\n`,
      state,
    });
    assert.equal(done.status, 200, done.text);
    assert.equal(json(done).user.id, KENNY.id);
    await testApp.assertOneActionEach();
  });

  test('a pasted code without the state of this session is refused', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app({ callbackURL: undefined });
    const browser = new Browser();
    const authorize = await startLogin(browser, testApp);
    const consent = await browser.get(authorize.toString());
    const shown = await browser.submit(consent, 'confirm');
    const code = /id="soa2-code">([0-9a-f]{64})</.exec(shown.text)?.[1] ?? '';
    const page = await browser.post(`${testApp.url}${CALLBACK_PATH}`, { code });
    assert.equal(page.hops[0]?.location, '/failed');
    await testApp.assertOneActionEach();
  });

  test('authorizationRequest() prepares a login for a paste page without redirecting', {
    timeout: 10_000,
  }, async () => {
    const testApp = await app({ callbackURL: undefined });
    const req = { session: {} } as unknown as Request;
    const { url, state } = await testApp.strategy.authorizationRequest(req, {
      state: { returnTo: '/after' },
    });
    const parsed = new URL(url);
    assert.equal(parsed.searchParams.get('state'), state);
    assert.equal(parsed.searchParams.get('client_id'), String(CLIENT_ID));
    assert.equal(parsed.searchParams.get('scopes'), 'identify');
    assert.equal(parsed.searchParams.has('redirect_uri'), false);
    // The state is kept in the session under the strategy's key, with the app state.
    const pending = (req.session as unknown as Record<string, unknown>)['passport-soa2'] as
      | { handle: string; appState?: unknown }[]
      | undefined;
    assert.deepEqual(
      pending?.map((entry) => entry.handle),
      [state],
    );
    assert.deepEqual(pending?.[0]?.appState, { returnTo: '/after' });
  });
});
