/**
 * Running the kit against this project's own fakes, as a maintainer runs it against the real
 * providers: a fake stands in for the real host (settings taken from it, --base-url pointing at
 * it), optionally behind a proxy that plants a difference. Used by the CI check
 * (against-fakes.ts) and the tests (test/conformance/).
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { exboFakeLogin, soa2FakeCode } from './fake-login.js';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  type ExboFake,
  type Soa2Fake,
} from './packages.js';

const RUN = fileURLToPath(new URL('./run.ts', import.meta.url));

export interface KitRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the kit in a child process with exactly these settings (none inherited from the caller). */
export function runKit(args: string[], settings: Record<string, string>): Promise<KitRun> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(EXBO|SOA2)_/.test(name)),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', RUN, ...args], {
      env: { ...env, ...settings },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The kit's flags for a run against `base` (a fake, or a proxy in front of one), records in `out`. */
export function kitArgs(provider: 'exbo' | 'soa2', base: string, out: string): string[] {
  const game = provider === 'exbo' ? ['--game-url', `${base}/game-api`] : [];
  return ['--provider', provider, '--base-url', base, ...game, '--out', out];
}

/** EXBO settings for a fake standing in for the real host, with a logged-in user's tokens. */
export async function exboSettingsFor(fake: ExboFake): Promise<Record<string, string>> {
  const client = {
    clientId: DEFAULT_EXBO_CLIENT.clientId,
    clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
    callbackUrl: DEFAULT_EXBO_CLIENT.redirectUris[0]!,
  };
  const tokens = await exboFakeLogin(fake.url, client);
  return {
    EXBO_CLIENT_ID: client.clientId,
    EXBO_CLIENT_SECRET: client.clientSecret,
    EXBO_CALLBACK_URL: client.callbackUrl,
    EXBO_USER_TOKEN: tokens.accessToken,
    EXBO_REFRESH_TOKEN: tokens.refreshToken,
  };
}

/** SOA2 settings for a fake standing in for the real host, with a fresh code. */
export async function soa2SettingsFor(fake: Soa2Fake): Promise<Record<string, string>> {
  const code = await soa2FakeCode(fake.url, {
    clientId: DEFAULT_SOA2_CLIENT.clientId,
    callbackUrl: DEFAULT_SOA2_CLIENT.redirectUris[0]!,
  });
  return {
    SOA2_CLIENT_ID: String(DEFAULT_SOA2_CLIENT.clientId),
    SOA2_CLIENT_SECRET: DEFAULT_SOA2_CLIENT.clientSecret,
    SOA2_CODE: code,
  };
}

/** One answer passing through {@link startAlteringProxy}. */
export interface ProxiedAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What the proxy saw of the request. */
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/**
 * An HTTP server on 127.0.0.1 that forwards everything to `target` and lets `alter` change the
 * answer on its way back: a real server that differs from the fake in one planted way.
 */
export async function startAlteringProxy(
  target: string,
  alter: (request: ProxiedRequest, answer: ProxiedAnswer) => ProxiedAnswer,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const headers = new Headers();
        for (const [name, value] of Object.entries(req.headers)) {
          if (name !== 'host' && name !== 'connection' && typeof value === 'string') {
            headers.set(name, value);
          }
        }
        const body = Buffer.concat(chunks);
        const answer = await fetch(`${target}${req.url}`, {
          method: req.method,
          headers,
          ...(body.length > 0 && { body }),
          redirect: 'manual',
        });
        const original: ProxiedAnswer = {
          status: answer.status,
          headers: Object.fromEntries(
            [...answer.headers].filter(
              ([name]) =>
                ![
                  'content-length',
                  'content-encoding',
                  'transfer-encoding',
                  'connection',
                  'keep-alive',
                ].includes(name),
            ),
          ),
          body: await answer.text(),
        };
        const changed = alter(
          { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers },
          original,
        );
        res.writeHead(changed.status, changed.headers);
        res.end(changed.body);
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
