/**
 * Soa2AccountClient against the SOA2 fake over real HTTP: the Scratch login by profile comment,
 * every application operation, the session cookie (kept, sent, expired, exported and restored),
 * each documented error as a readable OAuthError, bad input refused before any request, and an
 * application registered through the client used by the strategy for a full login.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { DEFAULT_SOA2_CLIENT, type Soa2Fake, startSoa2Fake } from '@exbo-soa2/fakes';
import {
  OAuthError,
  Soa2Client,
  type Soa2Profile,
  Strategy,
  type VerifyCallback,
} from 'passport-soa2';
import {
  APPLICATION_FLAGS,
  flagNames,
  Soa2AccountClient,
  type Soa2AccountClientOptions,
} from 'passport-soa2/accounts';
// Internal (not exported): tested directly.
import { parseAccountSession } from '../../packages/passport-soa2/dist/lib/account-session.js';
import {
  isNameApproved,
  isOwnerHidden,
  isVerified,
} from '../../packages/passport-soa2/dist/lib/flags.js';
import { startTestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { listen } from '../helpers/server.js';
import { KENNY } from './setup.js';

const OTHER = 'Scratch-Cat_42';
const DAY_MS = 24 * 3600 * 1000;

let fake: Soa2Fake;
/** One clock for the fake and the clients: tests move it to expire CSRF tokens and sessions. */
let now = Date.now();
const cleanups: Array<() => Promise<void>> = [];

before(async () => {
  fake = await startSoa2Fake({ clock: () => now });
});
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
});
beforeEach(() => {
  now = Date.now();
});

function client(options: Partial<Soa2AccountClientOptions> = {}): Soa2AccountClient {
  return new Soa2AccountClient({ baseURL: fake.url, clock: () => now, ...options });
}

/** A client logged in as `username` through the whole login. */
async function loggedIn(username = KENNY.name): Promise<Soa2AccountClient> {
  const soa2 = client();
  const challenge = await soa2.startLogin(username);
  fake.postComment(username, challenge.code);
  await soa2.finishLogin();
  return soa2;
}

async function rejection(promise: Promise<unknown>): Promise<OAuthError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof OAuthError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

/** Requests the fake received while `action` ran. */
async function requestsDuring(action: () => Promise<unknown>) {
  const mark = fake.requests.length;
  await action();
  return fake.requests.slice(mark);
}

