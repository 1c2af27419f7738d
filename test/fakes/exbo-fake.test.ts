/**
 * The EXBO fake over real HTTP: it must reject what the real server rejects (docs/protocols/exbo.md),
 * so every rejection here is one a client would meet in production.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  type ExboClientConfig,
  type ExboFake,
  startExboFake,
} from '@exbo-soa2/fakes';
import { Browser, parseForm } from '../helpers/browser.js';
import { listen, type RunningServer } from '../helpers/server.js';

interface JsonResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

async function send(url: string, init: RequestInit = {}): Promise<JsonResponse> {
  const res = await fetch(url, { redirect: 'manual', ...init });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** A form POST, as the documented token requests are. */
function postForm(url: string, fields: Record<string, string>): Promise<JsonResponse> {
  return send(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams(fields).toString(),
  });
}

function getUser(fake: ExboFake, token: string, accept = 'application/json') {
  return send(fake.userProfileURL, {
    headers: { Authorization: `Bearer ${token}`, Accept: accept },
  });
}

/** Asserts league's error body: `{error, error_description, hint, message}`. */
function assertLeagueError(res: JsonResponse, status: number, error: string, hint?: RegExp) {
  assert.equal(res.status, status, res.text);
  assert.ok(res.json, `not JSON: ${res.text}`);
  assert.deepEqual(Object.keys(res.json), ['error', 'error_description', 'hint', 'message']);
  assert.equal(res.json.error, error);
  assert.equal(res.json.message, res.json.error_description);
  if (hint) assert.match(String(res.json.hint), hint);
  assert.equal(res.headers.get('location'), null, 'an error must not redirect');
}

function decodeJwt(token: string) {
  const [header = '', payload = ''] = token.split('.');
  return {
    headerJson: Buffer.from(header, 'base64url').toString('utf8'),
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >,
  };
}

const APP: ExboClientConfig = {
  clientId: '31',
  clientSecret: 'AppSecretAppSecretAppSecretAppSecret0031',
  redirectUris: [],
  name: 'Тестовое приложение',
};
const OTHER_APP: ExboClientConfig = {
  clientId: '32',
  clientSecret: 'OtherSecretOtherSecretOtherSecretOther32',
  redirectUris: [],
};

