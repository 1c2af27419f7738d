/**
 * The proxy settings, unit by unit: NO_PROXY matching (curl's conventions), which variable wins
 * under `'env'`, and how proxy URLs are read (never quoted back: they may hold a password).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  parseNoProxy,
  parseProxyURL,
  proxiesFromEnv,
} from '../../packages/core/dist/lib/proxy-settings.js';

describe('NO_PROXY matching', () => {
  // [NO_PROXY value, hostname, port, bypasses the proxy?]
  const table: Array<[string, string, number, boolean]> = [
    ['', 'exbo.net', 443, false],
    ['*', 'exbo.net', 443, true],
    ['*', '10.1.2.3', 80, true],
    ['exbo.net', 'exbo.net', 443, true],
    ['exbo.net', 'api.exbo.net', 443, true],
    ['exbo.net', 'notexbo.net', 443, false],
    ['exbo.net', 'exbo.network', 443, false],
    ['.exbo.net', 'exbo.net', 443, true],
    ['.exbo.net', 'a.b.exbo.net', 443, true],
    ['*.exbo.net', 'a.exbo.net', 443, true],
    ['EXBO.NET', 'Api.Exbo.Net', 443, true],
    ['exbo.net.', 'exbo.net', 443, true],
    ['exbo.net', 'exbo.net.', 443, true],
    ['localhost, exbo.net', 'exbo.net', 443, true],
    ['localhost exbo.net', 'exbo.net', 443, true],
    [' , ,exbo.net,', 'exbo.net', 443, true],
    ['exbo.net:8443', 'exbo.net', 8443, true],
    ['exbo.net:8443', 'exbo.net', 443, false],
    ['127.0.0.1', '127.0.0.1', 3000, true],
    ['127.0.0.1', '127.0.0.10', 3000, false],
    ['0.0.1', '127.0.0.1', 3000, false],
    ['127.0.0.1:3000', '127.0.0.1', 3000, true],
    ['127.0.0.1:3000', '127.0.0.1', 3001, false],
    ['10.0.0.0/8', '10.200.3.4', 443, true],
    ['10.0.0.0/8', '11.0.0.1', 443, false],
    ['192.168.1.0/24', '192.168.1.77', 443, true],
    ['::1', '::1', 443, true],
    ['[::1]', '::1', 443, true],
    ['[::1]:8443', '::1', 8443, true],
    ['[::1]:8443', '::1', 443, false],
    ['fd00::/8', 'fd12:3456::1', 443, true],
    ['fd00::/8', 'fe80::1', 443, false],
    ['10.0.0.0/99', '10.0.0.1', 443, false],
    ['exbo.net', '127.0.0.1', 443, false],
  ];
  for (const [value, host, port, bypass] of table) {
    test(`NO_PROXY=${JSON.stringify(value)}: ${host}:${port} ${bypass ? 'bypasses' : 'goes through'} the proxy`, () => {
      assert.equal(parseNoProxy(value)(host, port), bypass);
    });
  }
});

describe("proxy: 'env'", () => {
  test('HTTPS_PROXY for https, HTTP_PROXY for http, either letter case; lower case wins', () => {
    const upper = proxiesFromEnv({
      HTTPS_PROXY: 'http://upper:3128',
      HTTP_PROXY: 'http://plain:8080',
    });
    assert.equal(upper.https?.label, 'upper:3128');
    assert.equal(upper.http?.label, 'plain:8080');
    const lower = proxiesFromEnv({ https_proxy: 'http://lower:3128' });
    assert.equal(lower.https?.label, 'lower:3128');
    assert.equal(lower.http, undefined);
    const both = proxiesFromEnv({ https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' });
    assert.equal(both.https?.label, 'lower:1');
  });

  test('an empty variable counts as unset; no_proxy wins over NO_PROXY', () => {
    const env = proxiesFromEnv({
      https_proxy: '',
      HTTPS_PROXY: 'http://upper:3128',
      no_proxy: 'exbo.net',
      NO_PROXY: '*',
    });
    assert.equal(env.https?.label, 'upper:3128');
    assert.equal(env.noProxy('exbo.net', 443), true);
    assert.equal(env.noProxy('scratch-wiki.info', 443), false);
  });

  test('a broken variable is named, and its password is not quoted', () => {
    assert.throws(
      () => proxiesFromEnv({ HTTPS_PROXY: 'socks5://u:hunter2@proxy:1080' }),
      (err: Error) =>
        /HTTPS_PROXY uses socks5:\/\/, but only http:\/\/ proxies/.test(err.message) &&
        !err.message.includes('hunter2'),
    );
  });
});

describe('proxy URLs', () => {
  test('host and port, default port 80, a bare host:port taken as http://', () => {
    assert.deepEqual(parseProxyURL('http://proxy.corp:3128', 'x'), {
      hostname: 'proxy.corp',
      port: 3128,
      label: 'proxy.corp:3128',
      authorization: undefined,
    });
    assert.equal(parseProxyURL('http://proxy.corp', 'x').port, 80);
    assert.equal(parseProxyURL('proxy.corp:8080', 'x').label, 'proxy.corp:8080');
    const v6 = parseProxyURL('http://[::1]:3128', 'x');
    assert.equal(v6.hostname, '::1');
    assert.equal(v6.label, '[::1]:3128');
  });

  test('user and password become Basic credentials, never part of the label', () => {
    const proxy = parseProxyURL('http://alice:p%40ss%3Aw0rd@proxy.corp:3128', 'x');
    assert.equal(proxy.label, 'proxy.corp:3128');
    assert.equal(proxy.authorization, `Basic ${Buffer.from('alice:p@ss:w0rd').toString('base64')}`);
  });

  test('https:// and other schemes are refused with the setting named', () => {
    assert.throws(
      () => parseProxyURL('https://proxy:443', 'the proxy option'),
      /the proxy option uses https:\/\//,
    );
    assert.throws(() => parseProxyURL('http://', 'HTTPS_PROXY'), /HTTPS_PROXY is not a URL/);
  });
});
