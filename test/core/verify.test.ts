/** The shared verify adapter: every form Passport users write ends in exactly one outcome. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invokeVerify, type VerifyOutcome } from '@exbo-soa2/core';

const args = { accessToken: 'at', refreshToken: 'rt', params: { p: 1 }, profile: { id: '1' } };

/** Runs a verify and resolves with every outcome it produced within a short while. */
async function outcomes(verify: (...a: never[]) => unknown, passReq = false) {
  const seen: Array<[keyof VerifyOutcome, ...unknown[]]> = [];
  const outcome: VerifyOutcome = {
    error: (err) => seen.push(['error', err]),
    fail: (info) => seen.push(['fail', info]),
    success: (user, info) => seen.push(['success', user, info]),
  };
  invokeVerify(verify, passReq, { req: true }, args, outcome);
  await new Promise((resolve) => setTimeout(resolve, 20));
  return seen;
}

test('5 parameters get params; 4 get the profile', { timeout: 10_000 }, async () => {
  assert.deepEqual(
    await outcomes(
      (_a: string, _r: string, params: unknown, _p: unknown, done: (e: null, u: unknown) => void) =>
        done(null, params),
    ),
    [['success', { p: 1 }, undefined]],
  );
  assert.deepEqual(
    await outcomes(
      (_a: string, _r: string, profile: unknown, done: (e: null, u: unknown) => void) =>
        done(null, profile),
    ),
    [['success', { id: '1' }, undefined]],
  );
});

test('async functions follow the same counts: 5 get params, fewer get the profile', {
  timeout: 10_000,
}, async () => {
  assert.deepEqual(
    await outcomes(
      async (_a: string, _r: string, params: unknown, _p: unknown, _done: unknown) => params,
    ),
    [['success', { p: 1 }, undefined]],
  );
  assert.deepEqual(await outcomes(async (_a: string, _r: string, profile: unknown) => profile), [
    ['success', { id: '1' }, undefined],
  ]);
});

test('passReqToCallback puts the request first', { timeout: 10_000 }, async () => {
  assert.deepEqual(
    await outcomes(
      (req: unknown, _a: string, _r: string, _p: unknown, done: (e: null, u: unknown) => void) =>
        done(null, req),
      true,
    ),
    [['success', { req: true }, undefined]],
  );
});

test('false + info fails; a throw, a rejection and done(err) are errors', {
  timeout: 10_000,
}, async () => {
  assert.deepEqual(
    await outcomes(
      (_a: string, _r: string, _p: unknown, done: (e: null, u: boolean, i: unknown) => void) =>
        done(null, false, { message: 'no' }),
    ),
    [['fail', { message: 'no' }]],
  );
  const boom = new Error('boom');
  assert.deepEqual(
    await outcomes(() => {
      throw boom;
    }),
    [['error', boom]],
  );
  assert.deepEqual(
    await outcomes(async () => {
      throw boom;
    }),
    [['error', boom]],
  );
  assert.deepEqual(await outcomes(async () => false), [['fail', undefined]]);
});

test('only the first outcome counts when done is called and a value resolved', {
  timeout: 10_000,
}, async () => {
  const result = await outcomes(
    async (_a: string, _r: string, profile: unknown, done: (e: null, u: unknown) => void) => {
      done(null, profile);
      return { other: true };
    },
  );
  assert.deepEqual(result, [['success', { id: '1' }, undefined]]);
  const twice = await outcomes(
    (_a: string, _r: string, _p: unknown, done: (e: unknown, u?: unknown) => void) => {
      done(null, { first: true });
      done(new Error('late'));
    },
  );
  assert.equal(twice.length, 1);
});

test('an async function that hands done to a callback API (resolves undefined) still completes', {
  timeout: 10_000,
}, async () => {
  const result = await outcomes(
    async (_a: string, _r: string, profile: unknown, done: (e: null, u: unknown) => void) => {
      setTimeout(() => done(null, profile), 5);
    },
  );
  assert.deepEqual(result, [['success', { id: '1' }, undefined]]);
});
