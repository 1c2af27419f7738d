/**
 * The load run: N complete logins through the example app against the fakes, both providers mixed,
 * at a fixed concurrency, then a second look at every session to check it is still signed in as
 * exactly the account that consented in it.
 *
 * The app runs as `npm start` runs it (server.js in its own process, real-provider mode pointed at
 * the fakes), so its memory and CPU are its own. With `instances > 1` it runs the deployment of
 * README "Deploying behind nginx" (harness/cluster.ts): several instances on one Redis behind nginx
 * over https, round-robin, so the steps of each login land on different instances.
 */

import type { Dispatcher } from 'undici';
import { inParallel, percentile } from '../bench/stats.js';
import { type AppInstance, startAppInstance } from '../harness/app-instance.js';
import { startCluster } from '../harness/cluster.js';
import {
  type Account,
  type Provider,
  type ProviderFakes,
  startFakesProcess,
} from '../harness/fakes.js';
import { freePort } from '../harness/processes.js';
import { startRedisServer } from '../harness/redis-server.js';
import { assertSignedInAs, Browser, completeLogin, type LoginTiming } from './login.js';

/** Distinct accounts per provider (at least the concurrency). */
const ACCOUNTS = 200;
/** A login with no answer after this long counts as an error ("hung"). */
const TIMEOUT_MS = 30_000;

export interface LoadOptions {
  /** Complete logins to drive. Default 2000. */
  logins?: number;
  /** Logins in flight at once. Default 100. */
  concurrency?: number;
  /** App instances. Default 1; more than one implies Redis and nginx over https. */
  instances?: number;
  /** Keep sessions in Redis even with one instance. Default: only with several instances. */
  redis?: boolean;
  /** Called with a line now and then while the run goes. */
  progress?: (line: string) => void;
}

/** What {@link runLoad} measured; {@link formatReport} prints it. */
export type LoadReport = Awaited<ReturnType<typeof runLoad>>;

export async function runLoad(options: LoadOptions = {}) {
  const logins = options.logins ?? 2000;
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 100, logins));
  const instanceCount = options.instances ?? 1;
  const useRedis = options.redis ?? instanceCount > 1;
  const progress = options.progress ?? (() => {});
  if (instanceCount > 1 && !useRedis) {
    throw new Error('several instances need a shared session store: use Redis');
  }

  const cleanups: Array<() => Promise<void>> = [];
  try {
    // The fakes in their own process: the driver's 100 browsers never delay the providers' answers.
    const providers = await startFakesProcess({
      accounts: Math.max(ACCOUNTS, concurrency),
    });
    cleanups.push(() => providers.close());
    const apps = await startApps(providers, instanceCount, useRedis, cleanups);
    const { appURL, instances, dispatcher } = apps;
    progress(
      `${instanceCount} app instance(s), sessions in ${useRedis ? 'Redis' : 'memory'}, at ${appURL}; ${logins} logins, concurrency ${concurrency}`,
    );

    const errors: Record<string, number> = {};
    const errorSamples: string[] = [];
    const timings: LoginTiming[] = [];
    const finished: { browser: Browser; account: Account }[] = [];
    const byProvider: Record<Provider, number> = { exbo: 0, soa2: 0 };
    let done = 0;
    const started = performance.now();

    // One login per account at a time, as people log in: both providers invalidate an account's
    // earlier tokens at each code exchange, so two simultaneous logins of one account can make the
    // first one's profile request fail (TOKEN_REJECTED), exactly as the real providers would.
    const inFlight = new Set<Account>();
    const pick = (provider: Provider): Account => {
      const pool = providers.accounts[provider];
      for (;;) {
        const account = pool[Math.floor(Math.random() * pool.length)] as Account;
        if (!inFlight.has(account)) return account;
      }
    };

    await inParallel(logins, concurrency, async (index) => {
      // Both providers mixed, each login as a random one of many accounts.
      const provider: Provider = index % 2 === 0 ? 'exbo' : 'soa2';
      const account = pick(provider);
      inFlight.add(account);
      const browser = new Browser(dispatcher ? { dispatcher } : {});
      try {
        timings.push(await withTimeout(completeLogin(browser, appURL, account), TIMEOUT_MS));
        finished.push({ browser, account });
        byProvider[provider]++;
      } catch (err) {
        const step = (err as { step?: string }).step ?? 'other';
        errors[step] = (errors[step] ?? 0) + 1;
        if (errorSamples.length < 10) errorSamples.push(`${provider}: ${(err as Error).message}`);
      } finally {
        inFlight.delete(account);
      }
      done++;
      if (done % Math.max(1, Math.floor(logins / 10)) === 0) {
        progress(`${done}/${logins} logins, ${failedLogins(errors)} failed`);
      }
    });
    const wallMs = performance.now() - started;

    // Each session once more, after everything: still exactly its own account.
    let wrongSessions = 0;
    await inParallel(finished.length, concurrency, async (i) => {
      const { browser, account } = finished[i]!;
      try {
        const home = await withTimeout(browser.get(`${appURL}/`), TIMEOUT_MS);
        if (home.status !== 200) throw new Error(`HTTP ${home.status}: ${home.text.slice(0, 120)}`);
        assertSignedInAs(home.text, account, 'recheck');
      } catch (err) {
        wrongSessions++;
        if (errorSamples.length < 20) errorSamples.push(`recheck: ${(err as Error).message}`);
      }
    });

    return {
      logins,
      concurrency,
      instances: instanceCount,
      sessionStore: useRedis ? 'redis' : 'memory',
      /** Logins that ended on the home page signed in as their own account. */
      succeeded: finished.length,
      byProvider,
      /** Logins that failed, by step (`callback`, `consent page`, `hung`, ...), and a few messages. */
      errors,
      errorSamples,
      /** Sessions that, checked again after the whole run, showed someone else or nobody. */
      wrongSessions,
      wallMs,
      loginsPerSecond: (finished.length / wallMs) * 1000,
      /** Requests resent after the server closed their kept-alive connection, as browsers do. */
      resentRequests: timings.reduce((sum, t) => sum + t.resent, 0),
      /** Whole logins (start to signed-in page) and the callback alone, milliseconds. */
      loginLatency: percentiles(timings.map((t) => t.totalMs)),
      callbackLatency: percentiles(timings.map((t) => t.callbackMs)),
      /** Peak resident memory of each app instance and of this process (the driver), bytes. */
      appPeakRss: await Promise.all(instances.map((instance) => instance.peakRss())),
      driverPeakRss: process.resourceUsage().maxRSS * 1024,
    };
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  }
}