describe('login', () => {
  test('start, post the text, finish: the session cookie logs the client in', {
    timeout: 10_000,
  }, async () => {
    const soa2 = client();
    const challenge = await soa2.startLogin('KENNY2SCRATCH');
    assert.equal(challenge.username, KENNY.name, "Scratch's capitalisation");
    assert.match(challenge.code, / \| /);
    assert.ok(challenge.csrf.endsWith('+\\'));
    assert.equal(challenge.startedAt, now);
    assert.deepEqual(soa2.pendingLogin, challenge);
    assert.equal(soa2.username, null);

    const early = await rejection(soa2.finishLogin());
    assert.equal(early.code, 'LOGIN_NOT_VERIFIED');
    assert.equal(early.status, 403);
    assert.equal(early.upstreamStatus, 403);
    assert.match(early.message, /did not find the login text on kenny2scratch's Scratch profile/);
    assert.match(early.message, /https:\/\/scratch\.mit\.edu\/users\/kenny2scratch\/#comments/);
    assert.ok(!early.message.includes(challenge.csrf));
    assert.deepEqual(soa2.pendingLogin, challenge, 'kept for another try');

    fake.postComment(KENNY.name, challenge.code);
    const sent = await requestsDuring(async () => {
      assert.equal(await soa2.finishLogin(), KENNY.name);
    });
    assert.equal(soa2.username, KENNY.name);
    assert.equal(soa2.pendingLogin, undefined);
    assert.ok(soa2.hasSession());
    assert.equal(soa2.sessionExpiresAt(), now + DAY_MS, "the cookie's Max-Age");

    const [post] = sent;
    assert.equal(post?.method, 'POST');
    assert.equal(post?.path, `/w/rest.php/soa2/v0/login/${KENNY.name}`);
    assert.equal(post?.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(post?.body ?? ''), { csrf: challenge.csrf });
    assert.match(String(post?.headers.cookie), /^soa2fake_session=[0-9a-f]{32}$/);
    assert.match(String(post?.headers['user-agent']), /^passport-soa2\//);

    assert.deepEqual(await soa2.listApplications(), []);
  });

  test('the login start is a PUT with a JSON content type (MediaWiki answers 415 without one)', {
    timeout: 10_000,
  }, async () => {
    const [put] = await requestsDuring(() => client().startLogin(KENNY.name));
    assert.equal(put?.method, 'PUT');
    assert.equal(put?.headers['content-type'], 'application/json');
    assert.equal(put?.body, '{}');
    assert.equal(put?.headers.cookie, undefined, 'a new client sends no cookie');
  });

  test('a malformed username is refused before any request', { timeout: 10_000 }, async () => {
    const soa2 = client();
    for (const name of ['ab', 'a'.repeat(21), 'has space', 'dot.ted', 'ünï', '', '../x']) {
      const sent = await requestsDuring(() =>
        assert.rejects(soa2.startLogin(name), (err: Error) => {
          assert.ok(err instanceof TypeError);
          assert.match(err.message, /is not a Scratch username \(3 to 20 characters/);
          return true;
        }),
      );
      assert.equal(sent.length, 0, name);
    }
    await assert.rejects(soa2.startLogin(42 as unknown as string), TypeError);
  });

  test('an unknown Scratch user: NOT_FOUND, from the 200 with username null', {
    timeout: 10_000,
  }, async () => {
    const error = await rejection(client().startLogin('Nobody_Here_42'));
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.status, 404);
    assert.equal(error.upstreamStatus, 200);
    assert.match(error.message, /Scratch has no user named "Nobody_Here_42"/);
  });

  test('an unknown Scratch user: NOT_FOUND, from the documented 404 too', {
    timeout: 10_000,
  }, async () => {
    const server = await listen((_req, res) => {
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ httpCode: 404, httpReason: 'Not Found' }));
    });
    cleanups.push(() => server.close());
    const error = await rejection(
      new Soa2AccountClient({ apiURL: `${server.url}/api` }).startLogin('Nobody_Here_42'),
    );
    assert.equal(error.code, 'NOT_FOUND');
    assert.equal(error.upstreamStatus, 404);
    assert.equal(error.providerReason, 'Not Found');
    assert.match(error.message, /Scratch has no user named "Nobody_Here_42"/);
  });

  test('a CSRF token older than 30 minutes: LOGIN_NOT_VERIFIED saying the login is too old', {
    timeout: 10_000,
  }, async () => {
    const soa2 = client();
    const challenge = await soa2.startLogin(KENNY.name);
    fake.postComment(KENNY.name, challenge.code);
    now += 31 * 60 * 1000;
    const error = await rejection(soa2.finishLogin());
    assert.equal(error.code, 'LOGIN_NOT_VERIFIED');
    assert.match(error.message, /started 31 minutes ago, and SOA2 accepts it for 30 minutes only/);
    // Starting again in the same session keeps the text, so the posted comment still counts.
    const again = await soa2.startLogin(KENNY.name);
    assert.equal(again.code, challenge.code);
    assert.equal(await soa2.finishLogin(), KENNY.name);
  });

  test('finishLogin without a started login is a TypeError', { timeout: 10_000 }, async () => {
    await assert.rejects(client().finishLogin(), /no login to finish: call startLogin/);
  });
});

