/**
 * What the session-less compatibility tests share: both strategies with their login state in a
 * cookie (`state: { cookie: { secret } }`), the routes an Express-style app without
 * express-session writes (`session: false`, a signed token issued after login), and the tests
 * every framework's app passes: a login, app state, and the callbacks that must fail (replayed,
 * from another browser, forged, expired).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type * as PassportExbo from 'passport-exbo';
import type { ExboProfile, VerifyCallback } from 'passport-exbo';
import type * as PassportSoa2 from 'passport-soa2';
import type { Soa2Profile } from 'passport-soa2';
import { Browser, type Page } from '../helpers/browser.js';
import { bearer, issueToken, readToken } from '../helpers/login-token.js';
import { EXBO_CLIENT, type Fakes, json, SOA2_CLIENT } from './logins.js';

/** The apps' cookie secret: at least 32 characters. */
export const COOKIE_SECRET = 'session-less test apps: the login state cookie secret';
/** The `-short` strategies' `stateMaxAge`: a login older than this fails. */
export const SHORT_MAX_AGE_MS = 1000;

/** `exbo`, `soa2`, and the same with a short `stateMaxAge`: `exbo-short`, `soa2-short`. */
export const SESSIONLESS_ROUTES = ['exbo', 'soa2', 'exbo-short', 'soa2-short'] as const;
const USERS = {
  exbo: { provider: 'exbo', id: '90102', name: 'Test-1' },
  soa2: { provider: 'soa2', id: '10114764', name: 'kenny2scratch' },
};

export interface StrategyClasses {
  ExboStrategy: typeof PassportExbo.Strategy;
  Soa2Strategy: typeof PassportSoa2.Strategy;
}

function verifyExbo(_access: string, _refresh: string, profile: ExboProfile, done: VerifyCallback) {
  done(null, { provider: profile.provider, id: profile.id, name: profile.displayName });
}
function verifySoa2(_access: string, _refresh: string, profile: Soa2Profile, done: VerifyCallback) {
  done(null, { provider: profile.provider, id: profile.id, name: profile.username });
}

/** The strategies of {@link SESSIONLESS_ROUTES}, relative callback URLs, state in a cookie. */
export function sessionlessStrategies(
  fakes: Fakes,
  { ExboStrategy, Soa2Strategy }: StrategyClasses,
): Array<PassportExbo.Strategy | PassportSoa2.Strategy> {
  return SESSIONLESS_ROUTES.map((name) => {
    const common = {
      name,
      callbackURL: `/auth/${name}/callback`,
      state: { cookie: { secret: COOKIE_SECRET } },
      ...(name.endsWith('-short') && { stateMaxAge: SHORT_MAX_AGE_MS }),
    };
    return name.startsWith('exbo')
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
  });
}

/** Registers the callback URLs of an app at `appURL` with the fakes. */
export function allowSessionlessCallbacks(fakes: Fakes, appURL: string): void {
  const urls = (provider: string) =>
    SESSIONLESS_ROUTES.filter((name) => name.startsWith(provider)).map(
      (name) => `${appURL}/auth/${name}/callback`,
    );
  fakes.allowCallbacks({ exbo: urls('exbo'), soa2: urls('soa2') });
}

// The Express-style types the routes need, so one function serves Express 4, Express 5 and
// @fastify/express (their own types differ).
interface RouteRequest {
  params: Record<string, string>;
  query: Record<string, unknown>;
  headers: Record<string, string | string[] | undefined>;
}
interface RouteResponse {
  status(code: number): RouteResponse;
  json(body: unknown): void;
}
type Next = (err?: unknown) => void;
type Handler = (req: RouteRequest, res: RouteResponse, next: Next) => void;
interface RouterLike {
  get(path: string, handler: Handler): unknown;
}
type AuthenticateCallback = (err: unknown, user: unknown, info: unknown, status: unknown) => void;
export interface PassportLike {
  authenticate(name: string, options: object, callback?: AuthenticateCallback): Handler;
}

/**
 * The routes of a session-less app: `GET /auth/:name` (`?returnTo=` travels as app state),
 * `GET /auth/:name/callback` → `{ token, user, state }` (`state` is Passport's `info.state`, what
 * `req.authInfo.state` holds without a custom callback) or the failure as `{ messages }` with its
 * status, `GET /me` with `Authorization: Bearer <token>` → `{ user }` or 401.
 */
