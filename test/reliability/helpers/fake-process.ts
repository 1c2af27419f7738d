/**
 * A provider fake in its own process (the package's CLI, `exbo-soa2-fakes <provider>`), so a test
 * can kill it the way a provider goes down: SIGKILL, no goodbye.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killProcess, stopProcess, waitFor } from '../../../harness/processes.js';
import type { ProviderName } from './strategies.js';

const CLI = fileURLToPath(new URL('../../../packages/fakes/dist/esm/cli.js', import.meta.url));

export interface FakeProcess {
  /** Where the fake listens, e.g. `http://127.0.0.1:41234`. */
  url: string;
  process: ChildProcess;
  /** SIGKILL: the provider dies mid-whatever. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts the `provider` fake on a free port with the default client and `redirectUris`. */
export async function startFakeProcess(
  provider: ProviderName,
  redirectUris: string[],
): Promise<FakeProcess> {
  const args = [
    CLI,
    provider,
    '--port',
    '0',
    ...redirectUris.flatMap((uri) => ['--redirect-uri', uri]),
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  let url: string | undefined;
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`the ${provider} fake exited:\n${output}`);
        url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
        return url !== undefined;
      },
      10_000,
      `the ${provider} fake to start`,
    );
  } catch (err) {
    await killProcess(child);
    throw err;
  }
  return {
    url: url as string,
    process: child,
    kill: () => killProcess(child),
    stop: () => stopProcess(child),
  };
}

/**
 * A provider whose every request hangs, in its own process, which prints `REQUEST <path>` when one
 * arrives: the test kills it right then, while our request is in flight.
 */
export async function startHangingProcess(): Promise<FakeProcess & { requests: string[] }> {
  const script = `
    const http = require('node:http');
    http.createServer((req) => { req.resume(); console.log('REQUEST ' + req.url); })
      .listen(0, '127.0.0.1', function () { console.log('PORT ' + this.address().port); });`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  const requests: string[] = [];
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const match of chunk.toString().matchAll(/^REQUEST (.*)$/gm))
      requests.push(match[1] ?? '');
  });
  let port: string | undefined;
  await waitFor(
    () => {
      port = /^PORT (\d+)$/m.exec(output)?.[1];
      return port !== undefined;
    },
    10_000,
    'the hanging provider to start',
  );
  return {
    url: `http://127.0.0.1:${port}`,
    process: child,
    requests,
    kill: () => killProcess(child),
    stop: () => stopProcess(child),
  };
}
