/**
 * TypeScript consumers: one project written as the READMEs document the packages (options, the
 * verify forms, profile and error fields, the SOA2 client, passport-oauth2-refresh), compiled with
 * `strict` by the repo's tsc twice: `module: nodenext` in an ESM package, and `module: commonjs`
 * (which resolves the packages' `require` types). `@ts-expect-error` lines in it prove the types are
 * not `any`. The emitted JavaScript then runs, to show both outputs load the packages.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixturePath, tsc } from './tsc.js';

const PROJECT = fixturePath('ts-consumer');

const BUILDS = [
  { config: 'tsconfig.nodenext.json', out: 'dist/esm', format: 'esm' },
  { config: 'tsconfig.commonjs.json', out: 'dist/cjs', format: 'commonjs' },
];

for (const { config, out, format } of BUILDS) {
  test(`${config}: the documented usage compiles under strict, and the output runs`, () => {
    rmSync(`${PROJECT}/${out}`, { recursive: true, force: true });

    const build = tsc(`${PROJECT}/${config}`);

    assert.equal(build.output, '', 'no diagnostics');
    assert.equal(build.status, 0);
    if (format === 'commonjs') {
      // The fixture package is "type": "module"; this marks the CommonJS output as such, as the
      // repo's own dual build does.
      mkdirSync(`${PROJECT}/${out}`, { recursive: true });
      writeFileSync(`${PROJECT}/${out}/package.json`, '{"type":"commonjs"}\n');
    }
    const printed = execFileSync(process.execPath, [`${PROJECT}/${out}/main.js`], {
      encoding: 'utf8',
    });
    assert.deepEqual(JSON.parse(printed), {
      strategies: ['exbo', 'exbo-req', 'soa2', 'soa2-req'],
      refreshable: true,
      moduleFormat: format,
    });
  });
}

test('tsconfig.bundler.json: the same usage type-checks under bundler resolution', () => {
  const build = tsc(`${PROJECT}/tsconfig.bundler.json`);
  assert.equal(build.output, '', 'no diagnostics');
  assert.equal(build.status, 0);
});

test('an Express app with only the usual @types (node, express, passport, express-session) type-checks', () => {
  const build = tsc(`${PROJECT}/tsconfig.minimal.json`, '--listFiles');
  assert.equal(build.status, 0, build.output);
  const typesPackages = new Set(
    [...build.output.matchAll(/node_modules\/(@types\/[^/]+)/g)].map((match) => match[1]),
  );
  for (const needed of ['@types/express', '@types/passport', '@types/express-session']) {
    assert.ok(typesPackages.has(needed), needed);
  }
  // The strategies' published types describe what they use of these themselves.
  for (const unneeded of ['@types/passport-oauth2', '@types/passport-strategy', '@types/oauth']) {
    assert.ok(!typesPackages.has(unneeded), `${unneeded} is not needed`);
  }
});

/**
 * `passReqToCallback: true`: the verify's `req` is the global `Express.Request` merged into the
 * `node:http` request, so whatever the app's type packages declare there applies without an
 * annotation (test/compat/fixtures/ts-request).
 */
const REQUEST_PROJECT = fixturePath('ts-request');

test('an unannotated req has req.user, req.session and req.sessionID from @types/passport and @types/express-session', () => {
  const build = tsc(`${REQUEST_PROJECT}/tsconfig.session.json`);
  assert.equal(build.output, '', 'no diagnostics');
  assert.equal(build.status, 0);
});

test('req annotated as express.Request keeps type-checking', () => {
  const build = tsc(`${REQUEST_PROJECT}/tsconfig.annotated.json`);
  assert.equal(build.output, '', 'no diagnostics');
  assert.equal(build.status, 0);
});

test('a misspelled request property is still an error (req is not any)', () => {
  const build = tsc(`${REQUEST_PROJECT}/tsconfig.misspelled.json`);
  assert.notEqual(build.status, 0);
  // One error per misspelling, each naming the property the app's type packages declare.
  const found = [...build.output.matchAll(/error (TS\d+): Property '(\w+)' does not exist[^\n]*/g)];
  assert.deepEqual(
    found.map(([line, code, property]) => ({
      code,
      property,
      suggests: /Did you mean '(\w+)'/.exec(line)?.[1],
    })),
    [
      { code: 'TS2551', property: 'sesion', suggests: 'session' },
      { code: 'TS2551', property: 'usr', suggests: 'user' },
    ],
    build.output,
  );
  assert.equal(build.output.split('\n').length, 2, build.output);
});

test('with no Express, Passport or session types in the program, req is the node:http request', () => {
  const build = tsc(`${REQUEST_PROJECT}/tsconfig.bare.json`, '--listFiles');
  assert.equal(build.status, 0, build.output);
  const typesPackages = new Set(
    [...build.output.matchAll(/node_modules\/(@types\/[^/]+)/g)].map((match) => match[1]),
  );
  assert.deepEqual([...typesPackages], ['@types/node']);
});
