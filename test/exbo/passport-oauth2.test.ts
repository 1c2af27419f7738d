/**
 * What passport-exbo relies on inside passport-oauth2 (src/passport-oauth2.ts), pinned to `~1.8`:
 * if an upgrade moves the code exchange off `_oauth2.getOAuthAccessToken`, stops wrapping its
 * errors with `_createOAuthError`, or renames the methods the Strategy overrides, this fails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import type { ExboFake } from '@exbo-soa2/fakes';
import { isOAuthError, Strategy } from 'passport-exbo';
import { startTestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { CLIENT_ID, CLIENT_SECRET, startFake, tokenRequests } from './setup.js';

// passport-oauth2 as passport-exbo resolves it (its own dependency).
const require = createRequire(
  new URL('../../packages/passport-exbo/package.json', import.meta.url),
);
const OAuth2Strategy = require('passport-oauth2');
const installed = JSON.parse(readFileSync(require.resolve('passport-oauth2/package.json'), 'utf8'));

/** What the integration touches, as passport-oauth2 exposes it. */
interface Internals {
  _oauth2: {
    getOAuthAccessToken(
      code: string,
      params: Record<string, unknown>,
      callback: (err: unknown, access?: string, refresh?: string, params?: object) => void,
    ): void;
  };
  _createOAuthError(message: string, err: unknown): Error;
}

let fake: ExboFake;
before(async () => {
  fake = await startFake();
});
after(async () => {
  await fake.close();
});

function strategy(): Strategy & Internals {
  return new Strategy(
    {
      clientID: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      callbackURL: '/callback/exbo',
      baseURL: fake.url,
    },
    (_a, _r, profile, done) => done(null, { id: profile.id }),
  ) as Strategy & Internals;
}

test('passport-exbo depends on passport-oauth2 ~1.8, and 1.8 is what is installed', () => {
  const pkg = JSON.parse(readFileSync('packages/passport-exbo/package.json', 'utf8'));
  assert.equal(pkg.dependencies['passport-oauth2'], '~1.8.0');
  assert.match(installed.version, /^1\.8\.\d+$/);
});

test('the methods the Strategy overrides and calls exist where passport-oauth2 1.8 has them', () => {
  for (const method of [
    'authenticate',
    'authorizationParams',
    'userProfile',
    '_createOAuthError',
  ]) {
    assert.equal(typeof OAuth2Strategy.prototype[method], 'function', method);
  }
  const source = readFileSync(require.resolve('passport-oauth2/lib/strategy.js'), 'utf8');
  // The code exchange and its error wrapping, as authenticate() performs them.
  assert.match(source, /self\._oauth2\.getOAuthAccessToken\(code, params,/);
  assert.match(source, /self\._createOAuthError\('Failed to obtain access token', err\)/);
  assert.ok(strategy() instanceof OAuth2Strategy);
});

test('the code exchange is routed to the client, and its errors pass through unchanged', {
  timeout: 10_000,
}, async () => {
  const s = strategy();
  const err = await new Promise<unknown>((resolve) =>
    s._oauth2.getOAuthAccessToken(
      'not-a-code',
      { grant_type: 'authorization_code', redirect_uri: 'http://127.0.0.1:9/auth/exbo/callback' },
      (e) => resolve(e),
    ),
  );
  assert.ok(isOAuthError(err), String(err));
  assert.equal(err.code, 'CODE_REJECTED');
  assert.equal(s._createOAuthError('Failed to obtain access token', err), err);
  const [sent] = tokenRequests(fake, 'authorization_code').slice(-1);
  assert.match(String(sent?.headers['user-agent']), /^passport-exbo\//, 'sent by our transport');
  // Anything else is still wrapped, as passport-oauth2 does.
  const other = s._createOAuthError('Failed to obtain access token', new Error('boom'));
  assert.equal(other.message, 'Failed to obtain access token');
});

test('a refresh through the same method (passport-oauth2-refresh) is the client refresh', {
  timeout: 10_000,
}, async () => {
  const s = strategy();
  const mark = fake.requests.length;
  const err = await new Promise<unknown>((resolve) =>
    s._oauth2.getOAuthAccessToken('not-a-refresh-token', { grant_type: 'refresh_token' }, (e) =>
      resolve(e),
    ),
  );
  assert.ok(isOAuthError(err), String(err));
  assert.equal(err.code, 'REFRESH_REJECTED');
  const sent = fake.requests.slice(mark).find((r) => r.path.endsWith('/oauth/token'));
  assert.ok(sent);
  const form = new URLSearchParams(sent.body);
  assert.equal(form.get('grant_type'), 'refresh_token');
  assert.equal(form.get('scope'), '');
});

test('a whole login goes through the routed exchange', { timeout: 15_000 }, async () => {
  const s = strategy();
  const app = await startTestApp({ strategies: [s] });
  try {
    fake.addClient({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${app.url}/callback/exbo`],
    });
    const browser = new Browser();
    const consent = await browser.get(`${app.url}/login/exbo`);
    const mark = fake.requests.length;
    const done = await browser.submit(consent, 'approve', {});
    assert.equal(done.status, 200, done.text);
    const exchange = fake.requests.slice(mark).find((r) => r.path.endsWith('/oauth/token'));
    assert.match(String(exchange?.headers['user-agent']), /^passport-exbo\//);
  } finally {
    await app.close();
  }
});
