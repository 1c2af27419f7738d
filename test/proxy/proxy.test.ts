/**
 * The `proxy` option with a real proxy: Debian's tinyproxy on a free port, the fakes behind HTTPS
 * with a run-time CA (trusted through NODE_EXTRA_CA_CERTS in the logins process), full logins of
 * both strategies in a real Express app, and an app token + game-API calls, all through CONNECT
 * tunnels; NO_PROXY bypassing it; and a proxy that refuses (403), wants credentials (407), is down
 * or never answers, each failing clearly within the timeout without quoting the password.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { isOAuthError, type OAuthError } from '@exbo-soa2/core';
import { DEFAULT_EXBO_CLIENT, startExboFake } from '@exbo-soa2/fakes';
import { ExboClient } from 'passport-exbo';
import { AppTokenManager, ExboGameApi, MemoryAppTokenStore } from 'passport-exbo/game-api';
import { Soa2Client } from 'passport-soa2';
import { freePort } from '../../harness/processes.js';
import { makeTestCA, type TestCA } from './helpers/https-front.js';
import { runLogins } from './helpers/run-logins.js';
import { type RunningTinyproxy, startTinyproxy } from './helpers/tinyproxy.js';

const PASSWORD = 'pr0xy-Passw0rd-7731';
let ca: TestCA;
let ports: { exbo: number; soa2: number };
let proxy: RunningTinyproxy;
let authProxy: RunningTinyproxy;

before(async () => {
  ca = makeTestCA();
  ports = { exbo: await freePort(), soa2: await freePort() };
  const connectPorts = [ports.exbo, ports.soa2];
  proxy = await startTinyproxy({ connectPorts });
  authProxy = await startTinyproxy({
    connectPorts,
    basicAuth: { user: 'alice', password: PASSWORD },
  });
});
after(async () => {
  await proxy?.stop();
  await authProxy?.stop();
  if (ca) rmSync(ca.dir, { recursive: true, force: true });
});

const connectsTo = (p: RunningTinyproxy, port: number) =>
  p.connects().filter((target) => target === `127.0.0.1:${port}`).length;

describe('through the proxy', () => {
  test('HTTPS_PROXY with the default proxy setting: both logins and an app token + game-API calls go through CONNECT tunnels, kept alive', {
    timeout: 90_000,
  }, async () => {
    const before = { exbo: connectsTo(proxy, ports.exbo), soa2: connectsTo(proxy, ports.soa2) };
    const { report, stderr } = await runLogins(
      { steps: ['exbo-login', 'soa2-login', 'app-token-game-api'], caDir: ca.dir, ports },
      { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile },
    );
    assert.deepEqual(report.outcomes['exbo-login'], { ok: true, detail: 'user 90102' });
    assert.equal(report.outcomes['soa2-login']?.ok, true, JSON.stringify(report.outcomes));
    assert.deepEqual(report.outcomes['app-token-game-api'], {
      ok: true,
      detail: 'emission 200 200',
    });
    // The fakes saw the provider requests...
    for (const request of [
      'POST /oauth/token',
      'GET /oauth/user',
      'GET /game-api/SEA/emission',
      'GET /game-api/RU/emission',
    ]) {
      assert.ok(report.requests.exbo.includes(request), `${request} in ${report.requests.exbo}`);
    }
    assert.ok(
      report.requests.soa2.includes('POST /w/rest.php/soa2/v0/tokens'),
      String(report.requests.soa2),
    );
    assert.ok(
      report.requests.soa2.includes('GET /w/rest.php/soa2/v0/user'),
      String(report.requests.soa2),
    );
    // ...through the proxy, one tunnel per transport: the strategy's token + profile requests
    // share one, the client's app token and two game-API calls another (kept alive).
    assert.equal(connectsTo(proxy, ports.exbo) - before.exbo, 2, proxy.log());
    assert.equal(connectsTo(proxy, ports.soa2) - before.soa2, 1, proxy.log());
    assert.equal(stderr, '', 'nothing on stderr without NODE_DEBUG');
  });

  test('an explicit proxy URL with credentials reaches a proxy that asks for them', {
    timeout: 60_000,
  }, async () => {
    const before = connectsTo(authProxy, ports.exbo);
    const { report } = await runLogins(
      {
        steps: ['exbo-login', 'exbo-app-token'],
        proxy: `http://alice:${PASSWORD}@127.0.0.1:${authProxy.port}`,
        caDir: ca.dir,
        ports,
      },
      { NODE_EXTRA_CA_CERTS: ca.caFile },
    );
    assert.deepEqual(report.outcomes['exbo-login'], { ok: true, detail: 'user 90102' });
    assert.deepEqual(report.outcomes['exbo-app-token'], { ok: true, detail: 'app token' });
    assert.equal(connectsTo(authProxy, ports.exbo) - before, 2, authProxy.log());
  });

  test('NO_PROXY bypasses the proxy for matching hosts', { timeout: 60_000 }, async () => {
    const before = proxy.connects().length;
    const { report } = await runLogins(
      { steps: ['exbo-app-token'], caDir: ca.dir, ports },
      { HTTPS_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1', NODE_EXTRA_CA_CERTS: ca.caFile },
    );
    assert.deepEqual(report.outcomes['exbo-app-token'], { ok: true, detail: 'app token' });
    assert.ok(report.requests.exbo.includes('POST /oauth/token'));
    assert.equal(proxy.connects().length, before, 'no CONNECT for a NO_PROXY host');
  });

  test('proxy: false ignores HTTPS_PROXY', { timeout: 60_000 }, async () => {
    const before = proxy.connects().length;
    const { report } = await runLogins(
      { steps: ['exbo-app-token'], proxy: false, caDir: ca.dir, ports },
      { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.caFile },
    );
    assert.deepEqual(report.outcomes['exbo-app-token'], { ok: true, detail: 'app token' });
    assert.equal(proxy.connects().length, before);
  });
});

/**
 * Proxy failures happen before TLS, so these run in this process: an ExboClient / Soa2Client
 * pointed at https://127.0.0.1:<a front's port> through a proxy that will not let it through.
 */