describe('applications', () => {
  test('create, list, get, update, reset the secret, delete', { timeout: 10_000 }, async () => {
    const soa2 = await loggedIn();
    const [put] = await requestsDuring(() => soa2.createApplication());
    assert.deepEqual(JSON.parse(put?.body ?? ''), { app_name: null, redirect_uris: null });

    const app = await soa2.createApplication({
      app_name: 'Studio Tools',
      redirect_uris: ['http://127.0.0.1:4000/cb', '', 'http://127.0.0.1:4000/cb'],
    });
    assert.equal(app.app_name, 'Studio Tools');
    assert.deepEqual(
      app.redirect_uris,
      ['http://127.0.0.1:4000/cb'],
      'SOA2 dropped "" and the repeat',
    );
    assert.match(app.client_secret, /^[0-9a-f]{128}$/);
    assert.equal(app.created_at, Math.floor(now / 1000));
    assert.equal(isNameApproved(app), false, 'a name waits for a moderator');

    const list = await soa2.listApplications();
    assert.deepEqual(list.at(-1), { client_id: app.client_id, app_name: 'Studio Tools' });
    assert.deepEqual(await soa2.getApplication(String(app.client_id)), app);

    const renamed = await soa2.updateApplication(app.client_id, {
      app_name: 'Studio Tools 2',
      redirect_uris: ['https://tools.example/cb'],
    });
    assert.equal(renamed.app_name, 'Studio Tools 2');
    assert.deepEqual(renamed.redirect_uris, ['https://tools.example/cb']);
    assert.equal(renamed.client_secret, app.client_secret);
    const [patch] = await requestsDuring(() =>
      soa2.updateApplication(app.client_id, { app_name: null }),
    );
    assert.deepEqual(JSON.parse(patch?.body ?? ''), { app_name: null });

    const reset = await soa2.resetSecret(app.client_id);
    assert.notEqual(reset.client_secret, app.client_secret);
    const tokens = (secret: string) =>
      new Soa2Client({ clientID: app.client_id, clientSecret: secret, baseURL: fake.url });
    const stale = await rejection(tokens(app.client_secret).refresh('f'.repeat(128)));
    assert.equal(stale.code, 'CLIENT_REJECTED', 'the old secret no longer works');
    const fresh = await rejection(tokens(reset.client_secret).refresh('f'.repeat(128)));
    assert.equal(fresh.code, 'REFRESH_REJECTED', 'the new secret is accepted');

    await soa2.deleteApplication(app.client_id);
    const gone = await rejection(soa2.getApplication(app.client_id));
    assert.equal(gone.code, 'NOT_FOUND');
    assert.ok(!(await soa2.listApplications()).some((a) => a.client_id === app.client_id));
  });

  test('flags: constants and helpers on what SOA2 answers', { timeout: 10_000 }, async () => {
    const soa2 = await loggedIn();
    const unnamed = await soa2.createApplication({ app_name: null });
    assert.equal(isNameApproved(unnamed), true, 'no name: nothing to moderate');
    assert.deepEqual(flagNames(unnamed), ['NAME_APPROVED']);
    fake.setApplicationFlags(unnamed.client_id, 7);
    const flagged = await soa2.getApplication(unnamed.client_id);
    assert.ok(isVerified(flagged) && isOwnerHidden(flagged) && isNameApproved(flagged.flags));
    assert.deepEqual(flagNames(flagged), ['NAME_APPROVED', 'VERIFIED', 'HIDE_OWNER']);
    assert.deepEqual(APPLICATION_FLAGS, { NAME_APPROVED: 1, VERIFIED: 2, HIDE_OWNER: 4 });
    assert.deepEqual(flagNames(1 | 16), ['NAME_APPROVED', '16'], 'unknown bits are kept');
    assert.deepEqual(flagNames(0), []);
  });

  test("an unknown application or someone else's: NOT_FOUND for get, update, reset and delete", {
    timeout: 10_000,
  }, async () => {
    const mine = await loggedIn(OTHER);
    const theirs = await (await loggedIn()).createApplication({ app_name: 'Not yours' });
    for (const id of [theirs.client_id, DEFAULT_SOA2_CLIENT.clientId, 5]) {
      for (const call of [
        () => mine.getApplication(id),
        () => mine.updateApplication(id, { app_name: 'mine now' }),
        () => mine.resetSecret(id),
        () => mine.deleteApplication(id),
      ]) {
        const error = await rejection(call());
        assert.equal(error.code, 'NOT_FOUND');
        assert.equal(error.status, 404);
        assert.equal(error.upstreamStatus, 404);
        assert.match(error.message, new RegExp(`You have no application ${id} on SOA2`));
        assert.match(error.message, /belongs to another Scratch account/);
      }
    }
  });

  test('bad input is refused before any request, saying what is wrong', {
    timeout: 10_000,
  }, async () => {
    const soa2 = await loggedIn();
    const cases: Array<[string, () => Promise<unknown>, RegExp]> = [
      [
        'a client id that is not a number',
        () => soa2.getApplication('abc'),
        /"clientID" option must be a non-negative integer/,
      ],
      [
        'a negative client id',
        () => soa2.deleteApplication(-1),
        /"clientID" option must be a non-negative integer/,
      ],
      ['an empty update', () => soa2.updateApplication(1, {}), /no change given/],
      [
        'flags',
        () => soa2.updateApplication(1, { flags: 3 } as never),
        /set by SOA2's moderators and admins only/,
      ],
      [
        'a typo',
        () => soa2.updateApplication(1, { name: 'x' } as never),
        /unknown application change "name"/,
      ],
      [
        'a name that is a number',
        () => soa2.createApplication({ app_name: 5 as never }),
        /app_name must be a string or null/,
      ],
      [
        'redirect URIs that are not strings',
        () => soa2.createApplication({ redirect_uris: ['ok', 1] as never }),
        /redirect_uris must be an array of strings/,
      ],
      [
        'reset_secret not a boolean',
        () => soa2.updateApplication(1, { reset_secret: 'yes' as never }),
        /reset_secret must be true or false/,
      ],
    ];
    for (const [what, call, message] of cases) {
      const sent = await requestsDuring(() => assert.rejects(call(), message, what));
      assert.equal(sent.length, 0, what);
    }
  });
});

