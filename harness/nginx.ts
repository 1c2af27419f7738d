/**
 * nginx in front of app instances, from the deployment's own configuration
 * (examples/express-login/deploy/nginx.conf): TLS with run-time certificates, round-robin over the
 * given instance ports, run as a child process with its own prefix folder (pid, temp paths, logs),
 * so no root, no /etc/nginx and no system service are involved.
 *
 *   const certs = makeTestCertificates(dir);             // harness/tls.ts
 *   const port = await freePort();                        // instances need the public address first
 *   const nginx = await startNginx({ port, certificates: certs, instances: [3001, 3002] });
 *   nginx.url            // https://localhost:<port>
 *   nginx.accessLog()    // who served what: [{ method, path, status, upstreams: [port, …] }]
 *   await nginx.served('/auth/exbo/callback', from)  // its entries, once nginx has written one
 *   await nginx.stop();
 *
 * `findNginx()` says whether nginx is installed (tests skip with that message when it is not).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acceptsConnections, stopProcess, waitFor } from './processes.js';
import type { TestCertificates } from './tls.js';

export const NGINX_CONF = fileURLToPath(
  new URL('../examples/express-login/deploy/nginx.conf', import.meta.url),
);

/** Debian puts nginx in /usr/sbin, which is not on every user's PATH. */
const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx', '/usr/local/sbin/nginx'];

/** The nginx binary, or undefined when it is not installed. */
export function findNginx(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(':').map((dir) => join(dir, 'nginx'));
  return [...CANDIDATES, ...onPath].find((file) => existsSync(file));
}

export const NGINX_MISSING =
  'nginx is not installed (Debian: apt-get install nginx; .ci/run installs it)';

export interface NginxOptions {
  /** The https port on 127.0.0.1 (choose it first: the instances' callback URLs name it). */
  port: number;
  certificates: Pick<TestCertificates, 'certFile' | 'keyFile'>;
  /** Ports of the app instances on 127.0.0.1, in upstream order. */
  instances: number[];
  /** How long nginx waits for an instance's answer (nginx time, e.g. `30s`). Default `30s`. */
  readTimeout?: string;
}

export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  /** The instance port(s) nginx tried, in order (empty when none was). */
  upstreams: number[];
}

export interface RunningNginx {
  /** `https://localhost:<port>`: the public address (browsers keep its cookies apart from 127.0.0.1's). */
  url: string;
  port: number;
  /** The prefix folder: nginx.conf, logs/, tmp/. Removed by stop(). */
  dir: string;
  process: ChildProcess;
  /** Every request nginx has logged so far. */
  accessLog(): LoggedRequest[];
  /**
   * The log entries for `path` from entry `from` on, once there is at least one. nginx writes a
   * line after the answer is sent, so a client can be faster than the line: read right after a
   * response, `accessLog()` may not have it yet.
   */
  served(path: string, from: number): Promise<LoggedRequest[]>;
  /** nginx's error log so far. */
  errorLog(): string;
  /** Fast shutdown (SIGTERM), then the prefix folder is removed. */
  stop(): Promise<void>;
}

/** The template with its {{NAME}} placeholders filled in; throws on a placeholder left over. */
export function renderNginxConf(options: NginxOptions): string {
  const values: Record<string, string> = {
    LISTEN: `127.0.0.1:${options.port}`,
    SERVER_NAME: 'localhost',
    CERTIFICATE: options.certificates.certFile,
    CERTIFICATE_KEY: options.certificates.keyFile,
    READ_TIMEOUT: options.readTimeout ?? '30s',
    INSTANCES: options.instances
      .map((port) => `    server 127.0.0.1:${port} max_fails=1 fail_timeout=10s;`)
      .join('\n'),
  };
  return readFileSync(NGINX_CONF, 'utf8').replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`${NGINX_CONF}: unknown placeholder ${whole}`);
    return value;
  });
}

const START_TIMEOUT_MS = 10_000;

export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const binary = findNginx();
  if (binary === undefined) throw new Error(NGINX_MISSING);
  const dir = mkdtempSync(join(tmpdir(), 'nginx-'));
  // Run as root (CI), nginx's workers become `nobody`: they must be able to enter the prefix.
  chmodSync(dir, 0o755);
  for (const sub of ['logs', 'tmp']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'nginx.conf'), renderNginxConf(options));
  const errorLogFile = join(dir, 'logs', 'error.log');
  const child = spawn(
    binary,
    // -e: the error log before the configuration is read (else /var/log/nginx/error.log).
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLogFile, '-g', 'daemon off;'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(
            `nginx exited with code ${child.exitCode}: ${output.join('')}${read(errorLogFile)}`,
          );
        }
        return acceptsConnections(options.port);
      },
      START_TIMEOUT_MS,
      'nginx to listen',
    );
  } catch (err) {
    await stopProcess(child);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  const accessLog = () => parseAccessLog(read(join(dir, 'logs', 'access.log')));
  return {
    url: `https://localhost:${options.port}`,
    port: options.port,
    dir,
    process: child,
    accessLog,
    async served(path, from) {
      const entries = () =>
        accessLog()
          .slice(from)
          .filter((entry) => entry.path === path);
      await waitFor(() => entries().length > 0, 5000, `nginx's log line for ${path}`);
      return entries();
    },
    errorLog: () => read(errorLogFile),
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lines of the template's `upstream` log format. */
export function parseAccessLog(text: string): LoggedRequest[] {
  const line = /"(\S+) (\S+)" (\d+) upstream="([^"]*)"/;
  return text
    .split('\n')
    .map((entry) => line.exec(entry))
    .filter((match) => match !== null)
    .map(([, method, path, status, upstreams]) => ({
      method: method as string,
      path: path as string,
      status: Number(status),
      upstreams: [...(upstreams as string).matchAll(/:(\d+)/g)].map((port) => Number(port[1])),
    }));
}