export function sessionlessRoutes(router: RouterLike, passport: PassportLike): void {
  router.get('/auth/:name', (req, res, next) => {
    const { returnTo } = req.query;
    const state = typeof returnTo === 'string' ? { returnTo } : undefined;
    passport.authenticate(req.params.name as string, { session: false, state })(req, res, next);
  });
  router.get('/auth/:name/callback', (req, res, next) => {
    passport.authenticate(
      req.params.name as string,
      { session: false },
      (err, user, info, status) => answerCallback(err, user, info, status, res, next),
    )(req, res, next);
  });
  router.get('/me', (req, res) => {
    const header = req.headers.authorization;
    const claims = readToken(bearer(typeof header === 'string' ? header : undefined));
    if (claims) res.json({ user: claims });
    else res.status(401).json({ user: null });
  });
}

/** A custom callback's answer: the token, or the failure's message with its status. */
export function answerCallback(
  err: unknown,
  user: unknown,
  info: unknown,
  status: unknown,
  res: RouteResponse,
  next: Next,
): void {
  if (err) return next(err);
  if (!user) {
    const message = (info as { message?: string } | undefined)?.message;
    res.status(typeof status === 'number' ? status : 401).json({ messages: [message] });
    return;
  }
  const state = (info as { state?: unknown } | undefined)?.state ?? null;
  res.json({ token: issueToken(user as object), user, state });
}

const TEST = { timeout: 20_000 };
const NOT_HERE = /not started in this browser, has expired, or was already completed/;

function provider(name: string): 'exbo' | 'soa2' {
  return name.startsWith('exbo') ? 'exbo' : 'soa2';
}

/**
 * Starts a login on `route` and approves it at the provider without following the redirect
 * back: the callback URL, and the state cookies the browser holds for it.
 */
export async function approvedCallback(
  browser: Browser,
  appURL: string,
  route: string,
  query = '',
): Promise<{ callback: string; cookies: string }> {
  const consent = await browser.get(`${appURL}/auth/${route}${query}`);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  const button = provider(route) === 'exbo' ? 'approve' : 'confirm';
  const back = await browser.submit(consent, button, {}, { follow: false });
  const callback = back.headers.get('location') ?? '';
  assert.match(callback, new RegExp(`/auth/${route}/callback\\?`), 'the provider sends it back');
  return { callback, cookies: await browser.jar.getCookieString(callback) };
}

/** GET `url` with exactly this `Cookie` header: a copied cookie, as an attacker would send it. */
export async function getWithCookies(url: string, cookies: string): Promise<Page> {
  const res = await fetch(url, { headers: { Cookie: cookies }, redirect: 'manual' });
  return { url, status: res.status, headers: res.headers, text: await res.text(), hops: [] };
}

function failure(page: Page): string {
  assert.equal(page.status, 403, page.text);
  return (json(page).messages as string[]).join(' ');
}

/** Our state cookies (`passport-<name>.<8 characters>`) among a `Cookie` string. */
export function stateCookies(cookies: string, route: string): string[] {
  return cookies
    .split('; ')
    .filter((pair) => new RegExp(`^passport-${route}\\.[\\w-]{8}=`).test(pair));
}

/**
 * The tests every session-less app passes, inside the caller's `describe`. The app serves
 * {@link sessionlessRoutes} at `appURL()`.
 */
