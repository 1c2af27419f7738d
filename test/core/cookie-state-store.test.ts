/**
 * The cookie state store (login state without a server session) on its own: each request is a
 * plain Express-shaped request object holding a real `http.ServerResponse` as `req.res`, and each
 * browser is a small cookie jar that keeps what the store's `Set-Cookie` values say. The
 * framework tests (test/compat/session-less.test.ts) run the same store through real apps.
 */
import assert from 'node:assert/strict';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { mock, test } from 'node:test';
import { inspect } from 'node:util';
import type { LoginStateCookieOptions } from '@exbo-soa2/core';
import express from 'express';
// core's index exports the store's types only (the strategies require the file when a login state
// cookie is asked for, core/src/login-state.ts), so the class comes from its own compiled file.
import { CookieStateStore } from '../../packages/core/dist/lib/cookie-state-store.js';
import { listen } from '../helpers/server.js';

const SECRET = 'the cookie store unit tests: a secret of 32+ chars';
const CALLBACK = '/auth/exbo/callback';
const NOT_HERE =
  'This login was not started in this browser, has expired, or was already completed: please start the login again.';
const EXPIRED = 'The login took too long and has expired: please start the login again.';
const NOT_OURS = /not one this app made \(tampered with, or made with another secret\)/;

function makeStore(cookie: Partial<LoginStateCookieOptions> = {}, maxAge?: number) {
  return new CookieStateStore({
    cookie: { secret: SECRET, ...cookie },
    key: 'passport-exbo',
    provider: 'exbo',
    owner: 'passport-exbo',
    maxAge,
  });
}

/** One browser's cookies, as it keeps them from `Set-Cookie` (Max-Age=0 removes one). */
class Jar {
  readonly cookies = new Map<string, string>();

  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  keep(setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at);
      if (/; Max-Age=0(;|$)/.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(at + 1));
    }
  }
}

/** A request as Express hands it to a strategy: headers, URL, protocol, and the response. */
function request(cookie: string, url: string, protocol = 'http') {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  return { req: { headers: { cookie }, url, originalUrl: url, protocol, res }, res };
}

function setCookies(res: ServerResponse): string[] {
  const value = res.getHeader('set-cookie');
  return value === undefined ? [] : ([] as string[]).concat(value as string[]);
}

/** Starts a login in `jar`'s browser: the handle (the URL's `state`) and the Set-Cookie lines. */
function start(s: CookieStateStore, jar: Jar, appState?: unknown, protocol = 'http') {
  const { req, res } = request(jar.header(), '/auth/exbo', protocol);
  return new Promise<{ handle: string; cookies: string[] }>((resolve, reject) =>
    s.store(req, appState, { callbackURL: CALLBACK }, (err, handle) => {
      if (err) return reject(err);
      const cookies = setCookies(res);
      jar.keep(cookies);
      resolve({ handle: handle as string, cookies });
    }),
  );
}

/** The callback in the browser whose cookies are `cookie`: the store's answer. */
function callback(s: CookieStateStore, cookie: string, state: unknown, jar?: Jar) {
  const { req, res } = request(cookie, `${CALLBACK}?code=c&state=${String(state)}`);
  return new Promise<{ ok: unknown; info: unknown; cookies: string[] }>((resolve, reject) =>
    s.verify(req, state, {}, (err, ok, info) => {
      if (err) return reject(err);
      const cookies = setCookies(res);
      jar?.keep(cookies);
      resolve({ ok, info, cookies });
    }),
  );
}

function message(result: { info: unknown }): string {
  return (result.info as { message: string }).message;
}

test('a login verifies once in its browser, returns the app state and clears its cookie', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const jar = new Jar();
  const { handle } = await start(s, jar, { returnTo: '/x' });
  assert.match(handle, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual([...jar.cookies.keys()], [`passport-exbo.${handle.slice(0, 8)}`]);

  const done = await callback(s, jar.header(), handle, jar);
  assert.deepEqual([done.ok, done.info], [true, { returnTo: '/x' }]);
  assert.equal(done.cookies.length, 1);
  assert.match(done.cookies[0] ?? '', /^passport-exbo\.[\w-]{8}=; Max-Age=0; Expires=Thu, 01 Jan/);
  assert.equal(jar.cookies.size, 0, 'the browser dropped the used cookie');
});

