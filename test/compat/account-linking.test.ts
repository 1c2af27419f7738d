/**
 * Account linking with `passport.authorize` (Passport's `assignProperty: 'account'`), for both
 * strategies, in a real Express 5 + express-session app against the fakes (test/helpers/
 * linking-app.ts): a user signed in locally or with one provider links the other; `req.account` is
 * the linked account while `req.user`, the session's login and the session itself stay as they
 * were; the login state still protects the linking callback (a forged or foreign callback links
 * nothing and never reaches the provider's token endpoint); without a signed-in user the app
 * answers itself.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_EXBO_USERS, DEFAULT_SOA2_USERS } from '@exbo-soa2/fakes';
import { Browser, type Page } from '../helpers/browser.js';
import {
  type AppUser,
  type LinkingApp,
  PROVIDERS,
  type Provider,
  startLinkingApp,
} from '../helpers/linking-app.js';
import {
  EXBO_CLIENT,
  type Fakes,
  json,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
  startFakes,
} from './logins.js';

const TIMEOUT = { timeout: 30_000 };

let fakes: Fakes;
const apps: LinkingApp[] = [];
before(async () => {
  fakes = await startFakes();
});
after(async () => {
  for (const app of apps) await app.close();
  await fakes?.close();
});

/** A fresh app (its own users and records) with its callbacks registered at both fakes. */
async function linkingApp(): Promise<LinkingApp> {
  const app = await startLinkingApp({
    exboURL: fakes.exbo.url,
    soa2URL: fakes.soa2.url,
    clients: { exbo: EXBO_CLIENT, soa2: SOA2_CLIENT },
  });
  apps.push(app);
  fakes.allowCallbacks(app.callbacks);
  return app;
}

/** The fakes' first users, as the link strategies' verify returns them. */
const FIRST = {
  exbo: { provider: 'exbo', id: String(DEFAULT_EXBO_USERS[0]?.id), username: 'Test-1' },
  soa2: { provider: 'soa2', id: String(DEFAULT_SOA2_USERS[0]?.userId), username: 'kenny2scratch' },
} as const;
/** Another account at each provider: the attacker's. */
const OTHER = {
  exbo: DEFAULT_EXBO_USERS.find((user) => user.login === 'SteamStalker'),
  soa2: DEFAULT_SOA2_USERS.find((user) => user.userName === 'Scratch-Cat_42'),
};

interface Me {
  user: AppUser | null;
  sessionID: string;
  sessionUser?: string;
}

async function me(browser: Browser, app: LinkingApp): Promise<Me> {
  return json<Me>(await browser.get(`${app.url}/me`));
}

async function signInLocally(browser: Browser, app: LinkingApp, username: string): Promise<Me> {
  const home = await browser.post(`${app.url}/login/local`, { username });
  assert.match(home.text, new RegExp(`Signed in as ${username}`));
  return me(browser, app);
}

/** Goes through the provider's consent page from `path` (a login or a link), as its first user. */
function throughProvider(provider: Provider, browser: Browser, url: string): Promise<Page> {
  return provider === 'exbo' ? loginWithExbo(browser, url) : loginWithSoa2(browser, url);
}

/**
 * Starts linking at `/connect/<provider>` and approves as another account, but stops at the
 * provider's redirect: the callback URL (code and state) is returned unvisited.
 */
async function unvisitedLinkCallback(
  provider: Provider,
  browser: Browser,
  app: LinkingApp,
): Promise<string> {
  const consent = await browser.get(`${app.url}/connect/${provider}`);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  const answer =
    provider === 'exbo'
      ? await browser.submit(
          consent,
          'approve',
          { user: String(OTHER.exbo?.id) },
          { follow: false },
        )
      : await browser.submit(
          consent,
          'confirm',
          { user: String(OTHER.soa2?.userId) },
          { follow: false },
        );
  const location = answer.headers.get('location') ?? '';
  assert.ok(location.startsWith(`${app.url}/connect/${provider}/callback?`), location);
  return location;
}

