/**
 * The published entry points as a user's app loads them: `require()` from CommonJS and `import`
 * from ESM, each in a separate Node process so nothing of the test runner's loader is involved.
 * Each entry gives exactly the names issue 14 lists; the root follows Passport's CommonJS
 * convention; loading the root loads nothing of the subpaths or the CLI; one process that uses
 * both formats loads one copy of each entry; and the copies of core's code that the bundles carry
 * (scripts/bundle-entries.mjs) share one OAuthError type and one replay guard.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

function run(type: 'commonjs' | 'module', code: string): string {
  return execFileSync(process.execPath, ['--input-type', type, '-e', code], {
    encoding: 'utf8',
    timeout: 30_000, // a hang fails in seconds (node:test cannot time out synchronous code)
  }).trim();
}

/** The value names of each entry point (types are checked by the TypeScript consumer tests). */
const ENTRIES: Record<string, string[]> = {
  'passport-exbo': ['ExboClient', 'OAuthError', 'Strategy', 'VERSION', 'isOAuthError'],
  'passport-exbo/game-api': [
    'AppTokenManager',
    'EXBO_REGIONS',
    'ExboGameApi',
    'GAME_API_URLS',
    'MemoryAppTokenStore',
    'RedisAppTokenStore',
    'decodeAccessToken',
  ],
  'passport-soa2': ['OAuthError', 'Soa2Client', 'Strategy', 'VERSION', 'isOAuthError'],
  'passport-soa2/accounts': [
    'APPLICATION_FLAGS',
    'Soa2AccountClient',
    'flagNames',
    'isScratchUsername',
  ],
};
const ROOTS = ['passport-exbo', 'passport-soa2'];

for (const [entry, names] of Object.entries(ENTRIES)) {
  const isRoot = ROOTS.includes(entry);

  test(`require('${entry}') gives exactly its listed names`, () => {
    const out = run(
      'commonjs',
      `const m = require('${entry}');
       console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default').sort()))`,
    );
    assert.deepEqual(JSON.parse(out), [...names].sort());
  });

  // Node 23+ adds a 'module.exports' name to every CommonJS module imported from ESM (the whole
  // module.exports object): Node's, not ours, so not counted.
  test(`import '${entry}' gives exactly its listed names${isRoot ? ' and the Strategy as default' : ''}`, () => {
    const out = run(
      'module',
      `import * as m from '${entry}';
       console.log(JSON.stringify({
         names: Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort(),
         defaultIsStrategy: m.default !== undefined && m.default === m.Strategy,
       }))`,
    );
    assert.deepEqual(JSON.parse(out), { names: [...names].sort(), defaultIsStrategy: isRoot });
  });
}

