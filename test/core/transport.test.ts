/**
 * The shared transport against real misbehaving servers on 127.0.0.1, once with its default sender
 * (node:http) and once with an injected fetch: both must give the same answers and the same errors.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FetchLike, isOAuthError, type OAuthError, Transport } from '@exbo-soa2/core';
import { listen, type RunningServer, readBody } from '../helpers/server.js';

const routes: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> =
  {
    '/echo': async (req, res) => {
      const body = await readBody(req);
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('X-Answer', 'yes');
      res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
    },
    // "Ёжик" with its first Cyrillic letter cut between two writes.
    '/split-utf8': async (_req, res) => {
      const bytes = Buffer.from('{"login":"Ёжик"}', 'utf8');
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write(bytes.subarray(0, 11));
      await sleep(20);
      res.end(bytes.subarray(11));
    },
    '/where': (req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ url: req.url }));
    },
    '/redirect': (_req, res) => {
      res.writeHead(302, { Location: '/echo' });
      res.end();
    },
    '/hang': () => {},
    '/drip': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.write('{"a":');
    },
    '/truncated': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '100' });
      res.write('{"access_token":');
      setTimeout(() => res.socket?.destroy(), 10);
    },
    '/large': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(5000));
    },
    // One byte over the default cap (1 MiB), and exactly the cap.
    '/over-mebibyte': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024 + 1));
    },
    '/mebibyte': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(1024 * 1024));
    },
    '/no-content': (_req, res) => {
      res.writeHead(204);
      res.end();
    },
  };

let server: RunningServer;
let connections = 0;
let redirectFollowed = false;

before(async () => {
  server = await listen(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/echo' && req.headers['x-from-redirect']) redirectFollowed = true;
    await routes[path]?.(req, res);
  });
  server.server.on('connection', () => connections++);
});
after(() => server.close());

const senders: { name: string; fetch?: FetchLike }[] = [
  { name: 'default sender (node:http)' },
  { name: 'injected fetch', fetch: (input, init) => fetch(input, init) },
];

for (const sender of senders) {
  describe(sender.name, () => {
    const transport = (options: { timeout?: number; maxBodyBytes?: number } = {}) =>
      new Transport({
        provider: 'test',
        providerLabel: 'Test',
        userAgent: 'transport-test/1.0',
        fetch: sender.fetch,
        ...options,
      });
    const failure = async (promise: Promise<unknown>): Promise<OAuthError> => {
      const err = await promise.then(
        () => assert.fail('expected the request to fail'),
        (e: unknown) => e,
      );
      assert.ok(isOAuthError(err), `expected an OAuthError, got ${String(err)}`);
      return err;
    };

    test('sends Accept, User-Agent and a form body; returns status, text, JSON and headers', {
      timeout: 10_000,
    }, async () => {
      const res = await transport().request({
        method: 'POST',
        url: `${server.url}/echo`,
        headers: { Authorization: 'Bearer abc' },
        form: { grant_type: 'authorization_code', code: 'c d+é&=', lone: '\uD800x' },
        purpose: 'the echo request',
      });
      assert.equal(res.status, 200);
      const echoed = res.json as { method: string; headers: Record<string, string>; body: string };
      assert.equal(echoed.method, 'POST');
      assert.equal(echoed.headers.accept, 'application/json');
      assert.equal(echoed.headers['user-agent'], 'transport-test/1.0');
      assert.equal(echoed.headers.authorization, 'Bearer abc');
      assert.equal(echoed.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(echoed.headers['content-length'], String(echoed.body.length));
      // A space as %20, and a lone surrogate as U+FFFD (never merged with the next character).
      assert.equal(
        echoed.body,
        'grant_type=authorization_code&code=c%20d%2B%C3%A9%26%3D&lone=%EF%BF%BDx',
      );
      assert.deepEqual(Object.fromEntries(new URLSearchParams(echoed.body)), {
        grant_type: 'authorization_code',
        code: 'c d+é&=',
        lone: '\uFFFDx',
      });
      assert.equal(res.headers.get('x-answer'), 'yes');
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.deepEqual(JSON.parse(res.text), echoed);
    });

    test('sends a JSON body with its content type', { timeout: 10_000 }, async () => {
      const res = await transport().request({
        method: 'PATCH',
        url: `${server.url}/echo`,
        json: { client_id: 42, scopes: ['identify'] },
        purpose: 'the echo request',
      });
      const echoed = res.json as { method: string; headers: Record<string, string>; body: string };
      assert.equal(echoed.method, 'PATCH');
      assert.equal(echoed.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(echoed.body), { client_id: 42, scopes: ['identify'] });
    });

    test('a UTF-8 character split across two writes is decoded whole', {
      timeout: 10_000,
    }, async () => {
      const res = await transport().request({
        method: 'GET',
        url: `${server.url}/split-utf8`,
        purpose: 'the profile request',
      });
      assert.deepEqual(res.json, { login: 'Ёжик' });
    });

    test('a redirect is returned as the answer, not followed', { timeout: 10_000 }, async () => {
      redirectFollowed = false;
      const res = await transport().request({
        method: 'GET',
        url: `${server.url}/redirect`,
        headers: { 'X-From-Redirect': '1' },
        purpose: 'the profile request',
      });
      assert.equal(res.status, 302);
      assert.equal(res.headers.get('location'), '/echo');
      assert.equal(redirectFollowed, false);
    });

    test('an answer without a body has empty text and no JSON', { timeout: 10_000 }, async () => {
      const res = await transport().request({
        method: 'DELETE',
        url: `${server.url}/no-content`,
        purpose: 'the delete request',
      });
      assert.equal(res.status, 204);
      assert.equal(res.text, '');
      assert.equal(res.json, undefined);
    });

    test('no answer within the timeout is PROVIDER_TIMEOUT, without an upstream status', {
      timeout: 10_000,
    }, async () => {
      const started = Date.now();
      const err = await failure(
        transport({ timeout: 150 }).request({
          method: 'POST',
          url: `${server.url}/hang`,
          form: { code: 'SECRET-CODE' },
          secrets: ['SECRET-CODE'],
          purpose: 'the token request',
        }),
      );
      assert.equal(err.code, 'PROVIDER_TIMEOUT');
      assert.equal(err.upstreamStatus, undefined);
      assert.match(err.message, /Test did not answer the token request within 150 ms/);
      assert.doesNotMatch(err.message, /SECRET-CODE/);
      assert.ok(Date.now() - started < 2000, 'the deadline ended the request');
    });

    test('a body still dripping at the deadline is PROVIDER_TIMEOUT with the status', {
      timeout: 10_000,
    }, async () => {
      const err = await failure(
        transport({ timeout: 150 }).request({
          method: 'GET',
          url: `${server.url}/drip`,
          purpose: 'the profile request',
        }),
      );
      assert.equal(err.code, 'PROVIDER_TIMEOUT');
      assert.equal(err.upstreamStatus, 200);
      assert.match(err.message, /did not finish its answer to the profile request within 150 ms/);
    });

    test('a body cut short is PROVIDER_UNREACHABLE saying the answer broke off', {
      timeout: 10_000,
    }, async () => {
      const err = await failure(
        transport().request({
          method: 'POST',
          url: `${server.url}/truncated`,
          purpose: 'the token request',
        }),
      );
      assert.equal(err.code, 'PROVIDER_UNREACHABLE');
      assert.equal(err.upstreamStatus, 200);
      assert.match(err.message, /Test broke off its answer to the token request \(HTTP 200/);
    });

    test('a body over the size cap is PROVIDER_BAD_RESPONSE', { timeout: 10_000 }, async () => {
      const err = await failure(
        transport({ maxBodyBytes: 1000 }).request({
          method: 'GET',
          url: `${server.url}/large`,
          purpose: 'the profile request',
        }),
      );
      assert.equal(err.code, 'PROVIDER_BAD_RESPONSE');
      assert.match(err.message, /larger than 1000 bytes/);
    });

    test('with default options, bodies are capped at 1 MiB', { timeout: 10_000 }, async () => {
      const err = await failure(
        transport().request({
          method: 'GET',
          url: `${server.url}/over-mebibyte`,
          purpose: 'the profile request',
        }),
      );
      assert.equal(err.code, 'PROVIDER_BAD_RESPONSE');
      assert.equal(
        err.message,
        'Test sent an answer larger than 1048576 bytes to the profile request',
      );
      const whole = await transport().request({
        method: 'GET',
        url: `${server.url}/mebibyte`,
        purpose: 'the profile request',
      });
      assert.equal(whole.text.length, 1024 * 1024);
    });

    test('a closed port is PROVIDER_UNREACHABLE with the system error', {
      timeout: 10_000,
    }, async () => {
      const closed = await listen(() => {});
      await closed.close();
      const err = await failure(
        transport().request({
          method: 'GET',
          url: `${closed.url}/x`,
          purpose: 'the profile request',
        }),
      );
      assert.equal(err.code, 'PROVIDER_UNREACHABLE');
      assert.match(err.message, /could not be reached for the profile request .*ECONNREFUSED/);
    });

    test('an invalid URL is PROVIDER_UNREACHABLE, not a crash', { timeout: 10_000 }, async () => {
      const err = await failure(
        transport().request({ method: 'GET', url: 'not a url', purpose: 'the profile request' }),
      );
      assert.equal(err.code, 'PROVIDER_UNREACHABLE');
      assert.match(err.message, /invalid URL/);
    });

    test('an IPv6 literal host with a path and query is reached as written', {
      timeout: 10_000,
    }, async () => {
      const v6 = createServer((req, res) => res.end(JSON.stringify({ url: req.url })));
      await new Promise<void>((resolve) => v6.listen(0, '::1', resolve));
      try {
        const { port } = v6.address() as AddressInfo;
        const res = await transport().request({
          method: 'GET',
          url: `http://[::1]:${port}/oauth/user?x=1`,
          purpose: 'the profile request',
        });
        assert.deepEqual(res.json, { url: '/oauth/user?x=1' });
      } finally {
        v6.closeAllConnections();
        await new Promise((resolve) => v6.close(resolve));
      }
    });

    test('consecutive requests reuse one connection and leave no timer behind', {
      timeout: 10_000,
    }, async () => {
      const t = transport();
      const timersBefore = activeTimers();
      const before = connections;
      for (let i = 0; i < 3; i++) {
        await t.request({ method: 'GET', url: `${server.url}/echo`, purpose: 'the echo request' });
      }
      // At most one new connection: a pooled fetch may reuse one an earlier test left open.
      assert.ok(connections - before <= 1, `${connections - before} connections for 3 requests`);
      assert.equal(activeTimers(), timersBefore);
    });

    test('sends each URL to its own path and query, however many URLs one transport has seen', {
      timeout: 10_000,
    }, async () => {
      // The default sender remembers parsed URLs (a login uses the same two every time); this
      // goes past what it keeps, then back to the first URL. (After the connection-count test:
      // the global fetch's pool would hand that test this test's idle connection.)
      const shared = transport();
      const sent = Array.from({ length: 300 }, (_, i) => `/where?n=${i}&q=a%20b`);
      sent.push(sent[0] as string);
      for (const path of sent) {
        const res = await shared.request({
          method: 'GET',
          url: `${server.url}${path}`,
          purpose: 'the where request',
        });
        assert.deepEqual(res.json, { url: path });
      }
    });
  });
}

test('node:http: an idle connection is dropped before the provider’s keep-alive timeout', {
  timeout: 10_000,
}, async () => {
  // The server announces `Keep-Alive: timeout=2`; the transport must stop using the connection
  // one second before that, so it never sends on a connection the server is closing.
  const provider = await listen((_req, res) => res.end('{}'));
  provider.server.keepAliveTimeout = 2000;
  let opened = 0;
  provider.server.on('connection', () => opened++);
  try {
    const t = new Transport({
      provider: 'test',
      providerLabel: 'Test',
      userAgent: 'transport-test/1.0',
    });
    await t.request({ method: 'GET', url: `${provider.url}/`, purpose: 'the first request' });
    await t.request({ method: 'GET', url: `${provider.url}/`, purpose: 'a request at once' });
    assert.equal(opened, 1, 'a request at once reuses the connection');
    await sleep(1300);
    const res = await t.request({ method: 'GET', url: `${provider.url}/`, purpose: 'a later one' });
    assert.equal(res.status, 200);
    assert.equal(opened, 2, 'after 1.3 s idle the old connection was not used');
  } finally {
    await provider.close();
  }
});

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}
