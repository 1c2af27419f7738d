/**
 * More than one instance: the deployment of README "Deploying behind nginx" (harness/cluster.ts):
 * two processes of the example app (server.js, as `npm start` runs it) with identical settings,
 * sessions in one real redis-server (REDIS_URL), behind nginx over https. The browser-level proofs
 * (a login started on one instance finishes on the other, a logout ends the session on both, a dead
 * instance, no callback delivered twice) are in nginx.test.ts; here: the sessions are in Redis, an
 * instance crash loses nobody, a Redis outage gives error pages at once rather than hung requests
 * and the app recovers when Redis is back, a callback completed on one instance is refused when
 * replayed on the other, and EXBO's application token is shared by instances through the same
 * Redis: minted once for all of them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { SESSION_COOKIE } from '../../examples/express-login/src/app.js';
import { loadConfig } from '../../examples/express-login/src/config.js';
import { SESSION_KEY_PREFIX } from '../../examples/express-login/src/session-store.js';
import { SERVER_JS } from '../../harness/app-instance.js';
import { type Cluster, startCluster } from '../../harness/cluster.js';
import { type Account, type Fakes, startFakes } from '../../harness/fakes.js';
import { findNginx, NGINX_MISSING } from '../../harness/nginx.js';
import { freePort, stopProcess, waitFor } from '../../harness/processes.js';
import { type RunningRedis, startRedisServer } from '../../harness/redis-server.js';
import { completeLogin, signedInAs } from '../../load/login.js';
import { Browser } from '../helpers/browser.js';

const skip = findNginx() === undefined ? NGINX_MISSING : false;
const CONSENT_BUTTONS = { exbo: 'approve', soa2: 'confirm' } as const;

describe('two instances behind nginx sharing sessions through Redis', { skip }, () => {
  let fakes: Fakes;
  let cluster: Cluster;
  /** A redis-server restarted on the cluster's port by the outage test (the cluster's is stopped). */
  let restarted: RunningRedis | undefined;

  before(async () => {
    fakes = await startFakes({ accounts: 20 });
    cluster = await startCluster({ instances: 2, fakes });
  });
  after(async () => {
    await cluster?.stop();
    await restarted?.stop();
    await fakes?.close();
  });

  const browser = () => new Browser({ dispatcher: cluster.dispatcher });

  /** The home page as instance `index` shows it, asked directly (not through nginx). */
  async function homeOn(index: number, cookie: string): Promise<string> {
    const instance = cluster.instances[index];
    assert.ok(instance);
    // Each request with its own deadline, so a stuck instance fails the test by name, not by its timeout.
    return (
      await fetch(`${instance.url}/`, {
        headers: { Cookie: cookie },
        signal: AbortSignal.timeout(5_000),
      })
    ).text();
  }

  test('the sessions are in Redis, under the app prefix; each instance says so at start', {
    timeout: 30_000,
  }, async () => {
    for (const account of [fakes.accounts.exbo[1], fakes.accounts.soa2[1]] as Account[]) {
      await completeLogin(browser(), cluster.url, account);
    }
    const client = createClient({ url: cluster.redis.url });
    await client.connect();
    try {
      const keys = await client.keys(`${SESSION_KEY_PREFIX}*`);
      assert.ok(keys.length >= 2, `session keys in Redis: ${keys.length}`);
    } finally {
      await client.close();
    }
    for (const instance of cluster.instances) {
      assert.match(
        instance.output.join(''),
        new RegExp(
          `Sessions are kept in Redis at redis://127\\.0\\.0\\.1:${cluster.redis.port} \\(REDIS_URL\\)`,
        ),
      );
    }
  });

  test('EXBO application token: shared by instances through the same Redis, minted once', {
    timeout: 60_000,
  }, async () => {
    const script = fileURLToPath(new URL('./helpers/app-token-process.ts', import.meta.url));
    const redisURL = cluster.redis.url;
    const grants = () =>
      fakes.exbo.requests.filter((r) => r.body.includes('grant_type=client_credentials')).length;
    const before = grants();
    const run = async (count: number) => {
      const children = Array.from({ length: count }, () =>
        spawn(process.execPath, ['--import', 'tsx', script], {
          env: { ...process.env, REDIS_URL: redisURL, EXBO_BASE_URL: fakes.exbo.url },
          stdio: ['pipe', 'pipe', 'pipe'],
        }),
      );
      const outputs = children.map((child) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        child.stderr.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        return () => text;
      });
      try {
        await waitFor(() => outputs.every((out) => out().includes('ready')), 15_000, 'instances');
        for (const child of children) child.stdin.write('go\n');
        await waitFor(() => outputs.every((out) => out().includes('"tokens"')), 15_000, 'tokens');
      } finally {
        await Promise.all(children.map((child) => stopProcess(child)));
      }
      return outputs.map((out) => {
        const line =
          out()
            .split('\n')
            .find((l) => l.startsWith('{')) ?? '{}';
        return (JSON.parse(line) as { tokens: string[] }).tokens;
      });
    };
    // Two instances asking at the same moment, twenty callers each: one token for all of them.
    const [first, second] = await run(2);
    assert.equal(first?.length, 1);
    assert.deepEqual(second, first);
    assert.equal(grants(), before + 1, 'EXBO was asked for an application token once');
    const token = first?.[0] as string;
    assert.equal(fakes.exbo.tokenStatus(token), 'active');
    // An instance started later takes the shared token instead of minting (and so revoking) one.
    const [later] = await run(1);
    assert.deepEqual(later, [token]);
    assert.equal(grants(), before + 1);
    assert.equal(fakes.exbo.tokenStatus(token), 'active');
  });

  for (const [i, provider] of (['exbo', 'soa2'] as const).entries()) {
    // The process-wide record of used states (core/src/state-store.ts) is not shared between
    // instances: what stops this replay is the state leaving the shared session.
    test(`${provider}: a callback completed on one instance is refused when replayed on the other`, {
      timeout: 20_000,
    }, async () => {
      const account = fakes.accounts[provider][10 + i] as Account;
      const user = browser();
      const consent = await user.get(`${cluster.url}/auth/${provider}`);
      const button = CONSENT_BUTTONS[provider];
      const back = await user.submit(consent, button, { user: account.id }, { follow: false });
      const callback = new URL(back.headers.get('location') ?? '');
      const code = callback.searchParams.get('code') ?? '';
      const startedSession = await user.jar.getCookieString(cluster.url);
      const from = cluster.nginx.accessLog().length;
      assert.equal((await user.get(callback.href, { follow: false })).status, 303, 'signed in');
      const [completed] = await cluster.nginx.served(callback.pathname, from);
      const completedOn = completed?.upstreams[0];
      const other = cluster.instances.find((instance) => instance.port !== completedOn);
      assert.ok(completedOn && other);

      // With the session the login was started in, and with the one the login created.
      const signedInSession = await user.jar.getCookieString(cluster.url);
      for (const cookie of [startedSession, signedInSession]) {
        const replay = await fetch(`${other.url}${callback.pathname}${callback.search}`, {
          redirect: 'manual',
          headers: { Cookie: cookie },
          signal: AbortSignal.timeout(5_000),
        });
        assert.equal(replay.status, 403, 'the other instance refuses the replay');
        assert.match(await replay.text(), /Your login expired/);
      }
      const fake = provider === 'exbo' ? fakes.exbo : fakes.soa2;
      const exchanges = fake.requests.filter(
        (r) => r.method === 'POST' && /\/(token|tokens)$/.test(r.path) && r.body.includes(code),
      );
      assert.equal(exchanges.length, 1, 'the code went to the provider once');
      const index = cluster.instances.findIndex((instance) => instance.port === completedOn);
      assert.equal(signedInAs(await homeOn(index, signedInSession))?.id, account.id);
    });
  }

  test('an instance that crashes loses nobody: the other one carries on', {
    timeout: 30_000,
  }, async () => {
    const account = fakes.accounts.soa2[7] as Account;
    const user = browser();
    await completeLogin(user, cluster.url, account);
    const cookie = await user.jar.getCookieString(cluster.url);
    assert.match(cookie, new RegExp(`${SESSION_COOKIE.replace('.', '\\.')}=`));
    await cluster.instances[1]?.kill();
    assert.equal(signedInAs(await homeOn(0, cookie))?.id, account.id, 'on A after B crashed');
    // Through nginx too: the dead instance is skipped for pages.
    for (let i = 0; i < 3; i++) {
      assert.equal(signedInAs((await user.get(`${cluster.url}/`)).text)?.id, account.id);
    }
  });

  test('Redis down: error pages at once, no hung request; back to normal when Redis returns', {
    timeout: 60_000,
  }, async () => {
    const user = browser();
    await completeLogin(user, cluster.url, fakes.accounts.exbo[9] as Account);
    const port = (restarted ?? cluster.redis).port;
    await (restarted ?? cluster.redis).stop();
    const started = Date.now();
    const page = await user.get(`${cluster.url}/`);
    assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
    assert.equal(page.status, 500);
    assert.match(page.text, /Something went wrong on our side/);
    assert.doesNotMatch(page.text, /\n\s+at |Redis|ECONNREFUSED/, 'no internals on the page');

    restarted = await startRedisServer({ port });
    // The sessions were in the Redis that stopped (no persistence here): signed out, but served.
    await waitFor(
      async () => (await user.get(`${cluster.url}/`)).status === 200,
      10_000,
      'the app to use Redis again',
    );
    assert.equal(signedInAs((await user.get(`${cluster.url}/`)).text), undefined);
    await completeLogin(user, cluster.url, fakes.accounts.exbo[10] as Account);
    const log = cluster.instances[0]?.output.join('') ?? '';
    assert.match(log, /Session store: lost Redis at redis:\/\/127\.0\.0\.1:\d+, reconnecting/);
    assert.match(log, /Session store: Redis at redis:\/\/127\.0\.0\.1:\d+ is back\./);
  });
});

