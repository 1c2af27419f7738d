/**
 * The deployment of README "Deploying behind nginx", on one machine: nginx over https (run-time CA,
 * examples/express-login/deploy/nginx.conf), N instances of the example app with identical settings
 * (REDIS_URL, TRUST_PROXY=1, SESSION_SECRET, https callback URLs on nginx's address), one
 * redis-server, and the providers: the fakes (harness/fakes.ts) unless real-provider settings are
 * given. Used by the nginx tests, `npm run load -- --instances N` and `npm run start:cluster`.
 *
 *   const cluster = await startCluster({ instances: 2, fakes });
 *   cluster.url                          // https://localhost:<port>
 *   cluster.certificates.caFile          // the CA to trust
 *   new Browser({ dispatcher: cluster.dispatcher })   // Node's fetch, trusting that CA only
 *   cluster.instances[0].port            // matches nginx.accessLog()[i].upstreams
 *   await cluster.stop();                // everything it started, in reverse order
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { type AppInstance, startAppInstance } from './app-instance.js';
import type { ProviderFakes } from './fakes.js';
import { type RunningNginx, startNginx } from './nginx.js';
import { freePort } from './processes.js';
import { type RunningRedis, startRedisServer } from './redis-server.js';
import { makeTestCertificates, type TestCertificates } from './tls.js';

export interface ClusterOptions {
  /** App instances behind nginx. Default 2. */
  instances?: number;
  /** Providers: the fakes (their settings are registered for nginx's address) … */
  fakes?: ProviderFakes;
  /**
   * … or real-provider settings (EXBO_*, SOA2_*, SESSION_SECRET), given to every instance as they
   * are; the callback URLs must then name the nginx address (`port`).
   */
  providerEnv?: Record<string, string>;
  /** nginx's https port; default a free one. */
  port?: number;
  /** nginx's `proxy_read_timeout`; default 30s. */
  readTimeout?: string;
}

export interface Cluster {
  url: string;
  certificates: TestCertificates;
  /** For Node's fetch (`dispatcher` option): trusts the run-time CA, nothing else is changed. */
  dispatcher: Agent;
  nginx: RunningNginx;
  instances: AppInstance[];
  redis: RunningRedis;
  stop(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const count = options.instances ?? 2;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'cluster-tls-'));
    stops.push(async () => rmSync(dir, { recursive: true, force: true }));
    const certificates = makeTestCertificates(dir);
    const dispatcher = new Agent({ connect: { ca: certificates.caPem } });
    stops.push(() => dispatcher.close());
    const redis = await startRedisServer();
    stops.push(() => redis.stop());

    const port = options.port ?? (await freePort());
    const origin = `https://localhost:${port}`;
    let providerEnv: Record<string, string>;
    if (options.fakes) {
      await options.fakes.register(origin);
      providerEnv = options.fakes.appEnv(origin);
    } else if (options.providerEnv) {
      providerEnv = options.providerEnv;
    } else {
      throw new Error('startCluster needs `fakes` or `providerEnv`');
    }
    // Identical settings on every instance, as a deployment has (README "Deploying behind nginx").
    const env = { ...providerEnv, REDIS_URL: redis.url, TRUST_PROXY: '1' };
    const instances: AppInstance[] = [];
    for (let i = 0; i < count; i++) {
      const instance = await startAppInstance(env);
      stops.push(() => instance.stop());
      instances.push(instance);
    }
    const nginx = await startNginx({
      port,
      certificates,
      instances: instances.map((instance) => instance.port),
      ...(options.readTimeout !== undefined && { readTimeout: options.readTimeout }),
    });
    stops.push(() => nginx.stop());
    return { url: nginx.url, certificates, dispatcher, nginx, instances, redis, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
