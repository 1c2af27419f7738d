/**
 * The published entry points as a user's app loads them: `require()` from CommonJS and `import`
 * from ESM, in a separate Node process so nothing of the test runner's loader is involved.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

const STRATEGIES = ['passport-exbo', 'passport-soa2'];

function run(type: 'commonjs' | 'module', code: string): string {
  return execFileSync(process.execPath, ['--input-type', type, '-e', code], {
    encoding: 'utf8',
  }).trim();
}

for (const name of STRATEGIES) {
  test(`${name}: require() gives Strategy, default and OAuthError`, () => {
    const out = run(
      'commonjs',
      `const m = require('${name}'); const Passport = require('passport-strategy');
       console.log(typeof m.Strategy, m.default === m.Strategy, typeof m.OAuthError,
         m.Strategy.prototype instanceof Passport.Strategy)`,
    );
    assert.equal(out, 'function true function true');
  });

  test(`${name}: import gives the same names`, () => {
    const out = run(
      'module',
      `import Default, { Strategy, OAuthError } from '${name}';
       console.log(typeof Strategy, Default === Strategy, typeof OAuthError)`,
    );
    assert.equal(out, 'function true function');
  });
}

test('passport-exbo VERSION matches package.json (it goes into the User-Agent)', {
  timeout: 60_000,
}, async () => {
  const { VERSION } = await import('passport-exbo');
  const pkg = JSON.parse(readFileSync('packages/passport-exbo/package.json', 'utf8'));
  assert.equal(VERSION, pkg.version);
});