describe('the session', () => {
  test('not logged in: NOT_LOGGED_IN without a request', { timeout: 10_000 }, async () => {
    const soa2 = client();
    const sent = await requestsDuring(async () => {
      const error = await rejection(soa2.listApplications());
      assert.equal(error.code, 'NOT_LOGGED_IN');
      assert.equal(error.status, 401);
      assert.match(error.message, /not logged in to SOA2 \(no login session\): log in first/);
    });
    assert.equal(sent.length, 0);
  });

  test('a session SOA2 no longer knows: its 401 becomes NOT_LOGGED_IN', {
    timeout: 10_000,
  }, async () => {
    const soa2 = client({
      session: {
        apiURL: fake.apiURL,
        username: KENNY.name,
        cookies: [{ name: 'soa2fake_session', value: 'f0f0f0f0f0f0f0f0' }],
      },
    });
    const error = await rejection(soa2.createApplication({ app_name: 'x' }));
    assert.equal(error.code, 'NOT_LOGGED_IN');
    assert.equal(error.upstreamStatus, 401);
    assert.match(error.message, /SOA2 says you are not logged in.*Log in again/);
    assert.ok(!error.message.includes('f0f0f0f0f0f0f0f0'), 'the cookie stays out of messages');
    assert.equal(soa2.username, null, 'whoever we thought was logged in is not');
  });

  test('an expired session cookie is not sent: NOT_LOGGED_IN says when it expired', {
    timeout: 10_000,
  }, async () => {
    const soa2 = await loggedIn();
    const expiry = soa2.sessionExpiresAt() ?? 0;
    now = expiry + 1000;
    const sent = await requestsDuring(async () => {
      const error = await rejection(soa2.listApplications());
      assert.equal(error.code, 'NOT_LOGGED_IN');
      assert.match(
        error.message,
        new RegExp(`session expired at ${new Date(expiry).toISOString()}`),
      );
    });
    assert.equal(sent.length, 0);
    assert.equal(soa2.hasSession(), false);
    assert.deepEqual(soa2.session.cookies, [], 'an exported session drops it');
  });

  test('exported and restored (through JSON) it keeps working; logout forgets it', {
    timeout: 10_000,
  }, async () => {
    const first = await loggedIn();
    const app = await first.createApplication({ app_name: 'Kept' });
    const saved = JSON.parse(JSON.stringify(first.session));
    assert.equal(saved.username, KENNY.name);
    assert.equal(saved.apiURL, fake.apiURL);
    const second = client({ session: parseAccountSession(saved) });
    assert.equal(second.username, KENNY.name);
    assert.equal((await second.getApplication(app.client_id)).app_name, 'Kept');
    second.logout();
    assert.equal(second.hasSession(), false);
    assert.equal((await rejection(second.listApplications())).code, 'NOT_LOGGED_IN');
    assert.equal(
      (await first.getApplication(app.client_id)).app_name,
      'Kept',
      'only forgotten here',
    );
  });

  test('a session is never sent to another API', () => {
    const session = { apiURL: 'http://127.0.0.1:1/api', username: null, cookies: [] };
    assert.throws(() => client({ session }), /belongs to http:\/\/127\.0\.0\.1:1\/api, not http/);
    assert.throws(() => parseAccountSession({ apiURL: 'x', cookies: [] }), /apiURL is not a URL/);
    assert.throws(
      () => parseAccountSession({ apiURL: fake.apiURL, username: null, cookies: [{ name: 'a' }] }),
      /cookies must be a list/,
    );
  });

  test('cookies: Max-Age wins over Expires, Max-Age=0 and past Expires delete, others are kept', {
    timeout: 10_000,
  }, async () => {
    const seen: Array<string | undefined> = [];
    const answers: string[][] = [
      [
        'sess=one; Path=/; Max-Age=60; Expires=Thu, 01 Jan 2099 00:00:00 GMT; HttpOnly',
        'pref=blue; Path=/',
        'gone=x; Max-Age=0',
      ],
      ['pref=green; Expires=Thu, 01 Jan 1970 00:00:00 GMT', 'late=y; Expires=not a date'],
      [],
    ];
    const server = await listen((req, res: ServerResponse) => {
      seen.push(req.headers.cookie);
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Set-Cookie': answers.shift() ?? [],
      });
      res.end('[]');
    });
    cleanups.push(() => server.close());
    const soa2 = new Soa2AccountClient({
      apiURL: `${server.url}/api`,
      clock: () => now,
      session: {
        apiURL: `${server.url}/api`,
        username: KENNY.name,
        cookies: [{ name: 'gone', value: 'old' }],
      },
    });
    await soa2.listApplications();
    assert.equal(soa2.sessionExpiresAt(), now + 60_000, 'Max-Age=60, not the 2099 Expires');
    await soa2.listApplications();
    await soa2.listApplications();
    assert.deepEqual(seen, ['gone=old', 'sess=one; pref=blue', 'sess=one; late=y']);
    now += 61_000;
    await soa2.listApplications();
    assert.equal(seen.at(-1), 'late=y', 'the expired cookie is no longer sent');
    assert.deepEqual(
      soa2.session.cookies.map((cookie) => cookie.name),
      ['late'],
    );
  });
});