describe('a plain-http provider (a local fake)', () => {
  test('is tunnelled with CONNECT too, kept alive', { timeout: 20_000 }, async () => {
    const fake = await startExboFake();
    const fakePort = Number(new URL(fake.url).port);
    const plainProxy = await startTinyproxy({ connectPorts: [fakePort] });
    try {
      const client = new ExboClient({
        clientID: DEFAULT_EXBO_CLIENT.clientId,
        clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
        callbackURL: 'http://127.0.0.1:9/callback',
        baseURL: fake.url,
        proxy: plainProxy.url,
      });
      const appTokens = new AppTokenManager(client, { store: new MemoryAppTokenStore() });
      const api = new ExboGameApi({ baseURL: fake.gameApiURL, client, appTokens });
      for (const region of ['SEA', 'RU', 'EU']) {
        const { status } = await api.request({ path: `/${region}/emission`, auth: 'app-token' });
        assert.equal(status, 200);
      }
      const paths = fake.requests.map((r) => `${r.method} ${r.path}`);
      assert.deepEqual(paths, [
        'POST /oauth/token',
        'GET /game-api/SEA/emission',
        'GET /game-api/RU/emission',
        'GET /game-api/EU/emission',
      ]);
      assert.deepEqual(plainProxy.connects(), [`127.0.0.1:${fakePort}`], plainProxy.log());
    } finally {
      await plainProxy.stop();
      await fake.close();
    }
  });
});