test('the cookie holds no readable app state, and no state is `undefined`', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const jar = new Jar();
  const { handle } = await start(s, jar, { returnTo: '/clan/secret-path' });
  const [value = ''] = jar.cookies.values();
  assert.ok(!Buffer.from(value, 'base64url').toString('latin1').includes('secret-path'));
  assert.ok(!value.includes(handle), 'the handle is not in the value either');
  const plain = makeStore();
  const other = new Jar();
  const { handle: bare } = await start(plain, other, true); // passport-oauth2 passes `true`
  assert.deepEqual(await callback(plain, other.header(), bare), {
    ok: true,
    info: undefined,
    cookies: [
      `${[...other.cookies.keys()][0]}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Path=/auth/exbo; HttpOnly; SameSite=Lax`,
    ],
  });
});

test('a replayed callback fails: from the browser (cookie cleared) and with a copied cookie', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const jar = new Jar();
  const { handle } = await start(s, jar);
  const copied = jar.header();
  assert.equal((await callback(s, jar.header(), handle, jar)).ok, true);

  const again = await callback(s, jar.header(), handle, jar);
  assert.deepEqual([again.ok, message(again)], [false, NOT_HERE], 'the browser has no cookie');
  const replay = await callback(s, copied, handle);
  assert.deepEqual([replay.ok, message(replay)], [false, NOT_HERE], 'a copy taken before use');
});

test('a copied cookie replayed late, within stateMaxAge, still fails on this instance', {
  timeout: 10_000,
}, async () => {
  // The process forgets used session states after 5 minutes (they left the session); a cookie
  // copied before use lives for the whole stateMaxAge, so its handle must be remembered as long.
  mock.timers.enable({ apis: ['Date'], now: Date.now() + 10 * 365 * 24 * 3600 * 1000 });
  try {
    const s = makeStore({}, 30 * 60 * 1000);
    const jar = new Jar();
    const { handle } = await start(s, jar);
    const copied = jar.header();
    assert.equal((await callback(s, copied, handle)).ok, true);
    mock.timers.tick(20 * 60 * 1000);
    const replay = await callback(s, copied, handle);
    assert.deepEqual([replay.ok, message(replay)], [false, NOT_HERE]);
  } finally {
    mock.timers.reset();
  }
});

test('a callback from another browser fails, even one with a pending login of its own', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const alice = new Jar();
  const mallory = new Jar();
  const { handle } = await start(s, alice);
  await start(s, mallory);
  const other = await callback(s, mallory.header(), handle);
  assert.deepEqual([other.ok, message(other)], [false, NOT_HERE]);
  const none = await callback(s, '', handle);
  assert.deepEqual([none.ok, message(none)], [false, NOT_HERE]);
  assert.equal((await callback(s, alice.header(), handle)).ok, true, 'not used up by those');
});

test('a forged cookie fails: another secret, a made-up value, or a cookie renamed to another state', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const jar = new Jar();
  const { handle } = await start(s, jar);
  const [name = ''] = jar.cookies.keys();

  // The same login as another app (another secret) would have sealed it.
  const elsewhere = makeStore({ secret: 'another app entirely, another secret!!' });
  const foreign = new Jar();
  const { handle: foreignHandle } = await start(elsewhere, foreign);
  const foreignPair = foreign.header();
  const forged = await callback(s, foreignPair, foreignHandle);
  assert.deepEqual([forged.ok], [false]);
  assert.match(message(forged), NOT_OURS);
  assert.match(forged.cookies[0] ?? '', /Max-Age=0/, 'the forged cookie is cleared');

  const madeUp = await callback(s, `${name}=${'A'.repeat(80)}`, handle);
  assert.match(message(madeUp), NOT_OURS);

  // Alice's real cookie under the name of another state (the name is the cipher's associated data).
  const second = await start(s, jar);
  const value = jar.cookies.get(name) ?? '';
  const renamed = await callback(
    s,
    `passport-exbo.${second.handle.slice(0, 8)}=${value}`,
    second.handle,
  );
  assert.match(message(renamed), NOT_OURS);
  assert.equal((await callback(s, jar.header(), handle)).ok, true, 'the real one still works');
});

