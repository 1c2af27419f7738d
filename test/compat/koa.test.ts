/**
 * Both strategies inside a Koa 3 app, as Koa users write it: `koa-passport` with `koa-session` and
 * `@koa/router`, the strategies loaded with `require('passport-exbo').Strategy` (Koa apps are
 * often CommonJS), and full logins over HTTP against the fakes, with relative and absolute
 * callback URLs.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import passport from 'koa-passport';
import { createSession } from 'koa-session';
import type * as PassportExbo from 'passport-exbo';
import type * as PassportSoa2 from 'passport-soa2';
import { trackProcessErrors } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import {
  allowAppCallbacks,
  LOGIN_ROUTES,
  logIn,
  strategyOptions,
  verifyExbo,
  verifySoa2,
} from './framework-logins.js';
import { type Fakes, json, startFakes } from './logins.js';

const require = createRequire(import.meta.url);
const ExboStrategy: typeof PassportExbo.Strategy = require('passport-exbo').Strategy;
const Soa2Strategy: typeof PassportSoa2.Strategy = require('passport-soa2').Strategy;

/** Each test is a login or two over loopback: a hang fails here, not at the runner's limit. */
const TEST = { timeout: 20_000 };

let fakes: Fakes;
let server: Server;
let url: string;
const processErrors = trackProcessErrors();

/** The app a Koa user writes, following koa-passport's README. */
async function startApp(): Promise<{ server: Server; url: string }> {
  const app = new Koa();
  app.keys = ['a Koa cookie signing key'];
  app.use(createSession(app, { key: 'app.sid' }));
  app.use(passport.initialize());
  app.use(passport.session());
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));

  const router = new Router();
  for (const route of LOGIN_ROUTES) {
    router.get(`/auth/${route.name}`, passport.authenticate(route.name));
    router.get(
      `/auth/${route.name}/callback`,
      passport.authenticate(route.name, {
        successRedirect: '/me',
        failureRedirect: '/login',
        failureMessage: true,
      }),
    );
  }
  router.get('/me', (ctx) => {
    ctx.status = ctx.isAuthenticated() ? 200 : 401;
    ctx.body = { user: ctx.state.user ?? null };
  });
  router.get('/login', (ctx) => {
    ctx.status = 401;
    ctx.body = { messages: ctx.session?.messages ?? [] };
  });
  router.post('/logout', async (ctx) => {
    await ctx.logout();
    ctx.redirect('/me');
  });
  app.use(router.routes());

  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // The absolute callback URLs need the port: the strategies are registered once it is known
  // (authenticate() looks them up by name per request).
  for (const route of LOGIN_ROUTES) {
    const options = strategyOptions(route, url, fakes);
    passport.use(
      route.name,
      route.provider === 'exbo'
        ? new ExboStrategy(options as PassportExbo.ExboStrategyOptions, verifyExbo)
        : new Soa2Strategy(options as PassportSoa2.Soa2StrategyOptions, verifySoa2),
    );
  }
  return { server, url };
}

before(async () => {
  fakes = await startFakes();
  ({ server, url } = await startApp());
  allowAppCallbacks(fakes, url);
});

after(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await fakes?.close();
  processErrors.stop();
  assert.deepEqual(processErrors.errors, [], 'no unhandled rejection or uncaught exception');
});

describe('Koa 3 + koa-passport + koa-session + @koa/router', () => {
  for (const route of LOGIN_ROUTES) {
    test(
      `${route.provider}, ${route.callback} callback URL: a full login signs in, logout ends it`,
      TEST,
      async () => {
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
    const browser = new Browser();
    const done = await logIn(browser, url, LOGIN_ROUTES[0]!, { decision: 'deny' });

    assert.equal(new URL(done.url).pathname, '/login', done.text);
    assert.match(json(done).messages.join(' '), /denied|declined/i);
    assert.equal((await browser.get(`${url}/me`)).status, 401);
  });

  test('a replayed callback fails cleanly: the state was used up', TEST, async () => {
    const browser = new Browser();
    const consent = await browser.get(`${url}/auth/exbo`);
    const back = await browser.submit(consent, 'approve', {}, { follow: false });
    const callback = back.headers.get('location') ?? '';
    assert.equal((await browser.get(callback)).status, 200);

    const replay = await browser.get(callback);

    assert.equal(new URL(replay.url).pathname, '/login', replay.text);
    assert.match(json(replay).messages.join(' '), /state|session|completed/i);
  });
});
