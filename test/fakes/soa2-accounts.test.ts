/**
 * The SOA2 fake's account API (docs/protocols/soa2.md, "Login by profile comment:
 * /login/{username}" and "Application registration") on the wire: the Scratch login by profile
 * comment, the session cookie, and the application registration endpoints with the real server's
 * validations and order of checks. Raw HTTP, so every status and body is what the fake sent.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  DEFAULT_SOA2_CLIENT,
  DEFAULT_SOA2_USERS,
  type Soa2Fake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';

const KENNY = DEFAULT_SOA2_USERS[0]!;
const OTHER_USER = DEFAULT_SOA2_USERS[2]!;
const API = '/w/rest.php/soa2/v0';
const COOKIE_NAME = 'soa2fake_session';

let fake: Soa2Fake;
let now = Date.now();

before(async () => {
  fake = await startSoa2Fake({ clock: () => now });
});
after(() => fake.close());
beforeEach(() => {
  now = Date.now();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the assertions.
  json: any;
}

/** One API request with a JSON body (when given) and the session cookie (when given). */
async function api(
  method: string,
  path: string,
  options: { cookie?: string | undefined; body?: unknown } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.cookie) headers.Cookie = options.cookie;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${fake.url}${API}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, headers: res.headers, text, json };
}

/** `name=value` of the fake's session cookie in an answer. */
function sessionCookie(res: Answer): string {
  const header = res.headers.getSetCookie().find((line) => line.startsWith(`${COOKIE_NAME}=`));
  assert.ok(header, `a ${COOKIE_NAME} cookie is set`);
  return header.split(';')[0]!;
}

/** A logged-in session for `username`: PUT, comment, POST. */
async function loggedIn(username = KENNY.userName): Promise<string> {
  const start = await api('PUT', `/login/${username}`, { body: {} });
  assert.equal(start.status, 200, start.text);
  const cookie = sessionCookie(start);
  fake.postComment(username, start.json.code);
  const finish = await api('POST', `/login/${username}`, {
    cookie,
    body: { csrf: start.json.csrf },
  });
  assert.equal(finish.status, 204, finish.text);
  return cookie;
}

function soa2Error(status: number, reason: string) {
  return { httpCode: status, httpReason: reason };
}

