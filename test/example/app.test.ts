/**
 * The example app over HTTP, in demo mode against the fakes: logins and their failures, return-to
 * (and open-redirect attempts), logout and cross-site logout attempts, cookie flags, error pages.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createApp, SESSION_COOKIE } from '../../examples/express-login/src/app.js';
import { loadConfig } from '../../examples/express-login/src/config.js';
import { localPath } from '../../examples/express-login/src/return-to.js';
import {
  MEMORY_STORE_MAX_SESSIONS,
  memorySessionStore,
} from '../../examples/express-login/src/session-store.js';
import { Browser, type Page, parseForm } from '../helpers/browser.js';
import { listen } from '../helpers/server.js';
import { type RunningExample, startExample } from './demo-app.js';

let example: RunningExample;
before(async () => {
  example = await startExample();
});
after(() => example.close());

/** Pages never show what went wrong inside: no stack frames, no error class names. */
function assertNoInternals(page: Page): void {
  assert.doesNotMatch(page.text, /\n\s+at |OAuthError|TypeError|node_modules/);
}

/** Follows "Login with EXBO" (with an optional return-to) and presses Allow or Deny. */
async function exboLogin(
  browser: Browser,
  decision: 'approve' | 'deny',
  returnTo?: string,
): Promise<Page> {
  const query = returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`;
  const consent = await browser.get(`${example.url}/auth/exbo${query}`);
  assert.ok(consent.url.startsWith(example.fakes.exbo.url), `not at EXBO: ${consent.url}`);
  return browser.submit(consent, decision);
}

/** A signed-in browser and the logout form's token (from the home page). */
async function signedIn(): Promise<{ browser: Browser; csrf: string }> {
  const browser = new Browser();
  await exboLogin(browser, 'approve');
  const home = await browser.get(`${example.url}/`);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(home.text)?.[1];
  assert.ok(csrf, 'the signed-in page has a logout form with a CSRF token');
  return { browser, csrf };
}

/** The paste page's link to SOA2's consent page (it opens in a new tab). */
function consentLink(paste: Page): string {
  const href = /<a href="([^"]+)" target="_blank"/.exec(paste.text)?.[1];
  assert.ok(href, 'the paste page links to SOA2');
  return href.replace(/&amp;/g, '&');
}

/** Submits the "paste your code" form as a browser would: its hidden state plus the code. */
function pasteCode(browser: Browser, paste: Page, code: string): Promise<Page> {
  const form = parseForm(paste);
  assert.equal(form.method, 'post');
  return browser.post(new URL(form.action, paste.url).toString(), { ...form.fields, code });
}

async function whoAmI(browser: Browser): Promise<string | undefined> {
  const home = await browser.get(`${example.url}/`);
  return /Signed in as <strong>([^<]+)<\/strong>/.exec(home.text)?.[1];
}

/** POSTs to /logout with the browser's cookies and the given extra headers. */
async function postLogout(
  browser: Browser,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const url = `${example.url}/logout`;
  const cookie = await browser.jar.getCookieString(url);
  return fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie, ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('example app: logins', () => {
  it('shows the demo notice and all three login buttons, without creating a session', {
    timeout: 10_000,
  }, async () => {
    const home = await new Browser().get(`${example.url}/`);
    assert.equal(home.status, 200);
    assert.match(home.text, /Demo providers\./);
    assert.match(home.text, /href="\/auth\/exbo">Login with EXBO</);
    assert.match(home.text, /href="\/auth\/soa2">Login with Scratch</);
    assert.match(home.text, /href="\/auth\/soa2-paste">Login with Scratch \(paste a code\)</);
    assert.equal(home.headers.get('set-cookie'), null);
    assert.match(home.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  });

  it('signs in with EXBO, with a fresh session id and an httpOnly SameSite=Lax cookie', {
    timeout: 10_000,
  }, async () => {
    const browser = new Browser();
    const consent = await browser.get(`${example.url}/auth/exbo`);
    const [before] = await browser.jar.getCookies(example.url);
    assert.equal(before?.key, SESSION_COOKIE, 'the pending login is kept in the session');
    const done = await browser.submit(consent, 'approve');

    const callback = done.hops.find((hop) => hop.url.includes('/auth/exbo/callback'));
    assert.equal(callback?.status, 303);
    assert.equal(callback?.location, '/');
    assert.match(done.text, /Hello, Test-1/);
    assert.match(done.text, /<th>ID<\/th><td>90102<\/td>/);

    const [after] = await browser.jar.getCookies(example.url);
    assert.notEqual(after?.value, before?.value, 'login regenerated the session');
    assert.equal(after?.httpOnly, true);
    assert.equal(after?.sameSite, 'lax');
    assert.equal(after?.secure, false, 'plain http in demo mode');
    assert.equal(await whoAmI(browser), 'Test-1');
  });

  it('says the user declined when they press Deny at EXBO', { timeout: 10_000 }, async () => {
    const browser = new Browser();
    const page = await exboLogin(browser, 'deny');
    assert.equal(page.status, 403);
    assert.match(page.text, /Login cancelled/);
    assert.match(page.text, /You declined the login at EXBO/);
    assert.match(page.text, /Login with EXBO/, 'offers to try again');
    assertNoInternals(page);
    assert.equal(await whoAmI(browser), undefined);
  });

  it('signs in with Scratch, showing whether the profile is authoritative', {
    timeout: 10_000,
  }, async () => {
    const browser = new Browser();
    const consent = await browser.get(`${example.url}/auth/soa2`);
    assert.ok(consent.url.startsWith(example.fakes.soa2.url));
    const done = await browser.submit(consent, 'confirm', { user: '58122330' });
    assert.match(done.text, /Hello, Gone_Scratcher/);
    assert.match(done.text, /<th>Authoritative<\/th><td>no /);
    assert.equal(await whoAmI(browser), 'Gone_Scratcher');
  });

  it('signs in with a pasted SOA2 code (no redirect URI)', { timeout: 10_000 }, async () => {
    const browser = new Browser();
    const paste = await browser.get(`${example.url}/auth/soa2-paste?returnTo=/private`);
    assert.equal(paste.status, 200);
    const consentURL = consentLink(paste);
    assert.ok(consentURL.startsWith(example.fakes.soa2.url), 'links to the SOA2 consent page');
    assert.equal(new URL(consentURL).searchParams.get('redirect_uri'), null);

    const consent = await browser.get(consentURL);
    const codePage = await browser.submit(consent, 'confirm');
    const code = /id="soa2-code">([0-9a-f]{64})</.exec(codePage.text)?.[1];
    assert.ok(code, 'SOA2 showed a code');

    const done = await pasteCode(browser, paste, `  ${code}\n`);
    assert.equal(done.hops[0]?.location, '/private', 'back to where the login started');
    assert.match(done.text, /Private page/);
    assert.match(done.text, /kenny2scratch/);
  });

  it('explains a mistyped pasted code without using up the login', {
    timeout: 10_000,
  }, async () => {
    const browser = new Browser();
    const paste = await browser.get(`${example.url}/auth/soa2-paste`);
    const exchanges = () => example.fakes.soa2.requests.filter((r) => r.path.endsWith('/tokens'));
    const before = exchanges().length;
    const wrong = await pasteCode(browser, paste, 'not-a-code');
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /That code was not accepted/);
    assertNoInternals(wrong);
    assert.equal(exchanges().length, before, 'nothing was sent to SOA2');

    // The same form still works with the right code: the login's state was not consumed.
    const consent = await browser.get(consentLink(paste));
    const code = /id="soa2-code">([0-9a-f]{64})</.exec(
      (await browser.submit(consent, 'confirm')).text,
    );
    const done = await pasteCode(browser, paste, code?.[1] ?? '');
    assert.match(done.text, /Hello, kenny2scratch/);
  });

  it('says the login expired when the callback is not from a login this browser started', {
    timeout: 10_000,
  }, async () => {
    // A callback link from someone else's login (a login CSRF attempt), or an old tab.
    const browser = new Browser();
    const exchanges = () => example.fakes.exbo.requests.filter((r) => r.path === '/oauth/token');
    const before = exchanges().length;
    const page = await browser.get(
      `${example.url}/auth/exbo/callback?code=${'a'.repeat(40)}&state=${'A'.repeat(43)}`,
    );
    assert.equal(page.status, 403);
    assert.match(page.text, /Your login expired/);
    assert.match(page.text, /not started in this browser session/);
    assertNoInternals(page);
    assert.equal(await whoAmI(browser), undefined);
    assert.equal(exchanges().length, before, 'nothing was sent to EXBO');
  });

  it('says EXBO is not answering when it goes down during the login', {
    timeout: 10_000,
  }, async () => {
    // A separate app whose EXBO is a server that accepts connections and then drops them.
    const dropping = await listen((req) => req.socket.destroy());
    const loaded = loadConfig({});
    assert.ok(loaded.ok);
    const config = {
      ...loaded.config,
      exbo: {
        ...example.config.exbo!,
        baseURL: dropping.url,
      },
    };
    const app = await listen(createApp(config) as unknown as import('node:http').RequestListener);
    try {
      const browser = new Browser();
      const start = await browser.get(`${app.url}/auth/exbo`, { follow: false });
      const state = new URL(start.headers.get('location') ?? '').searchParams.get('state');
      const page = await browser.get(`${app.url}/auth/exbo/callback?code=abc&state=${state}`);
      assert.equal(page.status, 502);
      assert.match(page.text, /EXBO is not answering/);
      assert.match(page.text, /try again in a few minutes/);
      assertNoInternals(page);
      assert.match(example.logged.join('\n'), /Login with exbo failed: PROVIDER_UNREACHABLE/);
    } finally {
      await app.close();
      await dropping.close();
    }
  });
});

describe('example app: return-to', () => {
  it('sends a signed-out visitor of the private page to log in, and back afterwards', {
    timeout: 10_000,
  }, async () => {
    const browser = new Browser();
    const login = await browser.get(`${example.url}/private?tab=1`);
    assert.equal(login.hops[0]?.status, 303);
    assert.equal(login.hops[0]?.location, '/login?returnTo=%2Fprivate%3Ftab%3D1');
    assert.match(login.text, /Please log in to continue to <code>\/private\?tab=1<\/code>/);
    const exboHref = /href="([^"]*\/auth\/exbo[^"]*)"/
      .exec(login.text)?.[1]
      ?.replace(/&amp;/g, '&');
    assert.equal(exboHref, '/auth/exbo?returnTo=%2Fprivate%3Ftab%3D1');

    const consent = await browser.get(`${example.url}${exboHref}`);
    const done = await browser.submit(consent, 'approve');
    assert.equal(done.url, `${example.url}/private?tab=1`);
    assert.match(done.text, /Only signed-in users can see this page/);
  });

  const attempts = [
    '//evil.example/',
    '/\\evil.example',
    '\\\\evil.example',
    'https://evil.example/',
    'http:evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    '/.//evil.example',
    '/%2e//evil.example',
    'javascript:alert(1)',
    '  //evil.example',
    'evil.example',
  ];

  it('never leaves the site after login, whatever returnTo says', { timeout: 10_000 }, async () => {
    for (const attempt of attempts) {
      const browser = new Browser();
      const done = await exboLogin(browser, 'approve', attempt);
      const callback = done.hops.find((hop) => hop.url.includes('/auth/exbo/callback'));
      assert.equal(callback?.location, '/', `returnTo ${JSON.stringify(attempt)}`);
      assert.equal(done.url, `${example.url}/`);
    }
  });

  it('does not carry a foreign returnTo into the login buttons, nor redirect to it', {
    timeout: 10_000,
  }, async () => {
    const browser = new Browser();
    for (const attempt of attempts) {
      const page = await browser.get(
        `${example.url}/login?returnTo=${encodeURIComponent(attempt)}`,
      );
      assert.doesNotMatch(page.text, /returnTo=/, `returnTo ${JSON.stringify(attempt)}`);
    }
    await exboLogin(browser, 'approve');
    for (const attempt of attempts) {
      const page = await browser.get(
        `${example.url}/login?returnTo=${encodeURIComponent(attempt)}`,
        { follow: false },
      );
      assert.equal(page.headers.get('location'), '/', `returnTo ${JSON.stringify(attempt)}`);
    }
  });

  it('keeps local paths, normalised', () => {
    assert.equal(localPath('/private'), '/private');
    assert.equal(localPath('/a/../private?x=1#top'), '/private?x=1#top');
    assert.equal(localPath('/%2F%2Fevil.example'), '/%2F%2Fevil.example');
    for (const attempt of [...attempts, '', 42, undefined, ['/private'], `/${'a'.repeat(2000)}`]) {
      assert.equal(localPath(attempt), undefined, JSON.stringify(attempt));
    }
  });
});

describe('example app: logout', () => {
  it('logs out with a POST from its own form, and the old session cookie stops working', {
    timeout: 10_000,
  }, async () => {
    const { browser, csrf } = await signedIn();
    const oldCookie = await browser.jar.getCookieString(example.url);
    const res = await postLogout(browser, { _csrf: csrf }, { 'Sec-Fetch-Site': 'same-origin' });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get('location'), '/');

    const replay = await fetch(`${example.url}/private`, {
      headers: { Cookie: oldCookie },
      redirect: 'manual',
    });
    assert.equal(replay.status, 303, 'the old session no longer signs anyone in');
  });

  it('refuses cross-site logout attempts and stays signed in', { timeout: 10_000 }, async () => {
    const { browser, csrf } = await signedIn();
    const attempts: Array<[string, Record<string, string>, Record<string, string>]> = [
      ['no token', {}, {}],
      ['a wrong token', { _csrf: `${csrf.slice(0, -2)}xx` }, {}],
      ['another site (Origin)', { _csrf: csrf }, { Origin: 'http://evil.example' }],
      ['another site (Sec-Fetch-Site)', { _csrf: csrf }, { 'Sec-Fetch-Site': 'cross-site' }],
      ['a sibling site', { _csrf: csrf }, { 'Sec-Fetch-Site': 'same-site' }],
      ['Origin null', { _csrf: csrf }, { Origin: 'null' }],
    ];
    for (const [name, fields, headers] of attempts) {
      const res = await postLogout(browser, fields, headers);
      assert.equal(res.status, 403, name);
      const text = await res.text();
      assert.match(text, /Logout refused/, name);
      assert.match(text, /You are still signed in/, name);
    }
    const viaGet = await browser.get(`${example.url}/logout`);
    assert.equal(viaGet.status, 404, 'a link or an image cannot log anyone out');
    assert.equal(await whoAmI(browser), 'Test-1');
  });
});

describe('example app: errors and cookies', () => {
  it('answers unknown pages and oversized forms with plain pages, no stack', {
    timeout: 10_000,
  }, async () => {
    const browser = new Browser();
    const missing = await browser.get(`${example.url}/nope`);
    assert.equal(missing.status, 404);
    assert.match(missing.text, /Page not found/);
    const huge = await browser.post(`${example.url}/logout`, { _csrf: 'x'.repeat(20_000) });
    assert.equal(huge.status, 413);
    assert.match(huge.text, /Something went wrong/);
    assertNoInternals(huge);
  });

  it('sends the session cookie with Secure behind an https proxy', {
    timeout: 10_000,
  }, async () => {
    const loaded = loadConfig({
      EXBO_CLIENT_ID: '30',
      EXBO_CLIENT_SECRET: example.config.exbo!.clientSecret,
      EXBO_CALLBACK_URL: 'https://app.example/auth/exbo/callback',
      EXBO_BASE_URL: example.fakes.exbo.url,
      SESSION_SECRET: 's'.repeat(32),
      TRUST_PROXY: '1',
    });
    assert.ok(loaded.ok, loaded.ok ? '' : loaded.problems.join('\n'));
    const app = await listen(
      createApp(loaded.config) as unknown as import('node:http').RequestListener,
    );
    try {
      const res = await fetch(`${app.url}/auth/exbo`, {
        headers: { 'X-Forwarded-Proto': 'https' },
        redirect: 'manual',
      });
      assert.equal(res.status, 302);
      const cookie = res.headers.get('set-cookie') ?? '';
      assert.match(cookie, new RegExp(`^${SESSION_COOKIE.replace('.', '\\.')}=`));
      assert.match(cookie, /; Secure/);
      assert.match(cookie, /; HttpOnly/);
      assert.match(cookie, /; SameSite=Lax/);
      const home = await (await fetch(`${app.url}/`)).text();
      assert.doesNotMatch(home, /Demo providers/, 'no demo notice with real settings');
      assert.match(home, /Login with Scratch \(not configured\)/);
    } finally {
      await app.close();
    }
  });
});

describe('sessions without Redis: bounded, and an abandoned login expires with the login', () => {
  const HOUR_MS = 60 * 60 * 1000;
  /** When the app's session cookie in `browser` expires, in hours from now. */
  async function cookieHours(browser: Browser): Promise<number> {
    const cookies = await browser.jar.getCookies(example.url);
    const cookie = cookies.find((c) => c.key === SESSION_COOKIE);
    assert.ok(cookie && cookie.expires instanceof Date, 'the session cookie has an expiry');
    return (cookie.expires.getTime() - Date.now()) / HOUR_MS;
  }

  it('a started login lives one hour; a signed-in session eight', { timeout: 15_000 }, async () => {
    const browser = new Browser();
    const start = await browser.get(`${example.url}/auth/exbo`, { follow: false });
    assert.equal(start.status, 302);
    const started = await cookieHours(browser);
    assert.ok(started > 0.9 && started <= 1, `started login: ${started} h`);

    const consent = await browser.get(start.headers.get('location') ?? '');
    await browser.submit(consent, 'approve');
    const signedIn = await cookieHours(browser);
    assert.ok(signedIn > 7.9 && signedIn <= 8, `signed in: ${signedIn} h`);

    // A signed-in user starting another login keeps the session's lifetime.
    await browser.get(`${example.url}/auth/exbo`, { follow: false });
    assert.ok((await cookieHours(browser)) > 7.9);
  });

  it('the memory store drops expired sessions and keeps at most its maximum', {
    timeout: 15_000,
  }, async () => {
    const store = memorySessionStore();
    const call = (fn: (done: (err?: unknown, value?: unknown) => void) => void) =>
      new Promise<unknown>((resolve, reject) =>
        fn((err, value) => (err ? reject(err) : resolve(value))),
      );
    const sessionWith = (maxAge: number) =>
      ({
        cookie: { originalMaxAge: maxAge, maxAge, expires: new Date(Date.now() + maxAge) },
      }) as never;
    await call((done) => store.set('short', sessionWith(20), done));
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal(
      await call((done) => store.get('short', done)),
      undefined,
      'expired with its cookie',
    );

    for (let i = 0; i <= MEMORY_STORE_MAX_SESSIONS; i++) {
      await call((done) => store.set(`s${i}`, sessionWith(HOUR_MS), done));
    }
    assert.equal(await call((done) => store.length?.(done)), MEMORY_STORE_MAX_SESSIONS);
    assert.equal(await call((done) => store.get('s0', done)), undefined, 'the oldest went first');
  });
});
