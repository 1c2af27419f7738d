/** Runs logins-process.ts with a plan and an environment; resolves with its report and stderr. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Plan, Report } from './logins-process.js';

const SCRIPT = fileURLToPath(new URL('./logins-process.ts', import.meta.url));

/**
 * This process's environment without the proxy and debug variables (the test's own shell may
 * have them), plus `env`: a child sees exactly the proxy settings the test gives it.
 */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY']) delete base[name];
  for (const name of ['no_proxy', 'NO_PROXY', 'NODE_DEBUG']) delete base[name];
  return { ...base, ...env };
}

export async function runLogins(
  plan: Plan,
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ report: Report; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, JSON.stringify(plan)], {
    env: childEnv(env),
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