describe('answers SOA2 does not document', () => {
  test('a malformed application is PROVIDER_BAD_RESPONSE, without the secret in the excerpt', {
    timeout: 10_000,
  }, async () => {
    const secret = 'ab'.repeat(64);
    const server = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ client_id: 'not a number', client_secret: secret }));
    });
    cleanups.push(() => server.close());
    const soa2 = new Soa2AccountClient({
      apiURL: `${server.url}/api`,
      session: {
        apiURL: `${server.url}/api`,
        username: KENNY.name,
        cookies: [{ name: 's', value: 'cookie-value' }],
      },
    });
    const error = await rejection(soa2.getApplication(1));
    assert.equal(error.code, 'PROVIDER_BAD_RESPONSE');
    assert.match(error.message, /the application request \(GET \/applications\/\{client_id\}\)/);
    assert.ok(!JSON.stringify({ ...error, message: error.message }).includes(secret));
  });

  for (const [what, setCookie, status] of [
    ['renews the session cookie', 's=renewed-cookie-value-5678; Path=/', 500],
    ['deletes the session cookie (MediaWiki on a 401)', 's=deleted; Max-Age=0', 401],
  ] as const) {
    test(`an answer that ${what} and quotes the request's Cookie header shows neither value`, {
      timeout: 10_000,
    }, async () => {
      const sent = 'sent-cookie-value-1234';
      const server = await listen((req, res) => {
        res.writeHead(status, { 'Content-Type': 'text/plain', 'Set-Cookie': setCookie });
        res.end(`your request had Cookie: ${req.headers.cookie} and it was not accepted`);
      });
      cleanups.push(() => server.close());
      const apiURL = `${server.url}/api`;
      const soa2 = new Soa2AccountClient({
        apiURL,
        session: { apiURL, username: KENNY.name, cookies: [{ name: 's', value: sent }] },
      });
      const error = await rejection(soa2.getApplication(1));
      const shown = [
        error.message,
        error.bodyExcerpt,
        inspect(error, { depth: Infinity }),
        JSON.stringify(error),
      ].join('\n');
      assert.ok(shown.includes('[redacted]'), shown);
      assert.ok(!shown.includes(sent), `the cookie sent shows: ${shown}`);
      assert.ok(!shown.includes('renewed-cookie-value-5678'), `the new cookie shows: ${shown}`);
    });
  }

  test('a 500 is PROVIDER_ERROR; an unreachable API is PROVIDER_UNREACHABLE', {
    timeout: 10_000,
  }, async () => {
    const server = await listen((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'text/html' });
      res.end('<h1>Internal error</h1>');
    });
    cleanups.push(() => server.close());
    assert.equal(
      (await rejection(new Soa2AccountClient({ apiURL: server.url }).startLogin(KENNY.name))).code,
      'PROVIDER_ERROR',
    );
    const closed = await listen((_req, res) => res.end());
    await closed.close();
    const error = await rejection(
      new Soa2AccountClient({ apiURL: closed.url }).startLogin(KENNY.name),
    );
    assert.equal(error.code, 'PROVIDER_UNREACHABLE');
  });
});

