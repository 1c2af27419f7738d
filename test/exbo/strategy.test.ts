/**
 * passport-exbo against the EXBO fake over real HTTP, through a real Express 5 app with
 * express-session: the login, the exact wire, and every failure a user can meet.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  type ExboFake,
  startExboFake,
} from '@exbo-soa2/fakes';
import {
  type ExboProfile,
  type ExboStrategyOptions,
  type ExboTokenParams,
  type ExboVerifyFunction,
  type ExboVerifyFunctionWithParams,
  OAuthError,
  Strategy,
  type VerifyCallback,
} from 'passport-exbo';
import { startTestApp, type TestApp, trackProcessErrors } from '../helpers/app.js';
import { Browser, type Page } from '../helpers/browser.js';
import { listen, type RunningServer } from '../helpers/server.js';

const CLIENT_ID = DEFAULT_EXBO_CLIENT.clientId;
const SECRET = DEFAULT_EXBO_CLIENT.clientSecret;

let fake: ExboFake;
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  fake = await startExboFake();
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
});

/** Any verify form; the strategy dispatches on the declared parameter count. */
type Verify = (...args: never[]) => unknown;
const keepProfile = (_at: string, _rt: string, profile: ExboProfile, done: VerifyCallback) =>
  done(null, profile);

/**
 * An app whose EXBO strategy points at the fake; `options` override anything (URLs of misbehaving
 * servers, timeouts). The app's callback URL is registered with the fake once the port is known.
 */
async function exboApp(
  options?: Partial<ExboStrategyOptions>,
  verify?: ExboVerifyFunction,
): Promise<TestApp>;
async function exboApp(
  options: Partial<ExboStrategyOptions>,
  verify: ExboVerifyFunctionWithParams | Verify,
): Promise<TestApp>;
async function exboApp(
  options: Partial<ExboStrategyOptions> = {},
  verify: Verify = keepProfile,
): Promise<TestApp> {
  let app: TestApp | undefined;
  const strategy = new Strategy(
    {
      clientID: CLIENT_ID,
      clientSecret: SECRET,
      // Relative on purpose: resolved from the request's own protocol and host.
      callbackURL: '/callback/exbo',
      baseURL: fake.url,
      ...options,
    } as ExboStrategyOptions,
    verify as typeof keepProfile,
  );
  app = await startTestApp({ strategies: [strategy] });
  fake.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [`${app.url}/callback/exbo`] });
  cleanups.push(() => (app as TestApp).close());
  return app;
}

/** Starts a login and approves it at the fake; returns the redirect back to the app, unfollowed. */
async function approve(browser: Browser, app: TestApp, user?: string): Promise<string> {
  const consent = await browser.get(`${app.url}/login/exbo`);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  const extra: Record<string, string> = user ? { user } : {};
  const back = await browser.submit(consent, 'approve', extra, { follow: false });
  assert.equal(back.status, 302);
  const location = back.headers.get('location');
  assert.ok(location?.startsWith(`${app.url}/callback/exbo?`), String(location));
  return location ?? '';
}

function json(page: Page): Record<string, unknown> {
  return JSON.parse(page.text) as Record<string, unknown>;
}

function tokenRequests(): ExboFake['requests'] {
  return fake.requests.filter((r) => r.method === 'POST' && r.path === '/oauth/token');
}

describe('construction', () => {
  test('requires clientID, clientSecret, callbackURL and verify', () => {
    const ok = { clientID: '1', clientSecret: 's', callbackURL: 'http://localhost/cb' };
    assert.throws(() => new Strategy({ ...ok, clientID: '' }, keepProfile), /clientID/);
    assert.throws(() => new Strategy({ ...ok, clientSecret: '' }, keepProfile), /clientSecret/);
    assert.throws(() => new Strategy({ ...ok, callbackURL: '' }, keepProfile), /callbackURL/);
    assert.throws(() => new Strategy(ok, undefined as unknown as typeof keepProfile), /verify/);
    assert.throws(() => new Strategy({ ...ok, baseURL: 'exbo.net' }, keepProfile), /baseURL/);
    assert.throws(() => new Strategy({ ...ok, timeout: 0 }, keepProfile), /timeout/);
  });

  test('is named exbo by default and derives URLs from baseURL', () => {
    const strategy = new Strategy(
      { clientID: '1', clientSecret: 's', callbackURL: 'http://localhost/cb' },
      keepProfile,
    );
    assert.equal(strategy.name, 'exbo');
  });
});

