// One instance of a session-less app (no express-session: `session: false`, the login state in a
// cookie, an HS256 JWT issued after the login), run as its own process behind nginx by
// test/reliability/nginx-session-less.test.ts. Configured by the environment (the fakes' appEnv,
// STATE_COOKIE_SECRET, TRUST_PROXY=1); with REDIS_URL, the used login states are shared by the
// instances through the cookie store's `firstUse` hook (README "Login without a server session").
// Prints `listening <url>` once it accepts requests.
import { createHmac } from 'node:crypto';
import express from 'express';
import { Passport } from 'passport';
import { Strategy as ExboStrategy } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { createClient } from 'redis';

const env = process.env;
let firstUse;
if (env.REDIS_URL) {
  const redis = createClient({ url: env.REDIS_URL });
  await redis.connect();
  firstUse = async (id, ttlMs) =>
    (await redis.sendCommand(['SET', `login-state:${id}`, '1', 'NX', 'PX', String(ttlMs)])) ===
    'OK';
}
const state = { cookie: { secret: env.STATE_COOKIE_SECRET, firstUse } };
const user = (profile) => ({ provider: profile.provider, id: profile.id, name: profile.username });

const passport = new Passport();
passport.use(
  new ExboStrategy(
    {
      clientID: env.EXBO_CLIENT_ID,
      clientSecret: env.EXBO_CLIENT_SECRET,
      callbackURL: env.EXBO_CALLBACK_URL,
      baseURL: env.EXBO_BASE_URL,
      state,
    },
    (_access, _refresh, profile, done) => done(null, user(profile)),
  ),
);
passport.use(
  new Soa2Strategy(
    {
      clientID: env.SOA2_CLIENT_ID,
      clientSecret: env.SOA2_CLIENT_SECRET,
      callbackURL: env.SOA2_CALLBACK_URL,
      baseURL: env.SOA2_BASE_URL,
      state,
    },
    (_access, _refresh, profile, done) => done(null, user(profile)),
  ),
);

function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const data = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${data}.${createHmac('sha256', env.JWT_KEY ?? 'k')
    .update(data)
    .digest('base64url')}`;
}

const app = express();
app.set('trust proxy', Number(env.TRUST_PROXY ?? 0));
app.use(passport.initialize());
app.get('/auth/:name', (req, res, next) =>
  passport.authenticate(req.params.name, { session: false, state: { returnTo: '/home' } })(
    req,
    res,
    next,
  ),
);
app.get('/auth/:name/callback', (req, res, next) =>
  passport.authenticate(req.params.name, { session: false }, (err, found, info, status) => {
    if (err) return res.status(err.status ?? 500).json({ error: err.code ?? 'error' });
    if (!found) return res.status(status ?? 401).json({ message: info?.message });
    res.json({ token: jwt({ sub: `${found.provider}:${found.id}` }), state: info?.state ?? null });
  })(req, res, next),
);
const server = app.listen(Number(env.PORT ?? 0), '127.0.0.1', () =>
  console.log(`listening http://127.0.0.1:${server.address().port}`),
);
process.on('SIGTERM', () => process.exit(0));
