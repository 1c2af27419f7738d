/**
 * Both strategies inside a Fastify 5 app, as Fastify users write it: `@fastify/passport` with
 * `@fastify/session` and `@fastify/cookie`, the strategies imported as ES modules
 * (`import { Strategy } from 'passport-exbo'`), and full logins over HTTP against the fakes, with
 * relative and absolute callback URLs.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe } from 'node:test';
import fastifyCookie from '@fastify/cookie';
import { Authenticator } from '@fastify/passport';
import fastifySession from '@fastify/session';
import Fastify, { type FastifyInstance } from 'fastify';
import { Strategy as ExboStrategy } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { trackProcessErrors } from '../helpers/app.js';
import {
  type AppUser,
  allowAppCallbacks,
  createStrategies,
  LOGIN_ROUTES,
  loginTests,
} from './framework-logins.js';
import { type Fakes, startFakes } from './logins.js';

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
  for (const { name, strategy } of createStrategies(url, fakes, { ExboStrategy, Soa2Strategy })) {
    passport.use(name, strategy);
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
  loginTests(() => url);
});