/** Code exchanges the provider's fake has received so far. */
function tokenRequests(provider: Provider): number {
  if (provider === 'exbo') {
    return fakes.exbo.requests.filter((r) => r.method === 'POST' && r.path === '/oauth/token')
      .length;
  }
  return fakes.soa2.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/tokens'))
    .length;
}

const other = (provider: Provider): Provider => (provider === 'exbo' ? 'soa2' : 'exbo');

for (const provider of PROVIDERS) {
  describe(`linking ${provider} with passport.authorize('${provider}-link')`, () => {
    test(
      'a local user links it: req.account is the account; req.user, the session login and the session stay',
      TIMEOUT,
      async () => {
        const app = await linkingApp();
        const browser = new Browser();
        const signedIn = await signInLocally(browser, app, 'alice');
        assert.equal(signedIn.user?.id, 'local-alice');

        const home = await throughProvider(provider, browser, `${app.url}/connect/${provider}`);

        assert.equal(
          home.url,
          `${app.url}/?notice=${encodeURIComponent(`${provider === 'exbo' ? 'EXBO' : 'Scratch'} account linked.`)}`,
        );
        assert.match(home.text, /Signed in as alice/);
        assert.match(
          home.text,
          new RegExp(`${FIRST[provider].username} \\(id ${FIRST[provider].id}\\)`),
        );
        assert.equal(app.links.length, 1);
        const [link] = app.links;
        assert.ok(link);
        assert.deepEqual(link.account, FIRST[provider], 'req.account is the linked account');
        assert.deepEqual(link.userBefore, { id: 'local-alice', name: 'alice', accounts: {} });
        assert.ok(link.sameUserObject, 'req.user is the same object after authorize');
        assert.equal(link.sessionUser, 'local-alice', 'the session still logs in alice');
        assert.equal(
          link.sessionID,
          link.sessionIDBefore,
          'authorize does not regenerate the session',
        );
        assert.equal(link.sessionID, signedIn.sessionID);
        assert.deepEqual(app.verifySawUser, ['local-alice'], 'verify saw the signed-in user');

        const after = await me(browser, app);
        assert.equal(after.sessionID, signedIn.sessionID, 'the same session');
        assert.equal(after.sessionUser, 'local-alice');
        assert.deepEqual(after.user, {
          id: 'local-alice',
          name: 'alice',
          accounts: { [provider]: FIRST[provider] },
        });
      },
    );

    test(
      `a user signed in with ${other(provider)} links it, then logs in with it as the same user`,
      TIMEOUT,
      async () => {
        const app = await linkingApp();
        const browser = new Browser();
        const anonymous = await me(browser, app);
        await throughProvider(other(provider), browser, `${app.url}/auth/${other(provider)}`);
        const signedIn = await me(browser, app);
        const userId = `${other(provider)}-${FIRST[other(provider)].id}`;
        assert.equal(signedIn.user?.id, userId);
        // A login (authenticate) regenerates the session; a link (authorize) must not.
        assert.notEqual(signedIn.sessionID, anonymous.sessionID);

        await throughProvider(provider, browser, `${app.url}/connect/${provider}`);
        const [link] = app.links;
        assert.ok(link);
        assert.deepEqual(link.account, FIRST[provider]);
        assert.equal(link.userBefore.id, userId);
        assert.ok(link.sameUserObject);
        assert.equal(link.sessionUser, userId);
        const linked = await me(browser, app);
        assert.equal(linked.sessionID, signedIn.sessionID);
        assert.deepEqual(linked.user?.accounts, {
          [other(provider)]: FIRST[other(provider)],
          [provider]: FIRST[provider],
        });

        // The linked account now signs the same user in.
        await browser.post(`${app.url}/logout`, {});
        assert.equal((await me(browser, app)).user, null);
        await throughProvider(provider, browser, `${app.url}/auth/${provider}`);
        assert.equal((await me(browser, app)).user?.id, userId);
        assert.equal(app.users.size, 3, 'no new user was created');
      },
    );

    test(
      'the login state still guards the linking callback: a forged or foreign one links nothing',
      TIMEOUT,
      async () => {
        const app = await linkingApp();
        // The attacker starts linking in their own session and keeps the callback for their
        // account, then gets the victim to open it (login CSRF against linking).
        const attacker = new Browser();
        await signInLocally(attacker, app, 'mallory');
        const foreign = await unvisitedLinkCallback(provider, attacker, app);

        const victim = new Browser();
        const signedIn = await signInLocally(victim, app, 'alice');
        const exchanges = tokenRequests(provider);

        const answer = await victim.get(foreign);
        assert.equal(answer.url, `${app.url}/`, 'failureRedirect');
        assert.match(answer.text, /This login was not started in this browser session/);
        assert.match(answer.text, /Signed in as alice/);

        // A made-up state of the right shape fails the same way.
        const madeUp = new URL(foreign);
        madeUp.searchParams.set('state', 'A'.repeat(43));
        const second = await victim.get(madeUp.toString());
        assert.match(second.text, /This login was not started in this browser session/);

        assert.equal(tokenRequests(provider), exchanges, 'the code was never sent to the provider');
        assert.deepEqual(app.links, []);
        assert.deepEqual(app.verifySawUser, []);
        const after = await me(victim, app);
        assert.deepEqual(after.user, { id: 'local-alice', name: 'alice', accounts: {} });
        assert.equal(after.sessionID, signedIn.sessionID);
      },
    );

    test(
      'without a signed-in user the app answers: the start never reaches the provider, a late callback is not exchanged',
      TIMEOUT,
      async () => {
        const app = await linkingApp();
        const anonymous = new Browser();
        const start = await anonymous.get(`${app.url}/connect/${provider}`, { follow: false });
        assert.equal(start.status, 401);
        assert.equal(start.headers.get('location'), null);
        assert.match(start.text, /Sign in first/);

        // Signed in when linking starts, signed out before the provider sends the user back.
        const browser = new Browser();
        await signInLocally(browser, app, 'alice');
        const callback = await unvisitedLinkCallback(provider, browser, app);
        await browser.post(`${app.url}/logout`, {});
        const exchanges = tokenRequests(provider);
        const late = await browser.get(callback);
        assert.equal(late.status, 401);
        assert.match(late.text, /Sign in first/);
        assert.equal(tokenRequests(provider), exchanges);
        assert.deepEqual(app.links, []);
        assert.equal(app.users.get('local-alice')?.accounts[provider], undefined);
      },
    );
  });
}