describe('authorize redirect', () => {
  test('carries client_id, redirect_uri, response_type=code, one empty scope= and a state', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const page = await new Browser().get(`${app.url}/login/exbo`, { follow: false });
    assert.equal(page.status, 302);
    const location = new URL(page.headers.get('location') ?? '');
    assert.equal(`${location.origin}${location.pathname}`, `${fake.url}/oauth/authorize`);
    const raw = location.search.slice(1).split('&');
    assert.deepEqual(
      raw.filter((pair) => pair.startsWith('scope')),
      ['scope='],
    );
    const params = Object.fromEntries(location.searchParams);
    assert.deepEqual(Object.keys(params).sort(), [
      'client_id',
      'redirect_uri',
      'response_type',
      'scope',
      'state',
    ]);
    assert.equal(params.client_id, CLIENT_ID);
    assert.equal(params.redirect_uri, `${app.url}/callback/exbo`);
    assert.equal(params.response_type, 'code');
    assert.match(params.state ?? '', /^[A-Za-z0-9_-]{43}$/);
    await app.assertOneActionEach();
  });

  test('two starts give two different states, both usable (two tabs)', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const first = await approve(browser, app);
    const second = await approve(browser, app);
    assert.notEqual(
      new URL(first).searchParams.get('state'),
      new URL(second).searchParams.get('state'),
    );
    const done = await browser.get(first);
    assert.equal(done.status, 200, done.text);
  });
});

