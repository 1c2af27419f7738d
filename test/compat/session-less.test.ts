/**
 * Logins without a server session: both strategies with `state: { cookie: { secret } }` in apps
 * that have no session middleware at all (`session: false`, a signed token issued after login),
 * on Express 4, Express 5, Fastify 5 (through @fastify/express, which gives strategies Express's
 * `req.res`) and Koa 3 (koa-passport), against the fakes. Each app passes the same tests
 * (session-less-logins.ts): login and app state, replay, another browser, forgery, expiry.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fastifyExpress from '@fastify/express';
import Router from '@koa/router';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import KoaPassport from 'koa-passport';
import { Passport } from 'passport';
import { Strategy as ExboStrategy } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { trackProcessErrors } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { bearer, issueToken, readToken } from '../helpers/login-token.js';
import { listen, type RunningServer } from '../helpers/server.js';
import { type Fakes, json, startFakes } from './logins.js';
import {
  allowSessionlessCallbacks,
  approvedCallback,
  type PassportLike,
  sessionlessRoutes,
  sessionlessStrategies,
  sessionlessTests,
} from './session-less-logins.js';

const require = createRequire(import.meta.url);
/** Express 4, installed under another name (package.json: `"express4": "npm:express@4…"`). */
const express4 = require('express4') as typeof express;

let fakes: Fakes;
const processErrors = trackProcessErrors();

before(async () => {
  fakes = await startFakes();
});

after(async () => {
  await fakes?.close();
  processErrors.stop();
  assert.deepEqual(processErrors.errors, [], 'no unhandled rejection or uncaught exception');
});

/** A Passport with the session-less strategies: `passport.initialize()` only, no session. */
function sessionlessPassport(): InstanceType<typeof Passport> {
  const passport = new Passport();
  for (const strategy of sessionlessStrategies(fakes, { ExboStrategy, Soa2Strategy })) {
    passport.use(strategy);
  }
  return passport;
}

/** An Express app without express-session, as a token-issuing app writes it. */
async function startExpressApp(expressPackage: typeof express): Promise<RunningServer> {
  const passport = sessionlessPassport();
  const app = expressPackage();
  app.use(passport.initialize());
  sessionlessRoutes(app as never, passport as unknown as PassportLike);
  const running = await listen(app as never);
  allowSessionlessCallbacks(fakes, running.url);
  return running;
}

for (const [label, pkg] of [
  ['Express 4', express4],
  ['Express 5', express],
] as const) {
  describe(`${label}, no session middleware`, () => {
    let app: RunningServer;
    before(async () => {
      app = await startExpressApp(pkg);
    });
    after(() => app?.close());
    sessionlessTests(() => app.url);

    test('the app keeps its own Set-Cookie values', { timeout: 10_000 }, async () => {
      const passport = sessionlessPassport();
      const own = pkg();
      own.use((_req, res, next) => {
        res.setHeader('Set-Cookie', ['app.pref=dark; Path=/', 'app.lang=ru; Path=/']);
        next();
      });
      own.get('/auth/exbo', passport.authenticate('exbo', { session: false }));
      const running = await listen(own as never);
      try {
        const res = await fetch(`${running.url}/auth/exbo`, { redirect: 'manual' });
        const cookies = res.headers.getSetCookie();
        assert.equal(cookies.length, 3, cookies.join(' | '));
        assert.deepEqual(cookies.slice(0, 2), ['app.pref=dark; Path=/', 'app.lang=ru; Path=/']);
        assert.match(cookies[2] ?? '', /^passport-exbo\./);
      } finally {
        await running.close();
      }
    });
  });
}

describe('Fastify 5 + @fastify/express, no session', () => {
  let url: string;
  let close: () => Promise<void>;
  before(async () => {
    const passport = sessionlessPassport();
    const app = Fastify();
    await app.register(fastifyExpress);
    const router = express.Router();
    router.use(passport.initialize());
    sessionlessRoutes(router as never, passport as unknown as PassportLike);
    app.use(router);
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    allowSessionlessCallbacks(fakes, url);
    close = () => app.close();
  });
  after(() => close?.());
  sessionlessTests(() => url);
});