describe('login by profile comment', () => {
  test('PUT answers the cased username, a CSRF token and the text, and sets the cookie', {
    timeout: 10_000,
  }, async () => {
    const res = await api('PUT', `/login/${KENNY.userName.toUpperCase()}`, { body: {} });
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), ['username', 'csrf', 'code']);
    assert.equal(res.json.username, KENNY.userName);
    assert.ok(res.json.csrf.endsWith('+\\'), res.json.csrf);
    assert.match(res.json.code, /^[^|]+ \| [0-9a-f]{5}(:[0-9a-f]{5}){7}$/);
    const header = res.headers.getSetCookie().join('\n');
    assert.match(header, new RegExp(`^${COOKIE_NAME}=[0-9a-f]{32}; Path=/; Max-Age=86400; `));
    assert.match(header, /; Expires=[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} [\d:]{8} GMT; /);
    assert.match(header, /HttpOnly/);
  });

  test('a second PUT in the same session keeps the text and the cookie, with a new CSRF', {
    timeout: 10_000,
  }, async () => {
    const first = await api('PUT', `/login/${KENNY.userName}`, { body: {} });
    const cookie = sessionCookie(first);
    const second = await api('PUT', `/login/${KENNY.userName}`, { cookie, body: {} });
    assert.equal(second.json.code, first.json.code);
    assert.notEqual(second.json.csrf, first.json.csrf);
    assert.equal(sessionCookie(second), cookie);
    const other = await api('PUT', `/login/${KENNY.userName}`, { body: {} });
    assert.notEqual(other.json.code, first.json.code, 'another session, another text');
  });

  test('an unknown but well-formed username: 200 with username null (not the documented 404)', {
    timeout: 10_000,
  }, async () => {
    const res = await api('PUT', '/login/Nobody_Here_42', { body: {} });
    assert.equal(res.status, 200);
    assert.equal(res.json.username, null);
    assert.equal(typeof res.json.csrf, 'string');
    const cookie = sessionCookie(res);
    const finish = await api('POST', '/login/Nobody_Here_42', {
      cookie,
      body: { csrf: res.json.csrf },
    });
    assert.equal(finish.status, 403);
  });

  test('a username that is not a Scratch username: 400 for PUT and POST', {
    timeout: 10_000,
  }, async () => {
    for (const name of ['ab', 'a'.repeat(21), 'no%20spaces', 'dots.no', '%E2%9C%93ok']) {
      for (const method of ['PUT', 'POST']) {
        const res = await api(method, `/login/${name}`, { body: { csrf: 'x' } });
        assert.equal(res.status, 400, `${method} ${name}`);
        assert.deepEqual(res.json, soa2Error(400, 'Bad Request'));
      }
    }
  });

  test('POST checks: body 400 (csrf not a string too), then CSRF 403, then the comment 403, then 204', {
    timeout: 10_000,
  }, async () => {
    const start = await api('PUT', `/login/${KENNY.userName}`, { body: {} });
    const cookie = sessionCookie(start);
    const post = (body: unknown, withCookie = cookie) =>
      api('POST', `/login/${KENNY.userName}`, { cookie: withCookie, body });

    assert.equal((await post({})).status, 400, 'empty object');
    assert.equal((await post({ other: 1 })).status, 400, 'no csrf key');
    assert.equal((await post({ csrf: null })).status, 400, 'csrf null');
    // SOA2 checks is_string(csrf): any other type is a malformed body, not a wrong token.
    assert.equal((await post({ csrf: 12345 })).status, 400, 'csrf a number');
    assert.equal((await post({ csrf: true })).status, 400, 'csrf a boolean');
    assert.equal((await post({ csrf: [start.json.csrf] })).status, 400, 'csrf an array');
    assert.equal((await post({ csrf: '' })).status, 403, 'csrf an empty string');
    assert.equal((await post({ csrf: 'wrong+\\' })).status, 403, 'wrong csrf');
    assert.equal((await post({ csrf: start.json.csrf }, '')).status, 403, 'no session cookie');
    assert.equal((await post({ csrf: start.json.csrf })).status, 403, 'no comment yet');
    fake.postComment(KENNY.userName, `${start.json.code} please`);
    assert.equal((await post({ csrf: start.json.csrf })).status, 403, 'not the exact text');
    fake.postComment(OTHER_USER.userName, start.json.code);
    assert.equal((await post({ csrf: start.json.csrf })).status, 403, 'on another profile');
    assert.deepEqual((await api('GET', '/applications', { cookie })).status, 401, 'not yet');

    fake.postComment(KENNY.userName.toUpperCase(), `  ${start.json.code}\n`);
    const done = await post({ csrf: start.json.csrf });
    assert.equal(done.status, 204);
    assert.equal(done.text, '');
    assert.equal(sessionCookie(done), cookie, 'the same session, now logged in');
    const list = await api('GET', '/applications', { cookie });
    assert.equal(list.status, 200);
    assert.deepEqual(list.json, []);
  });

  test('a CSRF token older than 30 minutes is refused (403) although the comment is there', {
    timeout: 10_000,
  }, async () => {
    const start = await api('PUT', `/login/${KENNY.userName}`, { body: {} });
    const cookie = sessionCookie(start);
    fake.postComment(KENNY.userName, start.json.code);
    now += 31 * 60 * 1000;
    const late = await api('POST', `/login/${KENNY.userName}`, {
      cookie,
      body: { csrf: start.json.csrf },
    });
    assert.equal(late.status, 403);
    assert.deepEqual(late.json, soa2Error(403, 'Forbidden'));
    // A new login start in the same session gives a fresh CSRF and the same text.
    const again = await api('PUT', `/login/${KENNY.userName}`, { cookie, body: {} });
    assert.equal(again.json.code, start.json.code);
    const ok = await api('POST', `/login/${KENNY.userName}`, {
      cookie,
      body: { csrf: again.json.csrf },
    });
    assert.equal(ok.status, 204);
  });

  test('the session ends after 24 hours: the application endpoints answer 401', {
    timeout: 10_000,
  }, async () => {
    const cookie = await loggedIn();
    assert.equal((await api('GET', '/applications', { cookie })).status, 200);
    now += 24 * 3600 * 1000 + 1000;
    const late = await api('GET', '/applications', { cookie });
    assert.equal(late.status, 401);
    assert.deepEqual(late.json, soa2Error(401, 'Unauthorized'));
  });

  test('for people, a fake profile page takes the comment through a form', {
    timeout: 10_000,
  }, async () => {
    const start = await api('PUT', `/login/${OTHER_USER.userName}`, { body: {} });
    const page = `${fake.url}/fake/scratch/users/${OTHER_USER.userName.toLowerCase()}`;
    const shown = await fetch(page);
    assert.equal(shown.status, 200);
    const html = await shown.text();
    assert.match(html, /Local fake provider/);
    assert.match(html, /<form method="post">[\s\S]*<textarea name="comment"/);
    const posted = await fetch(page, {
      method: 'POST',
      body: new URLSearchParams({ comment: start.json.code }),
      redirect: 'manual',
    });
    assert.equal(posted.status, 303);
    const finish = await api('POST', `/login/${OTHER_USER.userName}`, {
      cookie: sessionCookie(start),
      body: { csrf: start.json.csrf },
    });
    assert.equal(finish.status, 204);
    await fetch(page, { method: 'POST', body: new URLSearchParams({ comment: '<b>hi</b>' }) });
    assert.match(await (await fetch(page)).text(), /&lt;b&gt;hi&lt;\/b&gt;/);
    assert.equal((await fetch(`${fake.url}/fake/scratch/users/Nobody_Here_42`)).status, 404);
  });

  test('postComment refuses users the fake does not have', () => {
    assert.throws(() => fake.postComment('Nobody_Here_42', 'x'), /no Scratch user named/);
  });
});

