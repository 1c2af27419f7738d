/**
 * The benchmark's child processes: the fakes (the shared harness's `startFakesProcess`) and an app
 * running one variant. The app is plain `node` on compiled JS (no TypeScript loader in a measured
 * process: tsx alone adds ~40 MB of RSS), announces `ready` over Node's IPC channel, then answers
 * numbered calls; `snapshot` reads its own counters, so CPU time and peak RSS are its alone.
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

/** Child to parent: `id` 0 announces ready with `value`, any other answers the call `id`. */
interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

/** In a child: announce `ready`, answer calls, exit when the orchestrator goes away. */
export function serveParent(ready: unknown, handlers: Record<string, (arg: never) => unknown>) {
  const send = (reply: Reply) => process.send?.(reply);
  process.on('message', ({ id, method, arg }: { id: number; method: string; arg: never }) => {
    Promise.resolve()
      .then(() => handlers[method]!(arg))
      .then(
        (value) => send({ id, value }),
        (err: unknown) => send({ id, error: String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send({ id: 0, value: ready });
}

export function takeSnapshot(connectionsOpened: number): Snapshot {
  const cpu = process.cpuUsage();
  // maxRSS is in kilobytes on Linux.
  return {
    cpuMicros: cpu.user + cpu.system,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    connectionsOpened,
  };
}

export interface Child<Ready> {
  ready: Ready;
  call<T>(method: string, arg?: unknown): Promise<T>;
  snapshot(): Promise<Snapshot>;
  /** SIGTERM (SIGKILL after a grace period), and wait for the exit. */
  stop(): Promise<void>;
}

/** Forks `file` (a sibling compiled module) and resolves once it is ready. */
function startChild<Ready>(file: string, args: string[]): Promise<Child<Ready>> {
  const path = fileURLToPath(new URL(file, import.meta.url));
  const child = fork(path, args, { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, (reply: Reply) => void>();
  let nextId = 1;
  const call = <T>(method: string, arg?: unknown) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => answer({ id, error: 'no answer in 30 s' }), 30_000);
      const answer = (reply: Reply) => {
        clearTimeout(timer);
        pending.delete(id);
        if (reply.error === undefined) resolve(reply.value as T);
        else reject(new Error(`${file} ${method}: ${reply.error}`));
      };
      pending.set(id, answer);
      if (child.connected) child.send({ id, method, arg });
      else answer({ id, error: 'the process has exited' });
    });
  return new Promise((resolve, reject) => {
    const startTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(startTimer);
      const error = `${file} exited (code ${code}, signal ${signal})`;
      for (const answer of pending.values()) answer({ id: 0, error });
      reject(new Error(error));
    });
    child.on('message', (reply: Reply) => {
      if (reply.id !== 0) return pending.get(reply.id)?.(reply);
      clearTimeout(startTimer);
      const ready = reply.value as Ready;
      resolve({ ready, call, snapshot: () => call('snapshot'), stop: () => stopProcess(child) });
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
  const config: AppConfig = {
    variant,
    // The example app's paths: the harness registers those for an origin.
    callbackPath: CALLBACK_PATHS[VARIANTS[variant].provider],
    exbo: {
      baseURL: env.EXBO_BASE_URL!,
      clientID: env.EXBO_CLIENT_ID!,
      clientSecret: env.EXBO_CLIENT_SECRET!,
    },
    soa2: {
      baseURL: env.SOA2_BASE_URL!,
      clientID: Number(env.SOA2_CLIENT_ID),
      clientSecret: env.SOA2_CLIENT_SECRET!,
    },
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
