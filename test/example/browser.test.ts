/**
 * The example app in a real browser: Debian's chromium driven by playwright-core, against the app
 * in demo mode (fakes of EXBO and SOA2). A screenshot of every step is written under
 * test-artifacts/example/ (git-ignored; CI keeps it as an artifact).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';
import { type RunningExample, startExample } from './demo-app.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/example/', import.meta.url));

let example: RunningExample;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
  mkdirSync(ARTIFACTS, { recursive: true });
  example = await startExample();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  await example?.close();
});
// A fresh cookie jar for each scenario.
beforeEach(async () => {
  await context?.close();
  context = await browser.newContext({ viewport: { width: 900, height: 700 } });
  page = await context.newPage();
});

async function snap(target: Page, name: string): Promise<void> {
  await target.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
}

/** Waits until the page is on the app again (after the provider's redirect). */
async function backOnApp(target: Page): Promise<void> {
  await target.waitForURL((url) => url.toString().startsWith(example.url));
}

async function signedInAs(target: Page): Promise<string> {
  return (await target.locator('header strong').textContent()) ?? '';
}

describe('example app in chromium', () => {
  it('logs in with EXBO: Allow on the consent page brings the user back signed in', {
    timeout: 60_000,
  }, async () => {
    await page.goto(example.url);
    await assert.doesNotReject(page.getByText('Demo providers.').waitFor());
    await snap(page, 'exbo-1-home');
    await page.getByRole('link', { name: 'Login with EXBO' }).click();
    await page.waitForURL((url) => url.toString().startsWith(example.fakes.exbo.url));
    await snap(page, 'exbo-2-consent');
    await page.getByRole('button', { name: 'Allow' }).click();
    await backOnApp(page);
    await page.getByRole('heading', { name: 'Hello, Test-1' }).waitFor();
    assert.equal(await signedInAs(page), 'Test-1');
    assert.equal(new URL(page.url()).pathname, '/');
    await snap(page, 'exbo-3-signed-in');

    // Logout, from the header's button.
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0);
    await snap(page, 'exbo-4-logged-out');
  });

  it('logs in with EXBO as another account (Cyrillic login)', { timeout: 60_000 }, async () => {
    await page.goto(example.url);
    await page.getByRole('link', { name: 'Login with EXBO' }).click();
    await page.getByLabel('Sign in as').selectOption({ label: 'Сталкер' });
    await page.getByRole('button', { name: 'Allow' }).click();
    await backOnApp(page);
    assert.equal(await signedInAs(page), 'Сталкер');
    await page.getByRole('heading', { name: 'Hello, Сталкер-Бандит' }).waitFor();
    await snap(page, 'exbo-cyrillic-signed-in');
  });

  it('shows "Login cancelled" when the user presses Deny at EXBO', {
    timeout: 60_000,
  }, async () => {
    await page.goto(example.url);
    await page.getByRole('link', { name: 'Login with EXBO' }).click();
    await page.getByRole('button', { name: 'Deny' }).click();
    await backOnApp(page);
    await page.getByRole('heading', { name: 'Login cancelled' }).waitFor();
    assert.match(await page.getByRole('alert').innerText(), /You declined the login at EXBO/);
    assert.equal(await page.getByRole('button', { name: 'Log out' }).count(), 0);
    await snap(page, 'exbo-deny');
  });

  it('logs in with Scratch: Confirm brings the user back signed in', {
    timeout: 60_000,
  }, async () => {
    await page.goto(example.url);
    await page.getByRole('link', { name: 'Login with Scratch', exact: true }).click();
    await page.waitForURL((url) => url.toString().startsWith(example.fakes.soa2.url));
    await snap(page, 'soa2-1-consent');
    await page.getByRole('button', { name: 'Confirm' }).click();
    await backOnApp(page);
    await page.getByRole('heading', { name: 'Hello, kenny2scratch' }).waitFor();
    const table = await page.locator('table').first().innerText();
    assert.match(table, /Provider\s+Scratch/);
    assert.match(table, /ID\s+10114764/);
    assert.match(table, /Authoritative\s+yes/);
    await snap(page, 'soa2-2-signed-in');
  });

  it('leaves the user on SOA2 when they press Cancel; the app still works afterwards', {
    timeout: 60_000,
  }, async () => {
    await page.goto(example.url);
    await page.getByRole('link', { name: 'Login with Scratch', exact: true }).click();
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Authorization Cancelled' }).waitFor();
    assert.ok(page.url().startsWith(example.fakes.soa2.url), 'SOA2 does not redirect back');
    await snap(page, 'soa2-cancel-1-at-soa2');
    // What the app's hint says to do: go back.
    await page.goBack();
    await page.goBack();
    await backOnApp(page);
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    assert.match(await page.locator('.hint').innerText(), /Cancel on Scratch's page/);
    await snap(page, 'soa2-cancel-2-back-on-app');
  });

  it('logs in with a pasted Scratch code (no redirect URI)', { timeout: 60_000 }, async () => {
    await page.goto(example.url);
    await page.getByRole('link', { name: 'Login with Scratch (paste a code)' }).click();
    await page.getByRole('heading', { name: 'Paste your Scratch code' }).waitFor();
    await snap(page, 'soa2-paste-1-form');
    const [soa2Tab] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('link', { name: "Open Scratch's login page" }).click(),
    ]);
    await soa2Tab.getByRole('button', { name: 'Confirm' }).click();
    const code = (await soa2Tab.locator('#soa2-code').innerText()).trim();
    assert.match(code, /^[0-9a-f]{64}$/);
    await snap(soa2Tab, 'soa2-paste-2-code');
    await soa2Tab.close();

    await page.getByLabel('Code from Scratch').fill(code);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Hello, kenny2scratch' }).waitFor();
    await snap(page, 'soa2-paste-3-signed-in');
  });

  it('sends a visitor of the private page to log in, then back to it', {
    timeout: 60_000,
  }, async () => {
    await page.goto(`${example.url}/private`);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/login');
    await snap(page, 'return-to-1-login');
    await page.getByRole('link', { name: 'Login with EXBO' }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await backOnApp(page);
    await page.getByRole('heading', { name: 'Private page' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/private');
    await snap(page, 'return-to-2-private');
  });

  it('links Scratch to an EXBO user, shows the STALCRAFT characters, unlinks Scratch', {
    timeout: 60_000,
  }, async () => {
    // Its own app (and database): the scenarios above already made a user of kenny2scratch, and
    // an account linked to one user is not linked to another.
    const own = await startExample();
    const onOwnApp = (target: Page) =>
      target.waitForURL((url) => url.toString().startsWith(own.url));
    try {
      await page.goto(own.url);
      await page.getByRole('link', { name: 'Login with EXBO' }).click();
      await page.getByRole('button', { name: 'Allow' }).click();
      await onOwnApp(page);
      await page.getByRole('heading', { name: 'Hello, Test-1' }).waitFor();
      const accounts = page.locator('table.identities');
      assert.match(await accounts.innerText(), /EXBO\s+Test-1/);
      await snap(page, 'link-1-exbo-only');

      // Link the Scratch account: SOA2's consent page, then back home, still signed in as Test-1.
      await page.getByRole('link', { name: 'Link a Scratch account' }).click();
      await page.waitForURL((url) => url.toString().startsWith(own.fakes.soa2.url));
      await page.getByRole('button', { name: 'Confirm' }).click();
      await onOwnApp(page);
      await page
        .getByRole('status')
        .getByText('Linked your Scratch account kenny2scratch.')
        .waitFor();
      assert.equal(await signedInAs(page), 'Test-1');
      const both = await accounts.innerText();
      assert.match(both, /EXBO\s+Test-1/);
      assert.match(both, /Scratch\s+kenny2scratch\s+10114764/);
      await snap(page, 'link-2-both-linked');

      // The characters page reads the STALCRAFT API with the stored EXBO token.
      await page.getByRole('link', { name: 'Your STALCRAFT characters' }).click();
      await page.getByRole('heading', { name: 'STALCRAFT characters' }).waitFor();
      assert.match(await page.locator('table.characters').innerText(), /Test-1/);
      await page.getByRole('link', { name: 'EU', exact: true }).click();
      await page.getByRole('cell', { name: 'TestOne' }).waitFor();
      assert.match(
        await page.locator('table.characters').innerText(),
        /TestOne\s+Долг \[DTY-EU\], SOLDIER/,
      );
      await snap(page, 'link-3-characters');

      // Unlink Scratch: only EXBO is left, and it cannot be unlinked (the last way to sign in).
      await page.goto(own.url);
      await page.getByRole('button', { name: 'Unlink Scratch' }).click();
      await page.getByRole('status').getByText('Unlinked your Scratch account.').waitFor();
      assert.doesNotMatch(await accounts.innerText(), /Scratch/);
      assert.equal(await page.getByRole('button', { name: 'Unlink EXBO' }).count(), 0);
      assert.equal(await page.getByRole('link', { name: 'Link a Scratch account' }).count(), 1);
      await snap(page, 'link-4-unlinked');

      // The unlinked Scratch account no longer signs in as Test-1.
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByRole('link', { name: 'Login with Scratch', exact: true }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      await onOwnApp(page);
      await page.getByRole('heading', { name: 'Hello, kenny2scratch' }).waitFor();
      assert.doesNotMatch(await accounts.innerText(), /EXBO/);
    } finally {
      await own.close();
    }
  });
});
