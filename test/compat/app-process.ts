/**
 * A fixture app run as its own Node process, the way a user starts it (`node app.cjs`): nothing of
 * the test runner's loader is involved. The app prints `listening <url>` once it accepts requests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface AppProcess {
  url: string;
  /** Everything the app wrote to stderr so far (warnings, crashes). */
  stderr(): string;
  /** `null` while the app runs. */
  exitCode(): number | null;
  /** Stops the app (SIGTERM) and waits for it to exit. */
  close(): Promise<void>;
}

const READY = /^listening (http:\/\/\S+)$/m;
const START_TIMEOUT_MS = 15_000;

export async function startAppProcess(
  file: string,
  env: Record<string, string>,
): Promise<AppProcess> {
  const child: ChildProcess = spawn(process.execPath, [file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${file} did not start within ${START_TIMEOUT_MS} ms:\n${stderr}`));
    }, START_TIMEOUT_MS);
    const check = () => {
      const match = READY.exec(stdout);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve(match[1]);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    stderr: () => stderr,
    exitCode: () => child.exitCode,
    close: stop,
  };
}