describe('login', () => {
  test('a full login signs the user in with the normalised profile and no tokens in it', {
    timeout: 10_000,
  }, async () => {
    let seen: { params?: unknown; refreshToken?: string; accessToken?: string } = {};
    const app = await exboApp(
      {},
      (
        accessToken: string,
        refreshToken: string,
        params: ExboTokenParams,
        profile: ExboProfile,
        done: VerifyCallback,
      ) => {
        seen = { params, refreshToken, accessToken };
        done(null, profile);
      },
    );
    const browser = new Browser();
    const before = json(await browser.get(`${app.url}/me`)).sessionID;
    const before0 = tokenRequests().length;
    const done = await browser.get(await approve(browser, app));
    assert.equal(done.status, 200, done.text);
    const body = json(done) as { user: Record<string, unknown>; sessionID: string };
    const first = DEFAULT_EXBO_USERS[0];
    assert.ok(first);
    assert.deepEqual(
      { ...body.user, _raw: undefined, _json: undefined },
      {
        provider: 'exbo',
        id: String(first.id),
        uuid: first.uuid,
        username: first.login,
        displayName: first.displayLogin ?? first.login,
        distributor: first.distributor,
        distributorId: first.distributorId,
        _raw: undefined,
        _json: undefined,
      },
    );
    assert.equal(typeof body.user._raw, 'string');
    assert.equal((body.user._json as { login: string }).login, first.login);
    assert.ok(seen.accessToken && seen.refreshToken);
    assert.ok(!done.text.includes(seen.accessToken), 'access token leaked into the profile');
    assert.ok(!done.text.includes(seen.refreshToken), 'refresh token leaked into the profile');
    assert.deepEqual(Object.keys(seen.params as object).sort(), ['expires_in', 'token_type']);
    assert.equal(typeof (seen.params as { expires_in: unknown }).expires_in, 'number');

    // The session id changes at login (passport regenerates it: no session fixation).
    assert.notEqual(body.sessionID, before);
    assert.equal(
      (json(await browser.get(`${app.url}/me`)).user as { id: string }).id,
      String(first.id),
    );

    // The exact wire of the code exchange: one form POST with exactly the documented fields.
    const exchanges = tokenRequests().slice(before0);
    assert.equal(exchanges.length, 1);
    const exchange = exchanges[0];
    assert.ok(exchange);
    assert.match(String(exchange.headers['content-type']), /^application\/x-www-form-urlencoded/);
    assert.match(String(exchange.headers.accept), /application\/json/);
    assert.match(String(exchange.headers['user-agent']), /^passport-exbo\//);
    assert.equal(exchange.query, '');
    const form = Object.fromEntries(new URLSearchParams(exchange.body));
    assert.deepEqual(Object.keys(form).sort(), [
      'client_id',
      'client_secret',
      'code',
      'grant_type',
      'redirect_uri',
    ]);
    assert.equal(form.grant_type, 'authorization_code');
    assert.equal(form.redirect_uri, `${app.url}/callback/exbo`);
    const profileRequest = fake.requests.filter((r) => r.path === '/oauth/user').at(-1);
    assert.equal(profileRequest?.headers.authorization, `Bearer ${seen.accessToken}`);
    assert.equal(profileRequest?.query, '');
    await app.assertOneActionEach();
  });

  test('an injected fetch carries the code exchange and the profile request', {
    timeout: 10_000,
  }, async () => {
    const sent: string[] = [];
    const app = await exboApp({
      fetch: (input, init) => {
        sent.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
        return fetch(input, init);
      },
    });
    const browser = new Browser();
    const done = await browser.get(await approve(browser, app));
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(sent, ['POST /oauth/token', 'GET /oauth/user']);
  });

  test('a Cyrillic login comes through intact', { timeout: 10_000 }, async () => {
    const app = await exboApp();
    const cyrillic = DEFAULT_EXBO_USERS.find((u) => /[\u0400-\u04ff]/.test(u.login));
    assert.ok(cyrillic, 'the fake has a Cyrillic user');
    const browser = new Browser();
    const done = await browser.get(await approve(browser, app, String(cyrillic.id)));
    const user = json(done).user as { username: string; displayName: string };
    assert.equal(user.username, cyrillic.login);
    assert.equal(user.displayName, cyrillic.displayLogin ?? cyrillic.login);
  });

  test('app state (a return-to path) survives the session regeneration as authInfo.state', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const consent = await browser.get(`${app.url}/login/exbo?returnTo=%2Fclan%2F42`);
    const back = await browser.submit(consent, 'approve');
    assert.deepEqual((json(back).authInfo as { state: unknown }).state, { returnTo: '/clan/42' });
  });

  test('deny at EXBO ends in fail with the provider message, no token request', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const before0 = tokenRequests().length;
    const consent = await browser.get(`${app.url}/login/exbo`);
    const failed = await browser.submit(consent, 'deny');
    assert.equal(failed.url, `${app.url}/failed`);
    assert.match(String((json(failed).messages as string[])[0]), /denied/i);
    assert.equal(tokenRequests().length, before0);
    await app.assertOneActionEach();
  });
});

