/**
 * The benchmark's child processes: the fakes (both providers, one account per concurrency slot)
 * and an app running one variant. Each is plain `node` on compiled JS (no TypeScript loader in a
 * measured process: tsx alone adds ~40 MB of RSS), announces `ready` over Node's IPC channel, then
 * answers numbered calls; `snapshot` reads the child's own counters, so CPU time and peak RSS are
 * that process's alone.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { stopProcess } from '../harness/processes.js';
import type { AppReady } from './app-process.js';
import type { AppConfig } from './apps.js';
import type { FakesReady } from './fakes-process.js';
import { monotonicMs } from './stats.js';
import { VARIANTS, type VariantName } from './variants.js';

export interface Snapshot {
  /** `process.cpuUsage()`, user + system, all threads (JIT, GC, libuv), microseconds. */
  cpuMicros: number;
  /** Peak resident set size since the process started (getrusage), bytes. */
  maxRssBytes: number;
  /** Outgoing TCP connections opened so far. */
  connectionsOpened: number;
  atMs: number;
}

type Message =
  | { kind: 'ready'; value: unknown }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'failure'; id: number; message: string };

/** In a child: announce `ready`, answer calls, exit when the orchestrator goes away. */
export function serveParent(ready: unknown, handlers: Record<string, (arg: never) => unknown>) {
  const send = (message: Message) => process.send?.(message);
  process.on('message', ({ id, method, arg }: { id: number; method: string; arg: never }) => {
    Promise.resolve()
      .then(() => handlers[method]!(arg))
      .then(
        (value) => send({ kind: 'result', id, value }),
        (err: unknown) => send({ kind: 'failure', id, message: String(err) }),
      );
  });
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', value: ready });
}

export function takeSnapshot(connectionsOpened: number): Snapshot {
  const cpu = process.cpuUsage();
  return {
    cpuMicros: cpu.user + cpu.system,
    maxRssBytes: process.resourceUsage().maxRSS * 1024, // kilobytes on Linux
    connectionsOpened,
    atMs: monotonicMs(),
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
  const pending = new Map<number, (message: Message) => void>();
  let nextId = 1;
  return new Promise((resolve, reject) => {
    const startTimer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', (code, signal) => {
      clearTimeout(startTimer);
      const message = `${file} exited (code ${code}, signal ${signal})`;
      for (const answer of pending.values()) answer({ kind: 'failure', id: 0, message });
      reject(new Error(message));
    });
    child.on('message', (message: Message) => {
      if (message.kind !== 'ready') return pending.get(message.id)?.(message);
      clearTimeout(startTimer);
      const call = <T>(method: string, arg?: unknown) =>
        new Promise<T>((resolveCall, rejectCall) => {
          const id = nextId++;
          const answer = (reply: Message) => {
            clearTimeout(timer);
            pending.delete(id);
            if (reply.kind === 'result') resolveCall(reply.value as T);
            else
              rejectCall(new Error(`${file} ${method}: ${(reply as { message: string }).message}`));
          };
          const timer = setTimeout(
            () => answer({ kind: 'failure', id, message: 'no answer in 30 s' }),
            30_000,
          );
          pending.set(id, answer);
          if (child.connected) child.send({ id, method, arg });
          else answer({ kind: 'failure', id, message: 'the process has exited' });
        });
      resolve({
        ready: message.value as Ready,
        call,
        snapshot: () => call<Snapshot>('snapshot'),
        stop: () => stopProcess(child),
      });
    });
  });
}

export type Fakes = Child<FakesReady>;

export function startFakes(concurrency: number): Promise<Fakes> {
  return startChild<FakesReady>('./fakes-process.js', [String(concurrency)]);
}

export interface RunningApp extends Child<AppReady> {
  variant: VariantName;
  /** `http://127.0.0.1:<port>` */
  appURL: string;
}

/** An app running `variant` against `fakes`, its callback URL registered with them. */
export async function startApp(variant: VariantName, fakes: Fakes): Promise<RunningApp> {
  const config: AppConfig = {
    variant,
    exbo: { ...fakes.ready.exbo, ...fakes.ready.clients.exbo },
    soa2: { ...fakes.ready.soa2, ...fakes.ready.clients.soa2 },
  };
  const app = await startChild<AppReady>('./app-process.js', [JSON.stringify(config)]);
  const { provider } = VARIANTS[variant];
  await fakes
    .call('register', { provider, redirectUri: app.ready.callbackURL })
    .catch(async (err) => {
      await app.stop();
      throw err;
    });
  return { ...app, variant, appURL: `http://127.0.0.1:${app.ready.port}` };
}

/** CPU time between two snapshots, microseconds. */
export const cpuMicros = (before: Snapshot, after: Snapshot) => after.cpuMicros - before.cpuMicros;
