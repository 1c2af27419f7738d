/**
 * The benchmark's child processes: the fakes (the shared harness's `startFakesProcess`) and an app
 * running one variant. The app is plain `node` on compiled JS (no TypeScript loader in a measured
 * process: tsx alone adds ~40 MB of RSS), announces `ready` over Node's IPC channel, then answers
 * with a snapshot of its own counters at each message, so CPU time and peak RSS are its alone.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CALLBACK_PATHS } from '../examples/express-login/src/config.js';
import { type ProviderFakes, startFakesProcess } from '../harness/fakes.js';
import { stopProcess } from '../harness/processes.js';
import type { AppReady } from './app-process.js';
import type { AppConfig } from './apps.js';
import { VARIANTS, type VariantName } from './variants.js';

export interface Snapshot {
  /** `process.cpuUsage()`, user + system, all threads (JIT, GC, libuv), microseconds. */
  cpuMicros: number;
  /** Peak resident set size since the process started (getrusage), bytes. */
  maxRssBytes: number;
  /** Outgoing TCP connections opened so far. */
  connectionsOpened: number;
}

/**
 * In the app: send `ready` over IPC, then a {@link Snapshot} of its own counters for every message
 * (the orchestrator's only question); exit when the orchestrator goes away.
 */
export function serveParent(ready: unknown, connectionsOpened: () => number): void {
  process.on('message', () => {
    const cpu = process.cpuUsage();
    // maxRSS is in kilobytes on Linux.
    const maxRssBytes = process.resourceUsage().maxRSS * 1024;
    process.send?.({
      cpuMicros: cpu.user + cpu.system,
      maxRssBytes,
      connectionsOpened: connectionsOpened(),
    });
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.(ready);
}

export interface Child<Ready> {
  ready: Ready;
  snapshot(): Promise<Snapshot>;
  /** SIGTERM (SIGKILL after a grace period), and wait for the exit. */
  stop(): Promise<void>;
}

/** Forks `file` (a sibling compiled module) and resolves once it is ready. */
function startChild<Ready>(file: string, args: string[]): Promise<Child<Ready>> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child = fork(path, args, { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  // Snapshots are asked one at a time: the next message answers the oldest question.
  const waiting: ((reply: Snapshot | Error) => void)[] = [];
  const snapshot = () =>
    new Promise<Snapshot>((resolve, reject) => {
      const timer = setTimeout(() => answer(new Error('no answer in 30 s')), 30_000);
      const answer = (reply: Snapshot | Error) => {
        clearTimeout(timer);
        waiting.splice(waiting.indexOf(answer), 1);
        if (reply instanceof Error) reject(new Error(`${file} snapshot: ${reply.message}`));
        else resolve(reply);
      };
      waiting.push(answer);
      if (child.connected) child.send('snapshot');
      else answer(new Error('the process has exited'));
    });
  return new Promise((resolve, reject) => {
    const startTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(startTimer);
      const error = new Error(`${file} exited (code ${code}, signal ${signal})`);
      for (const answer of [...waiting]) answer(error);
      reject(error);
    });
    child.once('message', (ready) => {
      clearTimeout(startTimer);
      child.on('message', (reply: Snapshot) => waiting[0]?.(reply));
      resolve({ ready: ready as Ready, snapshot, stop: () => stopProcess(child) });
    });
  });
}

/**
 * Both fakes in a process of their own (their CPU is never the app's), one account per slot:
 * both providers revoke a user's earlier tokens at each code exchange, so two logins of one account
 * in flight would break each other. ASCII logins: the EXBO fake pauses 15 ms inside a multi-byte
 * body, which would be measured as the app's latency.
 */
export function startFakes(concurrency: number): Promise<ProviderFakes> {
  return startFakesProcess({ accounts: concurrency, asciiOnly: true });
}

export interface RunningApp extends Child<AppReady> {
  variant: VariantName;
  /** `http://127.0.0.1:<port>` */
  appURL: string;
}

/** An app running `variant` against `fakes`, its callback URL registered with them. */
export async function startApp(variant: VariantName, fakes: ProviderFakes): Promise<RunningApp> {
  const env = fakes.appEnv(''); // only the fakes' addresses and clients are read
  const client = (of: 'EXBO' | 'SOA2') => ({
    baseURL: env[`${of}_BASE_URL`]!,
    clientID: env[`${of}_CLIENT_ID`]!,
    clientSecret: env[`${of}_CLIENT_SECRET`]!,
  });
  const config: AppConfig = {
    variant,
    // The example app's paths: the harness registers those for an origin.
    callbackPath: CALLBACK_PATHS[VARIANTS[variant].provider],
    exbo: client('EXBO'),
    soa2: { ...client('SOA2'), clientID: Number(env.SOA2_CLIENT_ID) },
  };
  const app = await startChild<AppReady>('./app-process.js', [JSON.stringify(config)]);
  const appURL = `http://127.0.0.1:${app.ready.port}`;
  await Promise.resolve(fakes.register(appURL)).catch(async (err) => {
    await app.stop();
    throw err;
  });
  return { ...app, variant, appURL };
}

/** CPU time between two snapshots, microseconds. */
export const cpuMicros = (before: Snapshot, after: Snapshot) => after.cpuMicros - before.cpuMicros;