test('a tampered ciphertext, IV or tag fails; a state that only shares the first 8 characters fails', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const jar = new Jar();
  const { handle } = await start(s, jar, { returnTo: '/x' });
  const [[name, value] = ['', '']] = jar.cookies;
  const raw = Buffer.from(value, 'base64url');
  // A byte of the IV (0), of the ciphertext (middle), of the tag (last).
  for (const at of [0, Math.floor(raw.length / 2), raw.length - 1]) {
    const altered = Buffer.from(raw);
    altered[at] = (altered[at] as number) ^ 0x01;
    const result = await callback(s, `${name}=${altered.toString('base64url')}`, handle);
    assert.equal(result.ok, false, `byte ${at}`);
    assert.match(message(result), NOT_OURS, `byte ${at}`);
  }
  const truncated = await callback(s, `${name}=${value.slice(0, 30)}`, handle);
  assert.match(message(truncated), NOT_OURS);
  const lookalike = `${handle.slice(0, 8)}${handle.slice(8).split('').reverse().join('')}`;
  const wrong = await callback(s, `${name}=${value}`, lookalike);
  assert.deepEqual([wrong.ok, message(wrong)], [false, NOT_HERE]);
  assert.equal((await callback(s, `${name}=${value}`, handle)).ok, true);
});

test('a login older than stateMaxAge fails with a message saying so; the default is 10 minutes', {
  timeout: 10_000,
}, async () => {
  mock.timers.enable({ apis: ['Date'], now: Date.now() + 20 * 365 * 24 * 3600 * 1000 });
  try {
    const s = makeStore();
    const jar = new Jar();
    const onTime = await start(s, jar);
    const late = await start(s, jar);
    assert.match(onTime.cookies.at(-1) ?? '', /; Max-Age=600; /, 'the browser drops it too');
    mock.timers.tick(10 * 60 * 1000);
    assert.equal((await callback(s, jar.header(), onTime.handle, jar)).ok, true, 'up to maxAge');
    mock.timers.tick(1);
    const result = await callback(s, jar.header(), late.handle, jar);
    assert.deepEqual([result.ok, message(result)], [false, EXPIRED]);
    assert.equal(jar.cookies.size, 0, 'the expired cookie is cleared');
  } finally {
    mock.timers.reset();
  }
});

test('size: a large app state is refused; pending logins are bounded in count and in bytes', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  await assert.rejects(start(s, new Jar(), { returnTo: `/${'x'.repeat(1500)}` }), {
    name: 'RangeError',
    message: /must stay small/,
  });

  const jar = new Jar();
  const handles: string[] = [];
  for (let i = 0; i < 7; i++) handles.push((await start(s, jar)).handle);
  assert.equal(jar.cookies.size, 5, 'at most maxPending (5) pending logins');
  assert.equal((await callback(s, jar.header(), handles[1])).ok, false, 'the oldest were dropped');
  assert.equal((await callback(s, jar.header(), handles[6])).ok, true);

  const big = new Jar();
  for (let i = 0; i < 5; i++) await start(s, big, { returnTo: `/${'y'.repeat(900)}` });
  const total = big.header().length;
  console.log(`5 logins with ~900-byte app states: ${big.cookies.size} cookies, ${total} bytes`);
  assert.ok(big.cookies.size < 5, 'the total size drops the oldest too');
  assert.ok(total <= 3800, `${total} bytes`);

  const few = makeStore({ maxPending: 1 });
  const one = new Jar();
  await start(few, one);
  await start(few, one);
  assert.equal(one.cookies.size, 1);
});