describe('a proxy that will not carry the request', () => {
  const TIMEOUT = 3_000;
  const exboClient = (proxyURL: string) =>
    new ExboClient({
      clientID: DEFAULT_EXBO_CLIENT.clientId,
      clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
      callbackURL: 'http://127.0.0.1:9/callback',
      baseURL: `https://127.0.0.1:${ports.exbo}`,
      proxy: proxyURL,
      timeout: TIMEOUT,
    });

  async function failure(promise: Promise<unknown>): Promise<{ err: OAuthError; ms: number }> {
    const started = performance.now();
    const err = await promise.then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    const ms = performance.now() - started;
    assert.ok(isOAuthError(err), String(err));
    const shown = `${err.message} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)}`;
    assert.ok(!shown.includes(PASSWORD), shown);
    assert.ok(!shown.includes(DEFAULT_EXBO_CLIENT.clientSecret), shown);
    return { err, ms };
  }

  test('403 from the proxy: PROVIDER_UNREACHABLE naming the proxy and its status', {
    timeout: 10_000,
  }, async () => {
    const strict = await startTinyproxy({ connectPorts: [443] });
    try {
      const { err } = await failure(exboClient(strict.url).requestAppToken());
      assert.equal(err.code, 'PROVIDER_UNREACHABLE');
      assert.equal(err.status, 502);
      assert.match(
        err.message,
        new RegExp(
          `^EXBO could not be reached for the application token request \\(127\\.0\\.0\\.1:${ports.exbo}\\) through the proxy at 127\\.0\\.0\\.1:${strict.port}: the proxy answered CONNECT with HTTP 403`,
        ),
      );
      assert.deepEqual(strict.connects(), [`127.0.0.1:${ports.exbo}`]);
    } finally {
      await strict.stop();
    }
  });

  test('407 without credentials, or with a wrong password: PROXY_AUTH_REQUIRED', {
    timeout: 10_000,
  }, async () => {
    // No credentials: 407. A wrong password: tinyproxy 1.11 answers 401, the same problem.
    const cases: Array<[string, number]> = [
      [authProxy.url, 407],
      [`http://alice:wrong-${PASSWORD}@127.0.0.1:${authProxy.port}`, 401],
    ];
    for (const [url, status] of cases) {
      const { err } = await failure(exboClient(url).requestAppToken());
      assert.equal(err.code, 'PROXY_AUTH_REQUIRED', err.message);
      assert.equal(err.status, 500);
      assert.match(
        err.message,
        new RegExp(
          `^The proxy at 127\\.0\\.0\\.1:${authProxy.port} refused the application token request to EXBO .* with HTTP ${status}: its credentials are missing or wrong`,
        ),
      );
    }
    const soa2 = new Soa2Client({
      clientID: 1,
      clientSecret: 'x',
      baseURL: `https://127.0.0.1:${ports.soa2}`,
      proxy: authProxy.url,
      timeout: TIMEOUT,
    });
    const { err } = await failure(soa2.refresh('r'.repeat(64)));
    assert.equal(err.code, 'PROXY_AUTH_REQUIRED');
  });

  test('a proxy that is down: PROVIDER_UNREACHABLE at once, naming it', {
    timeout: 10_000,
  }, async () => {
    const port = await freePort();
    const { err, ms } = await failure(
      exboClient(`http://alice:${PASSWORD}@127.0.0.1:${port}`).requestAppToken(),
    );
    assert.equal(err.code, 'PROVIDER_UNREACHABLE');
    assert.match(
      err.message,
      new RegExp(
        `through the proxy at 127\\.0\\.0\\.1:${port}: the proxy is unreachable \\(connect ECONNREFUSED`,
      ),
    );
    assert.ok(ms < TIMEOUT, `${ms} ms`);
  });

  test('a proxy that never answers CONNECT: PROVIDER_TIMEOUT within the timeout', {
    timeout: 15_000,
  }, async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const { err, ms } = await failure(exboClient(`http://127.0.0.1:${port}`).requestAppToken());
      assert.equal(err.code, 'PROVIDER_TIMEOUT');
      assert.match(
        err.message,
        new RegExp(`within ${TIMEOUT} ms .* through the proxy at 127\\.0\\.0\\.1:${port}$`),
      );
      // The deadline ends it (a loaded machine may run the timer late; the margin is generous).
      assert.ok(ms >= TIMEOUT - 50 && ms < TIMEOUT + 8_000, `${ms} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });
});

describe('configuration', () => {
  test('a proxy URL that is not http://host:port fails when the client is made, without quoting it', () => {
    // Read by the same code the tunnel uses (proxy-settings.ts), so what passes here also works there.
    for (const bad of [
      `https://alice:${PASSWORD}@proxy:443`,
      `socks5://alice:${PASSWORD}@proxy:1080`,
      'http://proxy/path/x',
      `http://alice:${PASSWORD}@proxy:notaport`,
      'ftp:x',
      'http://proxy:3128/?x=1',
      'http://proxy:0',
      `http://al%zzice:${PASSWORD}@proxy:3128`,
    ]) {
      assert.throws(
        () =>
          new ExboClient({
            clientID: '1',
            clientSecret: 's',
            callbackURL: 'http://127.0.0.1/cb',
            proxy: bad,
          }),
        (err: Error) =>
          err instanceof TypeError &&
          /http:\/\/ proxy URL/.test(err.message) &&
          !err.message.includes(PASSWORD),
      );
    }
  });

  test('an unusable HTTPS_PROXY fails each request with its name, not its password', {
    timeout: 10_000,
  }, async () => {
    // The environment is read when the client is made: set it for the constructor only.
    const saved = process.env.HTTPS_PROXY;
    process.env.HTTPS_PROXY = `socks5://alice:${PASSWORD}@127.0.0.1:1080`;
    let client: ExboClient;
    try {
      client = new ExboClient({
        clientID: '1',
        clientSecret: 's',
        callbackURL: 'http://127.0.0.1/cb',
        baseURL: 'https://127.0.0.1:9',
      });
    } finally {
      if (saved === undefined) delete process.env.HTTPS_PROXY;
      else process.env.HTTPS_PROXY = saved;
    }
    const err = await client.requestAppToken().then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e as OAuthError,
    );
    assert.equal(err.code, 'PROVIDER_UNREACHABLE');
    assert.match(
      err.message,
      /HTTPS_PROXY uses socks5:\/\/, but only http:\/\/ proxies are supported/,
    );
    assert.ok(!err.message.includes(PASSWORD), err.message);
  });

  test('fetch and a proxy URL together are refused; fetch with the default keeps working', () => {
    const fetchLike = (() => Promise.reject(new Error('unused'))) as typeof fetch;
    const base = {
      clientID: '1',
      clientSecret: 's',
      callbackURL: 'http://127.0.0.1/cb',
      fetch: fetchLike,
    };
    assert.throws(
      () => new ExboClient({ ...base, proxy: 'http://proxy:3128' }),
      /either the "fetch" or the "proxy" option/,
    );
    assert.doesNotThrow(() => new ExboClient(base));
    assert.doesNotThrow(() => new ExboClient({ ...base, proxy: false }));
  });
});
