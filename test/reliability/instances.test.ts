/**
 * More than one instance: two processes of the example app (server.js, as `npm start` runs it) with
 * identical settings, sessions in one real redis-server (REDIS_URL), behind a load balancer whose
 * address is the apps' public one. A login that starts on instance A finishes on instance B; a
 * logout on B ends the session on A; an instance crash loses nobody; a Redis outage gives error
 * pages at once rather than hung requests, and the app recovers when Redis is back. EXBO's
 * application token is shared by instances through the same Redis: minted once for all of them.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createClient } from 'redis';
import { SESSION_COOKIE } from '../../examples/express-login/src/app.js';
import { loadConfig } from '../../examples/express-login/src/config.js';
import { SESSION_KEY_PREFIX } from '../../examples/express-login/src/session-store.js';
import { type AppInstance, SERVER_JS, startAppInstance } from '../../harness/app-instance.js';
import { type Account, type Fakes, startFakes } from '../../harness/fakes.js';
import { freePort, stopProcess, waitFor } from '../../harness/processes.js';
import { type RunningRedis, startRedisServer } from '../../harness/redis-server.js';
import { type Balancer, startBalancer } from '../../load/balancer.js';
import { assertSignedInAs, signedInAs } from '../../load/login.js';
import { Browser } from '../helpers/browser.js';
import { PROVIDERS } from './helpers/strategies.js';

let providers: Fakes;
let redis: RunningRedis;
let balancer: Balancer;
let instances: AppInstance[] = [];
const A = 0;
const B = 1;
const CONSENT_BUTTONS = { exbo: 'approve', soa2: 'confirm' } as const;

before(async () => {
  providers = await startFakes({ accounts: 20 });
  redis = await startRedisServer();
  balancer = await startBalancer();
  providers.register(balancer.url);
  // Identical settings on both, as a deployment has: the public (balancer) address in the callback
  // URLs, the same session secret and Redis, and TRUST_PROXY for the balancer in front.
  const env = { ...providers.appEnv(balancer.url), REDIS_URL: redis.url, TRUST_PROXY: '1' };
  instances = await Promise.all([startAppInstance(env), startAppInstance(env)]);
  balancer.targets.push(...instances.map((instance) => instance.url));
});
after(async () => {
  for (const instance of instances) await instance.stop();
  await balancer?.close();
  await redis?.stop();
  await providers?.close();
});

/** Logs `browser` in as `account`, every request going to `instance` (or round-robin). */
async function login(browser: Browser, account: Account, instance?: number): Promise<void> {
  balancer.pin(instance);
  const consent = await browser.get(`${balancer.url}/auth/${account.provider}`);
  const button = CONSENT_BUTTONS[account.provider];
  const back = await browser.submit(consent, button, { user: account.id });
  assertSignedInAs(back.text, account, 'after login');
  balancer.pin(undefined);
}

/** The home page as `instance` shows it to `browser`. */
async function homeOn(instance: number, browser: Browser): Promise<string> {
  balancer.pin(instance);
  try {
    return (await browser.get(`${balancer.url}/`)).text;
  } finally {
    balancer.pin(undefined);
  }
}

