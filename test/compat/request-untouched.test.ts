/**
 * A library never changes the application's objects: during a whole login through each strategy
 * (start, then callback) in a real Express 5 app with express-session and Passport, no own
 * property of `req` is added, replaced or deleted by the strategy. The snapshot is taken when
 * Passport hands the request to the strategy and compared when the strategy acts (redirect,
 * success), before Passport's own action runs (Passport itself adds `req.login`, `req.user`, …).
 */
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { after, before, test } from 'node:test';
import { Strategy as ExboStrategy } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { startTestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import {
  EXBO_CLIENT,
  type Fakes,
  json,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
  startFakes,
} from './logins.js';

type Snapshot = Map<PropertyKey, PropertyDescriptor>;

/** Set by node:http itself once the request has been read to its end, whoever reads it. */
const NODE_MANAGED = new Set<PropertyKey>(['complete']);

function snapshot(req: object): Snapshot {
  return new Map(
    Reflect.ownKeys(req)
      .filter((key) => !NODE_MANAGED.has(key))
      .map((key) => [key, Reflect.getOwnPropertyDescriptor(req, key)!]),
  );
}

/** Own properties of `req` added, deleted or replaced since `before`. */
function changes(before: Snapshot, req: object): string[] {
  const after = snapshot(req);
  const changed: string[] = [];
  for (const [key, was] of before) {
    const now = after.get(key);
    if (!now) changed.push(`deleted ${String(key)}`);
    else if (!Object.is(was.value, now.value) || was.get !== now.get || was.set !== now.set) {
      changed.push(`replaced ${String(key)}`);
    }
  }
  for (const key of after.keys()) if (!before.has(key)) changed.push(`added ${String(key)}`);
  return changed;
}

/** Wraps `strategy.authenticate`: each action first records what changed on `req`. */
function watch(strategy: { authenticate(req: IncomingMessage, options?: object): void }) {
  const seen: { action: string; changed: string[] }[] = [];
  const original = strategy.authenticate;
  strategy.authenticate = function watched(this: Record<string, unknown>, req, options) {
    const before = snapshot(req);
    for (const action of ['success', 'fail', 'error', 'redirect', 'pass']) {
      const act = this[action] as (...args: unknown[]) => void;
      this[action] = (...args: unknown[]) => {
        seen.push({ action, changed: changes(before, req) });
        return act.apply(this, args);
      };
    }
    return original.call(this, req, options);
  };
  return seen;
}

let fakes: Fakes;
before(async () => {
  fakes = await startFakes();
});
after(async () => {
  await fakes.close();
});

const PROVIDERS = [
  {
    name: 'exbo',
    strategy: () =>
      new ExboStrategy(
        {
          clientID: EXBO_CLIENT.clientId,
          clientSecret: EXBO_CLIENT.clientSecret,
          callbackURL: '/callback/exbo',
          baseURL: fakes.exbo.url,
        },
        (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id }),
      ),
    login: loginWithExbo,
  },
  {
    name: 'soa2',
    strategy: () =>
      new Soa2Strategy(
        {
          clientID: SOA2_CLIENT.clientId,
          clientSecret: SOA2_CLIENT.clientSecret,
          callbackURL: '/callback/soa2',
          baseURL: fakes.soa2.url,
        },
        (_accessToken, _refreshToken, profile, done) => done(null, { id: profile.id }),
      ),
    login: (browser: Browser, url: string) => loginWithSoa2(browser, url),
  },
] as const;

for (const provider of PROVIDERS) {
  test(`a login through passport-${provider.name} leaves every own property of req as it was`, {
    timeout: 20_000,
  }, async () => {
    const strategy = provider.strategy();
    const seen = watch(strategy);
    const app = await startTestApp({ strategies: [strategy] });
    try {
      fakes.allowCallbacks({ [provider.name]: [`${app.url}/callback/${provider.name}`] });
      const done = await provider.login(new Browser(), `${app.url}/login/${provider.name}`);
      assert.equal(done.status, 200, done.text);
      assert.ok(json(done).user.id);
      assert.deepEqual(
        seen.map((entry) => entry.action),
        ['redirect', 'success'],
      );
      for (const entry of seen) assert.deepEqual(entry.changed, [], entry.action);
    } finally {
      await app.close();
    }
  });
}
