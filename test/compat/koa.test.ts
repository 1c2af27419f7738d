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
import { after, before, describe } from 'node:test';
import Router from '@koa/router';
import Koa from 'koa';
import passport from 'koa-passport';
import { createSession } from 'koa-session';
import type * as PassportExbo from 'passport-exbo';
import type * as PassportSoa2 from 'passport-soa2';
import { trackProcessErrors } from '../helpers/app.js';
import {
  allowAppCallbacks,
  createStrategies,
  LOGIN_ROUTES,
  loginTests,
} from './framework-logins.js';
import { type Fakes, startFakes } from './logins.js';

const require = createRequire(import.meta.url);
const ExboStrategy: typeof PassportExbo.Strategy = require('passport-exbo').Strategy;
const Soa2Strategy: typeof PassportSoa2.Strategy = require('passport-soa2').Strategy;

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
  for (const { name, strategy } of createStrategies(url, fakes, { ExboStrategy, Soa2Strategy })) {
    passport.use(name, strategy);
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
  loginTests(() => url);
});