describe('two instances sharing sessions through Redis', () => {
  for (const [i, provider] of PROVIDERS.entries()) {
    test(`${provider}: a login started on instance A completes when the callback reaches B`, async () => {
      const account = providers.accounts[provider][i] as Account;
      const browser = new Browser();
      balancer.pin(A);
      const before = [...balancer.counts];
      const start = await browser.get(`${balancer.url}/auth/${provider}`, { follow: false });
      assert.equal(start.status, 302, 'A started the login (its state is in the shared session)');
      assert.equal(balancer.counts[A], (before[A] ?? 0) + 1);
      const consent = await browser.get(start.headers.get('location') ?? '');
      const back = await browser.submit(
        consent,
        CONSENT_BUTTONS[provider],
        { user: account.id },
        {
          follow: false,
        },
      );
      const callback = back.headers.get('location') ?? '';
      assert.ok(callback.startsWith(`${balancer.url}/auth/${provider}/callback?`), callback);

      balancer.pin(B);
      const finished = await browser.get(callback, { follow: false });
      assert.equal(finished.status, 303, 'B finished the login A started');
      assert.equal(balancer.counts[B], (before[B] ?? 0) + 1);
      balancer.pin(undefined);

      assertSignedInAs(await homeOn(B, browser), account, 'on B');
      assertSignedInAs(await homeOn(A, browser), account, 'on A');
    });
  }

  test('a logout on B ends the session on A', async () => {
    const account = providers.accounts.exbo[5] as Account;
    const browser = new Browser();
    await login(browser, account, A);
    const oldCookie = await browser.jar.getCookieString(balancer.url);
    assert.match(oldCookie, new RegExp(`${SESSION_COOKIE.replace('.', '\\.')}=`));

    const home = await homeOn(B, browser);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(home)?.[1];
    assert.ok(csrf, 'B shows the logout form of the session A created');
    balancer.pin(B);
    const logout = await fetch(`${balancer.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        Cookie: oldCookie,
        'Content-Type': 'application/x-www-form-urlencoded',
        'Sec-Fetch-Site': 'same-origin',
      },
      body: new URLSearchParams({ _csrf: csrf }).toString(),
    });
    assert.equal(logout.status, 303);

    balancer.pin(A);
    const onA = await fetch(`${balancer.url}/`, { headers: { Cookie: oldCookie } });
    balancer.pin(undefined);
    assert.equal(signedInAs(await onA.text()), undefined, 'A no longer knows the session');
  });

  test('the sessions are in Redis, under the app prefix; each instance says so at start', async () => {
    const client = createClient({ url: redis.url });
    await client.connect();
    try {
      const keys = await client.keys(`${SESSION_KEY_PREFIX}*`);
      assert.ok(keys.length >= 2, `session keys in Redis: ${keys.length}`);
    } finally {
      await client.close();
    }
    for (const instance of instances) {
      assert.match(
        instance.output.join(''),
        new RegExp(
          `Sessions are kept in Redis at redis://127\\.0\\.0\\.1:${redis.port} \\(REDIS_URL\\)`,
        ),
      );
    }
  });

  test('EXBO application token: shared by instances through the same Redis, minted once', async () => {
    const script = fileURLToPath(new URL('./helpers/app-token-process.ts', import.meta.url));
    const grants = () =>
      providers.exbo.requests.filter((r) => r.body.includes('grant_type=client_credentials'))
        .length;
    const before = grants();
    const run = async (count: number) => {
      const children = Array.from({ length: count }, () =>
        spawn(process.execPath, ['--import', 'tsx', script], {
          env: { ...process.env, REDIS_URL: redis.url, EXBO_BASE_URL: providers.exbo.url },
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
    assert.equal(providers.exbo.tokenStatus(token), 'active');
    // An instance started later takes the shared token instead of minting (and so revoking) one.
    const [later] = await run(1);
    assert.deepEqual(later, [token]);
    assert.equal(grants(), before + 1);
    assert.equal(providers.exbo.tokenStatus(token), 'active');
  });

  test('an instance that crashes loses nobody: the other one carries on', async () => {
    const account = providers.accounts.soa2[7] as Account;
    const browser = new Browser();
    await login(browser, account);
    await instances[B]?.kill();
    assertSignedInAs(await homeOn(A, browser), account, 'on A after B crashed');
  });

  test('Redis down: error pages at once, no hung request; back to normal when Redis returns', async () => {
    const browser = new Browser();
    await login(browser, providers.accounts.exbo[9] as Account, A);
    await redis.stop();
    balancer.pin(A);
    try {
      const started = Date.now();
      const page = await browser.get(`${balancer.url}/`);
      assert.ok(Date.now() - started < 2000, `answered in ${Date.now() - started} ms`);
      assert.equal(page.status, 500);
      assert.match(page.text, /Something went wrong on our side/);
      assert.doesNotMatch(page.text, /\n\s+at |Redis|ECONNREFUSED/, 'no internals on the page');

      redis = await startRedisServer({ port: redis.port });
      // The sessions were in the Redis that stopped (no persistence here): signed out, but served.
      await waitFor(
        async () => (await browser.get(`${balancer.url}/`)).status === 200,
        10_000,
        'the app to use Redis again',
      );
      assert.equal(signedInAs((await browser.get(`${balancer.url}/`)).text), undefined);
      await login(browser, providers.accounts.exbo[10] as Account, A);
      const log = instances[A]?.output.join('') ?? '';
      assert.match(log, /Session store: lost Redis at redis:\/\/127\.0\.0\.1:\d+, reconnecting/);
      assert.match(log, /Session store: Redis at redis:\/\/127\.0\.0\.1:\d+ is back\./);
    } finally {
      balancer.pin(undefined);
    }
  });
});

describe('REDIS_URL settings', () => {
  test('a Redis that cannot be reached stops start-up, naming REDIS_URL and not its password', async () => {
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