describe('REDIS_URL settings', () => {
  test('a Redis that cannot be reached stops start-up, naming REDIS_URL and not its password', {
    timeout: 30_000,
  }, async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [SERVER_JS], {
      env: {
        PATH: process.env.PATH ?? '',
        PORT: '0',
        SESSION_SECRET: 's'.repeat(40),
        REDIS_URL: `redis://app:hunter2-password@127.0.0.1:${port}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(
      output,
      new RegExp(
        `could not start: cannot reach Redis at redis://app:\\*\\*\\*@127\\.0\\.0\\.1:${port} \\(REDIS_URL\\): .*ECONNREFUSED`,
      ),
    );
    assert.doesNotMatch(output, /hunter2/);
  });

  test('REDIS_URL must be a redis URL, and shared sessions need a shared SESSION_SECRET', () => {
    const wrong = loadConfig({ REDIS_URL: 'http://user:hunter2-password@cache:6379' });
    assert.equal(wrong.ok, false);
    const problems = wrong.ok ? [] : wrong.problems;
    assert.ok(problems.some((p) => /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/.test(p)));
    assert.ok(problems.some((p) => /SESSION_SECRET is not set: with REDIS_URL/.test(p)));
    assert.ok(
      problems.every((p) => !p.includes('hunter2')),
      'the URL is not echoed',
    );
    const right = loadConfig({ REDIS_URL: 'redis://cache:6379', SESSION_SECRET: 's'.repeat(40) });
    assert.ok(right.ok && right.config.redisURL === 'redis://cache:6379');
    const none = loadConfig({});
    assert.ok(none.ok && none.config.redisURL === undefined, 'memory store by default');
  });
});
