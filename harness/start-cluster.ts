/**
 * `npm run start:cluster`: the deployment of README "Deploying behind nginx" on this machine, for a
 * person to try: nginx over https with a certificate authority made for this run, two instances of
 * the example app, one redis-server, and the providers' local fakes. Prints the https address and
 * the CA file to trust; Ctrl+C (SIGINT) or SIGTERM stops everything it started.
 *
 * With provider settings in the environment (EXBO_* and/or SOA2_*, and SESSION_SECRET, as in
 * examples/express-login/.env.example) the instances use the real providers instead of the fakes;
 * the callback URLs must then be https://localhost:<port>/auth/…/callback, and nginx listens on
 * that port.
 */
import { startCluster } from './cluster.js';
import { type Fakes, startFakes } from './fakes.js';

const PROVIDER_VARIABLE = /^(EXBO|SOA2)_/;

/** The real-provider settings given, or undefined for the fakes. */
function realProviderEnv(): Record<string, string> | undefined {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value && (PROVIDER_VARIABLE.test(name) || name === 'SESSION_SECRET')) env[name] = value;
  }
  return Object.keys(env).some((name) => PROVIDER_VARIABLE.test(name)) ? env : undefined;
}

/** nginx's port: the one the real callback URLs name (they must reach nginx, not an instance). */
function portOfCallbacks(env: Record<string, string>): number {
  const urls = [env.EXBO_CALLBACK_URL, env.SOA2_CALLBACK_URL].filter((url) => url !== undefined);
  const ports = new Set(
    urls.map((url) => {
      const parsed = URL.parse(url);
      if (parsed?.protocol !== 'https:' || parsed.hostname !== 'localhost' || !parsed.port) {
        throw new Error(
          `the callback URLs must be https://localhost:<port>/auth/…/callback (nginx's address here), not ${url}`,
        );
      }
      return Number(parsed.port);
    }),
  );
  if (ports.size !== 1) {
    throw new Error(
      'set EXBO_CALLBACK_URL and/or SOA2_CALLBACK_URL on one https://localhost:<port>',
    );
  }
  return [...ports][0] as number;
}

async function main(): Promise<void> {
  const real = realProviderEnv();
  const fakes: Fakes | undefined = real ? undefined : await startFakes({ accounts: 5 });
  const cluster = await startCluster(
    real
      ? { instances: 2, providerEnv: real, port: portOfCallbacks(real) }
      : { instances: 2, fakes: fakes as Fakes },
  ).catch(async (err: unknown) => {
    await fakes?.close();
    throw err;
  });

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping nginx, the instances, redis-server and the fakes…`);
    cluster
      .stop()
      .then(() => fakes?.close())
      .then(
        () => console.log('Stopped.'),
        (err: unknown) => {
          console.error(`Could not stop everything: ${String(err)}`);
          process.exitCode = 1;
        },
      );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));

  // Each instance's own messages (failed logins, Redis reconnections), marked with its address.
  for (const instance of cluster.instances) {
    const mark = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim()) console.log(`[${instance.url}] ${line}`);
      }
    };
    instance.process.stdout?.on('data', mark);
    instance.process.stderr?.on('data', mark);
  }

  const providers = fakes
    ? `the local fakes of EXBO (${fakes.exbo.url}) and SOA2 (${fakes.soa2.url})`
    : 'the real providers (settings from the environment)';
  console.log(`
Cluster running: nginx over https in front of ${cluster.instances.length} instances of the example app.

    Open ${cluster.url}/

  Certificate authority made for this run (trust it in your browser, or
  curl --cacert <file> ${cluster.url}/):
    ${cluster.certificates.caFile}
  Instances:   ${cluster.instances.map((instance) => instance.url).join(', ')} (TRUST_PROXY=1)
  Sessions:    ${cluster.redis.url} (REDIS_URL, shared)
  Providers:   ${providers}
  nginx:       ${cluster.nginx.dir}/nginx.conf, logs in ${cluster.nginx.dir}/logs/

Press Ctrl+C to stop everything.`);
}

main().catch((err: unknown) => {
  console.error(`The cluster could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