describe('verify forms', () => {
  test('4-argument callback form receives the profile', { timeout: 10_000 }, async () => {
    const app = await exboApp({}, (_a, _r, profile, done) =>
      done(null, { via: 'short', id: profile.id }),
    );
    const browser = new Browser();
    const user = json(await browser.get(await approve(browser, app))).user as {
      via: string;
      id: string;
    };
    assert.deepEqual(user, { via: 'short', id: String(DEFAULT_EXBO_USERS[0]?.id) });
  });

  test('async verify with params gets params and its resolved user', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp(
      {},
      async (_a: string, _r: string, params: unknown, profile: { id: string }, _done: unknown) => ({
        id: profile.id,
        tokenType: (params as { token_type: string }).token_type,
      }),
    );
    const browser = new Browser();
    const user = json(await browser.get(await approve(browser, app))).user;
    assert.deepEqual(user, { id: String(DEFAULT_EXBO_USERS[0]?.id), tokenType: 'Bearer' });
  });

  test('a wrapper with no fixed arity ((...args) => …, as NestJS) gets the 4-argument form', {
    timeout: 10_000,
  }, async () => {
    let received: unknown[] = [];
    const app = await exboApp({}, ((...args: unknown[]) => {
      received = args;
      (args.at(-1) as (e: null, u: unknown) => void)(null, { ok: true });
    }) as Verify);
    const browser = new Browser();
    await browser.get(await approve(browser, app));
    assert.equal(received.length, 4);
    assert.equal((received[2] as { provider: string }).provider, 'exbo');
  });

  test('passReqToCallback passes the request first', { timeout: 10_000 }, async () => {
    let sawRequest = false;
    const strategyOptions = { passReqToCallback: true } as unknown as Partial<ExboStrategyOptions>;
    const app = await exboApp(strategyOptions, ((
      req: { url?: string },
      _a: string,
      _r: string,
      params: unknown,
      profile: unknown,
      done: (e: null, u: unknown) => void,
    ) => {
      sawRequest = typeof req.url === 'string' && typeof params === 'object';
      done(null, profile);
    }) as unknown as Verify);
    const browser = new Browser();
    const done = await browser.get(await approve(browser, app));
    assert.equal(done.status, 200);
    assert.ok(sawRequest);
  });

  test('an async verify that rejects becomes an error response, not an unhandled rejection', {
    timeout: 10_000,
  }, async () => {
    const tracked = trackProcessErrors();
    try {
      const app = await exboApp({}, async () => {
        throw new Error('database down');
      });
      const browser = new Browser();
      const page = await browser.get(await approve(browser, app));
      assert.equal(page.status, 500);
      assert.equal((json(page).error as { message: string }).message, 'database down');
      await app.assertOneActionEach();
      assert.deepEqual(tracked.errors, []);
    } finally {
      tracked.stop();
    }
  });

  test('verify answering false + info fails with that info', { timeout: 10_000 }, async () => {
    const app = await exboApp({}, (_a, _r, _p, done) =>
      done(null, false, { message: 'banned from this clan site' }),
    );
    const browser = new Browser();
    const page = await browser.get(await approve(browser, app));
    assert.deepEqual(json(page).messages, ['banned from this clan site']);
    await app.assertOneActionEach();
  });
});

describe('forged, replayed and malformed callbacks', () => {
  test('missing state fails with 403 and never reaches the token endpoint', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const location = new URL(await approve(browser, app));
    location.searchParams.delete('state');
    const before0 = tokenRequests().length;
    const page = await browser.get(location.toString());
    assert.match(String((json(page).messages as string[])[0]), /no state/);
    assert.equal(app.records.at(-1)?.last?.[1], 403);
    assert.equal(tokenRequests().length, before0);
    await app.assertOneActionEach();
  });

  test('a wrong state fails', { timeout: 10_000 }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const location = new URL(await approve(browser, app));
    location.searchParams.set('state', 'A'.repeat(43));
    const page = await browser.get(location.toString());
    assert.match(
      String((json(page).messages as string[])[0]),
      /not started in this browser session/,
    );
  });

  test('a replayed callback fails and the code is never sent to EXBO twice', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const callback = await approve(browser, app);
    const before0 = tokenRequests().length;
    assert.equal((await browser.get(callback)).status, 200);
    const replay = await browser.get(callback);
    assert.equal(replay.url, `${app.url}/failed`);
    assert.equal(tokenRequests().length, before0 + 1);
    await app.assertOneActionEach();
  });

  test('a callback from another browser session (login CSRF) fails', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const callback = await approve(new Browser(), app);
    const victim = new Browser();
    await victim.get(`${app.url}/me`);
    const page = await victim.get(callback);
    assert.equal(page.url, `${app.url}/failed`);
    assert.equal(json(await victim.get(`${app.url}/me`)).user, null);
  });

  test('duplicated or oversized parameters fail with 400 without contacting EXBO', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const callback = new URL(await approve(browser, app));
    const before0 = tokenRequests().length;
    const duplicated = `${callback.toString()}&code=second`;
    const oversized = new URL(callback);
    oversized.searchParams.set('code', 'x'.repeat(5000));
    for (const url of [duplicated, oversized.toString()]) {
      const page = await browser.get(url, { follow: false });
      assert.equal(page.status, 302);
      assert.equal(app.records.at(-1)?.last?.[1], 400);
    }
    assert.equal(tokenRequests().length, before0);
    await app.assertOneActionEach();
  });

  test('without a session middleware the error says what to add', { timeout: 10_000 }, async () => {
    const strategy = new Strategy(
      {
        clientID: CLIENT_ID,
        clientSecret: SECRET,
        callbackURL: '/callback/exbo',
        baseURL: fake.url,
      },
      keepProfile,
    );
    const app = await startTestApp({ strategies: [strategy], withoutSession: true });
    cleanups.push(() => app.close());
    const page = await new Browser().get(`${app.url}/login/exbo`);
    const error = json(page).error as { code: string; message: string };
    assert.equal(error.code, 'SESSION_REQUIRED');
    assert.match(error.message, /express-session/);
  });
});

