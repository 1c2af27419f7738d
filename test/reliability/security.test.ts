/**
 * The login's security properties as tests, through the example app (demo mode: both fakes
 * in-process) for both providers: a replayed callback is rejected, a state never works in another
 * browser session, the session id changes at login, an authorization code is never sent to the
 * token endpoint twice by us (not even when the same callback arrives twice at once), and a
 * callback the user did not start (login CSRF) never signs them in, nor switches their account.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SESSION_COOKIE } from '../../examples/express-login/src/app.js';
import type { Account } from '../../harness/fakes.js';
import { signedInAs } from '../../load/login.js';
import { type RunningExample, startExample } from '../example/demo-app.js';
import { Browser } from '../helpers/browser.js';
import { PROVIDERS, type ProviderName } from './helpers/strategies.js';

let example: RunningExample;
before(async () => {
  example = await startExample();
});
after(() => example.close());

/** Two accounts per provider on the demo fakes: a victim and an attacker. */
const ACCOUNTS: Record<ProviderName, { victim: Account; attacker: Account }> = {
  exbo: {
    victim: { provider: 'exbo', id: '90102', username: 'Test-1' },
    attacker: { provider: 'exbo', id: '90104', username: 'SteamStalker' },
  },
  soa2: {
    victim: { provider: 'soa2', id: '10114764', username: 'kenny2scratch' },
    attacker: { provider: 'soa2', id: '42424242', username: 'Scratch-Cat_42' },
  },
};

/** Starts a login in `browser` and consents as `account`; the provider's redirect, unfollowed. */
async function consentedCallback(browser: Browser, account: Account): Promise<string> {
  const consent = await browser.get(`${example.url}/auth/${account.provider}`);
  const button = account.provider === 'exbo' ? 'approve' : 'confirm';
  const back = await browser.submit(consent, button, { user: account.id }, { follow: false });
  const location = back.headers.get('location');
  assert.ok(
    location?.startsWith(`${example.url}/auth/${account.provider}/callback?`),
    location ?? '',
  );
  return location ?? '';
}

/** How many times the fake's token endpoint received `code`. */
function exchangesOf(provider: ProviderName, code: string): number {
  const requests =
    provider === 'exbo'
      ? example.fakes.exbo.requests.filter((r) => r.path === '/oauth/token')
      : example.fakes.soa2.requests.filter((r) => r.path.endsWith('/tokens'));
  return requests.filter((r) => r.body.includes(code)).length;
}

function codeOf(callback: string): string {
  return new URL(callback).searchParams.get('code') ?? '';
}

async function whoIs(browser: Browser): Promise<string | undefined> {
  const shown = signedInAs((await browser.get(`${example.url}/`)).text);
  return shown && `${shown.provider}:${shown.id}`;
}

const key = (account: Account) => `${account.provider}:${account.id}`;

async function sessionCookie(browser: Browser): Promise<string | undefined> {
  const cookies = await browser.jar.getCookies(example.url);
  return cookies.find((cookie) => cookie.key === SESSION_COOKIE)?.value;
}

for (const provider of PROVIDERS) {
  const { victim, attacker } = ACCOUNTS[provider];

  describe(`${provider}: security of the login`, () => {
    test('a replayed callback is rejected, and its code is not sent again', async () => {
      const browser = new Browser();
      const callback = await consentedCallback(browser, victim);
      assert.equal((await browser.get(callback, { follow: false })).status, 303);
      const replay = await browser.get(callback, { follow: false });
      assert.equal(replay.status, 403);
      assert.match(replay.text, /Your login expired/);
      assert.equal(await whoIs(browser), key(victim), 'the replay did not sign anyone out or in');
      const elsewhere = await new Browser().get(callback, { follow: false });
      assert.equal(elsewhere.status, 403, 'nor does it work in another browser');
      assert.equal(exchangesOf(provider, codeOf(callback)), 1);
    });

    test('the same callback arriving twice at once signs in once and sends the code once', async () => {
      const browser = new Browser();
      const callback = await consentedCallback(browser, victim);
      const answers = await Promise.all([
        browser.get(callback, { follow: false }),
        browser.get(callback, { follow: false }),
      ]);
      assert.deepEqual(answers.map((page) => page.status).sort(), [303, 403]);
      assert.equal(
        exchangesOf(provider, codeOf(callback)),
        1,
        'the code went to the provider once',
      );
      assert.equal(await whoIs(browser), key(victim));
    });

    test('a state is useless in another browser session (cross-session use)', async () => {
      const attackerBrowser = new Browser();
      const stolen = await consentedCallback(attackerBrowser, attacker);
      const victimBrowser = new Browser();
      const own = await consentedCallback(victimBrowser, victim);

      const page = await victimBrowser.get(stolen, { follow: false });
      assert.equal(page.status, 403);
      assert.match(page.text, /not started in this browser session/);
      assert.equal(await whoIs(victimBrowser), undefined);
      assert.equal(exchangesOf(provider, codeOf(stolen)), 0, 'nothing was sent to the provider');

      // Neither login was harmed: each finishes in its own session, as its own account.
      assert.equal((await victimBrowser.get(own, { follow: false })).status, 303);
      assert.equal(await whoIs(victimBrowser), key(victim));
      assert.equal((await attackerBrowser.get(stolen, { follow: false })).status, 303);
      assert.equal(await whoIs(attackerBrowser), key(attacker));
    });

    test('the session id changes at login, and the pre-login session signs nobody in', async () => {
      const browser = new Browser();
      const callback = await consentedCallback(browser, victim);
      const before = await sessionCookie(browser);
      assert.ok(before, 'the pending login lives in a session');
      await browser.get(callback, { follow: false });
      const after = await sessionCookie(browser);
      assert.ok(after && after !== before, 'a new session id at login');
      const old = await fetch(`${example.url}/`, {
        headers: { Cookie: `${SESSION_COOKIE}=${before}` },
      });
      assert.equal(signedInAs(await old.text()), undefined, 'the old id is not signed in');
      assert.equal(await whoIs(browser), key(victim));
    });

    test('login CSRF: a callback the user did not start never signs them in', async () => {
      // The attacker consents as themselves and sends the callback link to the victim, hoping the
      // victim ends up in the attacker's account (and types their data into it).
      const forged = await consentedCallback(new Browser(), attacker);
      const fresh = new Browser();
      const page = await fresh.get(forged, { follow: false });
      assert.equal(page.status, 403);
      assert.equal(await whoIs(fresh), undefined);

      // Signed in already: the forged callback does not switch the account either.
      const signed = new Browser();
      await signed.get(await consentedCallback(signed, victim));
      assert.equal((await signed.get(forged, { follow: false })).status, 403);
      assert.equal(await whoIs(signed), key(victim));
      assert.equal(exchangesOf(provider, codeOf(forged)), 0);
    });
  });
}
