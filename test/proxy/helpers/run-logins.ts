/** Runs logins-process.ts with a plan and an environment; resolves with its report and stderr. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Plan, Report } from './logins-process.js';

const SCRIPT = fileURLToPath(new URL('./logins-process.ts', import.meta.url));

/** The proxy and debug variables a parent test may have: never passed on unless given. */
const CLEARED = [
  'https_proxy',
  'HTTPS_PROXY',
  'http_proxy',
  'HTTP_PROXY',
  'no_proxy',
  'NO_PROXY',
  'NODE_DEBUG',
];

export async function runLogins(
  plan: Plan,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ report: Report; stderr: string }> {
  const base = { ...process.env };
  for (const name of CLEARED) delete base[name];
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(plan)], {
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (exitCode) => {
      clearTimeout(timer);
      resolve(exitCode);
    });
  });
  if (code !== 0) throw new Error(`the logins process exited with ${code}:\n${stderr}\n${stdout}`);
  return { report: JSON.parse(stdout) as Report, stderr };
}
