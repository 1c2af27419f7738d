/**
 * The login driver. Two phases, so that only the callback is timed:
 *
 * 1. `mintLogins`: for each login, what a browser does before coming back — GET the app's login
 *    route (session cookie + state), open the fake's consent page, approve it — stopping at the
 *    provider's redirect, which carries a real, unused code and the state. Nothing is timed.
 * 2. `runCallbacks`: fires the callback requests with their session cookies at fixed concurrency:
 *    each slot is one user who finishes a login, then the next. Every answer is checked (status
 *    200 and the slot's own user id), so a failing variant cannot look fast.
 */
import { approveConsent } from './consent.js';
import { type ClientResponse, cookiePair, type HttpClient } from './http-client.js';
import { monotonicMs } from './stats.js';

export const SESSION_COOKIE = 'bench.sid';

/** A login waiting for its callback. */
export interface PendingLogin {
  userId: number;
  /** `bench.sid=…` */
  cookie: string;
  /** Path and query of the provider's redirect to the app: `/callback?code=…&state=…`. */
  callbackPath: string;
}

export interface CallbackRun {
  /** Latency of each callback request, milliseconds, in completion order. */
  latenciesMs: number[];
  /** Wall time from the first request sent to the last answer, milliseconds. */
  wallMs: number;
  /** Callbacks that did not end in a login of the expected user (at most a few kept). */
  failures: string[];
  failureCount: number;
}

const MAX_KEPT_FAILURES = 5;

function expectStatus(res: ClientResponse, statuses: number[], what: string): void {
  if (!statuses.includes(res.status)) {
    throw new Error(`${what}: HTTP ${res.status} ${res.body.slice(0, 300)}`);
  }
}

function location(res: ClientResponse, what: string): string {
  const value = res.headers.location;
  if (!value) throw new Error(`${what}: no Location header`);
  return value;
}

/** One login up to the provider's redirect back to the app. */
async function mintOne(
  client: HttpClient,
  appURL: string,
  callbackURL: string,
  userId: number,
): Promise<PendingLogin> {
  const start = await client.request(`${appURL}/login`);
  expectStatus(start, [302], 'login route');
  const cookie = cookiePair(start.headers, SESSION_COOKIE);
  if (!cookie) throw new Error('login route: no session cookie (was the state stored?)');
  const consentURL = location(start, 'login route');
  const page = await client.request(consentURL);
  expectStatus(page, [200], 'consent page');
  const submission = approveConsent(page.body, consentURL, userId);
  const approved = await client.request(submission.action, {
    method: 'POST',
    form: submission.fields,
  });
  // EXBO answers 302, SOA2 303.
  expectStatus(approved, [302, 303], 'consent approval');
  const back = location(approved, 'consent approval');
  if (!back.startsWith(`${callbackURL}?`)) {
    throw new Error(`consent approval: redirected to ${back}, not to the app's callback`);
  }
  const url = new URL(back);
  return { userId, cookie, callbackPath: `${url.pathname}${url.search}` };
}

/** Runs `tasks` with at most `parallel` in flight; rejects on the first failure. */
async function pool<T>(count: number, parallel: number, task: (index: number) => Promise<T>) {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, count) }, worker));
  return results;
}

/** `perSlot` pending logins for each slot's user: `result[slot][i]`. */
export async function mintLogins(
  client: HttpClient,
  appURL: string,
  callbackURL: string,
  users: readonly number[],
  perSlot: number,
  parallel: number,
): Promise<PendingLogin[][]> {
  const flat = await pool(users.length * perSlot, parallel, (index) =>
    mintOne(client, appURL, callbackURL, users[index % users.length]!),
  );
  return users.map((_, slot) => flat.filter((_login, index) => index % users.length === slot));
}

/** Completes every pending login, one slot per concurrent worker, each slot in order. */
export async function runCallbacks(
  client: HttpClient,
  appURL: string,
  slots: readonly PendingLogin[][],
): Promise<CallbackRun> {
  const latenciesMs: number[] = [];
  const failures: string[] = [];
  let failureCount = 0;
  const fail = (message: string) => {
    failureCount++;
    if (failures.length < MAX_KEPT_FAILURES) failures.push(message);
  };
  const started = monotonicMs();
  await Promise.all(
    slots.map(async (logins) => {
      for (const login of logins) {
        const sent = monotonicMs();
        let res: ClientResponse;
        try {
          res = await client.request(`${appURL}${login.callbackPath}`, {
            headers: { Cookie: login.cookie },
          });
        } catch (err) {
          fail(String(err));
          continue;
        }
        latenciesMs.push(monotonicMs() - sent);
        if (res.status !== 200) {
          fail(`HTTP ${res.status}: ${res.body.slice(0, 300)}`);
          continue;
        }
        const user = (JSON.parse(res.body) as { user?: unknown }).user;
        if (user !== String(login.userId)) fail(`logged in ${String(user)}, not ${login.userId}`);
      }
    }),
  );
  return { latenciesMs, wallMs: monotonicMs() - started, failures, failureCount };
}