test(
  'Deny at EXBO while linking: failureRedirect with the reason, the user still signed in, nothing linked',
  TIMEOUT,
  async () => {
    const app = await linkingApp();
    const browser = new Browser();
    const signedIn = await signInLocally(browser, app, 'alice');
    const home = await loginWithExbo(browser, `${app.url}/connect/exbo`, { decision: 'deny' });
    assert.equal(home.url, `${app.url}/`);
    assert.match(home.text, /You declined the login at EXBO/);
    assert.match(home.text, /Signed in as alice/);
    assert.deepEqual(app.links, []);
    const after = await me(browser, app);
    assert.equal(after.sessionID, signedIn.sessionID);
    assert.deepEqual(after.user?.accounts, {});
  },
);

test('an account already linked to another user is not linked twice', TIMEOUT, async () => {
  const app = await linkingApp();
  const first = new Browser();
  await signInLocally(first, app, 'alice');
  await loginWithExbo(first, `${app.url}/connect/exbo`);
  const second = new Browser();
  await signInLocally(second, app, 'mallory');
  const home = await loginWithExbo(second, `${app.url}/connect/exbo`);
  assert.match(home.text, /That EXBO account is linked to another user/);
  assert.deepEqual(app.users.get('local-mallory')?.accounts, {});
  assert.deepEqual(app.users.get('local-alice')?.accounts.exbo, FIRST.exbo);
});