/**
 * The app instance(s) and the address browsers use: one instance directly, or several behind nginx
 * over https (harness/cluster.ts).
 */
async function startApps(
  providers: ProviderFakes,
  count: number,
  redis: boolean,
  cleanups: Array<() => Promise<void>>,
): Promise<{ appURL: string; instances: AppInstance[]; dispatcher?: Dispatcher }> {
  if (count > 1) {
    const cluster = await startCluster({ instances: count, fakes: providers });
    cleanups.push(() => cluster.stop());
    return { appURL: cluster.url, instances: cluster.instances, dispatcher: cluster.dispatcher };
  }
  const env: Record<string, string> = {};
  if (redis) {
    const server = await startRedisServer();
    cleanups.push(() => server.stop());
    env.REDIS_URL = server.url;
  }
  const { origin, instance } = await startExampleApp(providers, env);
  cleanups.push(() => instance.stop());
  return { appURL: origin, instances: [instance] };
}

/** The example app as `npm start` runs it, at an origin (its own port) registered with the fakes. */
export async function startExampleApp(providers: ProviderFakes, env: Record<string, string> = {}) {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  await providers.register(origin);
  const instance = await startAppInstance({ ...providers.appEnv(origin), ...env, PORT: `${port}` });
  return { origin, instance };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error(`no answer within ${ms} ms`), { step: 'hung' })),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Nearest-rank percentiles (bench/stats.ts); zeros when there is nothing to rank. */
export function percentiles(values: number[]) {
  const at = (p: number) => (values.length === 0 ? 0 : percentile(values, p));
  return { p50: at(50), p90: at(90), p99: at(99), max: at(100) };
}

/** Logins that failed, whatever the step. */
export const failedLogins = (errors: Record<string, number>) =>
  Object.values(errors).reduce((a, b) => a + b, 0);

/** The report as people read it. */
export function formatReport(report: LoadReport): string {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const spread = (p: LoadReport['loginLatency']) =>
    `p50 ${ms(p.p50)}, p90 ${ms(p.p90)}, p99 ${ms(p.p99)}, max ${ms(p.max)}`;
  const mb = (value: number | undefined) =>
    value === undefined ? 'n/a' : `${(value / 1024 / 1024).toFixed(1)} MiB`;
  const failed = failedLogins(report.errors);
  const steps = Object.entries(report.errors).map(([step, n]) => `${step}: ${n}`);
  const lines = [
    `Logins:       ${report.succeeded}/${report.logins} signed in as the account that consented (EXBO ${report.byProvider.exbo}, Scratch ${report.byProvider.soa2})`,
    `Setup:        ${report.instances} instance(s), sessions in ${report.sessionStore}, concurrency ${report.concurrency}`,
    `Throughput:   ${report.loginsPerSecond.toFixed(1)} logins/s (${(report.wallMs / 1000).toFixed(1)} s)`,
    `Login:        ${spread(report.loginLatency)}`,
    `Callback:     ${spread(report.callbackLatency)}`,
    `Errors:       ${failed}${failed ? ` (${steps.join(', ')})` : ''}`,
    `Resent:       ${report.resentRequests} request(s) on a kept-alive connection the server had closed (browsers resend these)`,
    `Wrong user:   ${report.wrongSessions} session(s) not signed in as their own account on a second look`,
    `Peak memory:  app ${report.appPeakRss.map(mb).join(', ')}; driver ${mb(report.driverPeakRss)}`,
  ];
  if (report.errorSamples.length > 0) {
    lines.push('First problems:', ...report.errorSamples.map((sample) => `  - ${sample}`));
  }
  return lines.join('\n');
}
