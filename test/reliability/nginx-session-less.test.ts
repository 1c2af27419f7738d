/**
 * The cookie state store (login state without a server session) behind the nginx topology of
 * README "Deploying behind nginx": Debian's nginx over https (run-time CA) round-robin in front of
 * two processes of a session-less app (helpers/session-less-instance.mjs: `session: false`, the
 * login state in a cookie, a JWT after the login), the fakes as providers.
 *
 * The cookie is the state, so a login may start on one instance and finish on the other with
 * nothing shared. A replay of the callback on the other instance, with a copy of the cookie taken
 * before use (the browser itself no longer has it), fails: without a shared store at the
 * provider's single-use code (the second line); with the cookie store's `firstUse` hook on a
 * shared Redis already at the state check, so the code is not even sent again. Which instance
 * served what is read from nginx's access log.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { type Fakes, startFakes } from '../../harness/fakes.js';
import { findNginx, NGINX_MISSING, type RunningNginx, startNginx } from '../../harness/nginx.js';
import { freePort } from '../../harness/processes.js';
import { type RunningRedis, startRedisServer } from '../../harness/redis-server.js';
import { makeTestCertificates } from '../../harness/tls.js';
import { type AppProcess, startAppProcess } from '../compat/app-process.js';
import { Browser } from '../helpers/browser.js';

const INSTANCE = fileURLToPath(new URL('./helpers/session-less-instance.mjs', import.meta.url));
const NOT_HERE = /not started in this browser, has expired, or was already completed/;

function redisMissing(): string | undefined {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)';
  }
}
// Skipped only on a machine without the binaries and outside CI; CI installs both, so a missing
// one fails there instead of passing silently.
const missing = findNginx() === undefined ? NGINX_MISSING : redisMissing();
const skip = missing !== undefined && !process.env.CI ? missing : false;

interface Deployment {
  url: string;
  fakes: Fakes;
  nginx: RunningNginx;
  instances: Array<{ app: AppProcess; port: number }>;
  browser(): Browser;
}

/** nginx, two instances, the fakes, and (with `sharedStore`) one Redis both instances use. */
function useDeployment(sharedStore: boolean): Deployment {
  const deployment = { instances: [] } as unknown as Deployment;
  let redis: RunningRedis | undefined;
  let dispatcher: Agent | undefined;
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nginx-session-less-'));
    const certificates = makeTestCertificates(dir);
    dispatcher = new Agent({ connect: { ca: certificates.caPem } });
    deployment.fakes = await startFakes({ accounts: 5 });
    if (sharedStore) redis = await startRedisServer();
    const port = await freePort();
    const origin = `https://localhost:${port}`;
    deployment.fakes.register(origin);
    for (let i = 0; i < 2; i++) {
      const app = await startAppProcess(INSTANCE, {
        ...deployment.fakes.appEnv(origin),
        PORT: '0',
        TRUST_PROXY: '1',
        STATE_COOKIE_SECRET: 'the same login state cookie secret on every instance',
        REDIS_URL: redis?.url ?? '',
        NO_PROXY: '*',
      });
      deployment.instances.push({ app, port: Number(new URL(app.url).port) });
    }
    deployment.nginx = await startNginx({
      port,
      certificates,
      instances: deployment.instances.map((instance) => instance.port),
    });
    deployment.url = deployment.nginx.url;
    deployment.browser = () => new Browser({ dispatcher });
  });
  after(async () => {
    await deployment.nginx?.stop();
    for (const { app } of deployment.instances) await app.close();
    await redis?.stop();
    await deployment.fakes?.close();
    await dispatcher?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return deployment;
}

/** The instance (its port) nginx sent the request for `path` to. */
async function servedBy(nginx: RunningNginx, path: string, from: number): Promise<number> {
  const entries = await nginx.served(path, from);
  assert.equal(entries.length, 1, JSON.stringify(entries));
  const [upstream, ...others] = entries[0]?.upstreams ?? [];
  assert.equal(others.length, 0, 'one instance tried');
  return upstream as number;
}

/** The provider's code exchanges of `code` so far. */
function exchanges(fakes: Fakes, provider: 'exbo' | 'soa2', code: string): number {
  const requests = provider === 'exbo' ? fakes.exbo.requests : fakes.soa2.requests;
  return requests.filter(
    (r) => r.method === 'POST' && (r.body.includes(`code=${code}`) || r.body.includes(`"${code}"`)),
  ).length;
}

/**
 * A login through nginx: started on one instance, approved at the provider, its callback through
 * nginx. Returns the callback URL, the state cookie as copied just before use, and who served what.
 */
async function loginThroughNginx(deployment: Deployment, provider: 'exbo' | 'soa2') {
  const { nginx, url } = deployment;
  const browser = deployment.browser();
  const from = nginx.accessLog().length;
  const consent = await browser.get(`${url}/auth/${provider}`);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  const button = provider === 'exbo' ? 'approve' : 'confirm';
  const back = await browser.submit(consent, button, {}, { follow: false });
  const callback = back.headers.get('location') ?? '';
  assert.ok(callback.startsWith(`${url}/auth/${provider}/callback?`), callback);
  const stateCookies = await browser.jar.getCookies(callback);
  assert.equal(stateCookies.length, 1, 'the login state is one cookie, nothing else');
  const [cookie] = stateCookies;
  assert.equal(cookie?.secure, true, 'Secure: the instance saw https through X-Forwarded-Proto');
  assert.equal(cookie?.httpOnly, true);
  assert.equal(cookie?.sameSite, 'lax');
  const copied = `${cookie?.key}=${cookie?.value}`;

  const done = await browser.get(callback);
  assert.equal(done.status, 200, done.text);
  const body = JSON.parse(done.text) as { token?: string; state?: unknown };
  assert.match(body.token ?? '', /^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT');
  assert.deepEqual(body.state, { returnTo: '/home' });
  const started = await servedBy(nginx, `/auth/${provider}`, from);
  const finished = await servedBy(nginx, `/auth/${provider}/callback`, from);
  assert.notEqual(started, finished, 'started on one instance, finished on the other');
  assert.equal((await browser.jar.getCookies(callback)).length, 0, 'the cookie was cleared');

  // The same browser replays its callback (through nginx, to whichever instance): no cookie.
  const again = await browser.get(callback);
  assert.equal(again.status, 403, again.text);
  assert.match(again.text, NOT_HERE);
  const code = new URL(callback).searchParams.get('code') ?? '';
  return { callback, copied, started, finished, code };
}

/** The callback with the copied cookie, sent straight to the instance on `port`, as nginx would. */
async function replayOn(port: number, callback: string, cookie: string) {
  const target = new URL(callback);
  const res = await fetch(`http://127.0.0.1:${port}${target.pathname}${target.search}`, {
    headers: { Cookie: cookie, 'X-Forwarded-Proto': 'https', Host: target.host },
  });
  return { status: res.status, text: await res.text() };
}

describe('nginx, two session-less instances, nothing shared', { skip }, () => {
  const deployment = useDeployment(false);

  for (const provider of ['exbo', 'soa2'] as const) {
    test(`${provider}: started on A, finished on B; a copied-cookie replay on A fails at the code`, {
      timeout: 30_000,
    }, async () => {
      const { callback, copied, started, code } = await loginThroughNginx(deployment, provider);
      assert.equal(exchanges(deployment.fakes, provider, code), 1);

      const replay = await replayOn(started, callback, copied);
      console.log(
        `${provider}: copied-cookie replay on the other instance: ${replay.status} ${replay.text}`,
      );
      assert.equal(replay.status, 400, 'no login');
      assert.deepEqual(JSON.parse(replay.text), { error: 'CODE_REJECTED' });
      assert.equal(
        exchanges(deployment.fakes, provider, code),
        2,
        'that instance passed the state check and sent the used code: the provider refused it',
      );
    });
  }
});

describe('nginx, two session-less instances sharing used states in Redis (firstUse)', {
  skip,
}, () => {
  const deployment = useDeployment(true);

  for (const provider of ['exbo', 'soa2'] as const) {
    test(`${provider}: started on A, finished on B; a copied-cookie replay on A fails at the state`, {
      timeout: 30_000,
    }, async () => {
      const { callback, copied, started, finished, code } = await loginThroughNginx(
        deployment,
        provider,
      );
      for (const port of [started, finished]) {
        const replay = await replayOn(port, callback, copied);
        assert.equal(replay.status, 403, replay.text);
        assert.match(replay.text, NOT_HERE);
      }
      assert.equal(exchanges(deployment.fakes, provider, code), 1, 'the code was sent once');
    });
  }
});
