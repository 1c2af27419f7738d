/**
 * Every way the SOA2 side of a login can go wrong ends in one distinct, readable error from the
 * shared family, with the right status for the app, and no secret, code or token in the message.
 * The fake produces what it can (401, 404); a scripted stand-in produces the rest (417, 415, 400,
 * hangs, garbage, redirects).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OAuthError, Soa2Client, type Soa2StrategyOptions } from 'passport-soa2';
import type { Page } from '../helpers/browser.js';
import { Browser } from '../helpers/browser.js';
import { listen } from '../helpers/server.js';
import {
  appError,
  CALLBACK_PATH,
  CLIENT_ID,
  confirmWithoutFollowing,
  SECRET,
  type Soa2TestApp,
  scriptedProvider,
  soa2Error,
  soa2FakeForFile,
  startLogin,
  tokenAnswer,
  UNKNOWN_CODE,
} from './setup.js';

const suite = soa2FakeForFile();
const app = (options: Partial<Soa2StrategyOptions> = {}) => suite.app(options);

/** Starts a login (for a valid state) and calls back with a code of the right shape. */
async function callbackWithCode(testApp: Soa2TestApp, code = UNKNOWN_CODE): Promise<Page> {
  const browser = new Browser();
  const authorize = await startLogin(browser, testApp);
  const state = authorize.searchParams.get('state') ?? '';
  return browser.get(`${testApp.url}${CALLBACK_PATH}?code=${code}&state=${state}`);
}

/** Nothing secret in what the app (and its log) got. */
function assertNoSecrets(page: Page, ...secrets: string[]) {
  for (const secret of [SECRET, UNKNOWN_CODE, ...secrets]) {
    assert.ok(!page.text.includes(secret), `the error does not quote ${secret.slice(0, 8)}…`);
  }
}

/** An app whose token and user requests go to a scripted stand-in. */
async function appAgainst(
  handlers: Parameters<typeof scriptedProvider>[0],
  options: Partial<Soa2StrategyOptions> = {},
) {
  const provider = await scriptedProvider(handlers);
  suite.closeAfterwards(() => provider.close());
  const testApp = await app({ apiURL: provider.apiURL, ...options });
  return { testApp, provider };
}

describe('what SOA2 itself answers', () => {
  test('401: rejected client credentials', { timeout: 10_000 }, async () => {
    const wrongSecret = 'f'.repeat(128);
    const testApp = await app({ clientSecret: wrongSecret });
    const browser = new Browser();
    const consent = await browser.get(`${testApp.url}/login/soa2`);
    const page = await browser.submit(consent, 'confirm');
    assert.equal(page.status, 500);
    const error = appError(page);
    assert.equal(error.name, 'OAuthError');
    assert.equal(error.code, 'CLIENT_REJECTED');
    assert.match(error.message, /rejected the client credentials: check clientID and clientSecret/);
    assert.match(error.message, /HTTP 401 Unauthorized/);
    assertNoSecrets(page, wrongSecret);
    const [, callback] = await testApp.assertOneActionEach();
    assert.deepEqual(callback?.actions, ['error']);
    const thrown = callback?.last?.[0] as OAuthError;
    assert.ok(thrown instanceof OAuthError);
    assert.equal(thrown.upstreamStatus, 401);
    assert.equal(thrown.providerReason, 'Unauthorized');
    assert.equal(thrown.provider, 'soa2');
  });

  test('404: a code that was already used', { timeout: 10_000 }, async () => {
    const testApp = await app();
    const browser = new Browser();
    const consent = await browser.get(`${testApp.url}/login/soa2`);
    const callback = await confirmWithoutFollowing(browser, consent);
    const code = callback.searchParams.get('code') ?? '';
    // Someone (a log reader, a double submit) redeems the code first.
    const client = new Soa2Client({
      clientID: CLIENT_ID,
      clientSecret: SECRET,
      baseURL: suite.fake.url,
    });
    await client.exchangeCode(code);
    const page = await browser.get(callback.toString());
    assert.equal(page.status, 400);
    const error = appError(page);
    assert.equal(error.code, 'CODE_REJECTED');
    assert.match(error.message, /unknown, already used, cancelled or older than an hour/);
    assert.match(error.message, /Start the login again/);
    assert.match(error.message, /HTTP 404 Not Found/);
    assertNoSecrets(page, code);
    await testApp.assertOneActionEach();
  });
});

