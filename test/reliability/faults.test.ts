/**
 * Faults: a provider process killed mid-login, a provider host that does not resolve, a provider
 * speaking TLS with a certificate nobody trusts, a provider slower than the timeout. Each ends the
 * login with a clear error quickly, and the app keeps serving other users meanwhile.
 *
 * Nothing here leaves the machine. The unresolvable host is a name under the reserved `.invalid`
 * TLD whose first label is longer than DNS allows (63 characters): the C library refuses to build
 * the query, so it fails at once without asking any resolver (this machine's resolver is not on
 * loopback, so a plain `exbo.invalid` would send it a query).
 */
import assert from 'node:assert/strict';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  type ExboFake,
  type Soa2Fake,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import { CALLBACK_PATHS } from '../../examples/express-login/src/config.js';
import { selfSignedCertificate } from '../../harness/tls.js';
import { signedInAs } from '../../load/login.js';
import { type TestApp, trackProcessErrors } from '../helpers/app.js';
import { Browser, type Page } from '../helpers/browser.js';
import { startExampleApp } from '../helpers/example-app.js';
import { listen } from '../helpers/server.js';
import { type FakeProcess, startFakeProcess, startHangingProcess } from './helpers/fake-process.js';
import { assertMeaningful, type Outcome } from './helpers/outcome.js';
import {
  CLIENT_SECRETS,
  callbackURL,
  PROVIDERS,
  type ProviderName,
  startBothStrategies,
} from './helpers/strategies.js';

const UNRESOLVABLE_HOST = `${'no-such-provider-'.padEnd(64, 'x')}.invalid`;
const LABELS: Record<ProviderName, string> = { exbo: 'EXBO', soa2: 'Scratch' };
const CONSENT_BUTTONS: Record<ProviderName, string> = { exbo: 'approve', soa2: 'confirm' };
const other = (provider: ProviderName): ProviderName => (provider === 'exbo' ? 'soa2' : 'exbo');

let exboFake: ExboFake;
let soa2Fake: Soa2Fake;
const cleanups: Array<() => Promise<void>> = [];
const tracked = trackProcessErrors();

before(async () => {
  exboFake = await startExboFake();
  soa2Fake = await startSoa2Fake();
});
after(async () => {
  tracked.stop();
  for (const cleanup of cleanups.reverse()) await cleanup();
  await exboFake.close();
  await soa2Fake.close();
  assert.deepEqual(tracked.errors, [], 'no unhandled rejection or uncaught exception');
});

describe('a provider process killed mid-login (the example app, fakes in their own processes)', () => {
  for (const provider of PROVIDERS) {
    test(`${provider}: killed between consent and callback: a clear page, and other users log in`, {
      timeout: 30_000,
    }, async () => {
      const fakes: Partial<Record<ProviderName, FakeProcess>> = {};
      cleanups.push(async () => {
        for (const fake of Object.values(fakes)) await fake.stop();
      });
      const app = await startExampleApp(async (origin) => {
        fakes.exbo = await startFakeProcess('exbo', [`${origin}${CALLBACK_PATHS.exbo}`]);
        fakes.soa2 = await startFakeProcess('soa2', [`${origin}${CALLBACK_PATHS.soa2}`]);
        return {
          exbo: {
            clientID: DEFAULT_EXBO_CLIENT.clientId,
            clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
            callbackURL: `${origin}${CALLBACK_PATHS.exbo}`,
            baseURL: fakes.exbo.url,
          },
          soa2: {
            clientID: DEFAULT_SOA2_CLIENT.clientId,
            clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
            callbackURL: `${origin}${CALLBACK_PATHS.soa2}`,
            baseURL: fakes.soa2.url,
          },
        };
      });
      cleanups.push(() => app.close());

      const user = new Browser();
      const consent = await user.get(`${app.url}/auth/${provider}`);
      const back = await user.submit(consent, CONSENT_BUTTONS[provider], {}, { follow: false });
      const callback = back.headers.get('location') ?? '';
      assert.ok(callback.startsWith(`${app.url}/auth/${provider}/callback?`), callback);
      await fakes[provider]?.kill();

      const started = Date.now();
      const page = await user.get(callback);
      assert.ok(Date.now() - started < 2000, 'the failure is immediate, not a hang');
      assert.equal(page.status, 502);
      assert.match(page.text, new RegExp(`${LABELS[provider]} is not answering`));
      assert.match(page.text, /try again in a few minutes/);
      assert.doesNotMatch(
        page.text,
        /OAuthError|ECONNREFUSED|\n\s+at /,
        'no internals on the page',
      );
      assert.match(
        app.logged.join('\n'),
        new RegExp(
          `Login with ${provider} failed: PROVIDER_UNREACHABLE: .*could not be reached.*ECONNREFUSED`,
        ),
      );

      // Everyone else: the other provider still logs people in, and pages answer.
      const someoneElse = new Browser();
      const otherConsent = await someoneElse.get(`${app.url}/auth/${other(provider)}`);
      const home = await someoneElse.submit(otherConsent, CONSENT_BUTTONS[other(provider)]);
      assert.equal(signedInAs(home.text)?.provider, other(provider));
      assert.equal((await new Browser().get(`${app.url}/`)).status, 200);
    });
  }
});

