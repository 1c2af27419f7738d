/**
 * One validator per option concept (core option-checks.ts): each provider's Strategy and Client
 * accept and reject exactly the same values, with the same error (class, Node-style `code`,
 * message naming the option). Also: options a provider cannot honour (`scope` at EXBO, a scope
 * other than `identify` at SOA2, `pkce` at both) are refused, never silently dropped.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ExboClient, Strategy as ExboStrategy } from 'passport-exbo';
import { Soa2Client, Strategy as Soa2Strategy } from 'passport-soa2';
import { startTestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { EXBO_CLIENT, type Fakes, SOA2_CLIENT, startFakes } from './logins.js';

/** Bad values of the options every strategy and client share. */
const BAD_OPTIONS: [string, Record<string, unknown>][] = [
  ['no clientID', { clientID: undefined }],
  ['clientID NaN', { clientID: Number.NaN }],
  ['clientID not digits', { clientID: 'abc' }],
  ['clientID negative', { clientID: -1 }],
  ['clientID fractional', { clientID: 1.5 }],
  ['clientID an object', { clientID: {} }],
  ['no clientSecret', { clientSecret: undefined }],
  ['clientSecret empty', { clientSecret: '' }],
  ['clientSecret a number', { clientSecret: 42 }],
  ['baseURL relative', { baseURL: '/oauth' }],
  ['baseURL a number', { baseURL: 42 }],
  ['timeout 0', { timeout: 0 }],
  ['timeout negative', { timeout: -5 }],
  ['timeout NaN', { timeout: Number.NaN }],
  ['timeout a string', { timeout: '100' }],
  ['fetch a string', { fetch: 'fetch' }],
];

const verify = () => undefined;

function thrown(make: () => unknown): Error & { code?: unknown } {
  try {
    make();
  } catch (err) {
    return err as Error & { code?: unknown };
  }
  assert.fail('expected a throw');
}

const PROVIDERS = [
  {
    name: 'passport-exbo',
    strategy: (bad: object) =>
      new ExboStrategy(
        {
          clientID: EXBO_CLIENT.clientId,
          clientSecret: EXBO_CLIENT.clientSecret,
          callbackURL: '/callback',
          ...bad,
        } as never,
        verify,
      ),
    client: (bad: object) =>
      new ExboClient({
        clientID: EXBO_CLIENT.clientId,
        clientSecret: EXBO_CLIENT.clientSecret,
        ...bad,
      } as never),
  },
  {
    name: 'passport-soa2',
    strategy: (bad: object) =>
      new Soa2Strategy(
        {
          clientID: SOA2_CLIENT.clientId,
          clientSecret: SOA2_CLIENT.clientSecret,
          ...bad,
        } as never,
        verify,
      ),
    client: (bad: object) =>
      new Soa2Client({
        clientID: SOA2_CLIENT.clientId,
        clientSecret: SOA2_CLIENT.clientSecret,
        ...bad,
      } as never),
  },
];

for (const provider of PROVIDERS) {
  describe(`${provider.name}: the same bad options, the same errors from Strategy and client`, () => {
    test('the good options are accepted by both', () => {
      provider.strategy({});
      provider.client({});
    });

    for (const [label, bad] of BAD_OPTIONS) {
      test(label, () => {
        const [option] = Object.keys(bad);
        const fromStrategy = thrown(() => provider.strategy(bad));
        const fromClient = thrown(() => provider.client(bad));
        assert.ok(
          fromStrategy instanceof TypeError || fromStrategy instanceof RangeError,
          String(fromStrategy),
        );
        assert.match(String(fromStrategy.code), /^ERR_INVALID_ARG_(TYPE|VALUE)$/);
        assert.ok(
          fromStrategy.message.startsWith(`${provider.name}: the "${option}" option`),
          fromStrategy.message,
        );
        assert.equal(fromClient.constructor, fromStrategy.constructor);
        assert.equal(fromClient.code, fromStrategy.code);
        assert.equal(fromClient.message, fromStrategy.message);
        // A secret is never quoted, whatever it is.
        if (option === 'clientSecret') assert.doesNotMatch(fromStrategy.message, /42/);
      });
    }
  });
}

describe('options a provider cannot honour are refused', () => {
  const exbo = (extra: object) =>
    new ExboStrategy(
      {
        clientID: EXBO_CLIENT.clientId,
        clientSecret: EXBO_CLIENT.clientSecret,
        callbackURL: '/callback',
        ...extra,
      } as never,
      verify,
    );
  const soa2 = (extra: object) =>
    new Soa2Strategy(
      { clientID: SOA2_CLIENT.clientId, clientSecret: SOA2_CLIENT.clientSecret, ...extra } as never,
      verify,
    );

  test('EXBO: a non-empty scope or pkce throws at construction; an empty scope is fine', () => {
    for (const scope of ['profile', ['profile'], 'openid email']) {
      const err = thrown(() => exbo({ scope }));
      assert.ok(err instanceof TypeError);
      assert.equal(err.code, 'ERR_INVALID_ARG_VALUE');
      assert.match(err.message, /"scope" option is not supported: EXBO has no scopes/);
    }
    exbo({ scope: '' });
    exbo({ scope: [] });
    const pkce = thrown(() => exbo({ pkce: true }));
    assert.equal(pkce.code, 'ERR_INVALID_ARG_VALUE');
    assert.match(pkce.message, /"pkce" option is not supported: EXBO does not support PKCE/);
  });

  test('SOA2: scope and scopes only as identify; pkce throws', () => {
    soa2({ scope: 'identify' });
    soa2({ scopes: ['identify'] });
    for (const extra of [{ scope: 'email' }, { scopes: ['identify', 'email'] }, { scope: [] }]) {
      const err = thrown(() => soa2(extra));
      assert.ok(err instanceof TypeError, String(err));
      assert.match(String(err.code), /^ERR_INVALID_ARG_(TYPE|VALUE)$/);
      assert.match(err.message, /"scopes?" option/);
    }
    const pkce = thrown(() => soa2({ pkce: true }));
    assert.match(pkce.message, /"pkce" option is not supported: SOA2 does not support PKCE/);
  });

  describe('per request', () => {
    let fakes: Fakes;
    before(async () => {
      fakes = await startFakes();
    });
    after(async () => {
      await fakes.close();
    });

    for (const [name, scope] of [
      ['exbo', 'profile'],
      ['soa2', 'email'],
    ] as const) {
      test(`${name}: authenticate(name, { scope: '${scope}' }) ends in an error, not a redirect`, {
        timeout: 10_000,
      }, async () => {
        const strategy =
          name === 'exbo'
            ? exbo({ baseURL: fakes.exbo.url })
            : soa2({ baseURL: fakes.soa2.url, callbackURL: '/callback' });
        const app = await startTestApp({
          strategies: [strategy as never],
          loginOptions: { [name]: { scope } },
        });
        try {
          const page = await new Browser().get(`${app.url}/login/${name}`);
          assert.equal(page.status, 500, page.text);
          assert.doesNotMatch(page.url, /authorize/i, 'never sent to the provider');
          const { error } = JSON.parse(page.text);
          assert.equal(error.code, 'ERR_INVALID_ARG_VALUE');
          assert.match(error.message, /"scopes?" option/);
        } finally {
          await app.close();
        }
      });
    }
  });
});
