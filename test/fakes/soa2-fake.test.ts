/**
 * The SOA2 fake speaks SOA2's wire (docs/protocols/soa2.md), quirks included, and rejects
 * what the real server rejects, so a client that passes against it is right against the real thing.
 * Everything here goes over real HTTP; requests without a Content-Type use node:http directly
 * because fetch always adds one to a string body.
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

const CLIENT_ID = DEFAULT_SOA2_CLIENT.clientId;
const SECRET = DEFAULT_SOA2_CLIENT.clientSecret;
const REDIRECT = DEFAULT_SOA2_CLIENT.redirectUris[0] ?? '';
const OTHER = {
  clientId: 987654,
  clientSecret: 'abcdef0123456789'.repeat(8),
  redirectUris: ['http://127.0.0.1:9999/cb?app=other', 'http://127.0.0.1:9999/cb?app=other'],
};
const KENNY = DEFAULT_SOA2_USERS[0]!;
const GONE = DEFAULT_SOA2_USERS.find((user) => user.authoritative === false)!;

let fake: Soa2Fake;
let now = Date.now();

before(async () => {
  fake = await startSoa2Fake({ clock: () => now, clients: [DEFAULT_SOA2_CLIENT, OTHER] });
});
after(() => fake.close());
beforeEach(() => {
  now = Date.now();
});

const VALID = {
  client_id: String(CLIENT_ID),
  redirect_uri: REDIRECT,
  scopes: 'identify',
  state: 'st4te',
};

function authorizeURL(params: Record<string, string | undefined>, base = fake.authorizationURL) {
  const url = new URL(base);
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined) url.searchParams.append(key, value);
  }
  return url.toString();
}

/** Opens the consent page for `params`; the id of the pending code behind it, if it shows a form. */
async function showPage(
  params: Record<string, string | undefined> = VALID,
  base = fake.authorizationURL,
) {
  const html = await (await fetch(authorizeURL(params, base))).text();
  return /name="authing" value="([0-9a-f]+)"/.exec(html)?.[1];
}

/**
 * Presses a button on the consent page as a browser would: opens the page (which creates the code)
 * and posts its form, or posts for the page `pageId` opened earlier (`null`: no page was shown).
 */
async function press(
  action: 'confirm' | 'cancel',
  params: Record<string, string | undefined> = VALID,
  user = String(KENNY.userId),
  pageId?: string | null,
  base = fake.authorizationURL,
): Promise<Response> {
  const shown = pageId === undefined ? await showPage(params, base) : pageId;
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) form.set(key, value);
  if (shown) form.set('authing', shown);
  form.set('user', user);
  form.set('action', action);
  return fetch(base, { method: 'POST', body: form, redirect: 'manual' });
}

/** A fresh code for `user`, issued to `params.client_id`. */
async function newCode(params = VALID, user = String(KENNY.userId)): Promise<string> {
  const res = await press('confirm', params, user);
  assert.equal(res.status, 303);
  return new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
}

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the assertions.
  json: any;
}

