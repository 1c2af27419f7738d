/**
 * Starts the example: `npm start` from the repository root.
 *
 * 1. Settings come from the environment, or from examples/express-login/.env if it exists (real
 *    environment variables win). Any problem stops start-up with a message naming the variable.
 * 2. With no provider settings (demo mode), the app's port is taken first, then the fakes of EXBO
 *    and SOA2 are started with this app's exact callback URLs registered.
 * 3. The app is attached to the server and the URL to open is printed.
 *
 * Sessions are kept in Redis when REDIS_URL is set (several instances share them), else in memory.
 * Users, their linked accounts and EXBO tokens are kept in PostgreSQL when DATABASE_URL is set,
 * else in a SQLite file (data/example.db in the example's folder, or DATABASE_FILE).
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { type AppConfig, loadConfig } from './config.js';
import { openDatabase } from './database.js';
import { type DemoProviders, startDemoProviders } from './demo.js';
import { openSessionStore } from './session-store.js';

const ENV_FILE = fileURLToPath(new URL('../.env', import.meta.url));
const LOOPBACK_OR_ANY = new Set(['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::']);

async function main(): Promise<void> {
  if (existsSync(ENV_FILE)) {
    process.loadEnvFile(ENV_FILE);
    console.log(`Read settings from ${ENV_FILE}`);
  }
  const result = loadConfig(process.env);
  if (!result.ok) {
    console.error(
      `The example app cannot start because of its settings:\n${result.problems
        .map((problem) => `  - ${problem}`)
        .join(
          '\n',
        )}\nSee examples/express-login/.env.example, or unset every EXBO_* and SOA2_* variable to run with the local demo providers.`,
    );
    process.exitCode = 1;
    return;
  }
  const config = result.config;

  // Before listening: an unreachable Redis stops start-up with a message naming REDIS_URL.
  const sessions = await openSessionStore(config.redisURL);
  // The same for the database: a wrong DATABASE_URL or an unwritable file stops start-up here.
  const database = await openDatabase(config).catch(async (err: unknown) => {
    await sessions.close();
    throw err;
  });
  const server = createServer();
  const port = await listen(server, config);
  let demo: DemoProviders | undefined;
  if (config.demo) {
    // The browser reaches the app as `localhost` and the fakes as 127.0.0.1: two hosts, so
    // their cookies never mix (cookies ignore ports).
    demo = await startDemoProviders(`http://localhost:${port}`);
    config.exbo = demo.exbo;
    config.soa2 = demo.soa2;
  }
  server.on('request', createApp(config, { sessionStore: sessions.store, database }));

  const url = publicURL(config, port);
  if (demo) {
    console.log(`
Login example running with DEMO providers: local fakes of EXBO (${demo.fakes.exbo.url})
and SOA2 (${demo.fakes.soa2.url}). No account or network needed.

    Open ${url} in your browser.
`);
  } else {
    const providers = [config.exbo && 'EXBO', config.soa2 && 'SOA2'].filter(Boolean).join(' and ');
    console.log(`
Login example running with the real ${providers}, listening on ${config.host}:${port}.

    Open ${url} in your browser.
`);
  }
  console.log(
    sessions.store
      ? `Sessions are kept in ${sessions.description} (REDIS_URL): every instance using it shares them.`
      : 'Sessions are kept in memory: set REDIS_URL to share them between several instances.',
  );
  console.log(
    database.kind === 'postgres'
      ? `Users are kept in ${database.description} (DATABASE_URL).`
      : `Users are kept in ${database.description}: set DATABASE_URL to use PostgreSQL.`,
  );
  for (const warning of result.warnings) console.warn(`Warning: ${warning}`);
  console.log('Press Ctrl+C to stop.');

  const stop = () => {
    server.closeAllConnections();
    server.close();
    void demo?.close();
    void sessions.close();
    void database.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * Listens on PORT. In demo mode a busy port is not worth failing for: any free port works, since
 * the fakes are told the app's address after this.
 */
async function listen(server: Server, config: AppConfig): Promise<number> {
  const attempt = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, config.host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  try {
    return await attempt(config.port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    if (!config.demo) {
      throw new Error(
        `Port ${config.port} is already in use: stop the program using it, or set PORT (and your callback URLs) to another port.`,
      );
    }
    console.log(`Port ${config.port} is busy; using a free port instead.`);
    return attempt(0);
  }
}

/** The address to open: the callback URLs' site when configured, else this machine. */
function publicURL(config: AppConfig, port: number): string {
  const callback = config.demo ? undefined : (config.exbo?.callbackURL ?? config.soa2?.callbackURL);
  if (callback) return `${new URL(callback).origin}/`;
  const host = LOOPBACK_OR_ANY.has(config.host) ? 'localhost' : config.host;
  return `http://${host}:${port}/`;
}

main().catch((err: unknown) => {
  console.error(`The example app could not start: ${err instanceof Error ? err.message : err}`);
  // A server or fake may already be listening: exit rather than linger half-started.
  process.exit(1);
});