describe('application registration', () => {
  const NEW_APP = { app_name: 'My Studio', redirect_uris: ['http://127.0.0.1:4000/cb'] };

  test('without a login every route answers 401', { timeout: 10_000 }, async () => {
    const id = DEFAULT_SOA2_CLIENT.clientId;
    const calls: Array<[string, string, unknown]> = [
      ['GET', '/applications', undefined],
      ['PUT', '/applications', NEW_APP],
      ['GET', `/applications/${id}`, undefined],
      ['PATCH', `/applications/${id}`, { app_name: 'x' }],
      ['DELETE', `/applications/${id}`, undefined],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(method, path, { body, cookie: `${COOKIE_NAME}=forged` });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.deepEqual(res.json, soa2Error(401, 'Unauthorized'));
    }
  });

  test("a non-integer client id in the path is MediaWiki's 400, before the login check", {
    timeout: 10_000,
  }, async () => {
    for (const method of ['GET', 'PATCH', 'DELETE']) {
      const res = await api(method, '/applications/12ab', {
        body: method === 'PATCH' ? {} : undefined,
      });
      assert.equal(res.status, 400, method);
      assert.equal(res.json.httpCode, 400);
      assert.equal(res.json.error, 'paramvalidator-badinteger');
      assert.match(res.json.message, /"12ab".*client_id/);
    }
  });

  test('PUT needs both keys with the right types (400 otherwise)', {
    timeout: 10_000,
  }, async () => {
    const cookie = await loggedIn();
    const bad: unknown[] = [
      {},
      [],
      { app_name: 'only a name' },
      { redirect_uris: ['http://a/cb'] },
      { app_name: 42, redirect_uris: [] },
      { app_name: 'x', redirect_uris: 'http://a/cb' },
      { app_name: 'x', redirect_uris: ['http://a/cb', 7] },
    ];
    for (const body of bad) {
      const res = await api('PUT', '/applications', { cookie, body });
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.deepEqual(res.json, soa2Error(400, 'Bad Request'));
    }
    assert.deepEqual((await api('GET', '/applications', { cookie })).json, [], 'nothing created');
  });

  test('PUT registers: new id and secret, empty and repeated URIs dropped, name awaiting moderation', {
    timeout: 10_000,
  }, async () => {
    const cookie = await loggedIn();
    const res = await api('PUT', '/applications', {
      cookie,
      body: {
        app_name: 'My Studio',
        redirect_uris: ['http://a/cb', '', 'http://a/cb', 'http://b/cb'],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.json), [
      'client_id',
      'client_secret',
      'created_at',
      'app_name',
      'flags',
      'redirect_uris',
    ]);
    assert.ok(Number.isInteger(res.json.client_id) && res.json.client_id > 0);
    assert.ok(res.json.client_id <= 2 ** 30);
    assert.match(res.json.client_secret, /^[0-9a-f]{128}$/);
    assert.equal(res.json.created_at, Math.floor(now / 1000));
    assert.equal(res.json.app_name, 'My Studio');
    assert.equal(res.json.flags, 0, 'a name waits for a moderator');
    assert.deepEqual(res.json.redirect_uris, ['http://a/cb', 'http://b/cb']);

    const unnamed = await api('PUT', '/applications', {
      cookie,
      body: { app_name: null, redirect_uris: null },
    });
    assert.equal(unnamed.json.flags, 1, 'no name: NAME_APPROVED');
    assert.deepEqual(unnamed.json.redirect_uris, []);

    const list = await api('GET', '/applications', { cookie });
    assert.deepEqual(list.json.slice(-2), [
      { client_id: res.json.client_id, app_name: 'My Studio' },
      { client_id: unnamed.json.client_id, app_name: null },
    ]);
    const shown = await api('GET', `/applications/${res.json.client_id}`, { cookie });
    assert.deepEqual(shown.json, res.json);
  });

  test("someone else's application, or none: 404 for GET, PATCH and DELETE, absent from lists", {
    timeout: 10_000,
  }, async () => {
    const owner = await loggedIn(KENNY.userName);
    const created = await api('PUT', '/applications', { cookie: owner, body: NEW_APP });
    const id = created.json.client_id;
    const stranger = await loggedIn(OTHER_USER.userName);
    for (const path of [
      `/applications/${id}`,
      `/applications/${DEFAULT_SOA2_CLIENT.clientId}`,
      '/applications/5',
    ]) {
      assert.equal((await api('GET', path, { cookie: stranger })).status, 404, path);
      const patch = await api('PATCH', path, { cookie: stranger, body: { app_name: 'mine' } });
      assert.equal(patch.status, 404, path);
      assert.deepEqual(patch.json, soa2Error(404, 'Not Found'));
      assert.equal((await api('DELETE', path, { cookie: stranger })).status, 404, path);
    }
    const theirs = await api('GET', '/applications', { cookie: stranger });
    assert.ok(!theirs.json.some((app: { client_id: number }) => app.client_id === id));
    assert.equal(
      (await api('GET', `/applications/${id}`, { cookie: owner })).json.app_name,
      'My Studio',
    );
  });

  test('PATCH refuses {}, flags and wrong types (400) before looking for the application', {
    timeout: 10_000,
  }, async () => {
    const cookie = await loggedIn();
    const bad: unknown[] = [
      {},
      { flags: 7 },
      { app_name: 'x', flags: 1 },
      { reset_secret: 'yes' },
      { app_name: 3 },
      { redirect_uris: [1] },
    ];
    for (const body of bad) {
      const res = await api('PATCH', '/applications/5', { cookie, body });
      assert.equal(res.status, 400, JSON.stringify(body));
    }
  });

  test('PATCH: a new name clears NAME_APPROVED, null sets it, URIs are replaced, the secret reset', {
    timeout: 10_000,
  }, async () => {
    const cookie = await loggedIn();
    const app = (await api('PUT', '/applications', { cookie, body: NEW_APP })).json;
    const path = `/applications/${app.client_id}`;
    fake.setApplicationFlags(app.client_id, 1 | 2);

    const same = await api('PATCH', path, { cookie, body: { app_name: 'My Studio' } });
    assert.equal(same.json.flags, 3, 'the same name keeps the approval');
    const renamed = await api('PATCH', path, { cookie, body: { app_name: 'Renamed' } });
    assert.equal(renamed.json.app_name, 'Renamed');
    assert.equal(renamed.json.flags, 2, 'approval cleared, VERIFIED kept');
    const unnamed = await api('PATCH', path, { cookie, body: { app_name: null } });
    assert.equal(unnamed.json.flags, 3);

    const uris = await api('PATCH', path, {
      cookie,
      body: { redirect_uris: ['http://c/cb', 'http://c/cb', '', 'http://d/cb'] },
    });
    assert.deepEqual(uris.json.redirect_uris, ['http://c/cb', 'http://d/cb']);
    assert.equal(uris.json.client_secret, app.client_secret, 'the secret is kept');
    const cleared = await api('PATCH', path, { cookie, body: { redirect_uris: null } });
    assert.deepEqual(cleared.json.redirect_uris, []);
    const ignored = await api('PATCH', path, { cookie, body: { unknown_key: 1 } });
    assert.equal(ignored.status, 200, 'unknown keys are ignored, as PHP does');

    const reset = await api('PATCH', path, { cookie, body: { reset_secret: true } });
    assert.match(reset.json.client_secret, /^[0-9a-f]{128}$/);
    assert.notEqual(reset.json.client_secret, app.client_secret);
    const refresh = (secret: string) =>
      api('PATCH', '/tokens', {
        body: { client_id: app.client_id, client_secret: secret, refresh_token: 'f'.repeat(128) },
      });
    assert.equal((await refresh(app.client_secret)).status, 401, 'the old secret is refused');
    assert.equal((await refresh(reset.json.client_secret)).status, 404, 'the new one is accepted');
  });

  test('DELETE: 204, and its tokens and codes are gone', { timeout: 10_000 }, async () => {
    const cookie = await loggedIn();
    const redirect = 'http://127.0.0.1:4000/cb';
    const app = (
      await api('PUT', '/applications', {
        cookie,
        body: { app_name: null, redirect_uris: [redirect] },
      })
    ).json;
    const code = async () => {
      const request = {
        client_id: String(app.client_id),
        redirect_uri: redirect,
        scopes: 'identify',
        state: 'st4te',
      };
      // The consent page creates the code; its form carries the id of that pending code.
      const page = await (
        await fetch(`${fake.authorizationURL}?${new URLSearchParams(request)}`)
      ).text();
      const authing = /name="authing" value="([0-9a-f]+)"/.exec(page)?.[1] ?? '';
      const form = new URLSearchParams({
        ...request,
        authing,
        user: String(KENNY.userId),
        action: 'confirm',
      });
      const res = await fetch(fake.authorizationURL, {
        method: 'POST',
        body: form,
        redirect: 'manual',
      });
      assert.equal(res.status, 303);
      return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    };
    const tokens = await api('POST', '/tokens', {
      body: {
        client_id: app.client_id,
        client_secret: app.client_secret,
        code: await code(),
        scopes: ['identify'],
      },
    });
    assert.equal(tokens.status, 200, tokens.text);
    const unused = await code();
    const bearer = `Bearer ${Buffer.from(tokens.json.access_token).toString('base64')}`;
    const user = () => fetch(`${fake.url}${API}/user`, { headers: { Authorization: bearer } });
    assert.equal((await user()).status, 200);

    const deleted = await api('DELETE', `/applications/${app.client_id}`, { cookie });
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assert.equal((await api('GET', `/applications/${app.client_id}`, { cookie })).status, 404);
    assert.equal((await api('DELETE', `/applications/${app.client_id}`, { cookie })).status, 404);
    assert.equal((await user()).status, 401, 'its access token is gone');
    // The token endpoint does not check which client redeems a code (docs/protocols/soa2.md,
    // "Server quirks"): a code that survived the deletion would still be redeemable by another
    // application.
    const redeem = await api('POST', '/tokens', {
      body: {
        client_id: DEFAULT_SOA2_CLIENT.clientId,
        client_secret: DEFAULT_SOA2_CLIENT.clientSecret,
        code: unused,
        scopes: ['identify'],
      },
    });
    assert.equal(redeem.status, 404, 'its unused code is gone');
  });

  test('MediaWiki around the routes: 415 without a Content-Type, 405 with Allow', {
    timeout: 10_000,
  }, async () => {
    const cookie = await loggedIn();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${fake.url}${API}/applications`,
        { method: 'PUT', headers: { Cookie: cookie } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify(NEW_APP));
    });
    assert.equal(status, 415);
    const wrong = await api('POST', '/applications/5', { cookie, body: {} });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, PATCH, DELETE');
    assert.equal((await api('GET', '/login/')).status, 404, 'no username: no route');
  });
});
