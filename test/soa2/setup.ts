/**
 * What the passport-soa2 tests share: an app around the strategy pointed at the SOA2 fake (or at a
 * misbehaving stand-in), and the browser steps of a login.
 */
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { after, before } from 'node:test';
import { DEFAULT_SOA2_CLIENT, type Soa2Fake, startSoa2Fake } from '@exbo-soa2/fakes';
import {
  type Soa2Profile,
  type Soa2StrategyOptions,
  type Soa2TokenParams,
  type Soa2VerifyFunction,
  Strategy,
  type VerifyCallback,
} from 'passport-soa2';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { type Browser, type Page, parseForm } from '../helpers/browser.js';
import { listen, type RunningServer } from '../helpers/server.js';

export const CLIENT_ID = DEFAULT_SOA2_CLIENT.clientId;
export const SECRET = DEFAULT_SOA2_CLIENT.clientSecret;
export const KENNY = { id: '10114764', name: 'kenny2scratch' };
/** The default user whose Scratch profile is gone: `/user` answers 203. */
export const GONE = { id: '58122330', name: 'Gone_Scratcher' };
/** A code of the right shape that SOA2 never issued. */
export const UNKNOWN_CODE = 'c0de'.repeat(16);
/** Relative on purpose: resolved from the request's own protocol and host. */
export const CALLBACK_PATH = '/callback/soa2';

export type Verify = Soa2VerifyFunction;

/** What the tests' verify saw, for checks that tokens stay out of the profile. */
export interface Seen {
  accessToken?: string;
  refreshToken?: string;
  params?: Soa2TokenParams;
  profile?: Soa2Profile;
}

/** Logs in as the profile plus the params, remembering the tokens in `seen`. */
export function recordingVerify(seen: Seen): Verify {
  return (
    accessToken: string,
    refreshToken: string,
    params: Soa2TokenParams,
    profile: Soa2Profile,
    done: VerifyCallback,
  ) => {
    Object.assign(seen, { accessToken, refreshToken, params, profile });
    done(null, { ...profile, params });
  };
}

export interface Soa2TestApp extends TestApp {
  strategy: Strategy;
}

/**
 * An app whose SOA2 strategy points at `fake`; `options` override anything (URLs of misbehaving
 * servers, timeouts, no callbackURL). The app's callback URL is registered with the fake once the
 * port is known.
 */
export async function soa2App(
  fake: Soa2Fake,
  options: Partial<Soa2StrategyOptions> = {},
  verify: Verify = recordingVerify({}),
): Promise<Soa2TestApp> {
  const strategy = new Strategy(
    {
      clientID: CLIENT_ID,
      clientSecret: SECRET,
      callbackURL: CALLBACK_PATH,
      baseURL: fake.url,
      ...options,
    },
    verify,
  );
  const app = await startTestApp({ strategies: [strategy] });
  fake.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: [`${app.url}${CALLBACK_PATH}`] });
  return Object.assign(app, { strategy });
}

/** One SOA2 fake for a test file, and what the file starts against it. */
export interface Soa2FakeForFile {
  /** The running fake (started before the file's first test). */
  fake: Soa2Fake;
  /** {@link soa2App} against the fake, closed after the file's tests. */
  app(options?: Partial<Soa2StrategyOptions>, verify?: Verify): Promise<Soa2TestApp>;
  /** Closes `close` after the file's tests, latest first, before the fake itself. */
  closeAfterwards(close: () => Promise<void>): void;
}

/** Starts a SOA2 fake before a test file's tests and closes it, and all started with it, after. */
export function soa2FakeForFile(): Soa2FakeForFile {
  const closers: Array<() => Promise<void>> = [];
  const suite: Soa2FakeForFile = {
    fake: undefined as unknown as Soa2Fake,
    async app(options, verify) {
      const started = await soa2App(suite.fake, options, verify);
      closers.push(() => started.close());
      return started;
    },
    closeAfterwards: (close) => closers.push(close),
  };
  before(async () => {
    suite.fake = await startSoa2Fake();
  });
  after(async () => {
    for (const close of closers.reverse()) await close();
    await suite.fake.close();
  });
  return suite;
}

/** Starts a login without following the redirect: the authorize URL the strategy built. */
export async function startLogin(browser: Browser, app: TestApp, query = ''): Promise<URL> {
  const page = await browser.get(`${app.url}/login/soa2${query}`, { follow: false });
  assert.equal(page.status, 302, page.text);
  const location = page.headers.get('location');
  assert.ok(location, 'the login start redirects');
  return new URL(location);
}

/**
 * Presses Confirm on the consent page as `user` (default: the first user) without following the
 * 303, and returns where SOA2 sends the browser.
 */
export async function confirmWithoutFollowing(
  browser: Browser,
  consent: Page,
  user?: string,
): Promise<URL> {
  const form = parseForm(consent);
  const fields = { ...form.fields, action: 'confirm', ...(user && { user }) };
  const answer = await browser.post(new URL(form.action, consent.url).toString(), fields, {
    follow: false,
  });
  assert.equal(answer.status, 303, answer.text);
  return new URL(answer.headers.get('location') ?? '');
}

/** A full login through the consent page; the final page is the app's callback answer. */
export async function login(browser: Browser, app: TestApp, user?: string): Promise<Page> {
  const consent = await browser.get(`${app.url}/login/soa2`);
  assert.equal(consent.status, 200, consent.text);
  return browser.submit(consent, 'confirm', user ? { user } : {});
}

/** The JSON answer of a page (callback success, `/failed`, errors). */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the assertions.
export function json<T = Record<string, any>>(page: Page): T {
  try {
    return JSON.parse(page.text) as T;
  } catch {
    throw new Error(`not JSON (${page.status} ${page.url}): ${page.text.slice(0, 300)}`);
  }
}

/** The error an app answered with (the test app's error handler shape). */
export function appError(page: Page): {
  name: string;
  code: string;
  message: string;
  status: number;
} {
  return json<{ error: { name: string; code: string; message: string; status: number } }>(page)
    .error;
}

/** A stand-in for SOA2 that answers `/tokens` and `/user` however a test scripts it. */
export async function scriptedProvider(handlers: {
  tokens?: (req: IncomingMessage, res: ServerResponse) => void;
  user?: (req: IncomingMessage, res: ServerResponse) => void;
}): Promise<RunningServer & { apiURL: string; hits: string[] }> {
  const hits: string[] = [];
  const server = await listen((req, res) => {
    hits.push(`${req.method} ${req.url}`);
    const handler = req.url?.endsWith('/tokens') ? handlers.tokens : handlers.user;
    if (handler) return handler(req, res);
    res.writeHead(404).end();
  });
  return Object.assign(server, { apiURL: `${server.url}/api`, hits });
}

/** Answers like SOA2's own errors: `{httpCode, httpReason}`. */
export function soa2Error(status: number, reason: string) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ httpCode: status, httpReason: reason }));
  };
}

/** A valid token answer, with tokens of the real shape. */
export function tokenAnswer(nowSeconds = Math.floor(Date.now() / 1000)) {
  return {
    refresh_token: 'b'.repeat(128),
    refresh_expiry: nowSeconds + 365 * 86400,
    scopes: ['identify'],
    access_token: 'a'.repeat(128),
    access_expiry: nowSeconds + 86400,
  };
}
