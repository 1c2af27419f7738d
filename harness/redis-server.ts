/**
 * A throwaway redis-server for tests and load runs: its own free port on 127.0.0.1, nothing written
 * to disk, stopped (or killed, to simulate an outage) by the caller.
 *
 * redis-server must be installed (Debian: `apt-get install redis-server`; .ci/run does it).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { freePort, stopProcess, waitFor } from './processes.js';

export interface RunningRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  process: ChildProcess;
  /** Shuts it down (SIGTERM) and waits for the process to exit. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 10_000;

/**
 * Starts redis-server on `port` (to bring one back where it was), or else on a free port.
 */
export async function startRedisServer(options: { port?: number } = {}): Promise<RunningRedis> {
  // A free port can be taken between choosing and binding it: try again with another one.
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    const spawnFailed = new Promise<Error>((resolve) => child.once('error', resolve));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const ready = waitFor(() => ping(port), READY_TIMEOUT_MS, 'redis-server to answer PING');
    const outcome = await Promise.race([
      ready.then(() => 'ready' as const),
      spawnFailed,
      exited.then((code) => new Error(`redis-server exited with code ${code}: ${output.join('')}`)),
    ]).catch((err: Error) => err);
    if (outcome === 'ready') {
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        process: child,
        stop: () => stopProcess(child),
      };
    }
    await stopProcess(child);
    if ((outcome as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        'redis-server is not installed (Debian: apt-get install redis-server; .ci/run installs it)',
      );
    }
    if (attempt >= 3 || options.port !== undefined) throw outcome;
  }
}

/** True when a Redis server answers PING on the port. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}