test('cookie attributes: HttpOnly, SameSite=Lax, the shared path, Secure on https only', {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const [plain = ''] = (await start(s, new Jar())).cookies;
  assert.match(
    plain,
    /^passport-exbo\.[\w-]{8}=[\w-]+; Max-Age=600; Path=\/auth\/exbo; HttpOnly; SameSite=Lax$/,
  );
  const [secure = ''] = (await start(s, new Jar(), undefined, 'https')).cookies;
  assert.match(secure, /; Path=\/auth\/exbo; HttpOnly; SameSite=Lax; Secure$/);

  const [forced = ''] = (await start(makeStore({ secure: true }), new Jar())).cookies;
  assert.match(forced, /; Secure$/);
  const [never = ''] = (await start(makeStore({ secure: false }), new Jar(), undefined, 'https'))
    .cookies;
  assert.doesNotMatch(never, /Secure/);
  const [named = ''] = (await start(makeStore({ name: 'login', path: '/' }), new Jar())).cookies;
  assert.match(named, /^login\.[\w-]{8}=[\w-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);

  // The clearing cookie carries the same Path (else the browser would keep the original).
  const jar = new Jar();
  const { handle } = await start(s, jar, undefined, 'https');
  const done = await callback(s, jar.header(), handle);
  assert.match(done.cookies[0] ?? '', /; Path=\/auth\/exbo; HttpOnly; SameSite=Lax$/);
});

test("behind a proxy: Secure when Express's trust proxy says the request was https", {
  timeout: 10_000,
}, async () => {
  const s = makeStore();
  const app = express();
  app.set('trust proxy', 'loopback');
  app.get('/auth/exbo', (req, res) => {
    s.store(req, undefined, { callbackURL: CALLBACK }, (err) => {
      if (err) res.status(500).end();
      else res.end();
    });
  });
  const running = await listen(app);
  try {
    const ask = (headers: Record<string, string>) =>
      fetch(`${running.url}/auth/exbo`, { headers }).then((res) => res.headers.getSetCookie());
    const [proxied = ''] = await ask({ 'X-Forwarded-Proto': 'https' });
    assert.match(proxied, /; Path=\/auth\/exbo; HttpOnly; SameSite=Lax; Secure$/);
    const [direct = ''] = await ask({});
    assert.match(direct, /SameSite=Lax$/);
  } finally {
    await running.close();
  }
});

test('the secret: at least 32 characters, never shown; not in the store when inspected', {
  timeout: 10_000,
}, () => {
  const short = 'short-secret-31-characters-long';
  assert.equal(short.length, 31);
  assert.throws(
    () => makeStore({ secret: short }),
    (err: Error & { code?: string }) => {
      assert.equal(err.name, 'RangeError');
      assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
      assert.match(
        err.message,
        /"state\.cookie\.secret" option must be a string of at least 32 characters/,
      );
      assert.ok(!err.message.includes(short), err.message);
      return true;
    },
  );
  for (const bad of [undefined, 42, { secret: 'x' }]) {
    assert.throws(() => makeStore({ secret: bad as never }), { code: 'ERR_INVALID_ARG_TYPE' });
  }
  makeStore({ secret: 'x'.repeat(32) });
  const s = makeStore();
  const shown = `${JSON.stringify(s)} ${inspect(s)}`;
  assert.ok(!shown.includes(SECRET), shown);
});

test('firstUse (a store shared by instances): asked once per callback, its answer decides', {
  timeout: 10_000,
}, async () => {
  // A Map stands in for the shared store here; the nginx test runs Redis between two processes.
  const seen = new Map<string, number>();
  const calls: Array<[string, number]> = [];
  const s = makeStore(
    {
      firstUse: async (id, ttlMs) => {
        calls.push([id, ttlMs]);
        if (seen.has(id)) return false;
        seen.set(id, ttlMs);
        return true;
      },
    },
    60_000,
  );
  const jar = new Jar();
  const { handle } = await start(s, jar, { returnTo: '/x' });
  const done = await callback(s, jar.header(), handle);
  assert.deepEqual([done.ok, done.info], [true, { returnTo: '/x' }]);
  assert.equal(calls.length, 1);
  const [[id = '', ttl = 0] = []] = calls;
  assert.match(id, /^[\w-]{43}$/);
  assert.ok(!id.includes(handle.slice(0, 8)), 'a digest of the state, not the state');
  assert.ok(ttl > 59_000 && ttl <= 60_000, `${ttl} ms: as long as the cookie stays valid`);

  // Another instance already used it: the shared store says no.
  const elsewhere = new Jar();
  const other = await start(s, elsewhere);
  const id2 = calls.length;
  const refuse = makeStore({ firstUse: () => false });
  const refused = await callback(refuse, elsewhere.header(), other.handle);
  assert.deepEqual([refused.ok, message(refused)], [false, NOT_HERE]);
  assert.equal(calls.length, id2, 'the other store was asked, not this one');

  const broken = makeStore({
    firstUse: () => Promise.reject(new Error('shared store unreachable')),
  });
  const third = new Jar();
  const pending = await start(broken, third);
  await assert.rejects(
    callback(broken, third.header(), pending.handle),
    /shared store unreachable/,
  );
  // Not asked when the cookie already fails here (no round trip for a forgery).
  const before = calls.length;
  assert.equal((await callback(s, '', handle)).ok, false);
  assert.equal(calls.length, before);
  assert.throws(() => makeStore({ firstUse: 'yes' as never }), {
    code: 'ERR_INVALID_ARG_TYPE',
    message: /"state\.cookie\.firstUse" option must be a function/,
  });
});