describe('an application registered with the client', () => {
  test('serves a full login with the strategy; deleting it ends the tokens', {
    timeout: 10_000,
  }, async () => {
    const soa2 = await loggedIn();
    const registered = await soa2.createApplication({ app_name: 'Registered by code' });
    let seen: { accessToken: string; profile: Soa2Profile } | undefined;
    const strategy = new Strategy(
      {
        clientID: registered.client_id,
        clientSecret: registered.client_secret,
        callbackURL: '/callback/soa2',
        baseURL: fake.url,
      },
      (accessToken: string, _refresh: string, profile: Soa2Profile, done: VerifyCallback) => {
        seen = { accessToken, profile };
        done(null, { id: profile.id, username: profile.username });
      },
    );
    const app = await startTestApp({ strategies: [strategy] });
    cleanups.push(() => app.close());
    // The redirect URI is known once the app listens: register it now, as a deployment would.
    await soa2.updateApplication(registered.client_id, {
      redirect_uris: [`${app.url}/callback/soa2`],
    });

    const browser = new Browser();
    const consent = await browser.get(`${app.url}/login/soa2`);
    assert.equal(consent.status, 200, consent.text);
    assert.match(
      consent.text,
      /\[application name unmoderated\]/,
      'the new name awaits moderation',
    );
    const done = await browser.submit(consent, 'confirm');
    assert.equal(done.status, 200, done.text);
    assert.deepEqual(JSON.parse(done.text).user, { id: KENNY.id, username: KENNY.name });
    await app.assertOneActionEach();

    const accessToken = seen?.accessToken ?? '';
    assert.equal((await strategy.client.fetchProfile(accessToken)).username, KENNY.name);
    await soa2.deleteApplication(registered.client_id);
    const error = await rejection(strategy.client.fetchProfile(accessToken));
    assert.equal(error.code, 'TOKEN_REJECTED', "deleting the app revoked its users' tokens");
  });
});
