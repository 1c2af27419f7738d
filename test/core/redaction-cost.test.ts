/**
 * Redaction costs time linear in the answer (issue 23, item 1): a hostile token answer close to
 * the 1 MiB body cap, tens of thousands of short strings under `token`, each echoed elsewhere in
 * the body, used to block the event loop for about a minute in `exchangeCode` (every value found
 * was searched for in the whole body). Now at most 64 values are taken from an answer (the values
 * we sent always), and only the part of a text that is shown is redacted. The CPU time is printed,
 * never asserted. What the error shows is checked: no secret we sent, in any quoted form.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { answerSecrets, bodyExcerpt, type OAuthError, redactSecrets } from '@exbo-soa2/core';
import { ExboClient } from 'passport-exbo';
import { Soa2Client } from 'passport-soa2';
import { listen, type RunningServer, readBody } from '../helpers/server.js';

const LIMIT = { timeout: 30_000 };
const SECRET = 'client-secret-of-the-hostile-test-4242';
const CODE = 'the-authorization-code-9090';
const BODY_CAP = 1024 * 1024;

/** `count` distinct six-letter strings. */
function shortStrings(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `t${i.toString(36).padStart(5, '0')}`);
}

/**
 * A JSON answer just under the body cap: as many short strings under `token` as fit, each echoed
 * in `error_description`, which also quotes what we sent in the forms a page may use.
 */
function hostileAnswer(fields: Record<string, unknown>): string {
  const quoted = [
    SECRET,
    encodeURIComponent(SECRET).toLowerCase(),
    CODE.replace(/-/g, '&#x2d;'),
    `${CODE}`.replace(/-/g, '&#45;'),
  ].join(' ');
  // Each string costs 9 bytes in the array and 7 in the echo.
  const strings = shortStrings(Math.floor((BODY_CAP - 1000) / 16));
  const body = JSON.stringify({
    ...fields,
    error_description: `${quoted} ${strings.join(' ')}`,
    token: strings,
  });
  assert.ok(body.length < BODY_CAP, `the answer (${body.length} bytes) fits under the cap`);
  return body;
}

let server: RunningServer;
/** The next answer: status and body. */
let next = { status: 400, body: '' };
before(async () => {
  server = await listen(async (req, res) => {
    await readBody(req);
    res.writeHead(next.status, { 'Content-Type': 'application/json' });
    res.end(next.body);
  });
});
after(() => server.close());

/** Everything an app or its log could show of `err`. */
function shown(err: OAuthError): string {
  return [err.message, err.stack, inspect(err, { depth: Infinity }), JSON.stringify(err)].join(
    '\n',
  );
}

/** Runs `call`, prints its CPU time and returns the error it rejects with. */
async function cpuOf(label: string, call: () => Promise<unknown>): Promise<OAuthError> {
  const start = process.cpuUsage();
  const err = await call().then(
    () => assert.fail('expected a rejection'),
    (error: unknown) => error as OAuthError,
  );
  const used = process.cpuUsage(start);
  console.log(`# ${label}: ${Math.round((used.user + used.system) / 1000)} ms CPU`);
  return err;
}

function assertNothingSent(err: OAuthError): void {
  const text = shown(err);
  for (const value of [SECRET, CODE, encodeURIComponent(SECRET).toLowerCase()]) {
    assert.ok(!text.includes(value), `the error shows ${value}`);
  }
  assert.ok(!/&#x2d;|&#45;/.test(text), 'the code shows as HTML entities');
}

describe('a hostile token answer near the body cap', () => {
  test('ExboClient.exchangeCode: CODE_REJECTED, nothing we sent shown', LIMIT, async () => {
    next = { status: 400, body: hostileAnswer({ error: 'invalid_request' }) };
    const client = new ExboClient({ clientID: '1', clientSecret: SECRET, baseURL: server.url });
    const err = await cpuOf('exbo, 400 answer', () =>
      client.exchangeCode(CODE, { callbackURL: 'http://localhost/cb' }),
    );
    assert.equal(err.code, 'CODE_REJECTED');
    assertNothingSent(err);
  });

  test(
    'ExboClient.exchangeCode: a 200 without tokens is PROVIDER_BAD_RESPONSE',
    LIMIT,
    async () => {
      next = { status: 200, body: hostileAnswer({}) };
      const client = new ExboClient({ clientID: '1', clientSecret: SECRET, baseURL: server.url });
      const err = await cpuOf('exbo, 200 answer', () =>
        client.exchangeCode(CODE, { callbackURL: 'http://localhost/cb' }),
      );
      assert.equal(err.code, 'PROVIDER_BAD_RESPONSE');
      assert.ok(err.bodyExcerpt !== undefined && err.bodyExcerpt.length <= 201);
      assertNothingSent(err);
    },
  );

  test('Soa2Client.exchangeCode: CODE_REJECTED, nothing we sent shown', LIMIT, async () => {
    next = { status: 404, body: hostileAnswer({ httpCode: 404, httpReason: 'Not Found' }) };
    const client = new Soa2Client({ clientID: 1, clientSecret: SECRET, baseURL: server.url });
    const err = await cpuOf('soa2, 404 answer', () => client.exchangeCode(CODE));
    assert.equal(err.code, 'CODE_REJECTED');
    assert.ok(err.bodyExcerpt !== undefined);
    assertNothingSent(err);
  });
});

describe('the bounds themselves', () => {
  test('at most 64 values are taken from an answer, and every value we sent', LIMIT, () => {
    const body = hostileAnswer({ access_token: 'the-real-access-token' });
    const found = answerSecrets(body, [SECRET, CODE, undefined]);
    assert.ok(found.includes(SECRET) && found.includes(CODE), 'what we sent is kept');
    assert.ok(found.includes('the-real-access-token'), 'the top-level token is found first');
    assert.ok(found.length <= 64 + 2, `${found.length} values`);
  });

  test('a redacted text is cut to about 2,000 characters, an excerpt to 200', LIMIT, () => {
    const text = `${'x'.repeat(1990)}${SECRET}${'y'.repeat(100_000)}`;
    const redacted = redactSecrets(text, [SECRET]);
    assert.ok(redacted.length <= 2001, `${redacted.length} characters`);
    assert.ok(!redacted.includes(SECRET.slice(0, 10)), 'no part of a secret cut at the end');
    assert.ok(bodyExcerpt(text, [SECRET]).length <= 201);
  });

  const forms: Array<[string, (secret: string) => string]> = [
    ['lower-case percent-encoding', (s) => encodeURIComponent(s).toLowerCase()],
    ['form encoding', (s) => new URLSearchParams({ s }).toString().slice(2)],
    ['HTML named entities', (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;')],
    ['HTML decimal entities', (s) => s.replace(/'/g, '&#39;').replace(/ /g, '&#32;')],
    [
      'HTML hex entities',
      (s) => s.replace(/[&'"/ ]/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
    ],
    [
      'JSON with escaped slashes (PHP)',
      (s) => JSON.stringify(s).slice(1, -1).replace(/\//g, '\\/'),
    ],
  ];
  const secret = `a b&c"d'e/f+g%h-${'z'.repeat(10)}`;
  for (const [name, form] of forms) {
    test(`a secret quoted in ${name} is removed`, LIMIT, () => {
      const quoted = form(secret);
      assert.notEqual(quoted, secret, 'the form differs from the secret');
      assert.equal(redactSecrets(`before ${quoted} after`, [secret]), 'before [redacted] after');
    });
  }
});
