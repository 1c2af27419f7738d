/**
 * Secrets live in `#private` fields (issue: Soa2Client kept its client secret in a TypeScript
 * `private` field, an ordinary enumerable property that console.log, JSON.stringify and
 * util.inspect printed). Every client and strategy that holds a secret is inspected to any depth
 * and serialised here; none may show it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import { ExboClient, Strategy as ExboStrategy } from 'passport-exbo';
import { AppTokenManager, ExboGameApi } from 'passport-exbo/game-api';
import { Soa2Client, Strategy as Soa2Strategy } from 'passport-soa2';

const SECRET = 'client-secret-that-must-never-show-1234567890';
const COOKIE_SECRET = 'cookie-state-secret-that-must-never-show-0987654321';
const verify = () => undefined;

/** Everything an app or its log could show of `value`. */
function shown(value: unknown): string {
  let json = '';
  try {
    json = JSON.stringify(value) ?? '';
  } catch {
    // A circular object cannot be serialised: nothing is shown.
  }
  return [
    inspect(value, { depth: Infinity }),
    inspect(value, { depth: Infinity, showHidden: true }),
    String(value),
    json,
  ].join('\n');
}

const exboOptions = {
  clientID: '1',
  clientSecret: SECRET,
  callbackURL: 'http://localhost/cb',
  baseURL: 'http://127.0.0.1:1',
};
const soa2Options = {
  clientID: 1,
  clientSecret: SECRET,
  callbackURL: 'http://localhost/cb',
  baseURL: 'http://127.0.0.1:1',
};

const holders: Array<[string, () => unknown]> = [
  ['ExboClient', () => new ExboClient(exboOptions)],
  ['passport-exbo Strategy', () => new ExboStrategy(exboOptions, verify)],
  [
    'passport-exbo Strategy with a login-state cookie',
    () =>
      new ExboStrategy({ ...exboOptions, state: { cookie: { secret: COOKIE_SECRET } } }, verify),
  ],
  [
    'ExboGameApi',
    () => new ExboGameApi({ baseURL: 'http://127.0.0.1:1', client: new ExboClient(exboOptions) }),
  ],
  ['AppTokenManager', () => new AppTokenManager(new ExboClient(exboOptions))],
  ['Soa2Client', () => new Soa2Client(soa2Options)],
  ['passport-soa2 Strategy', () => new Soa2Strategy(soa2Options, verify)],
  [
    'passport-soa2 Strategy with a login-state cookie',
    () =>
      new Soa2Strategy({ ...soa2Options, state: { cookie: { secret: COOKIE_SECRET } } }, verify),
  ],
];

describe('no client or strategy shows a secret it holds', () => {
  for (const [name, make] of holders) {
    test(name, () => {
      const text = shown(make());
      assert.ok(!text.includes(SECRET), `${name} shows the client secret`);
      assert.ok(!text.includes(COOKIE_SECRET), `${name} shows the cookie secret`);
    });
  }
});
