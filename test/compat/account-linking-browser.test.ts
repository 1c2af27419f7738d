/**
 * Account linking end to end in a real browser: Debian's chromium driven by playwright-core,
 * against the linking test app (test/helpers/linking-app.ts: `passport.authorize` on
 * `/connect/<provider>`) and the fakes' real consent pages. A screenshot of every step is written
 * under test-artifacts/linking/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { Browser as ScriptedBrowser } from '../helpers/browser.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { type LinkingApp, startLinkingApp } from '../helpers/linking-app.js';
import { EXBO_CLIENT, type Fakes, SOA2_CLIENT, startFakes } from './logins.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/linking/', import.meta.url));
const TIMEOUT = { timeout: 60_000 };

let fakes: Fakes;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let app: LinkingApp;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  fakes = await startFakes();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
  await fakes?.close();
});
// A fresh app (its own users) and a fresh cookie jar for each scenario.
beforeEach(async () => {
  await context?.close();
  await app?.close();
  app = await startLinkingApp({
    exboURL: fakes.exbo.url,
    soa2URL: fakes.soa2.url,
    clients: { exbo: EXBO_CLIENT, soa2: SOA2_CLIENT },
  });
  fakes.allowCallbacks(app.callbacks);
  context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  page = await context.newPage();
});

async function snap(name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

async function backOnApp(): Promise<void> {
  await page.waitForURL((url) => url.toString().startsWith(app.url));
}

/** The account cell of the provider's row ("EXBO" or "Scratch"). */
function accountCell(label: string) {
  return page.locator('tr', { has: page.locator('th', { hasText: label }) }).locator('td');
}

async function sessionCookie(): Promise<string | undefined> {
  return (await context.cookies(app.url)).find((cookie) => cookie.name === 'link.sid')?.value;
}

describe('account linking in chromium', () => {
  it(
    'a local user links EXBO and Scratch, stays signed in, then logs in with the linked Scratch account',
    TIMEOUT,
    async () => {
      await page.goto(app.url);
      await page.getByLabel('Local user').selectOption('alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Signed in as alice' }).waitFor();
      const session = await sessionCookie();
      await snap('local-1-signed-in');

      await page.getByRole('link', { name: 'Link your EXBO account' }).click();
      await page.waitForURL((url) => url.toString().startsWith(fakes.exbo.url));
      await page.getByLabel('Sign in as').selectOption({ label: 'Сталкер' });
      await snap('local-2-exbo-consent');
      await page.getByRole('button', { name: 'Allow' }).click();
      await backOnApp();
      await page.getByRole('heading', { name: 'Signed in as alice' }).waitFor();
      assert.match(await page.getByRole('alert').innerText(), /EXBO account linked/);
      assert.equal(await accountCell('EXBO').innerText(), 'Сталкер (id 90103)');
      await snap('local-3-exbo-linked');

      await page.getByRole('link', { name: 'Link your Scratch account' }).click();
      await page.waitForURL((url) => url.toString().startsWith(fakes.soa2.url));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await backOnApp();
      await page.getByRole('heading', { name: 'Signed in as alice' }).waitFor();
      assert.equal(await accountCell('Scratch').innerText(), 'kenny2scratch (id 10114764)');
      assert.equal(await accountCell('EXBO').innerText(), 'Сталкер (id 90103)');
      assert.equal(await sessionCookie(), session, 'linking kept the same session');
      await snap('local-4-both-linked');

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('heading', { name: 'Welcome' }).waitFor();
      await page.getByRole('link', { name: 'Login with Scratch' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      await backOnApp();
      await page.getByRole('heading', { name: 'Signed in as alice' }).waitFor();
      await snap('local-5-login-with-linked-scratch');
      assert.equal(app.users.size, 2, 'the Scratch login found alice, no new user');
    },
  );

  it(
    'a user signed in with EXBO links Scratch; logging in with Scratch is the same user',
    TIMEOUT,
    async () => {
      await page.goto(app.url);
      await page.getByRole('link', { name: 'Login with EXBO' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await backOnApp();
      await page.getByRole('heading', { name: 'Signed in as Test-1' }).waitFor();
      const session = await sessionCookie();

      await page.getByRole('link', { name: 'Link your Scratch account' }).click();
      await page.getByLabel('Signed in to Scratch as').selectOption({ label: 'Scratch-Cat_42' });
      await page.getByRole('button', { name: 'Confirm' }).click();
      await backOnApp();
      await page.getByRole('heading', { name: 'Signed in as Test-1' }).waitFor();
      assert.equal(await accountCell('Scratch').innerText(), 'Scratch-Cat_42 (id 42424242)');
      assert.equal(await sessionCookie(), session);
      await snap('exbo-1-scratch-linked');

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('link', { name: 'Login with Scratch' }).click();
      await page.getByLabel('Signed in to Scratch as').selectOption({ label: 'Scratch-Cat_42' });
      await page.getByRole('button', { name: 'Confirm' }).click();
      await backOnApp();
      await page.getByRole('heading', { name: 'Signed in as Test-1' }).waitFor();
      assert.equal(await accountCell('EXBO').innerText(), 'Test-1 (id 90102)');
      await snap('exbo-2-login-with-linked-scratch');
    },
  );

  it(
    "a linking callback from someone else's session is refused; the user stays signed in, unlinked",
    TIMEOUT,
    async () => {
      // The attacker starts linking their own EXBO account and keeps the callback URL.
      const attacker = new ScriptedBrowser();
      await attacker.post(`${app.url}/login/local`, { username: 'mallory' });
      const consent = await attacker.get(`${app.url}/connect/exbo`);
      const answer = await attacker.submit(consent, 'approve', {}, { follow: false });
      const foreign = answer.headers.get('location') ?? '';
      assert.ok(foreign.startsWith(`${app.url}/connect/exbo/callback?`), foreign);

      await page.goto(app.url);
      await page.getByLabel('Local user').selectOption('alice');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Signed in as alice' }).waitFor();
      await page.goto(foreign);
      await page.getByRole('heading', { name: 'Signed in as alice' }).waitFor();
      assert.match(
        await page.getByRole('alert').innerText(),
        /This login was not started in this browser session/,
      );
      await page.getByRole('link', { name: 'Link your EXBO account' }).waitFor();
      await snap('forged-refused');
      assert.deepEqual(app.links, []);
    },
  );

  it(
    'linking needs a signed-in user: the app says so and the provider is not visited',
    TIMEOUT,
    async () => {
      const answer = await page.goto(`${app.url}/connect/soa2`);
      assert.equal(answer?.status(), 401);
      await page.getByRole('heading', { name: 'Sign in first' }).waitFor();
      assert.ok(page.url().startsWith(app.url));
      await snap('signed-out-refused');
    },
  );
});
