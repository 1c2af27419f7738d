/**
 * Plain `http:` only to this machine (issue: every client and strategy accepted `http://` to any
 * host, and the first request already carries the client secret, a code, a token or a session
 * cookie). Each constructor that takes a provider URL refuses `http://` to another host with a
 * TypeError naming the option, accepts it for loopback hosts, and accepts it anywhere with
 * `allowInsecureRequests: true`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ExboClient, Strategy as ExboStrategy } from 'passport-exbo';
import { ExboGameApi } from 'passport-exbo/game-api';
import { Soa2Client, Strategy as Soa2Strategy } from 'passport-soa2';
import { Soa2AccountClient } from 'passport-soa2/accounts';

const REMOTE = 'http://provider.example';
const verify = () => undefined;
const exbo = { clientID: '1', clientSecret: 'secret', callbackURL: 'https://app.example/cb' };
const soa2 = { clientID: 1, clientSecret: 'secret', callbackURL: 'https://app.example/cb' };

/** Each constructor, with a provider URL given under one option name. */
const makers: Array<[string, string, (url: string, extra: object) => unknown]> = [
  ['ExboClient', 'baseURL', (url, extra) => new ExboClient({ ...exbo, baseURL: url, ...extra })],
  ['ExboClient', 'tokenURL', (url, extra) => new ExboClient({ ...exbo, tokenURL: url, ...extra })],
  [
    'ExboClient',
    'userProfileURL',
    (url, extra) => new ExboClient({ ...exbo, userProfileURL: url, ...extra }),
  ],
  [
    'passport-exbo Strategy',
    'baseURL',
    (url, extra) => new ExboStrategy({ ...exbo, baseURL: url, ...extra }, verify),
  ],
  ['ExboGameApi', 'baseURL', (url, extra) => new ExboGameApi({ baseURL: url, ...extra })],
  ['Soa2Client', 'baseURL', (url, extra) => new Soa2Client({ ...soa2, baseURL: url, ...extra })],
  ['Soa2Client', 'apiURL', (url, extra) => new Soa2Client({ ...soa2, apiURL: url, ...extra })],
  [
    'passport-soa2 Strategy',
    'authorizationURL',
    (url, extra) => new Soa2Strategy({ ...soa2, authorizationURL: url, ...extra }, verify),
  ],
  ['Soa2AccountClient', 'apiURL', (url, extra) => new Soa2AccountClient({ apiURL: url, ...extra })],
];

describe('provider URLs: https, or http to this machine only', () => {
  for (const [name, option, make] of makers) {
    test(`${name} ${option}: http:// to another host is a TypeError naming the option`, () => {
      assert.throws(
        () => make(`${REMOTE}/x`, {}),
        (err: NodeJS.ErrnoException) =>
          err instanceof TypeError &&
          err.code === 'ERR_INVALID_ARG_VALUE' &&
          err.message.includes(`"${option}"`) &&
          /insecure http:\/\//.test(err.message) &&
          /allowInsecureRequests/.test(err.message),
      );
    });

    test(`${name} ${option}: loopback hosts, https, and the opt-in are accepted`, () => {
      for (const url of [
        'http://localhost:3000/x',
        'http://127.0.0.1:3000/x',
        'http://127.8.9.10/x',
        'http://[::1]:3000/x',
        'https://provider.example/x',
      ]) {
        assert.doesNotThrow(() => make(url, {}), url);
      }
      assert.doesNotThrow(() => make(`${REMOTE}/x`, { allowInsecureRequests: true }));
    });

    test(`${name} ${option}: another scheme, or a non-boolean opt-in, is refused`, () => {
      assert.throws(() => make('ftp://provider.example/x', {}), TypeError);
      assert.throws(
        () => make(`${REMOTE}/x`, { allowInsecureRequests: 'yes' }),
        (err: NodeJS.ErrnoException) =>
          err instanceof TypeError &&
          err.code === 'ERR_INVALID_ARG_TYPE' &&
          err.message.includes('"allowInsecureRequests"'),
      );
    });
  }

  test('a host that only looks like loopback is not', () => {
    for (const url of ['http://127.0.0.1.nip.io/x', 'http://localhost.example/x']) {
      assert.throws(() => new ExboClient({ ...exbo, baseURL: url }), TypeError, url);
    }
  });
});
