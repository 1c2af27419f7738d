/**
 * The two callback steps core login-flow.ts gives passport-soa2 (`skipUserProfile`, app state back
 * as `info.state`) decide exactly as passport-oauth2 1.8 decides them for passport-exbo: each case
 * runs through a real `OAuth2Strategy` (its code exchange answered in-process, the seam
 * passport-exbo uses too: packages/passport-exbo/src/passport-oauth2.ts) and through core.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { skipsProfile, withAppState } from '@exbo-soa2/core';

const require = createRequire(import.meta.url);

type Skip = Parameters<typeof skipsProfile>[0];

/** What a login ended in, seen from the steps under test. */
interface Ending {
  outcome: 'success' | 'error';
  profileLoaded?: boolean;
  tokenSeen?: unknown;
  info?: unknown;
  message?: string;
}

const TOKEN = 'the-access-token';

function viaPassportOAuth2(skip: unknown, verifyInfo: unknown, appState: unknown): Promise<Ending> {
  const OAuth2Strategy = require('passport-oauth2');
  return new Promise((resolve, reject) => {
    let profileLoaded = false;
    const store = {
      store: (_req: unknown, _state: unknown, _meta: unknown, done: (e: null, h: string) => void) =>
        done(null, 'handle'),
      verify: (_req: unknown, _h: unknown, _meta: unknown, done: (...a: unknown[]) => void) =>
        done(null, true, appState),
    };
    const strategy = new OAuth2Strategy(
      {
        authorizationURL: 'http://127.0.0.1:9/authorize',
        tokenURL: 'http://127.0.0.1:9/token',
        clientID: '1',
        callbackURL: 'http://127.0.0.1:9/callback',
        skipUserProfile: skip,
        store,
      },
      (_a: string, _r: string, _profile: unknown, done: (...a: unknown[]) => void) =>
        done(null, { id: 1 }, verifyInfo),
    );
    strategy._oauth2.getOAuthAccessToken = (
      _c: string,
      _p: object,
      done: (...a: unknown[]) => void,
    ) => done(null, TOKEN, 'refresh', {});
    strategy.userProfile = (_token: string, done: (e: null, p: object) => void) => {
      profileLoaded = true;
      done(null, {});
    };
    let tokenSeen: unknown;
    if (typeof skip === 'function' && skip.length > 1) {
      const original = skip;
      strategy._skipUserProfile = (token: unknown, done: unknown) => {
        tokenSeen = token;
        return original(token, done);
      };
    }
    const actions = Object.create(strategy);
    actions.success = (_user: unknown, info: unknown) =>
      resolve({ outcome: 'success', profileLoaded, tokenSeen, info: structuredClone(info) });
    actions.error = (err: Error) => resolve({ outcome: 'error', message: err.message });
    actions.fail = () => reject(new Error('passport-oauth2 failed the login'));
    actions.redirect = () => reject(new Error('passport-oauth2 redirected'));
    actions.authenticate({ query: { code: 'code', state: 'handle' } }, {});
  });
}

async function viaCore(skip: unknown, verifyInfo: unknown, appState: unknown): Promise<Ending> {
  let tokenSeen: unknown;
  let asked = skip;
  if (typeof skip === 'function' && skip.length > 1) {
    asked = (token: unknown, done: unknown) => {
      tokenSeen = token;
      return skip(token, done);
    };
  }
  try {
    const skipped = await skipsProfile(asked as Skip, TOKEN);
    const info = withAppState(verifyInfo, appState);
    return { outcome: 'success', profileLoaded: !skipped, tokenSeen, info };
  } catch (err) {
    return { outcome: 'error', message: (err as Error).message };
  }
}

const SKIPS: [string, unknown][] = [
  ['undefined', undefined],
  ['false', false],
  ['true', true],
  ['a truthy string', 'yes'],
  ['0', 0],
  ['() => true', () => true],
  ['() => false', () => false],
  ['(x) => 1', (_x: unknown) => 1],
  [
    '(token, done) => done(null, true)',
    (_t: string, done: (e: null, s: boolean) => void) => done(null, true),
  ],
  [
    '(token, done) => done(null, false)',
    (_t: string, done: (e: null, s: boolean) => void) => done(null, false),
  ],
  [
    '(token, done) => done(null, "x")',
    (_t: string, done: (e: null, s: string) => void) => done(null, 'x'),
  ],
  [
    '(token, done) => done(error)',
    (_t: string, done: (e: Error) => void) => done(new Error('cannot decide')),
  ],
];

test('skipUserProfile: every form decides as passport-oauth2 decides', {
  timeout: 10_000,
}, async () => {
  for (const [name, skip] of SKIPS) {
    assert.deepEqual(
      await viaCore(skip, undefined, undefined),
      await viaPassportOAuth2(skip, undefined, undefined),
      name,
    );
  }
});

const APP_STATES: [string, unknown, unknown][] = [
  ['no info, no app state', undefined, undefined],
  ['no info, app state', undefined, { returnTo: '/settings' }],
  ['info, app state', { message: 'welcome' }, { returnTo: '/settings' }],
  ['info, no app state', { message: 'welcome' }, undefined],
  ['info with its own state, app state', { state: 'mine', scope: 'x' }, { returnTo: '/' }],
  ['info false, app state', false, { returnTo: '/' }],
];

test('app state comes back as info.state as passport-oauth2 returns it', {
  timeout: 10_000,
}, async () => {
  for (const [name, info, appState] of APP_STATES) {
    assert.deepEqual(
      await viaCore(false, info, appState),
      await viaPassportOAuth2(false, info, appState),
      name,
    );
  }
});

test("withAppState leaves the app's info object as it was", () => {
  const info = { message: 'welcome' };
  assert.deepEqual(withAppState(info, { returnTo: '/' }), {
    message: 'welcome',
    state: { returnTo: '/' },
  });
  assert.deepEqual(info, { message: 'welcome' });
});