/** An app whose `faulty` provider lives at `endpoint`; the other provider is a healthy fake. */
async function appWithFaulty(
  faulty: ProviderName,
  endpoint: string,
  timeout: number,
): Promise<TestApp> {
  const healthy = { exbo: { baseURL: exboFake.url }, soa2: { baseURL: soa2Fake.url } };
  const app = await startBothStrategies(
    faulty === 'exbo'
      ? { ...healthy, exbo: { baseURL: endpoint } }
      : { ...healthy, soa2: { baseURL: endpoint } },
    timeout,
  );
  cleanups.push(() => app.close());
  exboFake.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [callbackURL(app, 'exbo')] });
  soa2Fake.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: [callbackURL(app, 'soa2')] });
  return app;
}

/**
 * Finishes a login at `provider` with a well-formed code and this browser's own state (the consent
 * step is skipped: the faulty provider has no consent page). Resolves with the page and its time.
 */
async function finishLogin(
  app: TestApp,
  provider: ProviderName,
): Promise<{ page: Page; elapsedMs: number }> {
  const browser = new Browser();
  const start = await browser.get(`${app.url}/login/${provider}`, { follow: false });
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
  const code = 'c0ffee'.repeat(10).slice(0, 64).padEnd(64, '0');
  const started = Date.now();
  const page = await browser.get(`${app.url}/callback/${provider}?code=${code}&state=${state}`);
  return { page, elapsedMs: Date.now() - started };
}

/** Accounts of the healthy fakes, so simultaneous logins are different people. */
const ACCOUNT_IDS: Record<ProviderName, string[]> = {
  exbo: ['90102', '90103', '90104'],
  soa2: ['10114764', '42424242', '58122330'],
};

/**
 * A complete, successful login at the healthy fake of `provider` as its `nth` account; returns how
 * long it took. (Two simultaneous logins of one account would spoil each other: both providers
 * revoke an account's earlier tokens at each code exchange.)
 */
async function healthyLogin(app: TestApp, provider: ProviderName, nth = 0): Promise<number> {
  const started = Date.now();
  const browser = new Browser();
  const consent = await browser.get(`${app.url}/login/${provider}`);
  const user = ACCOUNT_IDS[provider][nth] as string;
  const done = await browser.submit(consent, CONSENT_BUTTONS[provider], { user });
  assert.equal(done.status, 200, done.text.slice(0, 300));
  assert.equal((JSON.parse(done.text) as { user: { provider: string } }).user.provider, provider);
  return Date.now() - started;
}

/**
 * The login ended in the error `code` with a clear message (the test app answers errors as JSON),
 * and every authenticate call of the app so far ended in exactly one action.
 */
