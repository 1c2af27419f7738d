/**
 * Edges of the login each strategy must hold on its own, through a real Express app with
 * express-session and a scripted provider on 127.0.0.1 (issue 16's surviving mutants):
 * `stateMaxAge` is honoured, a callback with `state` and no `code` fails at once (it does not
 * restart the login), and EXBO's `displayName` falls back to the login when `display_login` is "".
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_EXBO_CLIENT, DEFAULT_SOA2_CLIENT } from '@exbo-soa2/fakes';
import { Strategy as ExboStrategy, type VerifyCallback } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { listen, type RunningServer } from '../helpers/server.js';
import { sendWithCookies } from './helpers/callback-requests.js';
import { PROVIDERS, type ProviderName } from './helpers/strategies.js';

const LIMIT = { timeout: 10_000 };
const EXPIRED = 'The login took too long and has expired: please start the login again.';
const NO_CODE = 'The login response has no code: please start the login again.';

/** What the scripted provider's profile endpoint answers (EXBO shape or SOA2 shape). */
let exboUser: Record<string, unknown> = { id: 90102, uuid: 'u-1', login: 'Test-1' };
let provider: RunningServer;
let hits: string[] = [];

function json(res: ServerResponse, body: unknown) {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function answer(req: IncomingMessage, res: ServerResponse) {
  const path = req.url ?? '';
  hits.push(path);
  const now = Math.floor(Date.now() / 1000);
  if (path.endsWith('/oauth/token')) {
    return json(res, { token_type: 'Bearer', expires_in: 3600, access_token: 'a'.repeat(40) });
  }
  if (path.endsWith('/oauth/user')) return json(res, exboUser);
  if (path.endsWith('/tokens')) {
    return json(res, {
      access_token: 'a'.repeat(128),
      access_expiry: now + 86400,
      refresh_token: 'b'.repeat(128),
      refresh_expiry: now + 86400,
      scopes: ['identify'],
    });
  }
  if (path.endsWith('/user')) return json(res, { user_id: 1, user_name: 'kenny2scratch' });
  res.writeHead(404).end();
}

const keepProfile = (_at: string, _rt: string, profile: unknown, done: VerifyCallback) =>
  done(null, profile as Express.User);

/** Both strategies against the scripted provider, with `stateMaxAge` when given. */
function startApp(stateMaxAge?: number): Promise<TestApp> {
  const shared = { timeout: 5000, ...(stateMaxAge !== undefined && { stateMaxAge }) };
  return startTestApp({
    strategies: [
      new ExboStrategy(
        {
          clientID: DEFAULT_EXBO_CLIENT.clientId,
          clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
          callbackURL: '/callback/exbo',
          baseURL: provider.url,
          ...shared,
        },
        keepProfile,
      ),
      new Soa2Strategy(
        {
          clientID: DEFAULT_SOA2_CLIENT.clientId,
          clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
          callbackURL: '/callback/soa2',
          baseURL: provider.url,
          apiURL: `${provider.url}/api`,
          ...shared,
        },
        keepProfile,
      ),
    ],
  });
}

let app: TestApp;
let quickApp: TestApp;
before(async () => {
  provider = await listen(answer);
  app = await startApp();
  quickApp = await startApp(1);
});
after(async () => {
  await quickApp.close();
  await app.close();
  await provider.close();
});

/** Starts a login on `on` in a new browser; the browser and the state the strategy sent. */
async function started(on: TestApp, name: ProviderName) {
  const browser = new Browser();
  const start = await browser.get(`${on.url}/login/${name}`, { follow: false });
  assert.equal(start.status, 302, start.text);
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
  return { browser, state };
}

const CODE: Record<ProviderName, string> = {
  exbo: `def502${'0'.repeat(60)}`,
  soa2: 'c'.repeat(64),
};

/** The provider's redirect back to `on`, with a code of the provider's shape and `state`. */
function callBack(on: TestApp, name: ProviderName, browser: Browser, state: string) {
  const url = `${on.url}/callback/${name}?code=${CODE[name]}&state=${state}`;
  return sendWithCookies(browser, 'GET', url);
}

for (const name of PROVIDERS) {
  describe(`${name}: callback edges`, () => {
    test('stateMaxAge is honoured: a login older than it fails as expired', LIMIT, async () => {
      const { browser, state } = await started(quickApp, name);
      await sleep(20);
      const res = await callBack(quickApp, name, browser, state);
      assert.equal(res.status, 302);
      assert.equal(new URL(res.location ?? '', quickApp.url).pathname, '/failed');
      const failed = await browser.get(`${quickApp.url}/failed`);
      assert.deepEqual(JSON.parse(failed.text).messages, [EXPIRED]);
    });

    test('a login within the default hour completes', LIMIT, async () => {
      const { browser, state } = await started(app, name);
      await sleep(20);
      const res = await callBack(app, name, browser, state);
      assert.equal(res.status, 200, res.text);
    });

    test(
      'a callback with a state and no code fails at once, without a new login',
      LIMIT,
      async () => {
        const { browser, state } = await started(app, name);
        hits = [];
        const mark = app.records.length;
        const res = await sendWithCookies(
          browser,
          'GET',
          `${app.url}/callback/${name}?state=${state}`,
        );
        assert.equal(res.status, 302);
        assert.equal(
          new URL(res.location ?? '', app.url).pathname,
          '/failed',
          'not to the provider',
        );
        assert.deepEqual(app.records[mark]?.actions, ['fail']);
        assert.deepEqual(app.records[mark]?.last, [{ message: NO_CODE }, 400]);
        assert.deepEqual(hits, [], 'the provider was not asked anything');
      },
    );
  });
}

describe('exbo: displayName', () => {
  for (const [displayLogin, expected] of [
    ['', 'Test-1'],
    [null, 'Test-1'],
    ['Стрелок', 'Стрелок'],
  ] as const) {
    test(`display_login ${JSON.stringify(displayLogin)} gives "${expected}"`, LIMIT, async () => {
      exboUser = { id: 90102, uuid: 'u-1', login: 'Test-1', display_login: displayLogin };
      const { browser, state } = await started(app, 'exbo');
      const res = await callBack(app, 'exbo', browser, state);
      assert.equal(res.status, 200, res.text);
      assert.equal(JSON.parse(res.text).user.displayName, expected);
    });
  }
});
