/** The shared session state store: single use, expiring, several pending logins per session. */
import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import { SessionStateStore } from '@exbo-soa2/core';

function store(
  req: object,
  appState?: unknown,
  s = new SessionStateStore({ key: 'k', provider: 'p' }),
) {
  return new Promise<string>((resolve, reject) =>
    s.store(req, appState, {}, (err, handle) => (err ? reject(err) : resolve(handle as string))),
  );
}
function verify(
  req: object,
  state: unknown,
  s = new SessionStateStore({ key: 'k', provider: 'p' }),
) {
  return new Promise<{ ok: unknown; info: unknown }>((resolve, reject) =>
    s.verify(req, state, {}, (err, ok, info) => (err ? reject(err) : resolve({ ok, info }))),
  );
}

test('a handle verifies once, returns the app state, and cannot be replayed', {
  timeout: 10_000,
}, async () => {
  const req = { session: {} as Record<string, unknown> };
  const handle = await store(req, { returnTo: '/x' });
  assert.match(handle, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(await verify(req, handle), { ok: true, info: { returnTo: '/x' } });
  const replay = await verify(req, handle);
  assert.equal(replay.ok, false);
  assert.match(String((replay.info as { message: string }).message), /already completed/);
  assert.equal(req.session.k, undefined, 'the session key is removed when nothing is pending');
});

test('two pending logins in one session both work; the oldest beyond maxPending is dropped', {
  timeout: 10_000,
}, async () => {
  const s = new SessionStateStore({ key: 'k', provider: 'p', maxPending: 2 });
  const req = { session: {} };
  const a = await store(req, undefined, s);
  const b = await store(req, undefined, s);
  const c = await store(req, undefined, s);
  assert.equal((await verify(req, a, s)).ok, false);
  assert.equal((await verify(req, c, s)).ok, true);
  assert.equal((await verify(req, b, s)).ok, true);
});

const EXPIRED = 'The login took too long and has expired: please start the login again.';
const ALREADY_USED =
  'This login was not started in this browser session, or was already completed: please start the login again.';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;
let clockStart = Date.now();

/**
 * Runs `body` with `Date.now()` under the test's control (timers stay real), starting a year after
 * the previous test's clock: states other tests used are then older than any window, whatever
 * order the tests run in.
 */
async function withClock(body: (clock: { tick(ms: number): void }) => Promise<void>) {
  clockStart += YEAR_MS;
  mock.timers.enable({ apis: ['Date'], now: clockStart });
  try {
    await body({ tick: (ms) => mock.timers.tick(ms) });
  } finally {
    mock.timers.reset();
  }
}

test('a login is valid for maxAge, then fails with a message saying it expired', {
  timeout: 10_000,
}, async () => {
  await withClock(async (clock) => {
    const s = new SessionStateStore({ key: 'k', provider: 'p', maxAge: 60_000 });
    const req = { session: {} };
    const onTime = await store(req, undefined, s);
    const late = await store(req, undefined, s);
    clock.tick(60_000);
    assert.equal((await verify(req, onTime, s)).ok, true, 'valid up to maxAge');
    clock.tick(1);
    const result = await verify(req, late, s);
    assert.equal(result.ok, false);
    assert.equal((result.info as { message: string }).message, EXPIRED);
  });
});

test('the default maxAge is one hour', { timeout: 10_000 }, async () => {
  await withClock(async (clock) => {
    const req = { session: {} };
    const onTime = await store(req);
    const late = await store(req);
    clock.tick(60 * 60 * 1000);
    assert.equal((await verify(req, onTime)).ok, true);
    clock.tick(1);
    assert.equal(((await verify(req, late)).info as { message: string }).message, EXPIRED);
  });
});

test('a replay after the process-wide replay window still fails: the state left the session', {
  timeout: 10_000,
}, async () => {
  await withClock(async (clock) => {
    const req = { session: {} as Record<string, unknown> };
    const handle = await store(req);
    await store(req); // another pending login keeps the session key in place
    assert.equal((await verify(req, handle)).ok, true);
    // Past the 5 minutes for which the process remembers used states, within maxAge.
    clock.tick(5 * 60 * 1000 + 1);
    const replay = await verify(req, handle);
    assert.equal(replay.ok, false);
    assert.equal((replay.info as { message: string }).message, ALREADY_USED);
  });
});

test('two copies of one session (concurrent requests) cannot both use a state', {
  timeout: 10_000,
}, async () => {
  const first = { session: {} as Record<string, unknown> };
  const handle = await store(first);
  const second = { session: structuredClone(first.session) };
  assert.equal((await verify(first, handle)).ok, true);
  const copy = await verify(second, handle);
  assert.equal(copy.ok, false);
  assert.equal((copy.info as { message: string }).message, ALREADY_USED);
});

test('malformed, missing and foreign states fail; no session is an error', {
  timeout: 10_000,
}, async () => {
  const req = { session: {} };
  await store(req);
  for (const bad of [undefined, '', ['a', 'b'], 'short', 'A'.repeat(43)]) {
    assert.equal((await verify(req, bad)).ok, false, String(bad));
  }
  await assert.rejects(store({}), { code: 'SESSION_REQUIRED' });
});
