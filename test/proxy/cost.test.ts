/**
 * A user who sets no proxy pays nothing for the option: proxy.ts is not loaded, by loading the
 * packages, by making strategies, or by their requests. It is loaded by the first request of a
 * transport that has a proxy (which shows this test can see it). Both builds: CommonJS, whose
 * module cache can be listed, and ESM, whose loads a module hook reports.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { childEnv } from './helpers/run-logins.js';

/** The same steps in both builds; `loaded()` says whether proxy.ts has been loaded so far. */
const STEPS = `
const seen = { imported: loaded() };
new Soa2Strategy({ clientID: 1, clientSecret: 's', callbackURL: '/cb' }, () => {});
const client = new ExboClient({ clientID: '1', clientSecret: 's', callbackURL: 'http://127.0.0.1/cb', baseURL: 'http://127.0.0.1:9', timeout: 3000 });
seen.constructed = loaded();
client.requestAppToken().catch((err) => {
  seen.code = err.code;
  // A moment for the ESM hook's message (sent from its own thread) to arrive.
  setTimeout(() => {
    seen.requested = loaded();
    process.stdout.write(JSON.stringify(seen));
  }, 200);
});
`;

const CJS = `
const { ExboClient } = require('passport-exbo');
const { Strategy: Soa2Strategy } = require('passport-soa2');
const loaded = () => Object.keys(require.cache).some((file) => /core[\\\\/]dist[\\\\/]cjs[\\\\/]proxy\\.js$/.test(file));
${STEPS}`;

const ESM = `
const { ExboClient } = await import('passport-exbo');
const { Strategy: Soa2Strategy } = await import('passport-soa2');
const loaded = () => globalThis.proxyModuleLoaded === true;
${STEPS}`;

// ESM loads are seen by a module hook; hooks run on another thread, so it tells the main thread
// through a port the hook's initialize receives.
const dir = mkdtempSync(join(tmpdir(), 'proxy-cost-'));
after(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(
  join(dir, 'hooks.mjs'),
  `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) {
  if (/core\\/dist\\/esm\\/proxy\\.js$/.test(url)) port.postMessage('loaded');
  return next(url, context);
}
`,
);
writeFileSync(
  join(dir, 'register.mjs'),
  `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
port1.on('message', () => { globalThis.proxyModuleLoaded = true; });
port1.unref();
register(${JSON.stringify(pathToFileURL(join(dir, 'hooks.mjs')).href)}, { data: { port: port2 }, transferList: [port2] });
`,
);

function run(build: 'cjs' | 'esm', env: Record<string, string>): Record<string, unknown> {
  const args =
    build === 'cjs'
      ? ['-e', CJS]
      : [
          '--import',
          pathToFileURL(join(dir, 'register.mjs')).href,
          '--input-type=module',
          '-e',
          ESM,
        ];
  const result = spawnSync(process.execPath, args, {
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

for (const build of ['cjs', 'esm'] as const) {
  test(`${build}: without a proxy, proxy.ts is never loaded`, { timeout: 30_000 }, () => {
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
