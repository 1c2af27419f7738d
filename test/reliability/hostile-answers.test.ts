/**
 * Provider answers crafted to hurt, through a real Express app with express-session whose verify
 * keeps the whole profile in the session (`done(null, profile)`, a common Passport pattern), for
 * both strategies (issue 16):
 * - tokens the provider repeats in its own text (error_description, another field, an error page)
 *   appear nowhere in the error: not in the message, `String(err)`, `util.inspect(err)`,
 *   `JSON.stringify(err)`, `bodyExcerpt`, nor the cause;
 * - JSON nested 100,000 levels deep (under 1 MiB) is PROVIDER_BAD_RESPONSE, not a stack overflow
 *   in the session store and a hung request;
 * - EXBO ids that are not safe non-negative integers are refused;
 * - a 429 is RATE_LIMITED with `retryAfter`, from SOA2 as from EXBO.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { OAuthError } from '@exbo-soa2/core';
import { DEFAULT_EXBO_CLIENT, DEFAULT_SOA2_CLIENT } from '@exbo-soa2/fakes';
import { Strategy as ExboStrategy, type VerifyCallback } from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { startTestApp, type TestApp, trackProcessErrors } from '../helpers/app.js';
import { listen, type RunningServer } from '../helpers/server.js';
import { callbackWithFreshCode } from './helpers/callback-requests.js';
import { PROVIDERS, type ProviderName } from './helpers/strategies.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the stand-in answers to the token and the profile request of the current test. */
interface Script {
  token: Handler;
  profile: Handler;
}

const TIMEOUT_MS = 2000;
/** Every test ends in seconds; a hang fails here and names its test. */
const LIMIT = { timeout: 10_000 };

let provider: RunningServer;
let app: TestApp;
let script: Script;
const tracked = trackProcessErrors();

/** The whole profile, as received, goes into the session. */
const keepProfile = (_at: string, _rt: string, profile: unknown, done: VerifyCallback) =>
  done(null, profile as Express.User);

before(async () => {
  provider = await listen((req, res) => {
    const path = req.url ?? '';
    const handler = path.endsWith('/token') || path.endsWith('/tokens') ? 'token' : 'profile';
    script[handler](req, res);
  });
  const exbo = new ExboStrategy(
    {
      clientID: DEFAULT_EXBO_CLIENT.clientId,
      clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
      callbackURL: '/callback/exbo',
      baseURL: provider.url,
      timeout: TIMEOUT_MS,
    },
    keepProfile,
  );
  const soa2 = new Soa2Strategy(
    {
      clientID: DEFAULT_SOA2_CLIENT.clientId,
      clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
      callbackURL: '/callback/soa2',
      baseURL: provider.url,
      apiURL: `${provider.url}/api`,
      timeout: TIMEOUT_MS,
    },
    keepProfile,
  );
  app = await startTestApp({ strategies: [exbo, soa2] });
});
after(async () => {
  tracked.stop();
  await app.close();
  await provider.close();
});

/** Fresh tokens per test, long and random like real ones. */
function newTokens() {
  return {
    access: `at-${randomBytes(30).toString('hex')}`,
    refresh: `rt-${randomBytes(30).toString('hex')}`,
  };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/html' : 'application/json';
  return (_req, res) => {
    res.writeHead(status, { 'Content-Type': type, ...headers });
    res.end(text);
  };
}

/** A valid token answer of each provider. */
function tokensOf(name: ProviderName, tokens: { access: string; refresh: string }): Handler {
  const now = Math.floor(Date.now() / 1000);
  return name === 'exbo'
    ? answer(200, {
        token_type: 'Bearer',
        expires_in: 3600,
        access_token: tokens.access,
        refresh_token: tokens.refresh,
      })
    : answer(200, {
        access_token: tokens.access,
        access_expiry: now + 86400,
        refresh_token: tokens.refresh,
        refresh_expiry: now + 365 * 86400,
        scopes: ['identify'],
      });
}

/** A valid profile of each provider. */
function profileOf(name: ProviderName, extra: Record<string, unknown> = {}): Handler {
  return name === 'exbo'
    ? answer(200, { id: 90102, uuid: 'u-1', login: 'Test-1', display_login: null, ...extra })
    : answer(200, { user_id: 10114764, user_name: 'kenny2scratch', ...extra });
}

interface Attempt {
  status: number;
  text: string;
  elapsedMs: number;
  err: unknown;
  code: string;
}

/** A login against the stand-in scripted with `next`: start, then the provider's callback. */
async function attempt(name: ProviderName, next: Script): Promise<Attempt> {
  script = next;
  const { answer: res, code, record } = await callbackWithFreshCode(app, name);
  assert.equal(record?.actions.length, 1, `one Passport action, got ${record?.actions}`);
  assert.deepEqual(tracked.errors, [], 'no unhandled rejection or uncaught exception');
  return { ...res, err: record?.last?.[0], code };
}