describe('what a scripted stand-in answers', () => {
  const cases: Array<{
    status: number;
    reason: string;
    code: string;
    message: RegExp;
    appStatus: number;
  }> = [
    {
      status: 417,
      reason: 'Expectation Failed',
      code: 'SCOPE_MISMATCH',
      message: /scopes sent with the code exchange are not the ones the user approved/,
      appStatus: 500,
    },
    {
      status: 415,
      reason: 'Unsupported Media Type',
      code: 'REQUEST_REJECTED',
      message: /refused the code exchange's content type\. This is a bug in passport-soa2/,
      appStatus: 500,
    },
    {
      status: 400,
      reason: 'Bad Request',
      code: 'REQUEST_REJECTED',
      message: /called the code exchange malformed\. This is a bug in passport-soa2/,
      appStatus: 500,
    },
  ];
  /** One login against a stand-in answering the code exchange with `status`: the app's error. */
  async function errorFor(status: number, reason: string) {
    const { testApp, provider } = await appAgainst({ tokens: soa2Error(status, reason) });
    const page = await callbackWithCode(testApp);
    assertNoSecrets(page);
    assert.deepEqual(provider.hits, ['POST /api/tokens'], 'the profile is not requested');
    await testApp.assertOneActionEach();
    return { page, error: appError(page) };
  }
  for (const { status, reason, code, message, appStatus } of cases) {
    test(`${status}: ${code}`, { timeout: 10_000 }, async () => {
      const { page, error } = await errorFor(status, reason);
      assert.equal(page.status, appStatus);
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.match(error.message, new RegExp(`HTTP ${status} ${reason}`));
    });
  }
  // On its own: it gets every message itself, whichever tests ran before it.
  test('each of those errors reads differently', { timeout: 20_000 }, async () => {
    const messages = new Set<string>();
    for (const { status, reason } of cases)
      messages.add((await errorFor(status, reason)).error.message);
    assert.equal(messages.size, cases.length);
  });

  test('a token endpoint that never answers times out', { timeout: 10_000 }, async () => {
    const { testApp } = await appAgainst({ tokens: () => {} }, { timeout: 300 });
    const started = Date.now();
    const page = await callbackWithCode(testApp);
    assert.ok(Date.now() - started < 5000);
    assert.equal(page.status, 504);
    const error = appError(page);
    assert.equal(error.code, 'PROVIDER_TIMEOUT');
    assert.match(
      error.message,
      /SOA2 did not answer the authorization code exchange .* within 300 ms/,
    );
    await testApp.assertOneActionEach();
  });

  test('a profile endpoint that never answers times out', { timeout: 10_000 }, async () => {
    const { testApp } = await appAgainst(
      {
        tokens: (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify(tokenAnswer()));
        },
        user: () => {},
      },
      { timeout: 300 },
    );
    const page = await callbackWithCode(testApp);
    const error = appError(page);
    assert.equal(error.code, 'PROVIDER_TIMEOUT');
    assert.match(error.message, /the profile request/);
    await testApp.assertOneActionEach();
  });

  test('an HTML page instead of tokens is garbage, quoted in a short excerpt', {
    timeout: 10_000,
  }, async () => {
    const { testApp } = await appAgainst({
      tokens: (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html' });
        res.end('<html><body>MediaWiki maintenance</body></html>');
      },
    });
    const page = await callbackWithCode(testApp);
    assert.equal(page.status, 502);
    const error = appError(page);
    assert.equal(error.code, 'PROVIDER_BAD_RESPONSE');
    assert.match(error.message, /HTTP 200, text\/html: expected JSON with access_token/);
    const [, callback] = await testApp.assertOneActionEach();
    const thrown = callback?.last?.[0] as OAuthError;
    assert.match(thrown.bodyExcerpt ?? '', /MediaWiki maintenance/);
  });

  test('a token answer with a token but no expiries is garbage, and the token is not quoted', {
    timeout: 10_000,
  }, async () => {
    const leaked = 'e'.repeat(128);
    const { testApp } = await appAgainst({
      tokens: (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ access_token: leaked, token_type: 'Bearer' }));
      },
    });
    const page = await callbackWithCode(testApp);
    assert.equal(appError(page).code, 'PROVIDER_BAD_RESPONSE');
    assertNoSecrets(page, leaked);
    const [, callback] = await testApp.assertOneActionEach();
    const thrown = callback?.last?.[0] as OAuthError;
    assert.ok(!(thrown.bodyExcerpt ?? '').includes(leaked));
  });

  test('a 502 from the host is a provider error', { timeout: 10_000 }, async () => {
    const { testApp } = await appAgainst({
      tokens: (_req, res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<h1>502 Bad Gateway</h1>');
      },
    });
    const page = await callbackWithCode(testApp);
    assert.equal(page.status, 502);
    const error = appError(page);
    assert.equal(error.code, 'PROVIDER_ERROR');
    assert.match(error.message, /HTTP 502/);
    await testApp.assertOneActionEach();
  });

  test('a redirect (to a login page) is reported, not followed', { timeout: 10_000 }, async () => {
    const { testApp, provider } = await appAgainst({
      tokens: (_req, res) => {
        res.writeHead(302, { Location: '/wiki/Special:UserLogin' });
        res.end();
      },
    });
    const page = await callbackWithCode(testApp);
    const error = appError(page);
    assert.equal(error.code, 'PROVIDER_BAD_RESPONSE');
    assert.match(error.message, /HTTP 302 \(a redirect\)/);
    assert.deepEqual(provider.hits, ['POST /api/tokens']);
    await testApp.assertOneActionEach();
  });

  test('a profile without user_id is garbage; a 401 profile is a rejected token', {
    timeout: 10_000,
  }, async () => {
    const tokens = (_req: unknown, res: import('node:http').ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(tokenAnswer()));
    };
    const garbage = await appAgainst({
      tokens,
      user: (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ user_name: 'kenny2scratch' }));
      },
    });
    const first = appError(await callbackWithCode(garbage.testApp));
    assert.equal(first.code, 'PROVIDER_BAD_RESPONSE');
    assert.match(first.message, /expected a user as JSON with user_id and user_name/);
    await garbage.testApp.assertOneActionEach();

    const rejected = await appAgainst({ tokens, user: soa2Error(401, 'Unauthorized') });
    const page = await callbackWithCode(rejected.testApp);
    const second = appError(page);
    assert.equal(second.code, 'TOKEN_REJECTED');
    assert.equal(second.status, 401);
    assert.match(second.message, /rejected the access token/);
    assertNoSecrets(page, tokenAnswer().access_token);
    await rejected.testApp.assertOneActionEach();
  });

  test('an unreachable SOA2 is reported as such', { timeout: 10_000 }, async () => {
    const closed = await listen((_req, res) => res.end());
    const apiURL = `${closed.url}/api`;
    await closed.close();
    const testApp = await app({ apiURL });
    const page = await callbackWithCode(testApp);
    assert.equal(page.status, 502);
    const error = appError(page);
    assert.equal(error.code, 'PROVIDER_UNREACHABLE');
    assert.match(error.message, /SOA2 could not be reached for the authorization code exchange/);
    assert.match(error.message, /ECONNREFUSED/);
    await testApp.assertOneActionEach();
  });
});
