/**
 * One complete login as a browser does it, through the example app and a fake provider: start,
 * consent as a chosen account, follow the provider's redirect back, and read who the app says is
 * signed in. Each virtual user has its own cookie jar (test/helpers/browser.ts).
 */

import type { Account } from '../harness/fakes.js';
import { Browser, decodeEntities, type Page } from '../test/helpers/browser.js';

export interface SignedIn {
  provider: string;
  username: string;
  id: string;
}

export interface LoginTiming {
  /** Start of the login to the signed-in page, milliseconds. */
  totalMs: number;
  /** The callback request alone (state check, code exchange, profile, session), milliseconds. */
  callbackMs: number;
  /** Requests sent again after the server closed their kept-alive connection (see step). */
  resent: number;
}

/** What the example app's pages call each provider. */
const PROVIDER_LABELS: Record<string, string> = { EXBO: 'exbo', Scratch: 'soa2' };
/** The consent page's button for each provider's fake. */
const CONSENT_BUTTON = { exbo: 'approve', soa2: 'confirm' } as const;

/** The user the home page shows, or undefined when it shows nobody signed in. */
export function signedInAs(html: string): SignedIn | undefined {
  const cell = (name: string) =>
    new RegExp(`<tr><th>${name}</th><td>([^<]*)</td></tr>`).exec(html)?.[1];
  const [provider, username, id] = ['Provider', 'Username', 'ID'].map(cell);
  if (provider === undefined || username === undefined || id === undefined) return undefined;
  return {
    provider: PROVIDER_LABELS[provider] ?? provider,
    username: decodeEntities(username),
    id,
  };
}

export class LoginError extends Error {
  constructor(
    readonly step: string,
    detail: string,
  ) {
    super(`${step}: ${detail}`);
  }
}

function expectStatus(page: Page, status: number, step: string): void {
  if (page.status !== status) {
    throw new LoginError(step, `HTTP ${page.status} (expected ${status}) at ${page.url}`);
  }
}

/**
 * One request of the login; a network error becomes a LoginError of step `name`. A request whose
 * kept-alive connection the server had just closed (`other side closed`, no answer) is sent once
 * more, as Chromium does for any request on a reused connection that closes before the response
 * headers: the server closed it while idle, so the request never reached it. Under heavy machine
 * load the client's idle timer fires late and reuses connections the fakes' 5 s keep-alive timeout
 * has closed. The callback is never resent: it carries the one-time code.
 */
async function step<T>(name: string, request: () => Promise<T>, onResend?: () => void): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      if (onResend && attempt === 1 && cause?.code === 'UND_ERR_SOCKET') {
        onResend();
        continue;
      }
      const detail = cause ? ` (${[cause.code, cause.message].filter(Boolean).join(': ')})` : '';
      throw new LoginError(name, `${(err as Error).message}${detail}`);
    }
  }
}

/**
 * Logs `browser` in at `appURL` as `account` and checks the app's home page then shows exactly
 * that account. Throws a {@link LoginError} naming the step that went wrong.
 */
export async function completeLogin(
  browser: Browser,
  appURL: string,
  account: Account,
): Promise<LoginTiming> {
  const started = performance.now();
  let resent = 0;
  const resend = () => resent++;
  const consent = await step(
    'consent page',
    () => browser.get(`${appURL}/auth/${account.provider}`),
    resend,
  );
  expectStatus(consent, 200, 'consent page');
  const button = CONSENT_BUTTON[account.provider];
  const back = await step(
    'consent',
    () => browser.submit(consent, button, { user: account.id }, { follow: false }),
    resend,
  );
  const callbackURL = back.headers.get('location');
  if (back.status < 300 || back.status > 303 || !callbackURL) {
    throw new LoginError('consent', `HTTP ${back.status} without a redirect back to the app`);
  }
  const callbackStarted = performance.now();
  const callback = await step('callback', () => browser.get(callbackURL, { follow: false }));
  const callbackMs = performance.now() - callbackStarted;
  if (callback.status !== 303) {
    const title = /<h1>([^<]*)<\/h1>/.exec(callback.text)?.[1] ?? callback.text.slice(0, 120);
    throw new LoginError('callback', `HTTP ${callback.status}: ${title}`);
  }
  const home = await step('home page', () => browser.get(`${appURL}/`), resend);
  expectStatus(home, 200, 'home page');
  assertSignedInAs(home.text, account, 'home page');
  return { totalMs: performance.now() - started, callbackMs, resent };
}

/** Throws unless `html` shows `account` signed in (provider, username and id). */
export function assertSignedInAs(html: string, account: Account, step: string): void {
  const who = (user: SignedIn) => `${user.provider}:${user.id} ${user.username}`;
  const shown = signedInAs(html);
  if (!shown || who(shown) !== who(account)) {
    throw new LoginError(
      step,
      `signed in as ${shown ? who(shown) : 'nobody'}, expected ${who(account)}`,
    );
  }
}

export { Browser };