async function assertError(
  app: TestApp,
  page: Page,
  code: string,
  pattern: RegExp,
  context: string,
): Promise<void> {
  const { error } = JSON.parse(page.text) as { error: Outcome & { status: number } };
  const outcome: Outcome = {
    action: 'error',
    code: error.code,
    message: error.message,
    status: error.status,
  };
  assert.equal(outcome.code, code, `${context}: ${outcome.message}`);
  assertMeaningful(outcome, CLIENT_SECRETS, context);
  assert.match(outcome.message ?? '', pattern, context);
  await app.assertOneActionEach();
}

describe('provider faults (the strategies, with short timeouts)', () => {
  for (const provider of PROVIDERS) {
    test(`${provider}: a provider process killed while our token request is in flight`, {
      timeout: 30_000,
    }, async () => {
      const hanging = await startHangingProcess();
      cleanups.push(() => hanging.stop());
      const app = await appWithFaulty(provider, hanging.url, 5000);
      const attempt = finishLogin(app, provider);
      while (hanging.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
      // Meanwhile, with our request hanging, someone else logs in with the other provider.
      await healthyLogin(app, other(provider));
      await hanging.kill();
      const { page, elapsedMs } = await attempt;
      assert.ok(elapsedMs < 5000, `ended by the kill, not the 5 s timeout: ${elapsedMs} ms`);
      assert.equal(page.status, 502);
      await assertError(
        app,
        page,
        'PROVIDER_UNREACHABLE',
        /could not be reached|broke off/,
        provider,
      );
    });

    test(`${provider}: a provider host that does not resolve`, { timeout: 30_000 }, async () => {
      const app = await appWithFaulty(provider, `https://${UNRESOLVABLE_HOST}`, 2000);
      const { page, elapsedMs } = await finishLogin(app, provider);
      assert.ok(elapsedMs < 2000, `${elapsedMs} ms`);
      assert.equal(page.status, 502);
      await assertError(
        app,
        page,
        'PROVIDER_UNREACHABLE',
        /could not be reached .*ENOTFOUND/,
        provider,
      );
      await healthyLogin(app, other(provider));
    });

    test(`${provider}: a provider speaking TLS with a certificate we do not trust`, {
      timeout: 30_000,
    }, async () => {
      let requests = 0;
      const tls = createHttpsServer(selfSignedCertificate(), (_req, res) => {
        requests++;
        res.end('{}');
      });
      const server = await listen(tls);
      cleanups.push(() => server.close());
      const { port } = tls.address() as AddressInfo;
      const app = await appWithFaulty(provider, `https://127.0.0.1:${port}`, 2000);
      const { page } = await finishLogin(app, provider);
      assert.equal(page.status, 502);
      await assertError(
        app,
        page,
        'PROVIDER_UNREACHABLE',
        /could not be reached .*certificate/i,
        provider,
      );
      assert.equal(requests, 0, 'the handshake failed: no request (and no code) was sent');
      await healthyLogin(app, other(provider));
    });

    test(`${provider}: a provider slower than the timeout, while others log in undisturbed`, {
      timeout: 30_000,
    }, async () => {
      const timeout = 800;
      const slow = await listen((_req, res) => {
        const timer = setTimeout(() => res.end('{}'), 5 * timeout);
        res.on('close', () => clearTimeout(timer));
      });
      cleanups.push(() => slow.close());
      const app = await appWithFaulty(provider, slow.url, timeout);
      const attempt = finishLogin(app, provider);
      // While that login waits on the slow provider: logins with the other one, and page views.
      const others = await Promise.all([
        healthyLogin(app, other(provider), 0),
        healthyLogin(app, other(provider), 1),
        ...Array.from({ length: 10 }, async () => {
          const started = Date.now();
          assert.equal((await fetch(`${app.url}/me`)).status, 401);
          return Date.now() - started;
        }),
      ]);
      assert.ok(Math.max(...others) < timeout, `others waited ${Math.max(...others)} ms`);
      const { page, elapsedMs } = await attempt;
      assert.ok(elapsedMs >= timeout && elapsedMs < timeout + 1000, `${elapsedMs} ms`);
      assert.equal(page.status, 504);
      await assertError(
        app,
        page,
        'PROVIDER_TIMEOUT',
        new RegExp(`within ${timeout} ms`),
        provider,
      );
    });
  }
});