/** Asserts the login ended in an OAuthError with `code`, and that no secret leaked into it. */
async function assertLoginError(
  app: TestApp,
  page: Page,
  code: string,
): Promise<Record<string, unknown>> {
  const error = json(page).error as Record<string, unknown>;
  assert.equal(error?.code, code, page.text);
  assert.ok(!page.text.includes(SECRET), 'client secret leaked');
  const thrown = app.errors.at(-1);
  assert.ok(thrown instanceof OAuthError);
  assert.ok(!JSON.stringify({ ...thrown, message: thrown.message }).includes(SECRET));
  await app.assertOneActionEach();
  return error;
}

describe('token endpoint failures', () => {
  test('a wrong client secret is reported as rejected client credentials', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp({ clientSecret: 'wrong-secret-0123456789' });
    const browser = new Browser();
    const page = await browser.get(await approve(browser, app));
    const error = await assertLoginError(app, page, 'CLIENT_REJECTED');
    assert.equal(page.status, 500);
    assert.match(String(error.message), /invalid_client/);
    assert.ok(!page.text.includes('wrong-secret-0123456789'));
  });

  test('a code used twice is reported as rejected code (start again)', {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp();
    const browser = new Browser();
    const first = new URL(await approve(browser, app));
    assert.equal((await browser.get(first.toString())).status, 200);
    // A fresh login in the same browser, but the first (already used) code pasted in.
    const second = new URL(await approve(browser, app));
    second.searchParams.set('code', first.searchParams.get('code') ?? '');
    const page = await browser.get(second.toString());
    const error = await assertLoginError(app, page, 'CODE_REJECTED');
    assert.equal(page.status, 400);
    assert.match(String(error.message), /start the login again/);
    assert.ok(!page.text.includes(first.searchParams.get('code') ?? '?'), 'code leaked');
  });

  /** A token endpoint that misbehaves as `handler` says; consent still happens at the fake. */
  async function brokenTokenEndpoint(
    handler: Parameters<typeof listen>[0],
    options: Partial<ExboStrategyOptions> = {},
  ): Promise<{ app: TestApp; page: Page; elapsed: number }> {
    const server: RunningServer = await listen(handler);
    cleanups.push(() => server.close());
    const app = await exboApp({ tokenURL: `${server.url}/oauth/token`, ...options });
    const browser = new Browser();
    const callback = await approve(browser, app);
    const started = Date.now();
    const page = await browser.get(callback);
    return { app, page, elapsed: Date.now() - started };
  }

  test('a token endpoint that never answers fails within the timeout', {
    timeout: 10_000,
  }, async () => {
    const { app, page, elapsed } = await brokenTokenEndpoint(() => {}, { timeout: 300 });
    await assertLoginError(app, page, 'PROVIDER_TIMEOUT');
    assert.equal(page.status, 504);
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
  });

  test('an HTML 502 is reported with its status and an excerpt', { timeout: 10_000 }, async () => {
    const { app, page } = await brokenTokenEndpoint((_req, res) => {
      res
        .writeHead(502, { 'Content-Type': 'text/html' })
        .end('<html><h1>502 Bad Gateway</h1></html>');
    });
    const error = await assertLoginError(app, page, 'PROVIDER_ERROR');
    assert.match(String(error.message), /HTTP 502/);
    const thrown = app.errors.at(-1) as OAuthError;
    assert.equal(thrown.upstreamStatus, 502);
    assert.match(thrown.bodyExcerpt ?? '', /502 Bad Gateway/);
  });

  test('a 200 carrying an error is reported as that error', { timeout: 10_000 }, async () => {
    const { app, page } = await brokenTokenEndpoint((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({
          error: 'invalid_request',
          error_description: 'Authorization code has expired',
        }),
      );
    });
    const error = await assertLoginError(app, page, 'CODE_REJECTED');
    assert.match(String(error.message), /Authorization code has expired/);
  });

  test('a 200 without access_token is a bad response, and tokens in it are not quoted', {
    timeout: 10_000,
  }, async () => {
    const { app, page } = await brokenTokenEndpoint((_req, res) => {
      res
        .writeHead(200, { 'Content-Type': 'application/json' })
        .end(JSON.stringify({ token_type: 'Bearer', refresh_token: 'r-secret-refresh-token' }));
    });
    await assertLoginError(app, page, 'PROVIDER_BAD_RESPONSE');
    assert.ok(!page.text.includes('r-secret-refresh-token'));
    assert.ok(!(app.errors.at(-1) as OAuthError).bodyExcerpt?.includes('r-secret-refresh-token'));
  });

  test('a provider that is down is reported as unreachable', { timeout: 10_000 }, async () => {
    const server = await listen(() => {});
    await server.close();
    const app = await exboApp({ tokenURL: `${server.url}/oauth/token` });
    const browser = new Browser();
    const page = await browser.get(await approve(browser, app));
    const error = await assertLoginError(app, page, 'PROVIDER_UNREACHABLE');
    assert.match(String(error.message), /ECONNREFUSED/);
  });
});