/** Everything an app or its log could show of `err`. */
function everythingQuoted(err: unknown): string {
  assert.ok(err instanceof OAuthError, `an OAuthError, got ${String(err)}`);
  return [
    err.message,
    String(err),
    inspect(err, { depth: 10 }),
    JSON.stringify(err),
    err.bodyExcerpt ?? '',
    err.providerDescription ?? '',
    String(err.cause ?? ''),
    inspect(err.cause, { depth: 10 }),
  ].join('\n');
}

function assertHidden(err: unknown, values: string[], context: string): void {
  const shown = everythingQuoted(err);
  for (const value of values) {
    assert.ok(!shown.includes(value), `${context}: ${value.slice(0, 10)}… appears in:\n${shown}`);
  }
}

const CLIENT_SECRET: Record<ProviderName, string> = {
  exbo: DEFAULT_EXBO_CLIENT.clientSecret,
  soa2: DEFAULT_SOA2_CLIENT.clientSecret,
};

for (const name of PROVIDERS) {
  describe(`${name}: tokens the provider repeats in its own text are redacted`, () => {
    test('an error answer that quotes its tokens in error_description', LIMIT, async () => {
      for (const status of [400, 503]) {
        const tokens = newTokens();
        const { err, code } = await attempt(name, {
          token: answer(status, {
            error: 'temporarily_unavailable',
            error_description: `issued ${tokens.access} / ${tokens.refresh}`,
            access_token: tokens.access,
            refresh_token: tokens.refresh,
          }),
          profile: profileOf(name),
        });
        assertHidden(err, [tokens.access, tokens.refresh, code, CLIENT_SECRET[name]], `${status}`);
        // Still says what happened, with the tokens replaced.
        assert.match(everythingQuoted(err), /issued \[redacted\] \/ \[redacted\]/);
      }
    });

    test('a token endpoint that echoes the code and the client secret we sent', LIMIT, async () => {
      const echo = (make: (sent: string) => string, type: string): Handler => {
        return (req, res) => {
          let sent = '';
          req.on('data', (chunk: Buffer) => {
            sent += chunk.toString();
          });
          req.on('end', () => {
            const values = /^\s*\{/.test(sent)
              ? Object.values(JSON.parse(sent) as Record<string, unknown>).join(' ')
              : [...new URLSearchParams(sent).values()].join(' ');
            res.writeHead(400, { 'Content-Type': type });
            res.end(make(values));
          });
        };
      };
      const bodies: Array<[string, Handler]> = [
        ['HTML', echo((v) => `<html><body><p>Bad request: ${v}</p></body></html>`, 'text/html')],
        ['text', echo((v) => `bad request: ${v}`, 'text/plain')],
        [
          'JSON',
          echo(
            (v) => JSON.stringify({ error: 'invalid_request', error_description: `bad: ${v}` }),
            'application/json',
          ),
        ],
      ];
      for (const [kind, token] of bodies) {
        const { err, code } = await attempt(name, { token, profile: profileOf(name) });
        assertHidden(err, [code, CLIENT_SECRET[name]], kind);
      }
    });

    test(
      'a 200 without access_token whose other field holds the refresh token',
      LIMIT,
      async () => {
        const tokens = newTokens();
        const { err, code } = await attempt(name, {
          token: answer(200, { refresh_token: tokens.refresh, note: `r=${tokens.refresh}` }),
          profile: profileOf(name),
        });
        assert.equal((err as OAuthError).code, 'PROVIDER_BAD_RESPONSE');
        assertHidden(err, [tokens.refresh, code, CLIENT_SECRET[name]], 'note');
        assert.match((err as OAuthError).bodyExcerpt ?? '', /"note":"r=\[redacted\]"/);
      },
    );

    test('a profile error page that echoes the token we sent', LIMIT, async () => {
      const tokens = newTokens();
      const sentForm =
        name === 'soa2' ? Buffer.from(tokens.access).toString('base64') : tokens.access;
      const { err } = await attempt(name, {
        token: tokensOf(name, tokens),
        profile: answer(
          500,
          `<html><body><h1>Server Error</h1><p>Authorization: Bearer ${sentForm}</p><p>${tokens.access}</p></body></html>`,
        ),
      });
      assert.equal((err as OAuthError).code, 'PROVIDER_ERROR');
      assertHidden(err, [tokens.access, sentForm, tokens.refresh], 'error page');
      assert.match((err as OAuthError).bodyExcerpt ?? '', /Server Error/);
    });

    test('a profile error in JSON that echoes a token it names', LIMIT, async () => {
      const tokens = newTokens();
      const other = `zz-${randomBytes(20).toString('hex')}`;
      const { err } = await attempt(name, {
        token: tokensOf(name, tokens),
        profile: answer(422, { message: `token ${other} is not valid here`, token: other }),
      });
      assertHidden(err, [tokens.access, other], 'profile JSON');
    });
  });

  describe(`${name}: a deeply nested answer is refused, not a crash`, () => {
    // 100,000 levels in 200,000 bytes: JSON.parse copes, a recursive JSON.stringify (the session
    // store saving the profile) overflows the stack.
    const DEPTH = 100_000;
    const deep = `${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}`;
    assert.ok(deep.length < 1024 * 1024);

    test('a profile with 100,000 levels of nesting', LIMIT, async () => {
      const tokens = newTokens();
      const user =
        name === 'exbo' ? '{"id":1,"login":"x","extra":' : '{"user_id":1,"user_name":"x","extra":';
      const { err, status, elapsedMs } = await attempt(name, {
        token: tokensOf(name, tokens),
        profile: (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(`${user}${deep}}`);
        },
      });
      assert.ok(err instanceof OAuthError, String(err));
      assert.equal(err.code, 'PROVIDER_BAD_RESPONSE');
      assert.match(err.message, /nested deeper than 64 levels/);
      assert.equal(status, 502);
      assert.ok(elapsedMs < TIMEOUT_MS, `answered in ${elapsedMs} ms`);
    });

    test('a token answer with 100,000 levels of nesting', LIMIT, async () => {
      const { err, status } = await attempt(name, {
        token: (_req, res) => {
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(`{"access_token":"a","deep":${deep}}`);
        },
        profile: profileOf(name),
      });
      assert.equal((err as OAuthError).code, 'PROVIDER_BAD_RESPONSE');
      assert.equal(status, 502);
    });

    test('a profile with more values than any real one', LIMIT, async () => {
      const tokens = newTokens();
      const many = JSON.stringify(new Array(150_000).fill(0));
      const { err } = await attempt(name, {
        token: tokensOf(name, tokens),
        profile: profileOf(name, { many: JSON.parse(many) }),
      });
      assert.equal((err as OAuthError).code, 'PROVIDER_BAD_RESPONSE');
      assert.match((err as OAuthError).message, /more than 100000 values/);
    });

    test('a profile a few levels deep is still accepted whole', LIMIT, async () => {
      const nested = JSON.parse(`${'{"a":'.repeat(30)}1${'}'.repeat(30)}`);
      const { status, text } = await attempt(name, {
        token: tokensOf(name, newTokens()),
        profile: profileOf(name, { nested }),
      });
      assert.equal(status, 200, text);
      assert.match(text, /"a":1}/);
    });
  });

  describe(`${name}: 429`, () => {
    test('a 429 with Retry-After is RATE_LIMITED with retryAfter', LIMIT, async () => {
      const { err, status } = await attempt(name, {
        token: answer(429, { message: 'Too Many Attempts.' }, { 'Retry-After': '42' }),
        profile: profileOf(name),
      });
      assert.ok(err instanceof OAuthError, String(err));
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal(err.retryAfter, 42);
      assert.equal(err.upstreamStatus, 429);
      assert.match(
        err.message,
        /rate-limited the (authorization code exchange|token).*retry in 42 s/,
      );
      assert.equal(status, 503);
    });

    test('a 429 without Retry-After is RATE_LIMITED, retryAfter absent', LIMIT, async () => {
      const { err } = await attempt(name, {
        token: tokensOf(name, newTokens()),
        profile: answer(429, '<h1>Too Many Requests</h1>'),
      });
      assert.ok(err instanceof OAuthError, String(err));
      assert.equal(err.code, 'RATE_LIMITED');
      assert.equal('retryAfter' in err, false);
    });
  });
}

