/**
 * `npm run start:cluster` (harness/start-cluster.ts) as a person runs it: it starts, serves the
 * example's home page over https through nginx with the CA it prints, and on SIGINT stops
 * everything it started (nginx, both instances, redis-server) and exits. With provider settings in
 * the environment it uses those providers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { type Account, startFakes } from '../../harness/fakes.js';
import { findNginx, NGINX_MISSING } from '../../harness/nginx.js';
import { acceptsConnections, freePort, stopProcess, waitFor } from '../../harness/processes.js';
import { completeLogin } from '../../load/login.js';
import { Browser } from '../helpers/browser.js';

const SCRIPT = fileURLToPath(new URL('../../harness/start-cluster.ts', import.meta.url));

/** Runs the script with `extraEnv` (and no provider settings from the caller's shell). */
async function startScript(extraEnv: Record<string, string>) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(EXBO|SOA2)_|^SESSION_SECRET$/.test(name)),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT], {
    env: { ...env, ...extraEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  const append = (chunk: Buffer) => {
    output.text += chunk.toString();
  };
  child.stdout.on('data', append);
  child.stderr.on('data', append);
  try {
    // A script that gave up (exited) fails the test at once, with what it printed.
    await waitFor(
      () => output.text.includes('Press Ctrl+C') || child.exitCode !== null,
      40_000,
      'the cluster to start',
    );
    if (child.exitCode !== null) throw new Error(`start:cluster exited with ${child.exitCode}`);
  } catch (err) {
    await stopProcess(child);
    throw new Error(`${(err as Error).message}:\n${output.text}`);
  }
  const url = /Open (https:\/\/localhost:\d+)\//.exec(output.text)?.[1];
  const caFile = /\n\s+(\/\S+\/ca\.pem)\n/.exec(output.text)?.[1];
  assert.ok(url && caFile, output.text);
  const dispatcher = new Agent({ connect: { ca: readFileSync(caFile, 'utf8') } });
  return {
    child,
    output,
    url,
    caFile,
    dispatcher,
    /** SIGINT, as Ctrl+C sends it; resolves with the exit code. */
    async interrupt(): Promise<number | null> {
      await dispatcher.close();
      const exited = new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        else child.once('exit', resolve);
      });
      child.kill('SIGINT');
      return exited;
    },
  };
}

const skip = findNginx() === undefined ? NGINX_MISSING : false;

test('start:cluster serves the app over https through nginx and stops everything on SIGINT', {
  skip,
  timeout: 60_000,
}, async () => {
  const run = await startScript({});
  try {
    const { output, url, caFile } = run;
    assert.match(output.text, /Providers: +the local fakes/);
    const ports = [url, ...output.text.matchAll(/(?:http|redis):\/\/127\.0\.0\.1:(\d+)/g)].map(
      (m) => (typeof m === 'string' ? Number(new URL(m).port) : Number(m[1])),
    );
    assert.ok(ports.length >= 4, `nginx, two instances, redis: ${ports.join(', ')}`);

    const home = await fetch(`${url}/`, { dispatcher: run.dispatcher } as RequestInit);
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Login with EXBO/);

    assert.equal(await run.interrupt(), 0, output.text);
    assert.match(output.text, /Stopped\./);
    for (const port of ports)
      assert.equal(await acceptsConnections(port), false, `port ${port} closed`);
    assert.equal(existsSync(caFile), false, 'the run-time CA is removed');
  } finally {
    await stopProcess(run.child);
  }
});

test('start:cluster with provider settings uses those providers, not its fakes', {
  skip,
  timeout: 60_000,
}, async () => {
  // "Real" providers the script does not start: fakes of this test, given as EXBO_* / SOA2_*.
  const providers = await startFakes({ accounts: 3 });
  const port = await freePort();
  const origin = `https://localhost:${port}`;
  providers.register(origin);
  let run: Awaited<ReturnType<typeof startScript>> | undefined;
  try {
    // Inside the try: if the script fails to start, the fakes must still be closed, or their open
    // servers keep this file's process alive and the run hangs.
    run = await startScript(providers.appEnv(origin));
    assert.match(run.output.text, /Providers: +the real providers/);
    assert.equal(run.url, origin, 'nginx listens where the callback URLs point');
    await completeLogin(
      new Browser({ dispatcher: run.dispatcher }),
      run.url,
      providers.accounts.soa2[0] as Account,
    );
    assert.equal(await run.interrupt(), 0, run.output.text);
  } finally {
    if (run) await stopProcess(run.child);
    await providers.close();
  }
});
