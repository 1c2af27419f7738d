/**
 * The deployment as users run it (README "Deploying behind nginx"): Debian's nginx terminating TLS
 * with a certificate authority made at run time, two instances of the example app (server.js, as
 * `npm start` runs it) with REDIS_URL, TRUST_PROXY=1 and https callback URLs on nginx's address, one
 * redis-server, the fakes as providers, and Debian's chromium logging in over https.
 *
 * Chromium trusts the run-time certificate through `--ignore-certificate-errors-spki-list` with the
 * SHA-256 of the server key: it accepts that one key and nothing else (any other certificate error
 * still fails). The alternative, adding the CA to an NSS database in a temporary HOME, needs
 * `certutil` (libnss3-tools), which the machine does not have.
 *
 * Which instance served which request is read from nginx's access log (the template's `upstream`
 * format records the instance's address), so nothing in the app had to change for the proof.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../examples/express-login/src/app.js';
import { type Cluster, startCluster } from '../../harness/cluster.js';
import { type Fakes, startFakes } from '../../harness/fakes.js';
import { findNginx, type LoggedRequest, NGINX_MISSING } from '../../harness/nginx.js';
import { freePort, waitFor } from '../../harness/processes.js';
import { signedInAs } from '../../load/login.js';
import { Browser } from '../helpers/browser.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/chromium.js';

const skip = findNginx() === undefined ? NGINX_MISSING : false;
const PROVIDER_LINKS = { exbo: 'Login with EXBO', soa2: 'Login with Scratch' } as const;
const CONSENT_BUTTONS = { exbo: 'Allow', soa2: 'Confirm' } as const;
const FIRST_USERS = { exbo: 'Stalker-1', soa2: 'scratcher_1' } as const;

/** A cluster, its fakes and a Chromium trusting its certificate, for one describe block. */
function useDeployment() {
  const state = {} as { fakes: Fakes; cluster: Cluster; context: BrowserContext; page: Page };
  let profile = '';
  before(async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`);
    state.fakes = await startFakes({ accounts: 20 });
    state.cluster = await startCluster({ instances: 2, fakes: state.fakes });
    // The SPKI list is only honoured with a user data dir: a persistent context has one.
    profile = mkdtempSync(join(tmpdir(), 'chromium-nginx-'));
    state.context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      args: [
        ...CHROMIUM_ARGS,
        `--ignore-certificate-errors-spki-list=${state.cluster.certificates.spkiSha256}`,
      ],
    });
    // Chromium's own favicon request would take a turn in nginx's round-robin.
    await state.context.route('**/favicon.ico', (route) => route.abort());
  });
  after(async () => {
    await state.context?.close();
    await state.cluster?.stop();
    await state.fakes?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await state.context.clearCookies();
    state.page = await state.context.newPage();
  });
  afterEach(async () => {
    await state.page?.close();
  });
  return state;
}

/** nginx's log entries from `from` on, for one path, once nginx has written one. */
function served(cluster: Cluster, path: string, from = 0): Promise<LoggedRequest[]> {
  return cluster.nginx.served(path, from);
}

/** Logs in through nginx in Chromium as the provider's first account; the home page then shows it. */
async function chromiumLogin(page: Page, cluster: Cluster, provider: 'exbo' | 'soa2') {
  await page.goto(cluster.url);
  await page.getByRole('link', { name: PROVIDER_LINKS[provider], exact: true }).click();
  await page.getByRole('button', { name: CONSENT_BUTTONS[provider] }).click();
  await page.getByRole('heading', { name: `Hello, ${FIRST_USERS[provider]}` }).waitFor();
  assert.ok(page.url().startsWith(`${cluster.url}/`), page.url());
}

/** The home page as one instance shows it, asked directly (not through nginx) with `cookie`. */
async function homeOnInstance(cluster: Cluster, index: number, cookie: string) {
  const instance = cluster.instances[index];
  assert.ok(instance);
  const res = await fetch(`${instance.url}/`, { headers: { Cookie: cookie } });
  return signedInAs(await res.text());
}

describe('nginx over https in front of two instances', { skip }, () => {
  const deployment = useDeployment();

  for (const provider of ['exbo', 'soa2'] as const) {
    test(`${provider}: Chromium logs in over https; started on one instance, finished on the other`, {
      timeout: 30_000,
    }, async () => {
      const { cluster, page, context } = deployment;
      const from = cluster.nginx.accessLog().length;
      await chromiumLogin(page, cluster, provider);

      const cookie = (await context.cookies(cluster.url)).find((c) => c.name === SESSION_COOKIE);
      assert.ok(cookie, 'the session cookie is set for the https address');
      assert.equal(cookie.secure, true, 'Secure: the app saw https through X-Forwarded-Proto');
      assert.equal(cookie.httpOnly, true, 'HttpOnly');

      const [start] = await served(cluster, `/auth/${provider}`, from);
      const [callback] = await served(cluster, `/auth/${provider}/callback`, from);
      assert.equal(start?.upstreams.length, 1, JSON.stringify(start));
      assert.equal(callback?.upstreams.length, 1, JSON.stringify(callback));
      assert.equal(callback?.status, 303);
      const ports = cluster.instances.map((instance) => instance.port);
      assert.ok(ports.includes(start?.upstreams[0] as number));
      assert.ok(ports.includes(callback?.upstreams[0] as number));
      assert.notEqual(start?.upstreams[0], callback?.upstreams[0], 'two instances, one login');
    });
  }

  test('a logout through one instance ends the session on both', { timeout: 30_000 }, async () => {
    const { cluster, page, context } = deployment;
    await chromiumLogin(page, cluster, 'exbo');
    const cookie = (await context.cookies(cluster.url)).find((c) => c.name === SESSION_COOKIE);
    assert.ok(cookie);
    const header = `${cookie.name}=${cookie.value}`;
    for (const index of [0, 1]) {
      assert.equal((await homeOnInstance(cluster, index, header))?.username, FIRST_USERS.exbo);
    }

    const from = cluster.nginx.accessLog().length;
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('heading', { name: 'Welcome' }).waitFor();
    const [logout] = await served(cluster, '/logout', from);
    assert.equal(logout?.method, 'POST');
    assert.equal(logout?.status, 303, 'the same-origin check passed through nginx');
    for (const index of [0, 1]) {
      assert.equal(await homeOnInstance(cluster, index, header), undefined, `instance ${index}`);
    }
  });

  test('nginx logs the callback without its code and state', { timeout: 30_000 }, async () => {
    const { cluster, page } = deployment;
    const callbacks: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/auth/soa2/callback') callbacks.push(url);
    });
    await chromiumLogin(page, cluster, 'soa2');
    const [callback] = callbacks;
    const code = callback?.searchParams.get('code');
    const state = callback?.searchParams.get('state');
    assert.ok(code && state, String(callback));
    const log = readFileSync(join(cluster.nginx.dir, 'logs', 'access.log'), 'utf8');
    assert.match(log, /"GET \/auth\/soa2\/callback" 303 /);
    assert.ok(!log.includes(code) && !log.includes(state), 'no code or state in the access log');
  });
});

describe('nginx: an instance dies in the middle of a login', { skip }, () => {
  const deployment = useDeployment();

  test('the next login succeeds on the other instance', { timeout: 30_000 }, async () => {
    const { cluster, page, context } = deployment;
    await page.goto(cluster.url);
    const from = cluster.nginx.accessLog().length;
    await page.getByRole('link', { name: PROVIDER_LINKS.exbo, exact: true }).click();
    await page.getByRole('button', { name: CONSENT_BUTTONS.exbo }).waitFor();
    const startedOn = (await served(cluster, '/auth/exbo', from))[0]?.upstreams[0];
    const dead = cluster.instances.findIndex((instance) => instance.port === startedOn);
    assert.ok(dead >= 0, 'the login started on one of the instances');
    await cluster.instances[dead]?.kill();
    const survivor = cluster.instances[1 - dead]?.port;

    // The interrupted login: its callback reaches the survivor (the shared session carries the
    // state) or the dead instance (nginx's 502, never retried elsewhere). Either way, no hang.
    await page.getByRole('button', { name: CONSENT_BUTTONS.exbo }).click();
    await page.waitForLoadState();

    await context.clearCookies();
    const next = cluster.nginx.accessLog().length;
    await chromiumLogin(page, cluster, 'exbo');
    const callbacks = await served(cluster, '/auth/exbo/callback', next);
    assert.deepEqual(
      callbacks.map((entry) => [entry.status, entry.upstreams]),
      [[303, [survivor]]],
    );
    assert.match(cluster.nginx.errorLog(), /connect\(\) failed \(111: Connection refused\)/);
  });
});

/**
 * A slow provider, for one request: a relay in front of the EXBO fake that holds the next POST
 * (the code exchange) for `ms` before passing it on, and counts the requests still in flight.
 */
interface SlowRelay {
  url: string;
  holdNextPost(ms: number): void;
  pending(): number;
  close(): Promise<void>;
}

async function startSlowRelay(target: string): Promise<SlowRelay> {
  let holdMs = 0;
  let pending = 0;
  const server = createServer(async (req, res) => {
    pending++;
    res.on('close', () => pending--);
    const body: Buffer[] = [];
    for await (const chunk of req) body.push(chunk as Buffer);
    if (req.method === 'POST' && holdMs > 0) {
      const ms = holdMs;
      holdMs = 0;
      await new Promise((resolve) => setTimeout(resolve, ms));
    }
    const upstream = httpRequest(
      new URL(req.url ?? '/', target),
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    upstream.end(Buffer.concat(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    holdNextPost: (ms) => {
      holdMs = ms;
    },
    pending: () => pending,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('nginx: a callback it cannot deliver is not delivered twice', { skip }, () => {
  let fakes: Fakes;
  let relay: SlowRelay;
  let cluster: Cluster;
  before(async () => {
    fakes = await startFakes({ accounts: 5 });
    relay = await startSlowRelay(fakes.exbo.url);
    // The instances reach EXBO through the relay; nginx gives up on an instance after 2 s.
    const port = await freePort();
    const origin = `https://localhost:${port}`;
    fakes.register(origin);
    cluster = await startCluster({
      instances: 2,
      port,
      providerEnv: { ...fakes.appEnv(origin), EXBO_BASE_URL: relay.url },
      readTimeout: '2s',
    });
  });
  after(async () => {
    await cluster?.stop();
    await relay?.close();
    await fakes?.close();
  });

  test('EXBO slow at the code exchange: nginx answers 504 and the code is exchanged once', {
    timeout: 30_000,
  }, async () => {
    const account = fakes.accounts.exbo[3];
    assert.ok(account);
    const browser = new Browser({ dispatcher: cluster.dispatcher });
    const from = cluster.nginx.accessLog().length;
    const consent = await browser.get(`${cluster.url}/auth/exbo`);
    const back = await browser.submit(consent, 'approve', { user: account.id }, { follow: false });
    const callbackURL = back.headers.get('location') ?? '';
    const code = new URL(callbackURL).searchParams.get('code') ?? '';
    assert.ok(code, callbackURL);

    // The instance that receives the callback is still waiting for EXBO when nginx gives up.
    relay.holdNextPost(3500);
    const callback = await browser.get(callbackURL, { follow: false });
    assert.equal(callback.status, 504, 'nginx gave up and did not try the other instance');
    const [logged] = await served(cluster, '/auth/exbo/callback', from);
    assert.equal(logged?.upstreams.length, 1, `instances tried: ${logged?.upstreams.join(', ')}`);

    // The slow exchange finishes in its own time. With nginx's default for a GET
    // (`proxy_next_upstream error timeout`) the other instance would have received the same
    // callback and exchanged the same code meanwhile: the fake would count 2.
    await waitFor(() => relay.pending() === 0, 10_000, 'the held exchange to finish');
    const exchanges = fakes.exbo.requests.filter(
      (r) => r.method === 'POST' && r.body.includes(`code=${encodeURIComponent(code)}`),
    );
    assert.equal(exchanges.length, 1);
  });
});