describe('exbo: the user id is a safe non-negative integer', () => {
  const refused: unknown[] = [
    2 ** 53,
    1.2345678901234568e29,
    -1,
    1.5,
    '',
    ' 42',
    '42 ',
    '-42',
    '1.5',
    '9007199254740993',
    '1e3',
    null,
    true,
  ];
  test(
    'ids beyond 2^53, negative, fractional, padded or empty are PROVIDER_BAD_RESPONSE',
    LIMIT,
    async () => {
      for (const id of refused) {
        const { err } = await attempt('exbo', {
          token: tokensOf('exbo', newTokens()),
          profile: answer(200, { id, uuid: 'u', login: 'Test-1' }),
        });
        assert.ok(err instanceof OAuthError, `${JSON.stringify(id)}: ${String(err)}`);
        assert.equal(err.code, 'PROVIDER_BAD_RESPONSE', JSON.stringify(id));
        assert.match(err.message, /id that is a non-negative integer/);
      }
    },
  );

  test('0, 2^53 - 1 and digit strings within range are accepted', LIMIT, async () => {
    for (const [id, expected] of [
      [0, '0'],
      [2 ** 53 - 1, '9007199254740991'],
      ['90102', '90102'],
    ] as const) {
      const { status, text } = await attempt('exbo', {
        token: tokensOf('exbo', newTokens()),
        profile: answer(200, { id, uuid: 'u', login: 'Test-1' }),
      });
      assert.equal(status, 200, text);
      assert.equal(JSON.parse(text).user.id, expected);
    }
  });
});
