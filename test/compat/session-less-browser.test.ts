/**
 * Logins without a server session end to end in a real browser: Debian's chromium driven by
 * playwright-core, an Express app with no session middleware (the session-less routes of
 * session-less-logins.ts: the login state in a cookie, a signed JWT-shaped token after the
 * login), the fakes' real consent pages. Then the callbacks that must fail: the same callback URL
 * visited again, and a callback URL carried into a second browser context. A screenshot of every
 * step is written under test-artifacts/session-less/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Passport } from 'passport';
import { Strategy as ExboStrategy } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { readToken } from '../helpers/login-token.js';
import { listen, type RunningServer } from '../helpers/server.js';
import { type Fakes, startFakes } from './logins.js';
import {
  allowSessionlessCallbacks,
  type PassportLike,
  sessionlessRoutes,
  sessionlessStrategies,
} from './session-less-logins.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/session-less/', import.meta.url));
const TIMEOUT = { timeout: 60_000 };
const NOT_HERE = /not started in this browser, has expired, or was already completed/;
const PROVIDERS = {
  exbo: { approve: 'Allow', user: { provider: 'exbo', id: '90102', name: 'Test-1' } },
  soa2: {
    approve: 'Confirm',
    user: { provider: 'soa2', id: '10114764', name: 'kenny2scratch' },
  },
} as const;

let fakes: Fakes;
let browser: Browser;
let app: RunningServer;
let context: BrowserContext;
let page: Page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  fakes = await startFakes();
  const passport = new Passport();
  for (const strategy of sessionlessStrategies(fakes, { ExboStrategy, Soa2Strategy })) {
    passport.use(strategy);
  }
  const server = express();
  server.use(passport.initialize()); // and nothing else: no session middleware
  sessionlessRoutes(server as never, passport as unknown as PassportLike);
  app = await listen(server as never);
  allowSessionlessCallbacks(fakes, app.url);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
  await fakes?.close();
});
beforeEach(async () => {
  await context?.close();
  context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  page = await context.newPage();
});

async function snap(name: string, on = page): Promise<void> {
  await on.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** The app's JSON answer on the page Chromium shows. */
async function shownJSON(on: Page): Promise<Record<string, unknown>> {
  return JSON.parse((await on.locator('body').innerText()).trim());
}

for (const provider of ['exbo', 'soa2'] as const) {
  const { approve, user } = PROVIDERS[provider];

  describe(`${provider}: a session-less login in chromium`, () => {
    it(
      'logs in through the consent page, ends in a signed token; the same callback again fails',
      TIMEOUT,
      async () => {
        await page.goto(`${app.url}/auth/${provider}?returnTo=/clan/7`);
        await page.waitForURL((url) => !url.toString().startsWith(app.url));
        const [stateCookie, ...others] = await context.cookies(
          `${app.url}/auth/${provider}/callback`,
        );
        assert.deepEqual(others, [], 'one cookie: the login state, no session cookie');
        assert.match(stateCookie?.name ?? '', new RegExp(`^passport-${provider}\\.[\\w-]{8}$`));
        assert.equal(stateCookie?.httpOnly, true);
        assert.equal(stateCookie?.sameSite, 'Lax');
        assert.equal(stateCookie?.path, `/auth/${provider}`);
        await snap(`${provider}-1-consent`);

        await page.getByRole('button', { name: approve }).click();
        await page.waitForURL((url) =>
          url.toString().startsWith(`${app.url}/auth/${provider}/callback?`),
        );
        const callback = page.url();
        const body = await shownJSON(page);
        await snap(`${provider}-2-token`);
        assert.deepEqual(body.user, user);
        assert.deepEqual(body.state, { returnTo: '/clan/7' }, 'the app state came back');
        assert.match(String(body.token), /^[\w-]+\.[\w-]+\.[\w-]+$/);
        assert.deepEqual(readToken(String(body.token)), user, 'signed by the app, for that user');
        assert.deepEqual(await context.cookies(app.url), [], 'the used cookie is gone');

        // The same callback URL visited again (a reload, the history, a copied link).
        const again = await page.goto(callback);
        assert.equal(again?.status(), 403);
        const failure = await shownJSON(page);
        assert.match(String((failure.messages as string[])[0]), NOT_HERE);
        assert.equal(failure.token, undefined);
        await snap(`${provider}-3-replay-refused`);
      },
    );

    it('a callback URL carried into a second browser context fails there', TIMEOUT, async () => {
      // The provider's redirect back is held back from the app (as when the callback link is
      // copied instead of followed): the answer to Allow/Confirm is fetched without following it.
      let carried = '';
      const providerOrigin = new URL(provider === 'exbo' ? fakes.exbo.url : fakes.soa2.url).origin;
      const isConsentAnswer = (url: URL) => url.origin === providerOrigin;
      await page.route(isConsentAnswer, async (route) => {
        if (route.request().method() !== 'POST') return route.continue();
        const answer = await route.fetch({ maxRedirects: 0 });
        carried = answer.headers().location ?? '';
        return route.fulfill({ status: 200, contentType: 'text/html', body: '<p>held back</p>' });
      });
      await page.goto(`${app.url}/auth/${provider}`);
      await page.getByRole('button', { name: approve }).click();
      await page.getByText('held back').waitFor();
      assert.ok(carried.startsWith(`${app.url}/auth/${provider}/callback?`), carried);

      const second = await browser.newContext();
      try {
        const other = await second.newPage();
        const answer = await other.goto(carried);
        assert.equal(answer?.status(), 403);
        assert.match(String(((await shownJSON(other)).messages as string[])[0]), NOT_HERE);
        await snap(`${provider}-4-other-context-refused`, other);
      } finally {
        await second.close();
      }

      // In the browser that started it, the same URL still logs in: it was not used up.
      const own = await page.goto(carried);
      assert.equal(own?.status(), 200);
      assert.deepEqual((await shownJSON(page)).user, user);
    });
  });
}
