/**
 * Debian's tinyproxy, started by a test on a free loopback port with its own config, log and pid
 * file in a temp dir: the outbound proxy a company network puts between an app and the providers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections, freePort } from '../../../harness/processes.js';

export interface TinyproxyOptions {
  /** Ports `CONNECT` may reach; any other port is refused with 403. */
  connectPorts: number[];
  /** `BasicAuth user password`: requests without these credentials get 407. */
  basicAuth?: { user: string; password: string };
}

export interface RunningTinyproxy {
  port: number;
  /** `http://127.0.0.1:<port>`, without credentials. */
  url: string;
  /** The proxy's log so far. */
  log(): string;
  /** The `host:port` of every CONNECT in the log, in order. */
  connects(): string[];
  stop(): Promise<void>;
}

/** A port nothing listens on right now (for the proxy, and for "the proxy is down"). */
export async function startTinyproxy(options: TinyproxyOptions): Promise<RunningTinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'tinyproxy-'));
  const port = await freePort();
  const logFile = join(dir, 'tinyproxy.log');
  const config = [
    `Port ${port}`,
    'Listen 127.0.0.1',
    'Timeout 30',
    'Allow 127.0.0.1',
    ...options.connectPorts.map((p) => `ConnectPort ${p}`),
    `LogFile "${logFile}"`,
    `PidFile "${join(dir, 'tinyproxy.pid')}"`,
    'LogLevel Info',
    ...(options.basicAuth
      ? [`BasicAuth ${options.basicAuth.user} ${options.basicAuth.password}`]
      : []),
  ];
  writeFileSync(join(dir, 'tinyproxy.conf'), `${config.join('\n')}\n`);
  // -d: stay in the foreground, so the test owns the process and can end it.
  const child: ChildProcess = spawn(
    '/usr/bin/tinyproxy',
    ['-d', '-c', join(dir, 'tinyproxy.conf')],
    {
      stdio: 'ignore',
    },
  );
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  const deadline = Date.now() + 10_000;
  while (!(await acceptsConnections(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`tinyproxy did not start:\n${log()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    log,
    connects: () =>
      [...log().matchAll(/Request \(file descriptor \d+\): CONNECT (\S+) HTTP/g)].map(
        (m) => m[1] as string,
      ),
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return done();
        child.once('exit', done);
        child.kill('SIGTERM');
      }),
  };
}
