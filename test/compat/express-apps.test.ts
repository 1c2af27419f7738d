/**
 * The same login tests against four user apps: a CommonJS app (`require`, callback verify) and an
 * ES module app (`import`, async verify), each on Express 4 and on Express 5, each its own Node
 * process against the fakes, driven over HTTP like a browser.
 *
 * Express 4 and 5 differ where a callback meets the strategies: Express 4's query parser builds
 * nested objects (`?code[x]=1`), Express 5's does not, and both turn a repeated key into an array.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Browser } from '../helpers/browser.js';
import { type AppProcess, startAppProcess } from './app-process.js';
import {
  EXBO_CLIENT,
  type Fakes,
  json,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
  startFakes,
} from './logins.js';
import { fixturePath } from './tsc.js';

const APPS = [
  { format: 'CommonJS', file: fixturePath('cjs-app/app.cjs') },
  { format: 'ESM', file: fixturePath('esm-app/app.mjs') },
];
const EXPRESS = [
  // Express 4's query parser reads `code[x]=1` as an object; Express 5's as an unrelated key.
  { label: 'Express 4', pkg: 'express4', nestedCode: /malformed "code"/ },
  { label: 'Express 5', pkg: 'express', nestedCode: /has no code/ },
];

let fakes: Fakes;
before(async () => {
  fakes = await startFakes();
});
after(async () => {
  await fakes.close();
});

for (const { format, file } of APPS) {
  for (const express of EXPRESS) {
    describe(`${format} app on ${express.label}`, () => {
      let app: AppProcess;

      before(async () => {
        app = await startAppProcess(file, {
          EXPRESS_PACKAGE: express.pkg,
          EXBO_BASE_URL: fakes.exbo.url,
          EXBO_CLIENT_ID: EXBO_CLIENT.clientId,
          EXBO_CLIENT_SECRET: EXBO_CLIENT.clientSecret,
          SOA2_BASE_URL: fakes.soa2.url,
          SOA2_CLIENT_ID: String(SOA2_CLIENT.clientId),
          SOA2_CLIENT_SECRET: SOA2_CLIENT.clientSecret,
        });
        fakes.allowCallbacks({
          exbo: [`${app.url}/auth/exbo/callback`],
          soa2: [`${app.url}/auth/soa2/callback`],
        });
      });
      after(async () => {
        const running = app.exitCode() === null;
        await app?.close();
        assert.ok(running, `the app stayed up:\n${app.stderr()}`);
        assert.equal(app.stderr(), '', 'the app wrote nothing to stderr');
      });

      test('EXBO: a full login signs in, with a Cyrillic name intact, and logout ends it', {
        timeout: 30_000,
      }, async () => {
        const browser = new Browser();
        const done = await loginWithExbo(browser, `${app.url}/auth/exbo`, { user: 'Сталкер' });

        assert.equal(done.status, 200, done.text);
        assert.equal(new URL(done.url).pathname, '/me');
        assert.deepEqual(json(done).user, {
          provider: 'exbo',
          id: '90103',
          name: 'Сталкер-Бандит',
        });
        const out = await browser.post(`${app.url}/logout`, {});
        assert.equal(out.status, 401, 'signed out');
      });

      test('SOA2: a full login signs in', { timeout: 30_000 }, async () => {
        const browser = new Browser();
        const done = await loginWithSoa2(browser, `${app.url}/auth/soa2`);

        assert.equal(done.status, 200, done.text);
        assert.deepEqual(json(done).user, {
          provider: 'soa2',
          id: '10114764',
          name: 'kenny2scratch',
        });
        assert.equal((await browser.get(`${app.url}/me`)).status, 200);
      });

      test('EXBO: denying at EXBO ends at failureRedirect with the message', {
        timeout: 30_000,
      }, async () => {
        const done = await loginWithExbo(new Browser(), `${app.url}/auth/exbo`, {
          decision: 'deny',
        });

        assert.equal(new URL(done.url).pathname, '/login');
        assert.equal(json(done).messages.length, 1);
        assert.match(json(done).messages[0], /denied|declined/i);
      });

      test('a replayed callback fails cleanly: the state was used up', {
        timeout: 30_000,
      }, async () => {
        const browser = new Browser();
        const consent = await browser.get(`${app.url}/auth/exbo`);
        const back = await browser.submit(consent, 'approve', {}, { follow: false });
        const callback = back.headers.get('location') ?? '';
        assert.equal((await browser.get(callback)).status, 200);

        const replay = await browser.get(callback);

        assert.equal(new URL(replay.url).pathname, '/login');
        assert.match(json(replay).messages.join(' '), /state|session|completed/i);
      });

      test('a duplicated or nested code parameter fails before reaching the provider', {
        timeout: 30_000,
      }, async () => {
        const browser = new Browser();
        const tokenRequests = () =>
          fakes.exbo.requests.filter((r) => r.path === '/oauth/token').length +
          fakes.soa2.requests.filter((r) => r.path.endsWith('/tokens')).length;
        const before = tokenRequests();

        const twice = await browser.get(`${app.url}/auth/exbo/callback?code=a&code=b&state=s`);
        const nested = await browser.get(`${app.url}/auth/soa2/callback?code[x]=1&state=s`);

        for (const page of [twice, nested]) {
          assert.equal(new URL(page.url).pathname, '/login', page.text);
        }
        assert.match(json(twice).messages.join(' '), /more than one "code"/);
        // Which message also shows which Express the app really runs on.
        assert.match(json(nested).messages.join(' '), express.nestedCode);
        assert.equal(tokenRequests(), before, 'nothing was sent to a token endpoint');
      });
    });
  }
}