describe('profile endpoint failures', () => {
  async function withProfileServer(handler: Parameters<typeof listen>[0]) {
    const server = await listen(handler);
    cleanups.push(() => server.close());
    const app = await exboApp({ userProfileURL: `${server.url}/oauth/user` });
    const browser = new Browser();
    const page = await browser.get(await approve(browser, app));
    return { app, page };
  }

  test('a 401 from /oauth/user is a rejected token', { timeout: 10_000 }, async () => {
    const { app, page } = await withProfileServer((_req, res) => {
      res
        .writeHead(401, { 'Content-Type': 'application/json' })
        .end('{"message":"Unauthenticated."}');
    });
    await assertLoginError(app, page, 'TOKEN_REJECTED');
  });

  test('multi-byte characters split across chunks arrive intact', { timeout: 10_000 }, async () => {
    const body = Buffer.from(
      JSON.stringify({
        id: 7,
        uuid: 'u-7',
        login: 'Сталкер',
        display_login: 'Меченый',
        distributor: 'EXBO',
        distributor_id: null,
      }),
    );
    // Split inside the two bytes of a Cyrillic letter.
    const cut = body.indexOf(Buffer.from('Сталкер')) + 1;
    const { page } = await withProfileServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(body.subarray(0, cut));
      setTimeout(() => res.end(body.subarray(cut)), 30);
    });
    const user = json(page).user as { username: string; displayName: string };
    assert.equal(user.username, 'Сталкер');
    assert.equal(user.displayName, 'Меченый');
  });

  test('skipUserProfile skips the profile request', { timeout: 10_000 }, async () => {
    let profileSeen: unknown = 'not called';
    const app = await exboApp({ skipUserProfile: true }, (_a, _r, profile, done) => {
      profileSeen = profile;
      done(null, { id: 'x' });
    });
    const browser = new Browser();
    const before0 = fake.requests.filter((r) => r.path === '/oauth/user').length;
    await browser.get(await approve(browser, app));
    assert.equal(profileSeen, undefined);
    assert.equal(fake.requests.filter((r) => r.path === '/oauth/user').length, before0);
  });
});

