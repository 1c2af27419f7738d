/**
 * The cause of an error is redacted to its end (issue 23, item 2): `redactCause` used to rewrite
 * `message` and `stack` of the first four `Error` links only, so a secret at depth 5, in a
 * plain-object cause, in `AggregateError.errors`, in another property (`.url`, `.body`) or in a
 * cyclic chain passed through. An injected `fetch` rejects with each such error; what an app
 * could print of the resulting error must show neither the client secret nor the code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import type { OAuthError } from '@exbo-soa2/core';
import { ExboClient } from 'passport-exbo';
import { Soa2Client } from 'passport-soa2';

const LIMIT = { timeout: 10_000 };
const SECRET = 'client-secret-in-a-cause-5151';
const CODE = 'authorization-code-in-a-cause-6262';

/** The errors a fetch may reject with, each hiding what we sent somewhere in its cause. */
const causes: Array<[string, () => unknown]> = [
  [
    'a secret at depth 5',
    () => {
      let err = new Error(`connect failed for ${SECRET} and ${CODE}`);
      for (let i = 0; i < 5; i++) err = new Error(`layer ${i}`, { cause: err });
      return new TypeError('fetch failed', { cause: err });
    },
  ],
  [
    'a plain-object cause',
    () =>
      new TypeError('fetch failed', {
        cause: {
          message: `refused ${CODE}`,
          body: `client_secret=${SECRET}`,
          nested: [{ SECRET }],
        },
      }),
  ],
  [
    'an AggregateError',
    () =>
      new TypeError('fetch failed', {
        cause: new AggregateError(
          [new Error(`first ${SECRET}`), Object.assign(new Error('second'), { detail: CODE })],
          'every address failed',
        ),
      }),
  ],
  [
    'a .url and a .body property',
    () =>
      Object.assign(new TypeError('fetch failed'), {
        url: `https://exbo.example/oauth/token?code=${CODE}`,
        body: JSON.stringify({ client_secret: SECRET }),
      }),
  ],
  [
    'a cyclic chain',
    () => {
      const first = new Error('first');
      const second = new Error(`second ${SECRET}`, { cause: first });
      Object.assign(first, { cause: second, code: CODE });
      return new TypeError('fetch failed', { cause: first });
    },
  ],
  [
    'a chain deeper than the copy goes',
    () => {
      let err: unknown = { leaf: `${SECRET} ${CODE}` };
      for (let i = 0; i < 40; i++) err = new Error(`layer ${i}`, { cause: err });
      return err;
    },
  ],
];

/** Everything an app or its log could show of `value`. */
function shown(value: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    // A circular copy cannot be serialised: nothing shown.
  }
  return [
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    json,
  ].join('\n');
}

async function errorOf(call: () => Promise<unknown>): Promise<OAuthError> {
  return call().then(
    () => assert.fail('expected a rejection'),
    (err: unknown) => err as OAuthError,
  );
}

for (const [provider, exchange] of [
  [
    'ExboClient',
    (fetch: () => Promise<never>) =>
      new ExboClient({
        clientID: '1',
        clientSecret: SECRET,
        baseURL: 'https://exbo.example',
        fetch,
      }).exchangeCode(CODE, { callbackURL: 'https://app.example/cb' }),
  ],
  [
    'Soa2Client',
    (fetch: () => Promise<never>) =>
      new Soa2Client({
        clientID: 1,
        clientSecret: SECRET,
        baseURL: 'https://soa2.example',
        fetch,
      }).exchangeCode(CODE),
  ],
] as const) {
  describe(`${provider}: a fetch rejecting with a cause that quotes what we sent`, () => {
    for (const [name, make] of causes) {
      test(name, LIMIT, async () => {
        const original = make();
        const before = inspect(original, { depth: Infinity, showHidden: true });
        const err = await errorOf(() => exchange(() => Promise.reject(original)));
        assert.equal(err.code, 'PROVIDER_UNREACHABLE');
        const text = `${shown(err)}\n${shown(err.cause)}`;
        assert.ok(!text.includes(SECRET), `the client secret shows:\n${text}`);
        assert.ok(!text.includes(CODE), `the code shows:\n${text}`);
        assert.notEqual(err.cause, original, 'a copy, not the original');
        assert.equal(
          inspect(original, { depth: Infinity, showHidden: true }),
          before,
          'the original is not changed',
        );
      });
    }
  });
}

test('a clean cause is kept as it is (its type and fields intact)', LIMIT, async () => {
  const original = Object.assign(
    new TypeError('fetch failed', { cause: new Error('ECONNRESET') }),
    {
      code: 'UND_ERR_SOCKET',
    },
  );
  const client = new ExboClient({
    clientID: '1',
    clientSecret: SECRET,
    baseURL: 'https://exbo.example',
    fetch: () => Promise.reject(original),
  });
  const err = await errorOf(() =>
    client.exchangeCode(CODE, { callbackURL: 'https://a.example/cb' }),
  );
  assert.equal(err.cause, original);
});

test('a cycle stays a cycle in the copy', LIMIT, async () => {
  const [, make] = causes.find(([name]) => name === 'a cyclic chain') as [string, () => unknown];
  const client = new ExboClient({
    clientID: '1',
    clientSecret: SECRET,
    baseURL: 'https://exbo.example',
    fetch: () => Promise.reject(make()),
  });
  const err = await errorOf(() =>
    client.exchangeCode(CODE, { callbackURL: 'https://a.example/cb' }),
  );
  const first = (err.cause as Error).cause as Error;
  const second = first.cause as Error;
  assert.equal(second.cause, first);
  assert.ok(first instanceof Error && second.name === 'Error');
});
