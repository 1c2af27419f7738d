/**
 * Both strategies in a NestJS app without a session (fixtures/nest-sessionless: no
 * express-session, `PassportModule.register({ session: false })`, the login state in a cookie):
 * the callback answers with the app's own HS256 JWT, made with node:crypto. The test checks that
 * JWT's signature and claims by itself, uses it on a guarded route, and replays callbacks.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { trackProcessErrors } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import type { FixtureConfig } from './fixtures/nest-sessionless/src/config.js';
import { EXBO_CLIENT, type Fakes, json, SOA2_CLIENT, startFakes } from './logins.js';
import { approvedCallback, stateCookies } from './session-less-logins.js';
import { fixturePath, tsc } from './tsc.js';

const FIXTURE = fixturePath('nest-sessionless');
const JWT_KEY = 'the session-less Nest fixture signs its JWTs with this';
const TEST = { timeout: 60_000 };
const USERS = {
  exbo: { sub: 'exbo:90102', name: 'Test-1' },
  soa2: { sub: 'soa2:10114764', name: 'kenny2scratch' },
};

let fakes: Fakes;
let app: INestApplication;
let url: string;
const processErrors = trackProcessErrors();

before(async () => {
  const build = tsc(FIXTURE);
  assert.equal(build.status, 0, `the Nest fixture does not compile:\n${build.output}`);
  fakes = await startFakes();
  const config: FixtureConfig = {
    exbo: {
      baseURL: fakes.exbo.url,
      clientID: EXBO_CLIENT.clientId,
      clientSecret: EXBO_CLIENT.clientSecret,
    },
    soa2: {
      baseURL: fakes.soa2.url,
      clientID: String(SOA2_CLIENT.clientId),
      clientSecret: SOA2_CLIENT.clientSecret,
    },
    stateCookieSecret: 'the session-less Nest fixture: login state cookies',
    jwtKey: JWT_KEY,
  };
  const { createApp } = (await import(pathToFileURL(`${FIXTURE}/dist/main.js`).href)) as {
    createApp(config: FixtureConfig): Promise<INestApplication>;
  };
  app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  url = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  fakes.allowCallbacks({
    exbo: [`${url}/auth/exbo/callback`],
    soa2: [`${url}/auth/soa2/callback`],
  });
});

after(async () => {
  await app?.close();
  await fakes?.close();
  processErrors.stop();
  assert.deepEqual(processErrors.errors, [], 'no unhandled rejection or uncaught exception');
});

/** The JWT's header and claims once its HS256 signature is checked here, with node:crypto. */
function checkedJwt(token: string): { header: unknown; claims: Record<string, unknown> } {
  const parts = token.split('.');
  assert.equal(parts.length, 3, 'header.payload.signature');
  const [header = '', payload = '', signature = ''] = parts;
  const expected = createHmac('sha256', JWT_KEY).update(`${header}.${payload}`).digest('base64url');
  assert.equal(signature, expected, 'HMAC-SHA256 of header.payload under the app key');
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  return { header: decode(header), claims: decode(payload) };
}

describe('NestJS without a session: state in a cookie, a JWT after the login', () => {
  for (const route of ['exbo', 'soa2'] as const) {
    test(
      `${route}: the callback issues a signed JWT; it opens the guarded route`,
      TEST,
      async () => {
        const browser = new Browser();
        const { callback, cookies } = await approvedCallback(
          browser,
          url,
          route,
          '?returnTo=/clan/42',
        );
        assert.equal(stateCookies(cookies, route).length, 1, 'the login state is one cookie');
        assert.deepEqual(
          cookies.split('; ').filter((pair) => !stateCookies(pair, route).length),
          [],
          'no session cookie, nothing else',
        );

        const done = await browser.get(callback);
        assert.equal(done.status, 200, done.text);
        const body = json(done);
        assert.equal(body.returnTo, '/clan/42', 'the app state came back as req.authInfo.state');
        const { header, claims } = checkedJwt(body.token);
        assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
        const now = Math.floor(Date.now() / 1000);
        assert.deepEqual({ sub: claims.sub, name: claims.name }, USERS[route]);
        assert.ok(Math.abs(Number(claims.iat) - now) <= 5, `iat ${claims.iat}, now ${now}`);
        assert.equal(Number(claims.exp) - Number(claims.iat), 3600);
        assert.equal(
          (await browser.jar.getCookieString(callback)).length,
          0,
          'the used state cookie was cleared, no other cookie was set',
        );

        const me = await fetch(`${url}/me`, { headers: { Authorization: `Bearer ${body.token}` } });
        assert.equal(me.status, 200);
        assert.deepEqual(((await me.json()) as { claims: unknown }).claims, claims);
        const [h, p, s] = body.token.split('.');
        const raised = Buffer.from(JSON.stringify({ ...claims, sub: 'exbo:1' })).toString(
          'base64url',
        );
        for (const forged of [`${h}.${raised}.${s}`, `${h}.${p}.${'A'.repeat(43)}`, '']) {
          const refused = await fetch(`${url}/me`, {
            headers: { Authorization: `Bearer ${forged}` },
          });
          assert.equal(refused.status, 403, 'a token the app did not sign');
        }
      },
    );

    test(`${route}: a replayed callback and one opened in another browser fail`, TEST, async () => {
      const browser = new Browser();
      const { callback } = await approvedCallback(browser, url, route);
      assert.equal((await browser.get(callback)).status, 200);
      const replay = await browser.get(callback);
      assert.equal(replay.status, 401, replay.text);
      assert.equal(json(replay).token, undefined);

      const started = await approvedCallback(new Browser(), url, route);
      const other = await new Browser().get(started.callback);
      assert.equal(other.status, 401, other.text);
    });
  }
});
