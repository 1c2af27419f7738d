/**
 * What the compatibility tests share: both fakes with the callbacks of the apps under test
 * registered, and a login through each provider's consent page, driven like a browser.
 */
import assert from 'node:assert/strict';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  DEFAULT_SOA2_CLIENT,
  DEFAULT_SOA2_USERS,
  type ExboFake,
  type Soa2Fake,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import type { Browser, Page } from '../helpers/browser.js';

export const EXBO_CLIENT = DEFAULT_EXBO_CLIENT;
export const SOA2_CLIENT = DEFAULT_SOA2_CLIENT;

export interface Fakes {
  exbo: ExboFake;
  soa2: Soa2Fake;
  /**
   * Registers redirect URIs with the fakes (the apps' ports are known only once they listen).
   * Adds to those registered before: every app of a test file shares the same two fakes.
   */
  allowCallbacks(callbacks: { exbo?: string[]; soa2?: string[] }): void;
  close(): Promise<void>;
}

export async function startFakes(): Promise<Fakes> {
  const exbo = await startExboFake();
  const soa2 = await startSoa2Fake();
  const exboURIs = new Set<string>();
  const soa2URIs = new Set<string>();
  return {
    exbo,
    soa2,
    allowCallbacks(callbacks) {
      for (const uri of callbacks.exbo ?? []) exboURIs.add(uri);
      for (const uri of callbacks.soa2 ?? []) soa2URIs.add(uri);
      exbo.addClient({ ...EXBO_CLIENT, redirectUris: [...exboURIs] });
      soa2.addClient({ ...SOA2_CLIENT, redirectUris: [...soa2URIs] });
    },
    async close() {
      await exbo.close();
      await soa2.close();
    },
  };
}

/** The consent pages pick the account by id; the tests name it by login. */
function exboUserId(login: string): string {
  const user = DEFAULT_EXBO_USERS.find((u) => u.login === login);
  assert.ok(user, `no EXBO fake user "${login}"`);
  return String(user.id);
}

function soa2UserId(name: string): string {
  const user = DEFAULT_SOA2_USERS.find((u) => u.userName === name);
  assert.ok(user, `no SOA2 fake user "${name}"`);
  return String(user.userId);
}

/**
 * Opens `startURL` (the app's login route), which must land on EXBO's consent page, and presses
 * Allow (as the account whose login is `user`, default the first) or Deny. Redirects are followed:
 * the result is the app's answer to the callback.
 */
export async function loginWithExbo(
  browser: Browser,
  startURL: string,
  options: { user?: string; decision?: 'approve' | 'deny' } = {},
): Promise<Page> {
  const consent = await browser.get(startURL);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  assert.match(consent.url, /\/oauth\/authorize\?/, 'the login starts at EXBO');
  return browser.submit(consent, options.decision ?? 'approve', {
    ...(options.user && { user: exboUserId(options.user) }),
  });
}

/**
 * The same through SOA2's consent page, as the Scratch user named `user`: Confirm (SOA2 never sends
 * a cancelled login back).
 */
export async function loginWithSoa2(
  browser: Browser,
  startURL: string,
  user?: string,
): Promise<Page> {
  const consent = await browser.get(startURL);
  assert.equal(consent.status, 200, consent.text.slice(0, 300));
  assert.match(consent.url, /Special:ScratchOAuth2\/authorize/, 'the login starts at SOA2');
  return browser.submit(consent, 'confirm', user ? { user: soa2UserId(user) } : {});
}

/** A page's JSON body, with the page in the message when it is not JSON. */
// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field by the assertions.
export function json<T = Record<string, any>>(page: Page): T {
  try {
    return JSON.parse(page.text) as T;
  } catch {
    throw new Error(`not JSON (${page.status} ${page.url}): ${page.text.slice(0, 300)}`);
  }
}