export function sessionlessTests(appURL: () => string): void {
  for (const route of ['exbo', 'soa2'] as const) {
    test(
      `${route}: a login without a session issues a token, app state comes back`,
      TEST,
      async () => {
        const url = appURL();
        const browser = new Browser();
        const consent = await browser.get(`${url}/auth/${route}?returnTo=/clan/7`);
        const start = consent.hops[0];
        assert.equal(start?.status, 302);
        const { callback, cookies } = await approvedCallback(
          browser,
          url,
          route,
          '?returnTo=/clan/7',
        );
        assert.equal(stateCookies(cookies, route).length, 2, 'one cookie per pending login');

        const done = await browser.get(callback);

        assert.equal(done.status, 200, done.text);
        const body = json(done);
        assert.deepEqual(body.user, USERS[route]);
        assert.deepEqual(
          body.state,
          { returnTo: '/clan/7' },
          'the app state travels in the cookie',
        );
        const setCookies = done.headers.getSetCookie();
        assert.ok(
          setCookies.every((c) => c.startsWith(`passport-${route}.`) && /Max-Age=0/.test(c)),
          `the callback only clears the used state cookie: ${setCookies.join(' | ')}`,
        );
        const left = stateCookies(await browser.jar.getCookieString(callback), route);
        assert.equal(left.length, 1, 'the used cookie is gone, the other pending login stays');
        const me = await fetch(`${url}/me`, { headers: { Authorization: `Bearer ${body.token}` } });
        assert.deepEqual(((await me.json()) as { user: unknown }).user, USERS[route]);
        assert.equal((await fetch(`${url}/me`)).status, 401);
      },
    );

    test(
      `${route}: the state cookie is HttpOnly, SameSite=Lax, scoped and short-lived`,
      TEST,
      async () => {
        const res = await fetch(`${appURL()}/auth/${route}`, { redirect: 'manual' });
        assert.equal(res.status, 302);
        const [cookie, ...others] = res.headers.getSetCookie();
        assert.deepEqual(others, [], 'one cookie, and no session cookie');
        assert.match(cookie ?? '', new RegExp(`^passport-${route}\\.[\\w-]{8}=[\\w-]+; `));
        assert.match(
          cookie ?? '',
          new RegExp(`; Max-Age=600; Path=/auth/${route}; HttpOnly; SameSite=Lax$`),
        );
        const state = new URL(res.headers.get('location') ?? '').searchParams.get('state') ?? '';
        assert.ok(
          cookie?.startsWith(`passport-${route}.${state.slice(0, 8)}=`),
          'named by the handle',
        );
      },
    );

    test(
      `${route}: a replayed callback fails, from the browser and with a copied cookie`,
      TEST,
      async () => {
        const url = appURL();
        const browser = new Browser();
        const { callback, cookies } = await approvedCallback(browser, url, route);
        assert.equal((await browser.get(callback)).status, 200);

        assert.match(failure(await browser.get(callback)), NOT_HERE, 'the cookie was cleared');
        // The cookie copied before use: this instance remembers the handle as used.
        assert.match(failure(await getWithCookies(callback, cookies)), NOT_HERE);
      },
    );

    test(`${route}: a callback in another browser fails`, TEST, async () => {
      const url = appURL();
      const { callback } = await approvedCallback(new Browser(), url, route);
      const other = new Browser();
      await other.get(`${url}/auth/${route}`); // that browser has a pending login of its own

      assert.match(failure(await other.get(callback)), NOT_HERE);
    });

    test(`${route}: a forged cookie or state fails`, TEST, async () => {
      const url = appURL();
      const { callback, cookies } = await approvedCallback(new Browser(), url, route);
      const [pair = ''] = stateCookies(cookies, route);
      const at = pair.length - 5;
      const flipped = `${pair.slice(0, at)}${pair[at] === 'A' ? 'B' : 'A'}${pair.slice(at + 1)}`;

      const forgedCookie = await getWithCookies(callback, flipped);
      assert.match(failure(forgedCookie), /not one this app made/);
      const target = new URL(callback);
      const state = target.searchParams.get('state') ?? '';
      target.searchParams.set('state', `${state.slice(0, 8)}${'x'.repeat(35)}`);
      assert.match(failure(await getWithCookies(target.toString(), pair)), NOT_HERE);
      // Untouched, it still works: the forgeries did not use it up.
      assert.equal((await getWithCookies(callback, pair)).status, 200);
    });

    test(`${route}: a login older than stateMaxAge fails`, TEST, async () => {
      const url = appURL();
      const browser = new Browser();
      const { callback, cookies } = await approvedCallback(browser, url, `${route}-short`);
      await new Promise((resolve) => setTimeout(resolve, SHORT_MAX_AGE_MS + 200));

      assert.match(failure(await browser.get(callback)), NOT_HERE, 'the browser dropped it');
      assert.match(
        failure(await getWithCookies(callback, cookies)),
        /took too long and has expired/,
      );
    });
  }
}
