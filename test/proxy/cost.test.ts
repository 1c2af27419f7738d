/**
 * A user who sets no proxy pays nothing for the option: the tunnels (proxy-tunnel.ts) are not loaded, by loading the
 * packages, by making strategies, or by their requests. It is loaded by the first request of a
 * transport that has a proxy (which shows this test can see it). Through `require` and `import`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { childEnv } from './helpers/run-logins.js';

/** The same steps in both builds; `loaded()` says whether proxy-tunnel.ts has been loaded so far. */
const STEPS = `
const seen = { imported: loaded() };
new Soa2Strategy({ clientID: 1, clientSecret: 's', callbackURL: '/cb' }, () => {});
const client = new ExboClient({ clientID: '1', clientSecret: 's', callbackURL: 'http://127.0.0.1/cb', baseURL: 'http://127.0.0.1:9', timeout: 3000 });
seen.constructed = loaded();
client.requestAppToken().catch((err) => {
  seen.code = err.code;
  // A moment after the failure, so a lazily required module has surely arrived.
  setTimeout(() => {
    seen.requested = loaded();
    process.stdout.write(JSON.stringify(seen));
  }, 200);
});
`;

// The package code is CommonJS whether imported or required, so the module cache shows whether a
// proxy bundle (passport-exbo/dist/proxy-tunnel.js, passport-soa2/dist/proxy-tunnel.js) has been loaded.
const LOADED = String.raw`const loaded = () => Object.keys(require.cache).some((file) => /passport-(exbo|soa2)[\\/]dist[\\/]proxy-tunnel\.js$/.test(file));`;

const CJS = `
const { ExboClient } = require('passport-exbo');
const { Strategy: Soa2Strategy } = require('passport-soa2');
${LOADED}
${STEPS}`;

const ESM = `
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { ExboClient } = await import('passport-exbo');
const { Strategy: Soa2Strategy } = await import('passport-soa2');
${LOADED}
${STEPS}`;

function run(build: 'cjs' | 'esm', env: Record<string, string>): Record<string, unknown> {
  const args = build === 'cjs' ? ['-e', CJS] : ['--input-type=module', '-e', ESM];
  const result = spawnSync(process.execPath, args, {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

for (const build of ['cjs', 'esm'] as const) {
  test(`${build}: without a proxy, proxy-tunnel.ts is never loaded`, { timeout: 30_000 }, () => {
    assert.deepEqual(run(build, {}), {
      imported: false,
      constructed: false,
      requested: false,
      code: 'PROVIDER_UNREACHABLE',
    });
  });

  test(`${build}: with HTTP_PROXY set, it is loaded by the first request, not before`, {
    timeout: 30_000,
  }, () => {
    assert.deepEqual(run(build, { HTTP_PROXY: 'http://127.0.0.1:9' }), {
      imported: false,
      constructed: false,
      requested: true,
      code: 'PROVIDER_UNREACHABLE',
    });
  });
}
