/**
 * What the Fastify and Koa compatibility tests share: the four logins each app offers (both
 * strategies, each with a relative and an absolute callback URL), the verify that turns a
 * profile into the session's user, and a login driven through the consent page of either fake.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as PassportExbo from 'passport-exbo';
import type { ExboProfile, VerifyCallback } from 'passport-exbo';
import type * as PassportSoa2 from 'passport-soa2';
import type { Soa2Profile } from 'passport-soa2';
import { Browser, type Page } from '../helpers/browser.js';
import {
  EXBO_CLIENT,
  type Fakes,
  json,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
} from './logins.js';

/** What the apps keep in their sessions and answer at `/me`. */
export interface AppUser {
  provider: string;
  id: string;
  name: string;
}

export interface LoginRoute {
  /** The strategy's name and the route's: `/auth/${name}`, `/auth/${name}/callback`. */
  name: string;
  provider: 'exbo' | 'soa2';
  /** A relative callback URL is resolved from the request's own host, as behind any framework. */
  callback: 'relative' | 'absolute';
  /** The user the login signs in as. */
  user: AppUser;
}

/** Whom each provider's login signs in as: a Cyrillic name must survive each framework's session. */
const USERS: Record<LoginRoute['provider'], AppUser> = {
  exbo: { provider: 'exbo', id: '90103', name: 'Сталкер-Бандит' },
  soa2: { provider: 'soa2', id: '10114764', name: 'kenny2scratch' },
};

/** `exbo`, `exbo-absolute`, `soa2`, `soa2-absolute`. */
export const LOGIN_ROUTES: readonly LoginRoute[] = (['exbo', 'soa2'] as const).flatMap((provider) =>
  (['relative', 'absolute'] as const).map((callback) => ({
    name: callback === 'relative' ? provider : `${provider}-absolute`,
    provider,
    callback,
    user: USERS[provider],
  })),
);

/** The callback URL the strategy of `route` is given, for an app listening at `appURL`. */
export function callbackURL(route: LoginRoute, appURL: string): string {
  const path = `/auth/${route.name}/callback`;
  return route.callback === 'absolute' ? `${appURL}${path}` : path;
}

/** The strategy classes, as the test file loaded them (`import` or `require`). */
export interface StrategyClasses {
  ExboStrategy: typeof PassportExbo.Strategy;
  Soa2Strategy: typeof PassportSoa2.Strategy;
}

/** Passport verifies as most apps write them: callback style, the user from the profile. */
function verifyExbo(_access: string, _refresh: string, profile: ExboProfile, done: VerifyCallback) {
  done(null, { provider: profile.provider, id: profile.id, name: profile.displayName });
}

function verifySoa2(_access: string, _refresh: string, profile: Soa2Profile, done: VerifyCallback) {
  done(null, { provider: profile.provider, id: profile.id, name: profile.username });
}

/**
 * The strategy behind each of {@link LOGIN_ROUTES}, against the fakes, for an app listening at
 * `appURL` (the absolute callback URLs need its port: create them once it listens).
 */
export function createStrategies(
  appURL: string,
  fakes: Fakes,
  { ExboStrategy, Soa2Strategy }: StrategyClasses,
): Array<{ name: string; strategy: PassportExbo.Strategy | PassportSoa2.Strategy }> {
  return LOGIN_ROUTES.map((route) => {
    const common = { name: route.name, callbackURL: callbackURL(route, appURL) };
    const strategy =
      route.provider === 'exbo'
        ? new ExboStrategy(
            {
              ...common,
              clientID: EXBO_CLIENT.clientId,
              clientSecret: EXBO_CLIENT.clientSecret,
              baseURL: fakes.exbo.url,
            },
            verifyExbo,
          )
        : new Soa2Strategy(
            {
              ...common,
              clientID: SOA2_CLIENT.clientId,
              clientSecret: SOA2_CLIENT.clientSecret,
              baseURL: fakes.soa2.url,
            },
            verifySoa2,
          );
    return { name: route.name, strategy };
  });
}

/** Registers every route's absolute callback URL with the fakes, for an app at `appURL`. */
export function allowAppCallbacks(fakes: Fakes, appURL: string): void {
  const urls = (provider: string) =>
    LOGIN_ROUTES.filter((route) => route.provider === provider).map(
      (route) => `${appURL}/auth/${route.name}/callback`,
    );
  fakes.allowCallbacks({ exbo: urls('exbo'), soa2: urls('soa2') });
}

/** Logs in through `route` of the app at `appURL`; the answer to the callback, redirects followed. */
export function logIn(
  browser: Browser,
  appURL: string,
  route: LoginRoute,
  options: { decision?: 'approve' | 'deny' } = {},
): Promise<Page> {
  const start = `${appURL}/auth/${route.name}`;
  return route.provider === 'exbo'
    ? loginWithExbo(browser, start, { user: 'Сталкер', ...options })
    : loginWithSoa2(browser, start);
}

/** Each test is a login or two over loopback: a hang fails here, not at the runner's limit. */
const TEST = { timeout: 20_000 };

/**
 * The tests every framework's app passes, inside the caller's `describe`. The app serves the
 * routes of {@link LOGIN_ROUTES}, `GET /me` (`{ user }`, 401 without one), `GET /login` (401,
 * `{ messages }`: the failure messages), `POST /logout`; `appURL()` is where it listens.
 */
export function loginTests(appURL: () => string): void {
  for (const route of LOGIN_ROUTES) {
    test(
      `${route.provider}, ${route.callback} callback URL: a full login signs in, logout ends it`,
      TEST,
      async () => {
        const url = appURL();
        const browser = new Browser();
        assert.equal((await browser.get(`${url}/me`)).status, 401);

        const done = await logIn(browser, url, route);

        assert.equal(done.status, 200, done.text);
        assert.equal(done.url, `${url}/me`);
        assert.deepEqual(json(done).user, route.user);
        const callback = done.hops.find((hop) => hop.url.includes(`/auth/${route.name}/callback?`));
        assert.ok(callback, 'the provider sent the browser back to the callback route');
        const me = await browser.get(`${url}/me`);
        assert.deepEqual(json(me).user, route.user, 'the session keeps the user');

        const out = await browser.post(`${url}/logout`, {});
        assert.equal(out.status, 401, 'signed out');
      },
    );
  }

  test('EXBO: denying at EXBO ends at failureRedirect with the message', TEST, async () => {
    const url = appURL();
    const browser = new Browser();
    const done = await logIn(browser, url, LOGIN_ROUTES[0]!, { decision: 'deny' });

    assert.equal(new URL(done.url).pathname, '/login', done.text);
    assert.match(json(done).messages.join(' '), /denied|declined/i);
    assert.equal((await browser.get(`${url}/me`)).status, 401);
  });

  test('a replayed callback fails cleanly: the state was used up', TEST, async () => {
    const url = appURL();
    const browser = new Browser();
    const consent = await browser.get(`${url}/auth/exbo`);
    const back = await browser.submit(consent, 'approve', {}, { follow: false });
    const callback = back.headers.get('location') ?? '';
    assert.equal((await browser.get(callback)).status, 200);

    const replay = await browser.get(callback);

    assert.equal(new URL(replay.url).pathname, '/login', replay.text);
    assert.match(json(replay).messages.join(' '), /state|session|completed/i);
  });
}
