/**
 * A user who sets no proxy pays nothing for the option: proxy.ts is not loaded, by requiring the
 * packages, by making strategies, or by their requests. It is loaded by the first request of a
 * transport that has a proxy (which shows this test can see it). CommonJS, whose module cache
 * can be listed; the ESM build has the same structure (a dynamic import in senders.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { childEnv } from './helpers/run-logins.js';

const SCRIPT = `
const { ExboClient } = require('passport-exbo');
const { Strategy } = require('passport-soa2');
const loaded = () => Object.keys(require.cache).some((file) => /core[\\\\/]dist[\\\\/]cjs[\\\\/]proxy\\.js$/.test(file));
const seen = { required: loaded() };
new Strategy({ clientID: 1, clientSecret: 's', callbackURL: '/cb' }, () => {});
const client = new ExboClient({ clientID: '1', clientSecret: 's', callbackURL: 'http://127.0.0.1/cb', baseURL: 'http://127.0.0.1:9', timeout: 3000 });
seen.constructed = loaded();
client.requestAppToken().catch((err) => {
  seen.requested = loaded();
  seen.code = err.code;
  process.stdout.write(JSON.stringify(seen));
});
`;

function run(env: Record<string, string>): Record<string, unknown> {
  const result = spawnSync(process.execPath, ['-e', SCRIPT], {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

test('without a proxy, proxy.ts is never loaded', { timeout: 30_000 }, () => {
  assert.deepEqual(run({}), {
    required: false,
    constructed: false,
    requested: false,
    code: 'PROVIDER_UNREACHABLE',
  });
});

test('with HTTP_PROXY set, it is loaded by the first request, not before', {
  timeout: 30_000,
}, () => {
  assert.deepEqual(run({ HTTP_PROXY: 'http://127.0.0.1:9' }), {
    required: false,
    constructed: false,
    requested: true,
    code: 'PROVIDER_UNREACHABLE',
  });
});