/** A request with exactly the headers given (no Content-Type unless listed). */
function raw(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${fake.url}${path}`, { method, headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const TOKENS = '/w/rest.php/soa2/v0/tokens';
const USER = '/w/rest.php/soa2/v0/user';
const JSON_TYPE = { 'Content-Type': 'application/json' };

function postTokens(body: unknown) {
  return raw('POST', TOKENS, { headers: JSON_TYPE, body: JSON.stringify(body) });
}
function patchTokens(body: unknown) {
  return raw('PATCH', TOKENS, { headers: JSON_TYPE, body: JSON.stringify(body) });
}
function exchange(code: string, extra: Record<string, unknown> = {}) {
  return postTokens({
    client_id: CLIENT_ID,
    client_secret: SECRET,
    code,
    scopes: ['identify'],
    ...extra,
  });
}
function userWith(authorization?: string) {
  return raw(
    'GET',
    USER,
    authorization === undefined ? {} : { headers: { Authorization: authorization } },
  );
}
function bearer(token: string) {
  return `Bearer ${Buffer.from(token).toString('base64')}`;
}

describe('consent page', () => {
  test('shows one form carrying the request, a user picker and Confirm/Cancel', {
    timeout: 10_000,
  }, async () => {
    const res = await fetch(authorizeURL(VALID));
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.equal(html.match(/<form\b/g)?.length, 1);
    assert.match(html, /<form method="post" action="\/wiki\/Special:ScratchOAuth2\/authorize">/);
    for (const [name, value] of Object.entries(VALID)) {
      assert.match(html, new RegExp(`<input type="hidden" name="${name}" value="${value}">`));
    }
    assert.match(html, /<select id="user" name="user">/);
    assert.match(html, new RegExp(`<option value="${KENNY.userId}" selected>${KENNY.userName}<`));
    assert.match(html, /<button name="action" value="confirm">Confirm<\/button>/);
    assert.match(html, /<button name="action" value="cancel">Cancel<\/button>/);
    assert.match(html, /Login with Scratch Example \(local\)/);
  });

  test('a user query parameter (id or name) preselects the signed-in user', {
    timeout: 10_000,
  }, async () => {
    for (const hint of [String(GONE.userId), GONE.userName.toUpperCase()]) {
      const html = await (await fetch(authorizeURL({ ...VALID, user: hint }))).text();
      assert.match(html, new RegExp(`<option value="${GONE.userId}" selected>`), hint);
    }
  });

  test('application names: unnamed and unmoderated ones are not shown', {
    timeout: 10_000,
  }, async () => {
    fake.addClient({ clientId: 111, clientSecret: SECRET, redirectUris: [], appName: null });
    fake.addClient({
      clientId: 222,
      clientSecret: SECRET,
      redirectUris: [],
      appName: 'Evil',
      flags: 0,
    });
    const params = (id: number) => ({ client_id: String(id), scopes: 'identify', state: 's' });
    assert.match(await (await fetch(authorizeURL(params(111)))).text(), /\[unnamed application\]/);
    const unmoderated = await (await fetch(authorizeURL(params(222)))).text();
    assert.match(unmoderated, /\[application name unmoderated\]/);
    assert.ok(!unmoderated.includes('Evil'));
  });

  const invalid: Array<[string, Record<string, string | undefined>, RegExp]> = [
    ['missing client_id', { ...VALID, client_id: undefined }, /client_id/],
    ['a non-integer client_id', { ...VALID, client_id: 'abc' }, /client_id/],
    ['an unknown client_id', { ...VALID, client_id: '42' }, /no application/],
    ['missing state', { ...VALID, state: undefined }, /state is required/],
    ['an empty state', { ...VALID, state: '' }, /state is required/],
    ['state "0"', { ...VALID, state: '0' }, /must not be &quot;0&quot;/],
    ['a state over 255 characters', { ...VALID, state: 'a'.repeat(256) }, /longer than 255/],
    ['scope instead of scopes', { ...VALID, scopes: undefined, scope: 'identify' }, /plural/],
    [
      'scopes not exactly identify',
      { ...VALID, scopes: 'identify identify' },
      /scopes must be exactly &quot;identify&quot;/,
    ],
    [
      'comma-separated scopes',
      { ...VALID, scopes: 'identify,identify' },
      /scopes must be exactly &quot;identify&quot;/,
    ],
    [
      'an unregistered redirect_uri',
      { ...VALID, redirect_uri: 'http://evil.example/cb' },
      /not registered/,
    ],
    [
      'a redirect_uri with a trailing slash',
      { ...VALID, redirect_uri: `${REDIRECT}/` },
      /not registered/,
    ],
  ];
  for (const [what, params, reason] of invalid) {
    test(`"Invalid Auth URL" (HTTP 200) for ${what}`, { timeout: 10_000 }, async () => {
      const res = await fetch(authorizeURL(params), { redirect: 'manual' });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /<h1>Invalid Auth URL<\/h1>/);
      assert.match(html, reason);
      assert.ok(!html.includes('<form'));
      // Confirming the same request is refused the same way: nothing reaches the app.
      const confirmed = await press('confirm', params);
      assert.equal(confirmed.status, 200);
      assert.equal(confirmed.headers.get('location'), null);
    });
  }

  test('a parameter given twice is refused', { timeout: 10_000 }, async () => {
    const url = `${authorizeURL(VALID)}&state=again`;
    assert.match(await (await fetch(url)).text(), /Invalid Auth URL[\s\S]*more than once/);
  });

  test('a state of exactly 255 characters is accepted', { timeout: 10_000 }, async () => {
    const res = await fetch(authorizeURL({ ...VALID, state: 's'.repeat(255) }));
    assert.doesNotMatch(await res.text(), /Invalid Auth URL/);
  });

  test('Confirm: 303 to the redirect URI with code and state, RFC 3986-encoded', {
    timeout: 10_000,
  }, async () => {
    const state = "a!b'c(d)e*f~g h";
    const res = await press('confirm', { ...VALID, state });
    assert.equal(res.status, 303);
    const location = res.headers.get('location') ?? '';
    assert.match(
      location,
      /^http:\/\/localhost:3000\/auth\/soa2\/callback\?code=[0-9a-f]{64}&state=a%21b%27c%28d%29e%2Af~g%20h$/,
    );
  });

  test('Confirm: "&" when the redirect URI already has a query', { timeout: 10_000 }, async () => {
    const params = {
      ...VALID,
      client_id: String(OTHER.clientId),
      redirect_uri: OTHER.redirectUris[0],
    };
    const location = (await press('confirm', params)).headers.get('location') ?? '';
    assert.match(
      location,
      /^http:\/\/127\.0\.0\.1:9999\/cb\?app=other&code=[0-9a-f]{64}&state=st4te$/,
    );
  });

  test('a raw "+" in the state comes back as a space (form decoding)', {
    timeout: 10_000,
  }, async () => {
    const url = `${fake.authorizationURL}?client_id=${CLIENT_ID}&scopes=identify&redirect_uri=${encodeURIComponent(REDIRECT)}&state=a+b`;
    const html = await (await fetch(url)).text();
    assert.match(html, /name="state" value="a b"/);
  });

  test('Cancel never redirects: "Authorization Cancelled" page, no error parameter', {
    timeout: 10_000,
  }, async () => {
    const res = await press('cancel');
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('location'), null);
    assert.match(await res.text(), /Authorization Cancelled/);
  });

  test('without redirect_uri the code is shown on Special:SOA2Code (also for an empty one)', {
    timeout: 10_000,
  }, async () => {
    for (const redirect_uri of [undefined, '']) {
      const res = await press('confirm', { ...VALID, redirect_uri });
      assert.equal(res.status, 303);
      const location = res.headers.get('location') ?? '';
      assert.match(location, new RegExp(`^${fake.url}/wiki/Special:SOA2Code\\?code=[0-9a-f]{64}$`));
      const page = await (await fetch(location)).text();
      const code = new URL(location).searchParams.get('code');
      assert.match(page, new RegExp(`<pre id="soa2-code">${code}</pre>`));
      // The shown code is a real one.
      assert.equal((await exchange(code ?? '')).status, 200);
    }
  });

  test('the older index.php?title= URL form works', { timeout: 10_000 }, async () => {
    const base = `${fake.url}/w/index.php?title=Special:ScratchOAuth2/authorize`;
    const html = await (await fetch(authorizeURL(VALID, base))).text();
    assert.match(html, /<button name="action" value="confirm">/);
  });
});

describe('POST /tokens', () => {
  test('exchanges a code for tokens of the documented shape and lifetimes', {
    timeout: 10_000,
  }, async () => {
    const code = await newCode();
    assert.match(code, /^[0-9a-f]{64}$/);
    const res = await exchange(code);
    assert.equal(res.status, 200);
    assert.deepEqual(Object.keys(res.json), [
      'refresh_token',
      'refresh_expiry',
      'scopes',
      'access_token',
      'access_expiry',
    ]);
    const nowSeconds = Math.floor(now / 1000);
    assert.match(res.json.access_token, /^[0-9a-f]{128}$/);
    assert.match(res.json.refresh_token, /^[0-9a-f]{128}$/);
    assert.equal(res.json.access_expiry, nowSeconds + 86400);
    assert.equal(res.json.refresh_expiry, nowSeconds + 365 * 86400);
    assert.deepEqual(res.json.scopes, ['identify']);
  });

  test('415 without a Content-Type (MediaWiki), before anything else', {
    timeout: 10_000,
  }, async () => {
    const body = JSON.stringify({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      code: 'x',
      scopes: ['identify'],
    });
    const res = await raw('POST', TOKENS, { body });
    assert.equal(res.status, 415);
    assert.equal(res.json.httpCode, 415);
    assert.equal(res.json.httpReason, 'Unsupported Media Type');
    assert.equal(typeof res.json.message, 'string');
  });

  test('400 for malformed bodies and field types, with SOA2 error bodies', {
    timeout: 10_000,
  }, async () => {
    const code = await newCode();
    const good = { client_id: CLIENT_ID, client_secret: SECRET, code, scopes: ['identify'] };
    const bad: Array<[string, string, string]> = [
      [
        'a form body',
        'application/x-www-form-urlencoded',
        new URLSearchParams({
          ...good,
          client_id: String(CLIENT_ID),
          scopes: 'identify',
        }).toString(),
      ],
      ['not JSON', 'application/json', '{"client_id":'],
      ['an empty object', 'application/json', '{}'],
      ['an array', 'application/json', JSON.stringify([good])],
      [
        'a string client_id',
        'application/json',
        JSON.stringify({ ...good, client_id: String(CLIENT_ID) }),
      ],
      [
        'no client_secret',
        'application/json',
        JSON.stringify({ ...good, client_secret: undefined }),
      ],
      ['a numeric code', 'application/json', JSON.stringify({ ...good, code: 1 })],
      ['no scopes', 'application/json', JSON.stringify({ ...good, scopes: undefined })],
      [
        'an unknown scope',
        'application/json',
        JSON.stringify({ ...good, scopes: ['identify', 'email'] }),
      ],
    ];
    for (const [what, type, body] of bad) {
      const res = await raw('POST', TOKENS, { headers: { 'Content-Type': type }, body });
      assert.equal(res.status, 400, what);
      assert.deepEqual(res.json, { httpCode: 400, httpReason: 'Bad Request' }, what);
    }
    assert.equal((await exchange(code)).status, 200, 'none of those used the code up');
  });

  test('401 for an unknown client or a wrong secret, checked before the code', {
    timeout: 10_000,
  }, async () => {
    assert.equal((await exchange('0'.repeat(64), { client_secret: 'f'.repeat(128) })).status, 401);
    const res = await exchange('0'.repeat(64), { client_id: 5 });
    assert.deepEqual([res.status, res.json], [401, { httpCode: 401, httpReason: 'Unauthorized' }]);
  });

  test('404 for an unknown, used or expired code', { timeout: 10_000 }, async () => {
    assert.equal((await exchange('0'.repeat(64))).status, 404);
    const code = await newCode();
    assert.equal((await exchange(code)).status, 200);
    const reused = await exchange(code);
    assert.deepEqual(
      [reused.status, reused.json],
      [404, { httpCode: 404, httpReason: 'Not Found' }],
    );
    const old = await newCode();
    now += 3601 * 1000;
    assert.equal((await exchange(old)).status, 404);
  });

  test('417 when scopes differ from the approved ones; it does not use the code up', {
    timeout: 10_000,
  }, async () => {
    const code = await newCode();
    const res = await exchange(code, { scopes: [] });
    assert.deepEqual(
      [res.status, res.json],
      [417, { httpCode: 417, httpReason: 'Expectation Failed' }],
    );
    assert.equal((await exchange(code, { scopes: 'identify identify' })).status, 417);
    assert.equal((await exchange(code, { scopes: 'identify' })).status, 200, 'a string works too');
  });

  test('a new exchange for the same app and user replaces the earlier tokens', {
    timeout: 10_000,
  }, async () => {
    const first = (await exchange(await newCode())).json;
    const second = (await exchange(await newCode())).json;
    assert.equal((await userWith(bearer(first.access_token))).status, 401);
    assert.equal(
      (
        await patchTokens({
          client_id: CLIENT_ID,
          client_secret: SECRET,
          refresh_token: first.refresh_token,
        })
      ).status,
      404,
    );
    assert.equal((await userWith(bearer(second.access_token))).status, 200);
  });

  test("another app may redeem a code (a real server gap); the tokens stay the issuer's", {
    timeout: 10_000,
  }, async () => {
    const code = await newCode();
    const res = await exchange(code, {
      client_id: OTHER.clientId,
      client_secret: OTHER.clientSecret,
    });
    assert.equal(res.status, 200);
    const refresh = { refresh_token: res.json.refresh_token };
    assert.equal(
      (
        await patchTokens({
          client_id: OTHER.clientId,
          client_secret: OTHER.clientSecret,
          ...refresh,
        })
      ).status,
      404,
    );
    assert.equal(
      (await patchTokens({ client_id: CLIENT_ID, client_secret: SECRET, ...refresh })).status,
      200,
    );
  });
});

describe('strict mode', () => {
  test('a code is redeemable only by the client it was issued to', {
    timeout: 10_000,
  }, async () => {
    const strict = await startSoa2Fake({ strict: true, clients: [DEFAULT_SOA2_CLIENT, OTHER] });
    try {
      const confirmed = await press(
        'confirm',
        VALID,
        String(KENNY.userId),
        undefined,
        strict.authorizationURL,
      );
      const code = new URL(confirmed.headers.get('location') ?? '').searchParams.get('code');
      const send = (client_id: number, client_secret: string) =>
        fetch(`${strict.apiURL}/tokens`, {
          method: 'POST',
          headers: JSON_TYPE,
          body: JSON.stringify({ client_id, client_secret, code, scopes: ['identify'] }),
        });
      assert.equal((await send(OTHER.clientId, OTHER.clientSecret)).status, 404);
      assert.equal((await send(CLIENT_ID, SECRET)).status, 200);
    } finally {
      await strict.close();
    }
  });
});

describe('PATCH /tokens', () => {
  test('a new access token; the refresh token is neither rotated nor extended', {
    timeout: 10_000,
  }, async () => {
    const tokens = (await exchange(await newCode())).json;
    now += 1000 * 1000;
    const res = await patchTokens({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      refresh_token: tokens.refresh_token,
    });
    assert.equal(res.status, 200);
    assert.equal(res.json.refresh_token, tokens.refresh_token);
    assert.equal(res.json.refresh_expiry, tokens.refresh_expiry);
    assert.equal(res.json.access_expiry, Math.floor(now / 1000) + 86400);
    assert.notEqual(res.json.access_token, tokens.access_token);
    assert.equal((await userWith(bearer(tokens.access_token))).status, 401, 'previous one deleted');
    assert.equal((await userWith(bearer(res.json.access_token))).status, 200);
  });

  test('400, 401, 404 and 410 in the documented order', { timeout: 10_000 }, async () => {
    const tokens = (await exchange(await newCode())).json;
    const body = {
      client_id: CLIENT_ID,
      client_secret: SECRET,
      refresh_token: tokens.refresh_token,
    };
    assert.equal((await patchTokens({ ...body, client_id: String(CLIENT_ID) })).status, 400);
    assert.equal((await patchTokens({ ...body, refresh_token: 7 })).status, 400);
    assert.equal(
      (await patchTokens({ ...body, client_secret: 'f'.repeat(128), refresh_token: 'x' })).status,
      401,
    );
    assert.equal((await patchTokens({ ...body, refresh_token: 'b'.repeat(128) })).status, 404);
    assert.equal(
      (await patchTokens({ ...body, client_id: OTHER.clientId, client_secret: OTHER.clientSecret }))
        .status,
      404,
    );
    now += 366 * 86400 * 1000;
    const expired = await patchTokens(body);
    assert.deepEqual([expired.status, expired.json], [410, { httpCode: 410, httpReason: 'Gone' }]);
  });
});

describe('GET /user', () => {
  test('200 with the user for a base64 bearer; 203 for a user whose profile is gone', {
    timeout: 10_000,
  }, async () => {
    const kenny = (await exchange(await newCode())).json;
    const res = await userWith(bearer(kenny.access_token));
    assert.deepEqual(
      [res.status, res.json],
      [200, { user_id: KENNY.userId, user_name: KENNY.userName }],
    );
    assert.equal(
      (await userWith(`bearer ${Buffer.from(kenny.access_token).toString('base64')}`)).status,
      200,
    );
    const gone = (await exchange(await newCode(VALID, String(GONE.userId)))).json;
    const nonAuthoritative = await userWith(bearer(gone.access_token));
    assert.deepEqual(
      [nonAuthoritative.status, nonAuthoritative.json],
      [203, { user_id: GONE.userId, user_name: GONE.userName }],
    );
  });

  test('401 for a raw token, a malformed header or non-canonical base64', {
    timeout: 10_000,
  }, async () => {
    const { access_token: token } = (await exchange(await newCode())).json;
    const encoded = Buffer.from(token).toString('base64');
    assert.ok(encoded.endsWith('='), 'a 128-character token encodes with padding');
    for (const header of [
      undefined,
      `Bearer ${token}`,
      `Bearer  ${encoded}`,
      `Basic ${encoded}`,
      `Bearer ${encoded.replace(/=+$/, '')}`,
      `Bearer ${Buffer.from(token).toString('base64url')}`,
      encoded,
    ]) {
      const res = await userWith(header);
      assert.deepEqual(
        [res.status, res.json],
        [401, { httpCode: 401, httpReason: 'Unauthorized' }],
        String(header),
      );
    }
    assert.equal((await userWith(bearer(token))).status, 200);
  });

  test('401 once the access token has expired (24 hours)', { timeout: 10_000 }, async () => {
    const { access_token: token } = (await exchange(await newCode())).json;
    now += 86401 * 1000;
    assert.equal((await userWith(bearer(token))).status, 401);
  });
});

describe('around the API', () => {
  test('MediaWiki answers unknown routes with 404 and wrong methods with 405', {
    timeout: 10_000,
  }, async () => {
    const unknown = await raw('GET', '/w/rest.php/soa2/v0/nothing');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json.httpCode, 404);
    assert.ok(unknown.json.messageTranslations);
    const wrong = await raw('GET', TOKENS);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.allow, 'POST, PATCH');
  });

  test('every request is recorded as received', { timeout: 10_000 }, async () => {
    const mark = fake.requests.length;
    await raw('POST', `${TOKENS}?x=1`, {
      headers: { ...JSON_TYPE, 'User-Agent': 'probe/1' },
      body: '{"a":1}',
    });
    assert.deepEqual(
      fake.requests
        .slice(mark)
        .map(({ method, path, query, body }) => ({ method, path, query, body })),
      [{ method: 'POST', path: TOKENS, query: 'x=1', body: '{"a":1}' }],
    );
    assert.equal(fake.requests.at(-1)?.headers['user-agent'], 'probe/1');
  });

  test('configuration mistakes are refused when made', { timeout: 10_000 }, async () => {
    assert.throws(
      () => fake.addClient({ ...DEFAULT_SOA2_CLIENT, clientSecret: 'short' }),
      /128 lowercase hex/,
    );
    assert.throws(
      () => fake.addClient({ ...DEFAULT_SOA2_CLIENT, clientId: '1' as never }),
      /clientId must be an integer/,
    );
    await assert.rejects(
      startSoa2Fake({ users: [{ userId: 1, userName: 'no spaces allowed' }] }),
      /userName/,
    );
    await assert.rejects(startSoa2Fake({ users: [] }), /at least one user/);
  });
});

describe('the code is created when the consent page is shown (SOA2Auth::start)', () => {
  const HOUR = 3600 * 1000;

  test("the code's hour counts from the page, not from Confirm", { timeout: 10_000 }, async () => {
    const pageId = await showPage();
    now += HOUR - 60_000;
    const res = await press('confirm', VALID, String(KENNY.userId), pageId);
    assert.equal(res.status, 303);
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    now += 2 * 60_000;
    assert.equal((await exchange(code)).status, 404, 'expired an hour after the page was shown');
  });

  test('a page left open over an hour fails once at Confirm, then works', {
    timeout: 10_000,
  }, async () => {
    const pageId = await showPage();
    now += HOUR + 1000;
    const stale = await press('confirm', VALID, String(KENNY.userId), pageId);
    assert.equal(stale.status, 200);
    assert.equal(stale.headers.get('location'), null);
    const html = await stale.text();
    assert.match(html, /Authorization failed\. Please read the page below and try again/);
    const fresh = /name="authing" value="([0-9a-f]+)"/.exec(html)?.[1];
    assert.ok(fresh && fresh !== pageId, 'a fresh consent page with a new code behind it');
    const retried = await press('confirm', VALID, String(KENNY.userId), fresh);
    assert.equal(retried.status, 303);
    const code = new URL(retried.headers.get('location') ?? '').searchParams.get('code') ?? '';
    assert.equal((await exchange(code)).status, 200);
  });

  test('Confirm without a shown page, or for another request than shown, fails', {
    timeout: 10_000,
  }, async () => {
    const unshown = await press('confirm', VALID, String(KENNY.userId), null);
    assert.equal(unshown.status, 200);
    assert.match(await unshown.text(), /Authorization failed/);
    const pageId = await showPage();
    const other = await press(
      'confirm',
      { ...VALID, state: 'other' },
      String(KENNY.userId),
      pageId,
    );
    assert.equal(other.status, 200);
    assert.match(await other.text(), /Authorization failed/);
    // The mismatch dropped that page's code: the page cannot be confirmed any more.
    const again = await press('confirm', VALID, String(KENNY.userId), pageId);
    assert.match(await again.text(), /Authorization failed/);
  });

  test('a confirmed page is used up; Cancel drops its code', { timeout: 10_000 }, async () => {
    const pageId = await showPage();
    assert.equal((await press('confirm', VALID, String(KENNY.userId), pageId)).status, 303);
    assert.match(
      await (await press('confirm', VALID, String(KENNY.userId), pageId)).text(),
      /Authorization failed/,
    );
    const cancelled = await showPage();
    assert.match(
      await (await press('cancel', VALID, String(KENNY.userId), cancelled)).text(),
      /Authorization Cancelled/,
    );
    assert.match(
      await (await press('confirm', VALID, String(KENNY.userId), cancelled)).text(),
      /Authorization failed/,
    );
  });
});

describe('GET /user checks the refresh token too (SOA2Users::getByToken)', () => {
  test('401 once the refresh token has expired, even while the access token is live', {
    timeout: 10_000,
  }, async () => {
    const tokens = (await exchange(await newCode())).json;
    // A refresh shortly before the refresh token's end gives an access token that outlives it.
    now += (365 * 86400 - 3600) * 1000;
    const refreshed = await patchTokens({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      refresh_token: tokens.refresh_token,
    });
    assert.equal(refreshed.status, 200);
    assert.ok(refreshed.json.access_expiry > refreshed.json.refresh_expiry);
    assert.equal((await userWith(bearer(refreshed.json.access_token))).status, 200);
    now += 3601 * 1000;
    const res = await userWith(bearer(refreshed.json.access_token));
    assert.equal(res.status, 401);
    assert.deepEqual(res.json, { httpCode: 401, httpReason: 'Unauthorized' });
    const gone = await patchTokens({
      client_id: CLIENT_ID,
      client_secret: SECRET,
      refresh_token: tokens.refresh_token,
    });
    assert.equal(gone.status, 410);
  });
});

describe('MediaWiki answers 415 for a missing Content-Type only when there is a body', () => {
  test('an empty PATCH without a Content-Type reaches SOA2 (400), a non-empty one is 415', {
    timeout: 10_000,
  }, async () => {
    const empty = await raw('PATCH', TOKENS);
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.json, { httpCode: 400, httpReason: 'Bad Request' });
    const emptyPost = await raw('POST', TOKENS, { body: '' });
    assert.equal(emptyPost.status, 400);
    const withBody = await raw('PATCH', TOKENS, { body: JSON.stringify({ client_id: CLIENT_ID }) });
    assert.equal(withBody.status, 415);
  });
});
