/**
 * Both strategies inside a Fastify 5 app, as Fastify users write it: `@fastify/passport` with
 * `@fastify/session` and `@fastify/cookie`, the strategies imported as ES modules
 * (`import { Strategy } from 'passport-exbo'`), and full logins over HTTP against the fakes, with
 * relative and absolute callback URLs.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fastifyCookie from '@fastify/cookie';
import { Authenticator } from '@fastify/passport';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance } from 'fastify';
import { Strategy as ExboStrategy, type ExboStrategyOptions } from 'passport-exbo';
import { Strategy as Soa2Strategy, type Soa2StrategyOptions } from 'passport-soa2';
import { trackProcessErrors } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import {
  type AppUser,
  allowAppCallbacks,
  LOGIN_ROUTES,
  logIn,
  strategyOptions,
  verifyExbo,
  verifySoa2,
} from './framework-logins.js';
import { type Fakes, json, startFakes } from './logins.js';

/** Each test is a login or two over loopback: a hang fails here, not at the runner's limit. */
const TEST = { timeout: 20_000 };

let fakes: Fakes;
let app: FastifyInstance;
let url: string;
const processErrors = trackProcessErrors();

/** The app a Fastify user writes, following @fastify/passport's README. */
async function startApp(): Promise<{ app: FastifyInstance; url: string }> {
  const passport = new Authenticator();
  const app = Fastify();
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    secret: 'a Fastify session secret, at least 32 characters long',
    cookieName: 'app.sid',
    cookie: { secure: 'auto' }, // as the README has it: no Secure attribute over plain http
    saveUninitialized: false,
  });
  await app.register(passport.initialize());
  await app.register(passport.secureSession());
  passport.registerUserSerializer(async (user: AppUser) => user);
  passport.registerUserDeserializer(async (user: AppUser) => user);

  for (const route of LOGIN_ROUTES) {
    app.get(`/auth/${route.name}`, { preValidation: passport.authenticate(route.name) }, () => {});
    app.get(
      `/auth/${route.name}/callback`,
      {
        preValidation: passport.authenticate(route.name, {
          failureRedirect: '/login',
          failureMessage: true,
        }),
      },
      (_request, reply) => reply.redirect('/me'),
    );
  }
  app.get('/me', async (request, reply) =>
    request.isAuthenticated() ? { user: request.user } : reply.code(401).send({ user: null }),
  );
  app.get('/login', async (request, reply) =>
    reply.code(401).send({ messages: request.session.get('messages') ?? [] }),
  );
  // The logout form's body is not needed: read it as text instead of adding @fastify/formbody.
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_request, body, done) => done(null, body),
  );
  app.post('/logout', async (request, reply) => {
    await request.logOut();
    return reply.redirect('/me');
  });

  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  // The absolute callback URLs need the port: the strategies are registered once it is known
  // (authenticate() looks them up by name per request).
  for (const route of LOGIN_ROUTES) {
    const options = strategyOptions(route, url, fakes);
    passport.use(
      route.name,
      route.provider === 'exbo'
        ? new ExboStrategy(options as ExboStrategyOptions, verifyExbo)
        : new Soa2Strategy(options as Soa2StrategyOptions, verifySoa2),
    );
  }
  return { app, url };
}

before(async () => {
  fakes = await startFakes();
  ({ app, url } = await startApp());
  allowAppCallbacks(fakes, url);
});

after(async () => {
  await app?.close();
  await fakes?.close();
  processErrors.stop();
  assert.deepEqual(processErrors.errors, [], 'no unhandled rejection or uncaught exception');
});

describe('Fastify 5 + @fastify/passport + @fastify/session', () => {
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
