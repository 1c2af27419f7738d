/** The shared session state store: single use, expiring, several pending logins per session. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LoginStateStore } from '@exbo-soa2/core';

function store(
  req: object,
  appState?: unknown,
  s = new LoginStateStore({ key: 'k', provider: 'p' }),
) {
  return new Promise<string>((resolve, reject) =>
    s.store(req, appState, {}, (err, handle) => (err ? reject(err) : resolve(handle as string))),
  );
}
function verify(req: object, state: unknown, s = new LoginStateStore({ key: 'k', provider: 'p' })) {
  return new Promise<{ ok: unknown; info: unknown }>((resolve, reject) =>
    s.verify(req, state, {}, (err, ok, info) => (err ? reject(err) : resolve({ ok, info }))),
  );
}

test('a handle verifies once, returns the app state, and cannot be replayed', async () => {
  const req = { session: {} as Record<string, unknown> };
  const handle = await store(req, { returnTo: '/x' });
  assert.match(handle, /^[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(await verify(req, handle), { ok: true, info: { returnTo: '/x' } });
  const replay = await verify(req, handle);
  assert.equal(replay.ok, false);
  assert.match(String((replay.info as { message: string }).message), /already completed/);
  assert.equal(req.session.k, undefined, 'the session key is removed when nothing is pending');
});

test('two pending logins in one session both work; the oldest beyond maxPending is dropped', async () => {
  const s = new LoginStateStore({ key: 'k', provider: 'p', maxPending: 2 });
  const req = { session: {} };
  const a = await store(req, undefined, s);
  const b = await store(req, undefined, s);
  const c = await store(req, undefined, s);
  assert.equal((await verify(req, a, s)).ok, false);
  assert.equal((await verify(req, c, s)).ok, true);
  assert.equal((await verify(req, b, s)).ok, true);
});

test('an expired login fails with a message saying so', async () => {
  const s = new LoginStateStore({ key: 'k', provider: 'p', maxAge: 1 });
  const req = { session: {} };
  const handle = await store(req, undefined, s);
  await new Promise((resolve) => setTimeout(resolve, 10));
  const result = await verify(req, handle, s);
  assert.equal(result.ok, false);
  assert.match(
    String((result.info as { message: string }).message),
    /no state|expired|not started/,
  );
});

test('malformed, missing and foreign states fail; no session is an error', async () => {
  const req = { session: {} };
  await store(req);
  for (const bad of [undefined, '', ['a', 'b'], 'short', 'A'.repeat(43)]) {
    assert.equal((await verify(req, bad)).ok, false, String(bad));
  }
  await assert.rejects(store({}), { code: 'SESSION_REQUIRED' });
});