describe('Koa 3 + koa-passport, no session', () => {
  let server: Server;
  let url: string;
  before(async () => {
    // koa-passport exports one Authenticator: the strategies are registered on it by name.
    for (const strategy of sessionlessStrategies(fakes, { ExboStrategy, Soa2Strategy })) {
      KoaPassport.use(strategy);
    }
    const app = new Koa();
    app.use(KoaPassport.initialize());
    const router = new Router();
    router.get('/auth/:name', (ctx, next) => {
      const { returnTo } = ctx.query;
      const state = typeof returnTo === 'string' ? { returnTo } : undefined;
      return KoaPassport.authenticate(
        ctx.params.name as string,
        {
          session: false,
          state,
        } as never,
      )(ctx, next);
    });
    router.get('/auth/:name/callback', (ctx, next) =>
      KoaPassport.authenticate(
        ctx.params.name as string,
        { session: false },
        async (err: unknown, user: unknown, info: unknown, status: unknown) => {
          if (err) throw err;
          if (!user) {
            ctx.status = typeof status === 'number' ? status : 401;
            ctx.body = { messages: [(info as { message?: string } | undefined)?.message] };
            return;
          }
          const state = (info as { state?: unknown } | undefined)?.state ?? null;
          ctx.body = { token: issueToken(user as object), user, state };
        },
      )(ctx, next),
    );
    router.get('/me', (ctx) => {
      const claims = readToken(bearer(ctx.get('authorization') || undefined));
      ctx.status = claims ? 200 : 401;
      ctx.body = { user: claims ?? null };
    });
    app.use(router.routes());
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    allowSessionlessCallbacks(fakes, url);
  });
  after(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });
  sessionlessTests(() => url);
});

test('without a response to set the cookie on, the login fails with RESPONSE_REQUIRED', {
  timeout: 10_000,
}, async () => {
  const [strategy] = sessionlessStrategies(fakes, { ExboStrategy, Soa2Strategy });
  const errors: unknown[] = [];
  const actions = Object.assign(Object.create(strategy as object), {
    error: (err: unknown) => errors.push(err),
    redirect: () => errors.push('redirected'),
  });
  // A bare request, as a framework that gives strategies no `req.res` hands it.
  actions.authenticate({ url: '/auth/exbo', headers: { host: '127.0.0.1' }, query: {} }, {});
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as { code?: string }).code, 'RESPONSE_REQUIRED');
});

describe('Express 5, no custom callback: the app state is req.authInfo.state', () => {
  let app: RunningServer;
  before(async () => {
    const passport = sessionlessPassport();
    const own = express();
    own.use(passport.initialize());
    // As the README writes it: the app state given to authenticate at the start …
    own.get('/auth/:name', (req, res, next) =>
      passport.authenticate(req.params.name, {
        session: false,
        state: { returnTo: '/x' },
      } as never)(req, res, next),
    );
    // … comes back on the callback as req.authInfo.state, with req.user set by Passport.
    own.get(
      '/auth/:name/callback',
      (req, res, next) =>
        passport.authenticate(req.params.name, { session: false })(req, res, next),
      (req, res) => {
        res.json({ user: req.user, authInfo: req.authInfo });
      },
    );
    app = await listen(own as never);
    allowSessionlessCallbacks(fakes, app.url);
  });
  after(() => app?.close());

  for (const route of ['exbo', 'soa2'] as const) {
    test(`${route}: req.user and req.authInfo.state after the login`, {
      timeout: 20_000,
    }, async () => {
      const browser = new Browser();
      const { callback } = await approvedCallback(browser, app.url, route);
      const done = await browser.get(callback);
      assert.equal(done.status, 200, done.text);
      const body = json(done);
      assert.equal(body.user.provider, route);
      assert.deepEqual(body.authInfo, { state: { returnTo: '/x' } });
      const replay = await browser.get(callback);
      assert.equal(replay.status, 403, 'a replay fails without a custom callback too');
    });
  }
});
