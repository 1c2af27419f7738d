/**
 * The login driver. Two phases, so that only the callback is timed:
 *
 * 1. `mintLogins`: for each login, what a browser does before coming back (GET the app's login
 *    route for a session cookie and a state, open the fake's consent page, approve it), stopping at
 *    the provider's redirect, which carries a real, unused code and the state. Nothing is timed.
 * 2. `runCallbacks`: fires the callbacks with their cookies at fixed concurrency: each slot is one
 *    user who finishes a login, then the next. Every answer must be a 200 naming the slot's user,
 *    so a failing variant cannot look fast.
 *
 * Its HTTP client is node:http over one keep-alive agent (as a crowd of browsers behind a load
 * balancer looks to the app), loopback only, no redirects followed.
 */
import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { approveConsent } from '../harness/consent-form.js';
import { inParallel, monotonicMs } from './stats.js';

type Answer = { status: number; headers: IncomingHttpHeaders; body: string };

export class Driver {
  private readonly agent: Agent;

  constructor(readonly concurrency: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  request(url: string, headers: Record<string, string> = {}, form?: object): Promise<Answer> {
    const target = new URL(url);
    if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
      return Promise.reject(new Error(`the bench only talks to http://127.0.0.1, not ${url}`));
    }
    const body = form && new URLSearchParams(form as Record<string, string>).toString();
    if (body) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    return new Promise((resolve, reject) => {
      const method = body ? 'POST' : 'GET';
      const req = httpRequest(target, { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text });
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${url}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A login waiting for its callback. */
export interface PendingLogin {
  userId: string;
  cookie: string;
  /** `/callback?code=…&state=…` */
  callbackPath: string;
}

function expect(res: Answer, statuses: number[], what: string): string {
  if (!statuses.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.body}`);
  return res.headers.location ?? '';
}

async function mintOne(driver: Driver, appURL: string, callbackURL: string, userId: string) {
  const start = await driver.request(`${appURL}/login`);
  const consentURL = expect(start, [302], 'login route');
  const cookie = start.headers['set-cookie']?.[0]?.split(';', 1)[0];
  if (!cookie?.startsWith('bench.sid=')) throw new Error('login route: no session cookie');
  const page = await driver.request(consentURL);
  expect(page, [200], 'consent page');
  const { action, fields } = approveConsent(page.body, consentURL, userId);
  const back = expect(await driver.request(action, {}, fields), [302, 303], 'consent approval');
  if (!back.startsWith(`${callbackURL}?`))
    throw new Error(`consent approval: redirected to ${back}`);
  const url = new URL(back);
  return { userId, cookie, callbackPath: `${url.pathname}${url.search}` };
}

/** `perSlot` pending logins for each slot's user (`users[slot]`): `result[slot][i]`. */
export async function mintLogins(
  driver: Driver,
  app: { appURL: string; ready: { callbackURL: string } },
  users: readonly string[],
  perSlot: number,
): Promise<PendingLogin[][]> {
  const slots = users.map(() => [] as PendingLogin[]);
  // Minting is not measured; a little parallelism keeps the setup short.
  await inParallel(users.length * perSlot, 8, async (i) => {
    const slot = i % users.length;
    slots[slot]!.push(await mintOne(driver, app.appURL, app.ready.callbackURL, users[slot]!));
  });
  return slots;
}

export interface CallbackRun {
  latenciesMs: number[];
  /** From the first request sent to the last answer. */
  wallMs: number;
  failureCount: number;
  /** The first few failures. */
  failures: string[];
}

/** Completes the pending logins, one concurrent worker per slot, each slot's in order. */
export async function runCallbacks(
  driver: Driver,
  appURL: string,
  slots: readonly PendingLogin[][],
): Promise<CallbackRun> {
  const run: CallbackRun = { latenciesMs: [], wallMs: 0, failureCount: 0, failures: [] };
  const fail = (message: string) => {
    if (run.failureCount++ < 5) run.failures.push(message);
  };
  const started = monotonicMs();
  await Promise.all(
    slots.map(async (logins) => {
      for (const login of logins) {
        const sent = monotonicMs();
        const res = await driver
          .request(`${appURL}${login.callbackPath}`, { Cookie: login.cookie })
          .catch((err: unknown) => fail(String(err)));
        if (!res) continue;
        run.latenciesMs.push(monotonicMs() - sent);
        if (res.status !== 200) fail(`HTTP ${res.status}: ${res.body.slice(0, 300)}`);
        else if (JSON.parse(res.body).user !== login.userId) fail(`wrong user: ${res.body}`);
      }
    }),
  );
  run.wallMs = monotonicMs() - started;
  return run;
}

/** Takes the next `count` pending logins of every slot. */
export const take = (queue: PendingLogin[][], count: number) =>
  queue.map((slot) => slot.splice(0, count));
