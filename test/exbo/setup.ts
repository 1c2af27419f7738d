/**
 * Shared setup for the passport-exbo client, app-token, game-API and JWT tests: the EXBO fake with a
 * client whose redirect URI is never visited (tests read the redirect instead), logins completed on
 * the fake's real consent page, and a real redis-server on a free loopback port.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import {
  DEFAULT_EXBO_CLIENT,
  type ExboFake,
  type ExboFakeOptions,
  startExboFake,
} from '@exbo-soa2/fakes';
import { ExboClient, type ExboClientOptions, type ExboTokenResponse } from 'passport-exbo';
import { Browser } from '../helpers/browser.js';

/** Registered with the fake; nothing listens there: the tests stop at the redirect. */
export const CALLBACK_URL = 'http://127.0.0.1:9/auth/exbo/callback';
export const CLIENT_ID = DEFAULT_EXBO_CLIENT.clientId;
export const CLIENT_SECRET = DEFAULT_EXBO_CLIENT.clientSecret;

export async function startFake(options: ExboFakeOptions = {}): Promise<ExboFake> {
  const fake = await startExboFake(options);
  fake.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [CALLBACK_URL] });
  return fake;
}

export function newClient(fake: ExboFake, options: Partial<ExboClientOptions> = {}): ExboClient {
  return new ExboClient({
    clientID: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    callbackURL: CALLBACK_URL,
    baseURL: fake.url,
    ...options,
  });
}

/** Opens the consent page at `authorizeURL`, approves as `user`, returns the redirect back. */
export async function approve(authorizeURL: string, user?: string): Promise<URL> {
  const browser = new Browser();
  const consent = await browser.get(authorizeURL);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  const back = await browser.submit(consent, 'approve', user ? { user } : {}, { follow: false });
  assert.equal(back.status, 302, back.text);
  return new URL(back.headers.get('location') ?? '');
}

/** A full login through `client`: authorize URL, consent, code exchange. */
export async function login(client: ExboClient, user?: string): Promise<ExboTokenResponse> {
  const { url, state } = client.createAuthorizationURL();
  const back = await approve(url, user);
  assert.equal(back.searchParams.get('state'), state);
  return client.exchangeCode(back.searchParams.get('code') ?? '');
}

/** Token requests the fake received, optionally of one grant. */
export function tokenRequests(fake: ExboFake, grant?: string): ExboFake['requests'] {
  return fake.requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path === '/oauth/token' &&
      (grant === undefined || new URLSearchParams(r.body).get('grant_type') === grant),
  );
}

/** Game-API requests the fake received for `path` (under its `/game-api` prefix). */
export function gameRequests(fake: ExboFake, path: string): ExboFake['requests'] {
  const prefix = new URL(fake.gameApiURL).pathname;
  return fake.requests.filter((r) => r.path === `${prefix}${path}`);
}

export interface RunningRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** A throwaway redis-server (no persistence) on a free loopback port; `stop` ends it. */
export async function startRedis(): Promise<RunningRedis> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`redis-server did not start:\n${output}`)),
      10_000,
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code}:\n${output}`));
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
