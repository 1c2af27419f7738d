/**
 * One instance of the example app as `npm start` runs it (examples/express-login/dist/server.js, so
 * `npm run build` first), in its own process, configured only through the environment.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killProcess, peakRssBytes, stopProcess, waitFor } from './processes.js';

export const SERVER_JS = fileURLToPath(
  new URL('../examples/express-login/dist/server.js', import.meta.url),
);

export interface AppInstance {
  /** `http://127.0.0.1:<port>`: this instance directly (not through a balancer). */
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the instance printed (stdout and stderr), for assertions and post-mortems. */
  output: string[];
  /** Peak resident memory so far, in bytes (Linux), or undefined. */
  peakRss(): Promise<number | undefined>;
  /** SIGTERM (a graceful stop), SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** SIGKILL: the instance dies as in a crash. */
  kill(): Promise<void>;
}

const START_TIMEOUT_MS = 15_000;

/**
 * Starts `server.js` with exactly `env` (plus PATH), `PORT=0` unless given: the port it chose is read
 * from its start-up message ("listening on 127.0.0.1:<port>"), which real-provider mode prints.
 */
export async function startAppInstance(env: Record<string, string>): Promise<AppInstance> {
  const child = spawn(process.execPath, [SERVER_JS], {
    // Only what the test says: no EXBO_*, SOA2_* or REDIS_URL leaking in from the caller's shell.
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  let port: number | undefined;
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) {
          throw new Error(`the app exited with code ${child.exitCode}:\n${output.join('')}`);
        }
        const found = /listening on [^\s:]+:(\d+)/.exec(output.join(''))?.[1];
        port = found === undefined ? undefined : Number(found);
        return port !== undefined && /Press Ctrl\+C to stop/.test(output.join(''));
      },
      START_TIMEOUT_MS,
      'the example app to start',
    );
  } catch (err) {
    await killProcess(child);
    throw err;
  }
  const listening = port as number;
  return {
    url: `http://127.0.0.1:${listening}`,
    port: listening,
    process: child,
    output,
    peakRss: () => (child.pid === undefined ? Promise.resolve(undefined) : peakRssBytes(child.pid)),
    stop: () => stopProcess(child),
    kill: () => killProcess(child),
  };
}
