/**
 * Run by memory.test.ts as `node --expose-gc --import tsx test/reliability/memory-probe.ts`: drives
 * rounds of hostile callbacks and hostile provider answers through both strategies and prints the
 * heap after a full garbage collection, once warmed up and after each round, as one JSON line.
 *
 * A separate process because only it can be started with --expose-gc, and because its heap then
 * holds nothing but this run.
 *
 * The app here is a lean one (not test/helpers/app.ts, which records every Passport action and
 * lets Passport collect failure messages in the session): what stays in its heap is the
 * strategies' doing, plus the sessions in a MemoryStore that is emptied before each measurement.
 */
import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import express from 'express';
import session from 'express-session';
import fc from 'fast-check';
import { Passport } from 'passport';
import { Browser } from '../helpers/browser.js';
import { listen, type RunningServer } from '../helpers/server.js';
import { hostileCallbacks, sendWithCookies, serialize } from './helpers/callback-requests.js';
import { type HostileProvider, scripts, startHostileProvider } from './helpers/hostile-provider.js';
import { bothStrategies, PROVIDERS, type ProviderName } from './helpers/strategies.js';

const TIMEOUT_MS = 200;
/** Independent lanes (an app and its provider each), so slow answers overlap. */
const LANES = 4;
/** Per lane and round: attempts with a scripted provider, then hostile callbacks. */
const PROVIDER_ATTEMPTS = Number(process.env.PROBE_PROVIDER_ATTEMPTS ?? 60);
const CALLBACK_ATTEMPTS = Number(process.env.PROBE_CALLBACK_ATTEMPTS ?? 120);
const ROUNDS = Number(process.env.PROBE_ROUNDS ?? 4);
/** Each lane reuses a few browsers: sessions (and their pending logins) stay bounded. */
const BROWSERS_PER_LANE = 6;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

interface Lane {
  app: RunningServer;
  sessions: session.MemoryStore;
  provider: HostileProvider;
  browsers: Browser[];
  /** Starts the logins whose states are used from another session. */
  stranger: Browser;
}

async function startLane(): Promise<Lane> {
  const provider = await startHostileProvider(TIMEOUT_MS);
  const passport = new Passport();
  for (const strategy of bothStrategies(
    {
      exbo: { baseURL: provider.url },
      soa2: { baseURL: provider.url, apiURL: `${provider.url}/api` },
    },
    TIMEOUT_MS,
  )) {
    passport.use(strategy);
  }
  passport.serializeUser((user, done) => done(null, user));
  passport.deserializeUser((user: Express.User, done) => done(null, user));
  const sessions = new session.MemoryStore();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(
    session({ secret: 'memory-probe', resave: false, saveUninitialized: false, store: sessions }),
  );
  app.use(passport.session());
  app.get('/login/:name', (req, res, next) =>
    passport.authenticate(req.params.name)(req, res, next),
  );
  const callback: express.RequestHandler = (req, res, next) =>
    passport.authenticate(req.params.name as string, (err: unknown, user: unknown) => {
      if (err || !user) return void res.status(err ? 502 : 403).end();
      req.login(user as Express.User, (loginErr) => (loginErr ? next(loginErr) : res.end()));
    })(req, res, next);
  app.get('/callback/:name', callback);
  app.post('/callback/:name', callback);
  const running = await listen(app as unknown as RequestListener);
  const browsers = Array.from({ length: BROWSERS_PER_LANE }, () => new Browser());
  return { app: running, sessions, provider, browsers, stranger: new Browser() };
}

async function startedState(lane: Lane, browser: Browser, name: ProviderName): Promise<string> {
  const start = await browser.get(`${lane.app.url}/login/${name}`, { follow: false });
  return new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
}

async function runRound(lane: Lane, round: number, seed: number): Promise<void> {
  const outcomes = fc.sample(scripts, { numRuns: PROVIDER_ATTEMPTS, seed: seed + round });
  for (const [i, script] of outcomes.entries()) {
    const name = PROVIDERS[i % 2] as ProviderName;
    const browser = lane.browsers[i % BROWSERS_PER_LANE] as Browser;
    lane.provider.script = script;
    lane.provider.tokens = {
      accessToken: `at${randomBytes(24).toString('hex')}`,
      refreshToken: `rt${randomBytes(24).toString('hex')}`,
    };
    const state = await startedState(lane, browser, name);
    const code =
      name === 'soa2' ? randomBytes(32).toString('hex') : `c${randomBytes(20).toString('hex')}`;
    await sendWithCookies(
      browser,
      'GET',
      `${lane.app.url}/callback/${name}?code=${code}&state=${encodeURIComponent(state)}`,
    );
  }
  const callbacks = fc.sample(hostileCallbacks, { numRuns: CALLBACK_ATTEMPTS, seed: seed + round });
  for (const [i, attempt] of callbacks.entries()) {
    const name = PROVIDERS[i % 2] as ProviderName;
    const browser = lane.browsers[i % BROWSERS_PER_LANE] as Browser;
    // No consent in this probe (the fakes would keep every code): "real-code" is a placeholder.
    const sessionState = attempt.startLogin ? await startedState(lane, browser, name) : undefined;
    const query = await serialize(attempt.params, {
      sessionState,
      realCode: undefined,
      foreignState: () => startedState(lane, lane.stranger, name),
    });
    const base = `${lane.app.url}/callback/${name}`;
    await (attempt.method === 'GET'
      ? sendWithCookies(browser, 'GET', query ? `${base}?${query}` : base)
      : sendWithCookies(browser, 'POST', base, query));
  }
  // Sessions are the app's data, not a leak; the provider's log of hits is the harness's.
  await new Promise<void>((resolve) => lane.sessions.clear(() => resolve()));
  lane.provider.hits.length = 0;
}

async function settledHeap(): Promise<number> {
  // Let aborted requests, closed sockets and timers finish, then collect everything collectable.
  await new Promise((resolve) => setTimeout(resolve, 3 * TIMEOUT_MS));
  for (let i = 0; i < 4; i++) {
    gc?.();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage().heapUsed;
}

const lanes = await Promise.all(Array.from({ length: LANES }, startLane));
const heaps: number[] = [];
const started = Date.now();
for (let round = 0; round < ROUNDS; round++) {
  await Promise.all(lanes.map((lane, i) => runRound(lane, round, 1000 * (i + 1))));
  heaps.push(await settledHeap());
}
for (const lane of lanes) {
  await lane.app.close();
  await lane.provider.close();
}
const attempts = LANES * ROUNDS * (PROVIDER_ATTEMPTS + CALLBACK_ATTEMPTS);
// Round 0 warms up (JIT, caches, connection pools); later rounds must not add to it.
console.log(JSON.stringify({ heaps, attempts, elapsedMs: Date.now() - started }));
