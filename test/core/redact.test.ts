/**
 * Redaction (core/src/redact.ts, applied by OAuthError): values we sent (client secret, code,
 * tokens) of 6 to 60 characters, and tokens a provider puts under a token-like key and repeats
 * elsewhere, never show in what an error quotes, whatever the body: HTML, plain text, JSON or a
 * form. Answers come from a real server through the real Transport.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  answerSecrets,
  OAuthError,
  redactSecrets,
  retryAfterSeconds,
  Transport,
} from '@exbo-soa2/core';
import { listen, type RunningServer } from '../helpers/server.js';

const LIMIT = { timeout: 10_000 };

let server: RunningServer;
/** What the server answers next: content type and body. */
let next = { type: 'text/plain', body: '' };
before(async () => {
  server = await listen((_req, res) => {
    res.writeHead(400, { 'Content-Type': next.type });
    res.end(next.body);
  });
});
after(() => server.close());

const transport = new Transport({ provider: 'test', providerLabel: 'Test', userAgent: 't/1' });

/** A value of `length` letters and digits that cannot occur in the surrounding text by chance. */
function secretOf(length: number): string {
  return randomBytes(length).toString('base64url').replace(/[-_]/g, 'Q').slice(0, length);
}

/** The error for the server's next answer, as a caller reports an unexpected one. */
async function errorFor(type: string, body: string, sent: string[]): Promise<OAuthError> {
  next = { type, body };
  const res = await transport.request({
    method: 'POST',
    url: `${server.url}/token`,
    form: { value: sent[0] ?? '' },
    secrets: sent,
    purpose: 'the token request',
  });
  return transport.unexpected(res, 'the token request', `it said ${res.text.slice(0, 300)}`, sent);
}

/** Everything an app or its log could show of `err`. */
function quoted(err: OAuthError): string {
  return [
    err.message,
    String(err),
    err.stack ?? '',
    inspect(err, { depth: 10 }),
    JSON.stringify(err),
    err.bodyExcerpt ?? '',
  ].join('\n');
}

const LENGTHS = [6, 7, 13, 40, 59, 60];

describe('values we sent, of 6 to 60 characters', () => {
  const bodies: Array<{ kind: string; type: string; body: (secret: string) => string }> = [
    {
      kind: 'HTML',
      type: 'text/html',
      body: (s) => `<html><body><h1>Bad Request</h1><p>We do not know ${s}.</p></body></html>`,
    },
    { kind: 'plain text', type: 'text/plain', body: (s) => `rejected ${s} (try again)` },
    {
      kind: 'JSON',
      type: 'application/json',
      body: (s) =>
        JSON.stringify({ error: 'invalid_request', error_description: `bad ${s}`, echo: s }),
    },
  ];
  for (const { kind, type, body } of bodies) {
    test(`in ${kind}, are in neither the message nor the excerpt`, LIMIT, async () => {
      for (const length of LENGTHS) {
        const secret = secretOf(length);
        const err = await errorFor(type, body(secret), [secret]);
        assert.ok(!quoted(err).includes(secret), `${length} characters: ${quoted(err)}`);
        assert.match(err.message, /\[redacted\]/);
        assert.match(err.bodyExcerpt ?? '', /\[redacted\]/);
      }
    });
  }

  test('shorter values are left alone: they would redact words, not secrets', () => {
    assert.equal(redactSecrets('the code abcde expired', ['abcde']), 'the code abcde expired');
    assert.equal(
      redactSecrets('the code abcdef expired', ['abcdef']),
      'the code [redacted] expired',
    );
  });

  test('JSON-escaped and percent-encoded forms are redacted too', () => {
    const secret = 'se/cr"et+&1';
    const text = `${JSON.stringify({ s: secret })} ${encodeURIComponent(secret)} ${secret}`;
    assert.equal(redactSecrets(text, [secret]).includes('cr'), false);
  });

  test('a secret containing another is removed whole', () => {
    assert.equal(redactSecrets('x abcdefgh y', ['abcdef', 'abcdefgh']), 'x [redacted] y');
  });
});