describe('characters option', () => {
  type WithCharacters = {
    id: string;
    characters: Record<string, Array<{ information: { name: string }; clan?: unknown }>>;
    characterErrors?: Record<string, { code: string; message: string; retryAfter?: number }>;
  };

  test("attaches the user's characters for the chosen regions, loaded with the user token", {
    timeout: 10_000,
  }, async () => {
    const app = await exboApp({
      characters: { regions: ['RU', 'eu', 'NA'], gameApiURL: fake.gameApiURL },
    });
    const browser = new Browser();
    const before0 = fake.requests.length;
    const done = await browser.get(await approve(browser, app));
    assert.equal(done.status, 200, done.text);
    const user = json(done).user as WithCharacters;
    assert.equal(user.id, String(DEFAULT_EXBO_USERS[0]?.id));
    assert.deepEqual(Object.keys(user.characters).sort(), ['EU', 'NA', 'RU']);
    assert.equal(user.characters.RU?.[0]?.information.name, 'Test-1');
    assert.ok(user.characters.EU?.[0]?.clan);
    assert.deepEqual(user.characters.NA, []);
    assert.equal(user.characterErrors, undefined);

    const since = fake.requests.slice(before0);
    const profileCall = since.find((r) => r.path === '/oauth/user');
    const characterCalls = since.filter((r) => r.path.endsWith('/characters'));
    assert.deepEqual(characterCalls.map((r) => r.path).sort(), [
      '/game-api/EU/characters',
      '/game-api/NA/characters',
      '/game-api/RU/characters',
    ]);
    for (const call of characterCalls) {
      assert.equal(call.headers.authorization, profileCall?.headers.authorization);
      assert.equal(call.query, '');
    }
    await app.assertOneActionEach();
  });

  test('a failing game API is reported in the profile and the login still succeeds', {
    timeout: 10_000,
  }, async () => {
    const reset = Date.now() + 30_000;
    const limited = await listen((req, res) => {
      if (req.url?.startsWith('/RU/')) {
        res
          .writeHead(429, {
            'Content-Type': 'application/json',
            'X-RateLimit-Limit': '50',
            'X-RateLimit-Remaining': '0',
            'X-RateLimit-Reset': String(reset),
          })
          .end('{"title":"Rate limit exceeded","status":429,"details":{}}');
      }
      // EU never answers: the option's own timeout ends it.
    });
    cleanups.push(() => limited.close());
    const app = await exboApp({
      characters: { regions: ['RU', 'EU'], gameApiURL: limited.url, timeout: 300 },
    });
    const browser = new Browser();
    const started = Date.now();
    const done = await browser.get(await approve(browser, app));
    assert.equal(done.status, 200, done.text);
    assert.ok(Date.now() - started < 3000);
    const user = json(done).user as WithCharacters;
    assert.deepEqual(user.characters, {});
    assert.equal(user.characterErrors?.RU?.code, 'RATE_LIMITED');
    assert.ok((user.characterErrors?.RU?.retryAfter ?? 0) > 20);
    assert.equal(user.characterErrors?.EU?.code, 'PROVIDER_TIMEOUT');
    assert.ok(!done.text.includes('Bearer'), 'no token in the reported errors');
    await app.assertOneActionEach();
  });

  test('unknown regions are refused when the strategy is constructed', () => {
    const base = { clientID: '1', clientSecret: 's', callbackURL: 'http://localhost/cb' };
    assert.throws(
      () => new Strategy({ ...base, characters: { regions: ['RU', 'MOON'] } }, keepProfile),
      /unknown STALCRAFT region "MOON"/,
    );
    assert.throws(
      () => new Strategy({ ...base, characters: { regions: [] } }, keepProfile),
      /at least one region/,
    );
  });
});