describe('EXBO fake', () => {
  let fake: ExboFake;
  let callbacks: RunningServer;
  let callbackURL: string;
  let otherCallbackURL: string;

  before(async () => {
    callbacks = await listen((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('callback reached');
    });
    callbackURL = `${callbacks.url}/auth/exbo/callback`;
    otherCallbackURL = `${callbacks.url}/second?from=exbo`;
    fake = await startExboFake();
    // As the example app does once it knows its port.
    fake.addClient({ ...APP, redirectUris: [callbackURL, otherCallbackURL] });
    fake.addClient({ ...OTHER_APP, redirectUris: [callbackURL] });
  });

  after(async () => {
    await fake.close();
    await callbacks.close();
  });

  function authorizeURL(params: Record<string, string> = {}, client = APP): string {
    const query = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: callbackURL,
      response_type: 'code',
      scope: '',
      state: 'st-123',
      ...params,
    });
    return `${fake.authorizationURL}?${query}`;
  }

  /** Shows the consent page and presses a button without following the redirect back. */
  async function decide(url: string, decision: 'approve' | 'deny', user?: string) {
    const browser = new Browser();
    const page = await browser.get(url);
    assert.equal(page.status, 200, page.text);
    const form = parseForm(page);
    const res = await browser.post(
      new URL(form.action, page.url).toString(),
      { ...form.fields, decision, ...(user && { user }) },
      { follow: false },
    );
    assert.equal(res.status, 302, res.text);
    return new URL(res.headers.get('location')!);
  }

  async function codeFor(params: Record<string, string> = {}, user?: string, client = APP) {
    const back = await decide(authorizeURL(params, client), 'approve', user);
    return back.searchParams.get('code')!;
  }

  function exchange(code: string, overrides: Record<string, string> = {}) {
    return postForm(fake.tokenURL, {
      grant_type: 'authorization_code',
      client_id: APP.clientId,
      client_secret: APP.clientSecret,
      code,
      redirect_uri: callbackURL,
      ...overrides,
    });
  }

  async function userTokens(user?: string) {
    const res = await exchange(await codeFor({}, user));
    assert.equal(res.status, 200, res.text);
    return res.json as { access_token: string; refresh_token: string; expires_in: number };
  }

  describe('GET /oauth/authorize', () => {
    it('answers a valid request with a consent page naming EXBO and the client', {
      timeout: 10_000,
    }, async () => {
      const res = await send(authorizeURL({ state: 'a"<b>' }));
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/);
      const title = /<title>([^<]*)<\/title>/.exec(res.text)?.[1] ?? '';
      assert.match(title, /EXBO/);
      assert.match(title, /Тестовое приложение/);
      assert.equal(res.text.match(/<form\b/g)?.length, 1);
      assert.match(res.text, /<form method="post" action="\/oauth\/authorize">/);
      assert.match(res.text, /<button name="decision" value="approve">Allow<\/button>/);
      assert.match(res.text, /<button name="decision" value="deny">Deny<\/button>/);
      const form = parseForm({
        url: fake.authorizationURL,
        status: 200,
        headers: res.headers,
        text: res.text,
        hops: [],
      });
      assert.equal(form.fields.client_id, APP.clientId);
      assert.equal(form.fields.redirect_uri, callbackURL);
      assert.equal(form.fields.state, 'a"<b>', 'state survives HTML escaping');
      assert.ok((form.fields.nonce ?? '').length >= 16, 'a per-page nonce');
      assert.equal(form.fields.user, String(DEFAULT_EXBO_USERS[0]!.id), 'first user by default');
      for (const user of DEFAULT_EXBO_USERS) {
        assert.ok(res.text.includes(`<option value="${user.id}"`), `offers ${user.login}`);
      }
    });

    it('preselects the account named by login_hint or user', { timeout: 10_000 }, async () => {
      const byLogin = await new Browser().get(authorizeURL({ login_hint: 'Сталкер' }));
      assert.equal(parseForm(byLogin).fields.user, '90103');
      const byId = await new Browser().get(authorizeURL({ user: '90104' }));
      assert.equal(parseForm(byId).fields.user, '90104');
    });

    it('rejects a missing, repeated or non-empty scope without redirecting', {
      timeout: 10_000,
    }, async () => {
      const url = new URL(authorizeURL());
      url.searchParams.delete('scope');
      assertLeagueError(await send(url.toString()), 400, 'invalid_request', /`scope`/);
      assertLeagueError(await send(`${authorizeURL()}&scope=`), 400, 'invalid_request', /`scope`/);
      assertLeagueError(
        await send(authorizeURL({ scope: 'profile' })),
        400,
        'invalid_scope',
        /profile/,
      );
    });

    it('answers an unregistered redirect_uri with 401 invalid_client and never redirects to it', {
      timeout: 10_000,
    }, async () => {
      for (const redirectUri of [
        `${callbackURL}/`,
        callbackURL.toUpperCase(),
        `${callbackURL}?next=/admin`,
        'https://attacker.example/cb',
      ]) {
        const res = await send(authorizeURL({ redirect_uri: redirectUri }));
        assertLeagueError(res, 401, 'invalid_client', /redirect_uri/);
      }
      const other = await send(authorizeURL({ redirect_uri: otherCallbackURL }, OTHER_APP));
      assertLeagueError(other, 401, 'invalid_client', /redirect_uri/);
    });

    it('rejects an unknown client, a missing client_id or redirect_uri, and other response types', {
      timeout: 10_000,
    }, async () => {
      assertLeagueError(await send(authorizeURL({ client_id: '999' })), 401, 'invalid_client');
      const noClient = new URL(authorizeURL());
      noClient.searchParams.delete('client_id');
      assertLeagueError(await send(noClient.toString()), 400, 'invalid_request', /client_id/);
      const noRedirect = new URL(authorizeURL());
      noRedirect.searchParams.delete('redirect_uri');
      assertLeagueError(await send(noRedirect.toString()), 400, 'invalid_request', /redirect_uri/);
      const token = await send(authorizeURL({ response_type: 'token' }));
      assertLeagueError(token, 400, 'unsupported_grant_type', /response_type/);
      const pkce = await send(authorizeURL({ code_challenge: 'x'.repeat(43) }));
      assertLeagueError(pkce, 400, 'invalid_request', /PKCE/);
    });
  });

  describe('POST /oauth/authorize', () => {
    it('completes a login round trip through the consent page (Browser.submit)', {
      timeout: 10_000,
    }, async () => {
      const browser = new Browser();
      const consent = await browser.get(authorizeURL({ state: 'round trip/ü' }));
      const done = await browser.submit(consent, 'Allow', { user: '90103' });
      assert.equal(done.status, 200);
      assert.equal(done.text, 'callback reached');
      assert.deepEqual(
        done.hops.map((hop) => hop.status),
        [302, 200],
      );
      const back = new URL(done.hops[0]!.location!);
      assert.equal(`${back.origin}${back.pathname}`, callbackURL);
      assert.deepEqual([...back.searchParams.keys()], ['code', 'state']);
      assert.equal(back.searchParams.get('state'), 'round trip/ü');
      const code = back.searchParams.get('code')!;
      assert.match(code, /^def50200[0-9a-f]+$/, 'opaque, league-looking code');

      const tokens = await exchange(code);
      assert.equal(tokens.status, 200, tokens.text);
      const profile = await getUser(fake, String(tokens.json!.access_token));
      assert.equal(profile.json!.login, 'Сталкер', 'the account picked on the consent page');
    });

    it('sends access_denied with league description and the state on Deny', {
      timeout: 10_000,
    }, async () => {
      const back = await decide(authorizeURL(), 'deny');
      assert.equal(back.searchParams.get('error'), 'access_denied');
      assert.equal(
        back.searchParams.get('error_description'),
        'The resource owner or authorization server denied the request.',
      );
      assert.equal(back.searchParams.get('state'), 'st-123');
      assert.equal(back.searchParams.get('code'), null);
    });

    it('appends with & to a redirect_uri that has a query, and omits an absent state', {
      timeout: 10_000,
    }, async () => {
      const url = new URL(authorizeURL({ redirect_uri: otherCallbackURL }));
      url.searchParams.delete('state');
      const back = await decide(url.toString(), 'approve');
      assert.equal(back.searchParams.get('from'), 'exbo');
      assert.ok(back.search.startsWith('?from=exbo&code='), back.search);
      assert.equal(back.searchParams.has('state'), false);
    });

    it('accepts each consent page once and only with its own request', {
      timeout: 10_000,
    }, async () => {
      const browser = new Browser();
      const page = await browser.get(authorizeURL());
      const form = parseForm(page);
      const action = new URL(form.action, page.url).toString();
      const tampered = await browser.post(
        action,
        { ...form.fields, redirect_uri: otherCallbackURL, decision: 'approve' },
        { follow: false },
      );
      assert.equal(tampered.status, 400);
      assert.equal(tampered.headers.get('location'), null);
      // The tampered attempt used up the nonce as well: a page never counts twice.
      const replay = await browser.post(
        action,
        { ...form.fields, decision: 'approve' },
        { follow: false },
      );
      assert.equal(replay.status, 400);
      assert.match(replay.text, /already submitted/);
    });
  });

  describe('POST /oauth/token (authorization_code)', () => {
    it('issues league-shaped tokens for a form body', { timeout: 10_000 }, async () => {
      const res = await exchange(await codeFor());
      assert.equal(res.status, 200, res.text);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(Object.keys(res.json!), [
        'token_type',
        'expires_in',
        'access_token',
        'refresh_token',
      ]);
      assert.equal(res.json!.token_type, 'Bearer');
      assert.equal(res.json!.expires_in, 31536000);
      assert.match(String(res.json!.refresh_token), /^def50200[0-9a-f]{600,}$/);
    });

    it('does not read parameters from the query string or a JSON body', {
      timeout: 10_000,
    }, async () => {
      const code = await codeFor();
      const fields = {
        grant_type: 'authorization_code',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        code,
        redirect_uri: callbackURL,
      };
      const inQuery = await send(`${fake.tokenURL}?${new URLSearchParams(fields)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: '',
      });
      assertLeagueError(inQuery, 400, 'unsupported_grant_type', /query string/);
      const asJson = await send(fake.tokenURL, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(fields),
      });
      assertLeagueError(asJson, 400, 'unsupported_grant_type', /x-www-form-urlencoded/);
      const noType = await send(fake.tokenURL, {
        method: 'POST',
        body: new Blob([new URLSearchParams(fields).toString()]),
      });
      assertLeagueError(noType, 400, 'unsupported_grant_type');
      // None of that used the code up.
      assert.equal((await exchange(code)).status, 200);
    });

    it('rejects an unknown grant_type', { timeout: 10_000 }, async () => {
      const res = await postForm(fake.tokenURL, { grant_type: 'password' });
      assertLeagueError(res, 400, 'unsupported_grant_type', /password/);
    });

    it('names each missing parameter', { timeout: 10_000 }, async () => {
      const code = await codeFor();
      for (const name of ['client_id', 'client_secret', 'code', 'redirect_uri']) {
        const fields: Record<string, string> = {
          grant_type: 'authorization_code',
          client_id: APP.clientId,
          client_secret: APP.clientSecret,
          code,
          redirect_uri: callbackURL,
        };
        delete fields[name];
        const res = await postForm(fake.tokenURL, fields);
        assertLeagueError(res, 400, 'invalid_request', new RegExp(`\`${name}\``));
      }
    });

    it('answers a wrong secret, unknown client or unregistered redirect_uri with 401 invalid_client', {
      timeout: 10_000,
    }, async () => {
      const code = await codeFor();
      assertLeagueError(
        await exchange(code, { client_secret: `${APP.clientSecret}x` }),
        401,
        'invalid_client',
      );
      assertLeagueError(await exchange(code, { client_id: '999' }), 401, 'invalid_client');
      assertLeagueError(
        await exchange(code, { redirect_uri: `${callbackURL}/` }),
        401,
        'invalid_client',
        /redirect_uri/,
      );
      assert.equal((await exchange(code)).status, 200, 'rejected attempts leave the code usable');
    });

    it('accepts a code once: a second exchange says it has been revoked', {
      timeout: 10_000,
    }, async () => {
      const code = await codeFor();
      assert.equal((await exchange(code)).status, 200);
      assertLeagueError(await exchange(code), 400, 'invalid_request', /has been revoked/);
    });

    it("rejects an unknown code, another client's code and a different redirect_uri", {
      timeout: 10_000,
    }, async () => {
      assertLeagueError(await exchange('def50200abcdef'), 400, 'invalid_request', /Cannot decrypt/);
      const othersCode = await codeFor({}, undefined, OTHER_APP);
      assertLeagueError(
        await exchange(othersCode),
        400,
        'invalid_request',
        /was not issued to this client/,
      );
      const code = await codeFor();
      assertLeagueError(
        await exchange(code, { redirect_uri: otherCallbackURL }),
        400,
        'invalid_request',
        /Invalid redirect URI/,
      );
    });

    it("revokes the user's earlier tokens for the client at each code exchange", {
      timeout: 10_000,
    }, async () => {
      const first = await userTokens('90102');
      const otherUser = await userTokens('90103');
      const second = await userTokens('90102');
      assert.equal((await getUser(fake, first.access_token)).status, 401);
      assert.equal(fake.tokenStatus(first.refresh_token), 'revoked');
      const refreshed = await postForm(fake.tokenURL, {
        grant_type: 'refresh_token',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        refresh_token: first.refresh_token,
        scope: '',
      });
      assertLeagueError(refreshed, 401, 'invalid_request', /revoked/);
      assert.equal((await getUser(fake, second.access_token)).status, 200);
      assert.equal(
        (await getUser(fake, otherUser.access_token)).status,
        200,
        'other users keep theirs',
      );
    });
  });

  describe('POST /oauth/token (refresh_token)', () => {
    function refresh(refreshToken: string, overrides: Record<string, string> = {}) {
      return postForm(fake.tokenURL, {
        grant_type: 'refresh_token',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        refresh_token: refreshToken,
        scope: '',
        ...overrides,
      });
    }

    it('rotates the pair: new tokens work, the old access and refresh tokens stop', {
      timeout: 10_000,
    }, async () => {
      const old = await userTokens();
      const res = await refresh(old.refresh_token);
      assert.equal(res.status, 200, res.text);
      const fresh = res.json as typeof old;
      assert.notEqual(fresh.refresh_token, old.refresh_token);
      assert.notEqual(fresh.access_token, old.access_token);
      assert.equal((await getUser(fake, fresh.access_token)).status, 200);
      assert.equal((await getUser(fake, old.access_token)).status, 401);
      const again = await refresh(old.refresh_token);
      assertLeagueError(again, 401, 'invalid_request');
      assert.equal(again.json!.error_description, 'The refresh token is invalid.');
      assert.equal((await refresh(fresh.refresh_token)).status, 200);
    });

    it("rejects an unknown or another client's refresh token with 401 invalid_request", {
      timeout: 10_000,
    }, async () => {
      assertLeagueError(await refresh('def50200deadbeef'), 401, 'invalid_request', /decrypt/);
      const tokens = await userTokens();
      const asOther = await refresh(tokens.refresh_token, {
        client_id: OTHER_APP.clientId,
        client_secret: OTHER_APP.clientSecret,
      });
      assertLeagueError(asOther, 401, 'invalid_request', /not linked to client/);
      assert.equal(
        fake.tokenStatus(tokens.refresh_token),
        'active',
        'a failed attempt revokes nothing',
      );
    });

    it('validates a redirect_uri sent on refresh, and takes scope only empty', {
      timeout: 10_000,
    }, async () => {
      const tokens = await userTokens();
      const badRedirect = await refresh(tokens.refresh_token, {
        redirect_uri: 'https://x.example/cb',
      });
      assertLeagueError(badRedirect, 401, 'invalid_client', /redirect_uri/);
      const scoped = await refresh(tokens.refresh_token, { scope: 'profile' });
      assertLeagueError(scoped, 400, 'invalid_scope');
      assertLeagueError(
        await refresh(tokens.refresh_token, { client_secret: 'nope' }),
        401,
        'invalid_client',
      );
      assert.equal((await refresh(tokens.refresh_token)).status, 200);
    });
  });

  describe('POST /oauth/token (client_credentials)', () => {
    function appToken(overrides: Record<string, string> = {}) {
      return postForm(fake.tokenURL, {
        grant_type: 'client_credentials',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        scope: '',
        ...overrides,
      });
    }

    it('issues an application token without a refresh token, replacing the previous one', {
      timeout: 10_000,
    }, async () => {
      const first = await appToken();
      assert.equal(first.status, 200, first.text);
      assert.deepEqual(Object.keys(first.json!), ['token_type', 'expires_in', 'access_token']);
      const firstToken = String(first.json!.access_token);
      assert.equal(fake.tokenStatus(firstToken), 'active');
      const userToken = (await userTokens()).access_token;
      const second = await appToken();
      assert.equal(fake.tokenStatus(firstToken), 'revoked');
      assert.equal(fake.tokenStatus(String(second.json!.access_token)), 'active');
      assert.equal(fake.tokenStatus(userToken), 'active', 'user tokens are not application tokens');
    });

    it('authenticates the client and refuses a redirect_uri it does not know', {
      timeout: 10_000,
    }, async () => {
      assertLeagueError(await appToken({ client_secret: 'wrong' }), 401, 'invalid_client');
      assertLeagueError(
        await appToken({ redirect_uri: 'https://x.example/' }),
        401,
        'invalid_client',
      );
      assertLeagueError(await appToken({ scope: 'all' }), 400, 'invalid_scope');
    });
  });

  describe('GET /oauth/user', () => {
    it('answers a user token in the Authorization header with the profile, Cyrillic intact', {
      timeout: 10_000,
    }, async () => {
      const { access_token } = await userTokens('90103');
      const res = await getUser(fake, access_token);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
      assert.deepEqual(res.json, {
        id: 90103,
        uuid: DEFAULT_EXBO_USERS[1]!.uuid,
        login: 'Сталкер',
        display_login: 'Сталкер-Бандит',
        distributor: 'EXBO',
        distributor_id: null,
      });
    });

    it('delivers a Cyrillic profile split inside a character, as real networks do', {
      timeout: 10_000,
    }, async () => {
      const { access_token } = await userTokens('90103');
      const chunks = await new Promise<Buffer[]>((resolve, reject) => {
        const req = httpRequest(fake.userProfileURL, {
          headers: { Authorization: `Bearer ${access_token}`, Accept: 'application/json' },
        });
        req.on('response', (res) => {
          const received: Buffer[] = [];
          res.on('data', (chunk: Buffer) => received.push(chunk));
          res.on('end', () => resolve(received));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      assert.ok(chunks.length >= 2, `${chunks.length} chunk(s)`);
      assert.match(chunks.map((chunk) => chunk.toString('utf8')).join(''), /\uFFFD/);
      assert.match(Buffer.concat(chunks).toString('utf8'), /"login":"Сталкер"/);
    });

    it('reads the token only from a Bearer header', { timeout: 10_000 }, async () => {
      const { access_token } = await userTokens();
      const inQuery = await send(`${fake.userProfileURL}?access_token=${access_token}`, {
        headers: { Accept: 'application/json' },
      });
      assert.equal(inQuery.status, 401);
      assert.deepEqual(inQuery.json, { message: 'Unauthenticated.' });
      const raw = await send(fake.userProfileURL, {
        headers: { Authorization: access_token, Accept: 'application/json' },
      });
      assert.equal(raw.status, 401);
      const lowercase = await send(fake.userProfileURL, {
        headers: { Authorization: `bearer ${access_token}`, Accept: 'application/json' },
      });
      assert.equal(lowercase.status, 401);
    });

    it('rejects application tokens and forged tokens', { timeout: 10_000 }, async () => {
      const app = await postForm(fake.tokenURL, {
        grant_type: 'client_credentials',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        scope: '',
      });
      assert.equal((await getUser(fake, String(app.json!.access_token))).status, 401);
      const { access_token } = await userTokens();
      const [header, payload] = access_token.split('.');
      const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
      const forged = Buffer.from(JSON.stringify({ ...claims, sub: '90104' })).toString('base64url');
      const res = await getUser(fake, `${header}.${forged}.${access_token.split('.')[2]}`);
      assert.equal(res.status, 401);
    });

    it('redirects a request that does not prefer JSON to /login, like Laravel', {
      timeout: 10_000,
    }, async () => {
      const noAccept = await send(fake.userProfileURL, { headers: { Accept: '' } });
      assert.equal(noAccept.status, 302);
      assert.equal(noAccept.headers.get('location'), `${fake.url}/login`);
      const htmlFirst = await getUser(fake, 'nope', 'text/html,application/json');
      assert.equal(htmlFirst.status, 302);
      const jsonPreferred = await getUser(fake, 'nope', 'text/html;q=0.5, application/json');
      assert.equal(jsonPreferred.status, 401);
      const login = await send(`${fake.url}/login`);
      assert.equal(login.status, 200, 'a client following the redirect gets HTML with 200');
      assert.match(login.headers.get('content-type') ?? '', /text\/html/);
    });
  });

  describe('access tokens', () => {
    it("are RS256 JWTs with Passport's header and claims, signed by publicKeyPem", {
      timeout: 10_000,
    }, async () => {
      const { access_token } = await userTokens('90102');
      const { headerJson, claims } = decodeJwt(access_token);
      assert.equal(headerJson, '{"typ":"JWT","alg":"RS256"}');
      assert.equal(claims.aud, APP.clientId);
      assert.equal(claims.sub, '90102');
      assert.match(String(claims.jti), /^[0-9a-f]{80}$/);
      for (const name of ['iat', 'nbf', 'exp'] as const) {
        assert.ok(Number.isInteger(claims[name]), `${name} is an integer`);
      }
      assert.equal(Number(claims.exp) - Number(claims.iat), 31536000);
      assert.ok(Math.abs(Number(claims.iat) - Date.now() / 1000) < 60);
      const [header, payload, signature] = access_token.split('.');
      const valid = verifySignature(
        'sha256',
        Buffer.from(`${header}.${payload}`),
        createPublicKey(fake.publicKeyPem),
        Buffer.from(signature!, 'base64url'),
      );
      assert.equal(valid, true);
    });

    it('have no sub for application tokens', { timeout: 10_000 }, async () => {
      const res = await postForm(fake.tokenURL, {
        grant_type: 'client_credentials',
        client_id: APP.clientId,
        client_secret: APP.clientSecret,
        scope: '',
      });
      const { claims } = decodeJwt(String(res.json!.access_token));
      assert.deepEqual(Object.keys(claims), ['aud', 'jti', 'iat', 'nbf', 'exp']);
    });
  });

  it('records every request, raw body included, in order', { timeout: 10_000 }, async () => {
    const start = fake.requests.length;
    await send(`${fake.tokenURL}?x=1`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Test': 'yes' },
      body: 'grant_type=client_credentials&scope=',
    });
    await send(`${fake.url}/nowhere`);
    const [token, missing] = fake.requests.slice(start);
    assert.deepEqual(
      { ...token, headers: undefined },
      {
        method: 'POST',
        path: '/oauth/token',
        query: 'x=1',
        headers: undefined,
        body: 'grant_type=client_credentials&scope=',
      },
    );
    assert.equal(token!.headers['x-test'], 'yes');
    assert.equal(missing!.path, '/nowhere');
    assert.equal(fake.requests.length, start + 2);
  });
});

describe('EXBO fake with an injected clock', () => {
  let now = Date.parse('2031-05-01T12:00:00Z');
  let fake: ExboFake;
  const client = DEFAULT_EXBO_CLIENT;
  const redirectUri = client.redirectUris[0]!;

  before(async () => {
    fake = await startExboFake({
      clock: () => now,
      codeLifetimeSeconds: 60,
      tokenLifetimeSeconds: 3600,
    });
  });
  after(() => fake.close());

  async function code(): Promise<string> {
    const browser = new Browser();
    const query = new URLSearchParams({
      client_id: client.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: '',
    });
    const page = await browser.get(`${fake.authorizationURL}?${query}`);
    const form = parseForm(page);
    const res = await browser.post(
      new URL(form.action, page.url).toString(),
      { ...form.fields, decision: 'approve' },
      { follow: false },
    );
    return new URL(res.headers.get('location')!).searchParams.get('code')!;
  }

  function exchange(authCode: string) {
    return postForm(fake.tokenURL, {
      grant_type: 'authorization_code',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code: authCode,
      redirect_uri: redirectUri,
    });
  }

  it('expires codes after codeLifetimeSeconds', { timeout: 10_000 }, async () => {
    const fresh = await code();
    const stale = await code();
    now += 60_000;
    assert.equal((await exchange(fresh)).status, 200, 'still valid at the last second');
    now += 1_000;
    assertLeagueError(await exchange(stale), 400, 'invalid_request', /has expired/);
  });

  it('expires access and refresh tokens after tokenLifetimeSeconds', {
    timeout: 10_000,
  }, async () => {
    const res = await exchange(await code());
    const tokens = res.json as { access_token: string; refresh_token: string; expires_in: number };
    assert.equal(tokens.expires_in, 3600);
    assert.equal(decodeJwt(tokens.access_token).claims.iat, Math.floor(now / 1000));
    now += 3_599_000;
    assert.equal((await getUser(fake, tokens.access_token)).status, 200);
    now += 2_000;
    assert.equal((await getUser(fake, tokens.access_token)).status, 401);
    assert.equal(fake.tokenStatus(tokens.access_token), 'expired');
    const refreshed = await postForm(fake.tokenURL, {
      grant_type: 'refresh_token',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      refresh_token: tokens.refresh_token,
      scope: '',
    });
    assertLeagueError(refreshed, 401, 'invalid_request', /expired/);
  });
});

describe('EXBO fake defaults and options', () => {
  it('ships client 30 with a 40-character secret and the documented first user', () => {
    assert.equal(DEFAULT_EXBO_CLIENT.clientId, '30');
    assert.match(DEFAULT_EXBO_CLIENT.clientSecret, /^[A-Za-z0-9]{40}$/);
    assert.deepEqual(DEFAULT_EXBO_CLIENT.redirectUris, [
      'http://localhost:3000/auth/exbo/callback',
    ]);
    assert.deepEqual(
      { ...DEFAULT_EXBO_USERS[0], uuid: undefined },
      {
        id: 90102,
        uuid: undefined,
        login: 'Test-1',
        displayLogin: null,
        distributor: 'EXBO',
        distributorId: null,
      },
    );
    assert.ok(DEFAULT_EXBO_USERS.some((user) => /[А-я]/.test(user.login)));
  });

  it('refuses a bad configuration with a clear message', { timeout: 10_000 }, async () => {
    await assert.rejects(startExboFake({ users: [] }), /at least one user/);
    await assert.rejects(startExboFake({ codeLifetimeSeconds: 0 }), /codeLifetimeSeconds/);
    await assert.rejects(
      startExboFake({ clients: [{ clientId: '1', clientSecret: 's', redirectUris: ['/cb'] }] }),
      /absolute URLs/,
    );
  });
});

describe('exbo-soa2-fakes CLI', () => {
  const require = createRequire(import.meta.url);
  const packageJsonPath = require.resolve('@exbo-soa2/fakes/package.json');
  const { bin } = require(packageJsonPath) as { bin: Record<string, string> };
  const cli = join(dirname(packageJsonPath), bin['exbo-soa2-fakes']!);

  it('runs the EXBO fake with the given client until SIGTERM', { timeout: 10_000 }, async () => {
    const child = spawn(
      process.execPath,
      [
        cli,
        'exbo',
        '--port',
        '0',
        '--client-id',
        '77',
        '--client-secret',
        'CliSecretCliSecretCliSecretCliSecret0077',
        '--redirect-uri',
        'http://127.0.0.1:9/a',
        '--redirect-uri',
        'http://127.0.0.1:9/b',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      output += text;
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (text: string) => {
        output += text;
        if (output.includes('Press Ctrl+C')) resolve();
      });
      child.on('exit', () => reject(new Error(`CLI exited early:\n${output}`)));
    });
    assert.match(output, /client_id\s+77\n/);
    assert.match(output, /client_secret\s+CliSecretCliSecretCliSecretCliSecret0077\n/);
    const authorizationURL = /authorization URL\s+(\S+)/.exec(output)?.[1];
    assert.ok(authorizationURL, output);
    const query = new URLSearchParams({
      client_id: '77',
      redirect_uri: 'http://127.0.0.1:9/b',
      response_type: 'code',
      scope: '',
    });
    const page = await send(`${authorizationURL}?${query}`);
    assert.equal(page.status, 200, page.text);
    const defaultClient = await send(
      `${authorizationURL}?${new URLSearchParams({ ...Object.fromEntries(query), client_id: '30' })}`,
    );
    assert.equal(defaultClient.status, 401, 'only the configured client is registered');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  });

  it('exits 2 with usage for an unknown provider or option', { timeout: 10_000 }, async () => {
    for (const args of [['nope'], ['exbo', '--bogus'], ['exbo', '--port', 'x']]) {
      const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
      });
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      assert.equal(code, 2, args.join(' '));
      assert.match(stderr, /Usage: exbo-soa2-fakes/);
    }
  });
});