describe('tokens the answer holds are redacted wherever the answer repeats them', () => {
  test('in JSON, at any depth, under any token-like key', LIMIT, async () => {
    for (const length of LENGTHS) {
      const token = secretOf(length);
      const body = JSON.stringify({
        error: 'server_error',
        error_description: `issued ${token}`,
        data: [{ nested: { refresh_token: token } }],
        note: `r=${token}`,
      });
      const err = await errorFor('application/json', body, []);
      assert.ok(!quoted(err).includes(token), `${length} characters: ${quoted(err)}`);
    }
  });

  test('in a form-encoded or text answer, after `access_token=`', LIMIT, async () => {
    const token = secretOf(40);
    const err = await errorFor(
      'application/x-www-form-urlencoded',
      `access_token=${token}&token_type=bearer&note=issued%20${token}`,
      [],
    );
    assert.ok(!quoted(err).includes(token), quoted(err));
  });

  test('answerSecrets lists what we sent and every string under a token-like key', () => {
    const found = answerSecrets(
      JSON.stringify({
        httpCode: 400,
        token_type: 'Bearer',
        tokens: { access: 'aaaaaaa', list: ['bbbbbbb'] },
        message: 'ccccccc',
      }),
      ['sent-value', undefined],
    );
    assert.deepEqual(new Set(found), new Set(['sent-value', 'aaaaaaa', 'bbbbbbb']));
  });

  test('a body nested too deep to walk recursively is still read', () => {
    const deep = `${'['.repeat(100_000)}{"access_token":"deep-token"}${']'.repeat(100_000)}`;
    assert.ok(answerSecrets(deep).includes('deep-token'));
  });
});

describe('quoting a large hostile page stays linear in its length', () => {
  // A pattern that backtracks over every position of a long word took most of a minute for 40,000
  // letters; these would take hours. A hang here blocks the event loop, so the runner's file
  // timeout ends it rather than this test's own.
  const pages = [
    ['one word of 1 MiB', 'a'.repeat(1024 * 1024 - 64)],
    ['a key followed by 1 MiB of spaces', `access_token${' '.repeat(1024 * 1024 - 64)}x`],
    ['1 MiB of short words', 'code '.repeat(200_000)],
  ] as const;
  for (const [what, body] of pages) {
    test(what, LIMIT, async () => {
      const err = await errorFor('text/html', body, ['some-secret-value']);
      assert.ok((err.bodyExcerpt ?? '').length <= 201);
    });
  }
});

describe('OAuthError applies `redact` to all it carries', () => {
  test('message, stack, details and cause; the original cause is left alone', () => {
    const secret = secretOf(40);
    const cause = Object.assign(new Error(`connect failed for ${secret}`), { code: 'ECONNRESET' });
    const err = new OAuthError('PROVIDER_UNREACHABLE', `could not send ${secret}`, {
      provider: 'test',
      providerError: `e ${secret}`,
      providerDescription: `d ${secret}`,
      providerReason: `r ${secret}`,
      bodyExcerpt: `b ${secret}`,
      cause,
      redact: [secret],
    });
    const shown = `${quoted(err)}\n${inspect(err.cause)}\n${String(err.cause)}`;
    assert.ok(!shown.includes(secret), shown);
    assert.equal(err.message, 'could not send [redacted]');
    assert.equal((err.cause as Error).message, 'connect failed for [redacted]');
    assert.equal((err.cause as { code?: string }).code, 'ECONNRESET');
    assert.ok(cause.message.includes(secret), 'the original error is not changed');
    assert.equal('redact' in err, false, 'the list itself is not kept');
  });

  test('a cause that quotes no secret is kept as it is', () => {
    const cause = new TypeError('fetch failed');
    const err = new OAuthError('PROVIDER_UNREACHABLE', 'x', {
      provider: 'test',
      cause,
      redact: ['abcdefgh'],
    });
    assert.equal(err.cause, cause);
  });
});

describe('Retry-After', () => {
  const at = (value: string) => retryAfterSeconds(new Headers({ 'Retry-After': value }), 1000);
  test('delay-seconds, an HTTP date, or nothing', () => {
    assert.equal(at('120'), 120);
    assert.equal(at('0'), 0);
    assert.equal(at(new Date(61_000).toUTCString()), 60);
    assert.equal(at(new Date(0).toUTCString()), 0, 'a date in the past: retry now');
    assert.equal(at('-5'), undefined);
    assert.equal(at('1.5'), undefined);
    assert.equal(at('soon'), undefined);
    assert.equal(retryAfterSeconds(new Headers()), undefined);
  });
});
