/**
 * The orchestrator talks to its child processes (the fakes, the app under test) over Node's IPC
 * channel: a child announces `ready` with what the orchestrator needs (URLs, port), then answers
 * numbered calls. Each measured process reads its own counters when asked, so CPU time and peak RSS
 * are that process's alone.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { monotonicMs } from './stats.js';

/** A process's own counters at one instant. */
export interface ProcessSnapshot {
  /** `process.cpuUsage()`: user and system CPU time of every thread, microseconds. */
  userMicros: number;
  systemMicros: number;
  /** Peak resident set size since the process started (getrusage), bytes. */
  maxRssBytes: number;
  /** Resident set size now, bytes. */
  rssBytes: number;
  /** Outgoing TCP connections opened so far (diagnostics channel `net.client.socket`). */
  connectionsOpened: number;
  /** Monotonic milliseconds when the snapshot was taken. */
  atMs: number;
}

interface CallMessage {
  kind: 'call';
  id: number;
  method: string;
  arg: unknown;
}

type ChildMessage =
  | { kind: 'ready'; value: unknown }
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'failure'; id: number; message: string };

export type Handlers = Record<string, (arg: never) => unknown>;

/** In a child: announce `ready` and answer calls until the parent goes away. */
export function serveParent(ready: unknown, handlers: Handlers): void {
  const send = (message: ChildMessage) => process.send?.(message);
  process.on('message', (message: CallMessage) => {
    if (message?.kind !== 'call') return;
    const handler = Object.hasOwn(handlers, message.method) ? handlers[message.method] : undefined;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no such call: ${message.method}`);
        return handler(message.arg as never);
      })
      .then(
        (value) => send({ kind: 'result', id: message.id, value }),
        (err: unknown) => send({ kind: 'failure', id: message.id, message: String(err) }),
      );
  });
  // The orchestrator died or closed the channel: nothing is left to serve.
  process.on('disconnect', () => process.exit(0));
  send({ kind: 'ready', value: ready });
}

/** The child's counters, for the `snapshot` call both children answer. */
export function takeSnapshot(connectionsOpened: number): ProcessSnapshot {
  const cpu = process.cpuUsage();
  return {
    userMicros: cpu.user,
    systemMicros: cpu.system,
    // getrusage reports kilobytes on Linux.
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBytes: process.memoryUsage.rss(),
    connectionsOpened,
    atMs: monotonicMs(),
  };
}

export interface Child<Ready> {
  ready: Ready;
  pid: number;
  call<T>(method: string, arg?: unknown): Promise<T>;
  /** Ends the child (SIGTERM to its own pid) and waits for it to exit. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const CALL_TIMEOUT_MS = 30_000;

/** Forks `modulePath` (compiled JS) with plain node: no loader in the measured process. */
export function startChild<Ready>(modulePath: string, args: string[]): Promise<Child<Ready>> {
  const child: ChildProcess = fork(modulePath, args, {
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void }>();
  let nextId = 1;
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return new Promise((resolve, reject) => {
    const startTimer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${modulePath} did not start within ${START_TIMEOUT_MS} ms`));
    }, START_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      exited = true;
      clearTimeout(startTimer);
      const err = new Error(`${modulePath} exited (code ${code}, signal ${signal})`);
      for (const call of pending.values()) call.reject(err);
      pending.clear();
      reject(err);
    });
    child.on('message', (message: ChildMessage) => {
      if (message.kind === 'ready') {
        clearTimeout(startTimer);
        resolve({
          ready: message.value as Ready,
          pid: child.pid ?? -1,
          call<T>(method: string, arg?: unknown): Promise<T> {
            if (exited) return Promise.reject(new Error(`${modulePath} has exited`));
            const id = nextId++;
            return new Promise<T>((resolveCall, rejectCall) => {
              const timer = setTimeout(() => {
                pending.delete(id);
                rejectCall(new Error(`${modulePath}: ${method} got no answer in time`));
              }, CALL_TIMEOUT_MS);
              pending.set(id, {
                resolve: (value) => {
                  clearTimeout(timer);
                  resolveCall(value as T);
                },
                reject: (err) => {
                  clearTimeout(timer);
                  rejectCall(err);
                },
              });
              child.send({ kind: 'call', id, method, arg } satisfies CallMessage);
            });
          },
          async stop() {
            if (!exited) child.kill('SIGTERM');
            await exitedPromise;
          },
        });
        return;
      }
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      if (message.kind === 'result') call.resolve(message.value);
      else call.reject(new Error(`${modulePath}: ${message.message}`));
    });
  });
}