for (const name of ROOTS) {
  test(`${name}: require() is the Strategy constructor, with the root names on it (Passport's convention)`, () => {
    const out = run(
      'commonjs',
      `const Strategy = require('${name}');
       const PassportStrategy = require('passport-strategy');
       const s = new Strategy({ clientID: '1', clientSecret: 's', callbackURL: 'http://127.0.0.1/cb' }, () => {});
       console.log(JSON.stringify([
         typeof Strategy, Strategy.Strategy === Strategy, Strategy.default === Strategy,
         s instanceof PassportStrategy.Strategy, typeof Strategy.OAuthError, s.name,
       ]))`,
    );
    assert.deepEqual(JSON.parse(out), [
      'function',
      true,
      true,
      true,
      'function',
      name.replace('passport-', ''),
    ]);
  });

  test(`${name}: VERSION is package.json's version`, () => {
    const pkg = JSON.parse(readFileSync(`packages/${name}/package.json`, 'utf8'));
    assert.equal(run('commonjs', `console.log(require('${name}').VERSION)`), pkg.version);
  });

  test(`${name}: the root loads its entry file and its bundle, nothing of the subpaths or the CLI`, () => {
    const out = run(
      'commonjs',
      `require('${name}');
       console.log(JSON.stringify(Object.keys(require.cache).filter((f) => f.includes('/packages/'))))`,
    );
    const loaded = (JSON.parse(out) as string[]).map((file) => file.replace(/.*\/packages\//, ''));
    assert.deepEqual(loaded.sort(), [`${name}/dist/index.bundle.js`, `${name}/dist/index.js`]);
    const bundle = readFileSync(`packages/${name}/dist/index.bundle.js`, 'utf8');
    for (const extra of [
      'class ExboGameApi',
      'class AppTokenManager',
      'class Soa2AccountClient',
      'runCli',
    ]) {
      assert.ok(!bundle.includes(extra), `${extra} is not in the root entry`);
    }
  });
}

test('passport-exbo: the request path (requests.js) is loaded by the first request, not by require() or new Strategy()', () => {
  const out = run(
    'commonjs',
    `const { Strategy } = require('passport-exbo');
     const loaded = () => Object.keys(require.cache).some((file) => file.endsWith('/passport-exbo/dist/requests.js'));
     const seen = { required: loaded() };
     const strategy = new Strategy({ clientID: '1', clientSecret: 's', callbackURL: 'http://127.0.0.1/cb', baseURL: 'http://127.0.0.1:9', timeout: 3000 }, () => {});
     seen.constructed = loaded();
     strategy.client.requestAppToken().catch((err) => {
       seen.code = err.code;
       seen.requested = loaded();
       console.log(JSON.stringify(seen));
     });`,
  );
  assert.deepEqual(JSON.parse(out), {
    required: false,
    constructed: false,
    code: 'PROVIDER_UNREACHABLE',
    requested: true,
  });
});

/** Paths inside the packages that exist on disk but are no entry point: the "exports" map hides them. */
const DEEP_IMPORTS = [
  'passport-exbo/dist/index.bundle.js',
  'passport-exbo/dist/game-api.js',
  'passport-exbo/dist/types/entries/root.d.ts',
  'passport-soa2/dist/index.js',
  'passport-soa2/dist/accounts.bundle.js',
  'passport-soa2/dist/cli.js',
];

for (const deep of DEEP_IMPORTS) {
  test(`'${deep}' is not exported: require() and import fail with ERR_PACKAGE_PATH_NOT_EXPORTED`, () => {
    assert.ok(existsSync(`packages/${deep}`), `${deep} exists, so only the map hides it`);
    const codes = (type: 'commonjs' | 'module', load: string) =>
      run(type, `${load}.then(() => console.log('loaded'), (err) => console.log(err.code))`);
    assert.equal(
      codes('commonjs', `Promise.resolve().then(() => require('${deep}'))`),
      'ERR_PACKAGE_PATH_NOT_EXPORTED',
    );
    assert.equal(codes('module', `import('${deep}')`), 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });
}

test('package.json is exported (tools read it)', () => {
  for (const name of ROOTS) {
    assert.equal(run('commonjs', `console.log(require('${name}/package.json').name)`), name);
  }
});

test('one process using require and import: one copy of each entry, one OAuthError type', () => {
  const out = run(
    'module',
    `import { createRequire } from 'node:module';
     import * as esm from 'passport-exbo';
     import * as soa2 from 'passport-soa2';
     import * as gameApi from 'passport-exbo/game-api';
     const require = createRequire(process.cwd() + '/');
     const cjs = require('passport-exbo');
     const fromCjs = new cjs.OAuthError('CODE_REJECTED', 'x', { provider: 'exbo' });
     const fromSoa2 = new soa2.OAuthError('CODE_REJECTED', 'x', { provider: 'soa2' });
     // An error of the game-api bundle's copy of core (nothing listens on port 9 of loopback).
     const api = new gameApi.ExboGameApi({ baseURL: 'http://127.0.0.1:9', proxy: false, timeout: 5000 });
     const fromGameApi = await api.regions().catch((err) => err);
     console.log(JSON.stringify([
       cjs.Strategy === esm.Strategy, cjs.OAuthError === esm.OAuthError,
       require('passport-exbo/game-api').ExboGameApi === gameApi.ExboGameApi,
       soa2.isOAuthError(fromCjs), fromCjs instanceof soa2.OAuthError,
       fromSoa2 instanceof esm.OAuthError, fromGameApi instanceof esm.OAuthError,
       fromGameApi.code, esm.isOAuthError(new Error('x')), new Error('x') instanceof esm.OAuthError,
     ]))`,
  );
  assert.deepEqual(JSON.parse(out), [
    ...[true, true, true, true, true, true, true],
    'PROVIDER_UNREACHABLE',
    false,
    false,
  ]);
});

test('two copies of core (each bundle carries one): errors are recognised across them, one replay guard', () => {
  // A second copy of @exbo-soa2/core, as each published bundle, or a second installed version, has.
  const dir = mkdtempSync(join(tmpdir(), 'core-copy-'));
  try {
    cpSync(resolve('packages/core/dist'), join(dir, 'dist'), { recursive: true });
    cpSync(resolve('packages/core/package.json'), join(dir, 'package.json'));
    const out = run(
      'commonjs',
      `const a = require('@exbo-soa2/core');
       const b = require(${JSON.stringify(join(dir, 'dist/index.js'))});
       const results = [a.OAuthError !== b.OAuthError];
       const errA = new a.OAuthError('CODE_REJECTED', 'x', { provider: 'exbo' });
       const errB = new b.OAuthError('CODE_REJECTED', 'x', { provider: 'exbo' });
       results.push(a.isOAuthError(errB), b.isOAuthError(errA), a.isOAuthError(new Error('x')));
       results.push(errB instanceof a.OAuthError, errA instanceof b.OAuthError);
       // A subclass keeps the ordinary prototype check.
       class Sub extends a.OAuthError {}
       results.push(errA instanceof Sub, new Sub('CODE_REJECTED', 'x', { provider: 'exbo' }) instanceof Sub);
       // A callback replayed through the other copy's store is refused.
       const storeA = new a.LoginStateStore({ key: 'k', provider: 'exbo' });
       const storeB = new b.LoginStateStore({ key: 'k', provider: 'exbo' });
       const session = {};
       storeA.store({ session }, undefined, {}, (err, handle) => {
         const copy = structuredClone(session);
         storeA.verify({ session }, handle, {}, (e1, ok1) => {
           storeB.verify({ session: copy }, handle, {}, (e2, ok2) => {
             results.push(ok1, ok2);
             console.log(JSON.stringify(results));
           });
         });
       });`,
    );
    assert.deepEqual(JSON.parse(out), [
      true,
      true,
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every built runtime file (dist/*.js) is in its package tarball', {
  timeout: 60_000,
}, () => {
  // Bundles (and the lazily required proxy-tunnel.js, profile-characters.js) are named by no package.json
  // field, so only this shows a `files` list that leaves one out.
  for (const name of ['passport-exbo', 'passport-soa2']) {
    const dir = resolve('packages', name);
    const packed = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 30_000,
      }),
    ) as { files: { path: string }[] }[];
    const inTarball = new Set(packed[0]!.files.map((file) => file.path));
    const built = readdirSync(join(dir, 'dist'))
      .filter((file) => /\.(m?js)$/.test(file))
      .map((file) => `dist/${file}`);
    assert.ok(built.length > 0, `${name} has built files`);
    assert.deepEqual(
      built.filter((file) => !inTarball.has(file)),
      [],
      `${name}: built but not published`,
    );
  }
});
