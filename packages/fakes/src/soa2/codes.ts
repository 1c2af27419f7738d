/**
 * Authorization codes: 64 lowercase hex characters, single use. SOA2 creates the code when the
 * consent page is first shown, valid 3600 s from then, and Confirm only hands it out
 * (docs/protocols/soa2.md, "Codes are created when the consent page is shown"): a consent page
 * left open for more than an hour fails once at Confirm. A failed exchange (401, 417) does not use
 * a code up; only a successful one does.
 *
 * The real server keeps the pending code in the MediaWiki session; the fake has no browser session
 * on its pages, so it names the pending code by a random page id carried in the consent form.
 */
import { randomBytes } from 'node:crypto';
import { CODE_LIFETIME_SECONDS } from './defaults.js';

/** What the consent page was shown for; Confirm must post exactly this back. */
export interface ConsentRequest {
  clientId: number;
  /** `undefined`: the code page instead of a redirect. */
  redirectUri: string | undefined;
  scopes: string[];
  state: string;
}

export interface AuthorizationCode extends ConsentRequest {
  code: string;
  /** Set at Confirm; a code without a user cannot be redeemed. */
  userId: number | undefined;
  /** Unix seconds: the time the consent page was first shown + 3600. */
  expiry: number;
}

function sameRequest(a: ConsentRequest, b: ConsentRequest): boolean {
  return (
    a.clientId === b.clientId &&
    a.redirectUri === b.redirectUri &&
    a.state === b.state &&
    a.scopes.join(' ') === b.scopes.join(' ')
  );
}

export class AuthorizationCodes {
  /** By code. */
  readonly #codes = new Map<string, AuthorizationCode>();
  /** Page id → code, for codes whose consent page has not been confirmed or cancelled yet. */
  readonly #pages = new Map<string, string>();

  /**
   * The consent page is shown: a new code for `request`, valid an hour from now (SOA2's
   * `SOA2Auth::start`: `bin2hex(random_bytes(32))`). Returns the page id for the form.
   */
  start(request: ConsentRequest, nowSeconds: number): string {
    this.#expire(nowSeconds);
    const code = randomBytes(32).toString('hex');
    this.#codes.set(code, {
      ...request,
      scopes: [...request.scopes],
      code,
      userId: undefined,
      expiry: nowSeconds + CODE_LIFETIME_SECONDS,
    });
    const pageId = randomBytes(16).toString('hex');
    this.#pages.set(pageId, code);
    return pageId;
  }

  /**
   * Confirm on the page `pageId`: the code, now bound to `userId`, when the page's code is still
   * valid and the form posts back the request it was shown for; otherwise `undefined` and the
   * page's code is dropped (SOA2 then says "Authorization failed" and starts over).
   */
  confirm(
    pageId: string | undefined,
    request: ConsentRequest,
    userId: number,
    nowSeconds: number,
  ): AuthorizationCode | undefined {
    this.#expire(nowSeconds);
    const code = pageId === undefined ? undefined : this.#pages.get(pageId);
    if (pageId !== undefined) this.#pages.delete(pageId);
    const pending = code === undefined ? undefined : this.#codes.get(code);
    if (!pending || !sameRequest(pending, request)) {
      if (code !== undefined) this.#codes.delete(code);
      return undefined;
    }
    pending.userId = userId;
    return pending;
  }

  /** Cancel on the page `pageId`: its code is deleted. */
  cancel(pageId: string | undefined): void {
    const code = pageId === undefined ? undefined : this.#pages.get(pageId);
    if (pageId !== undefined) this.#pages.delete(pageId);
    if (code !== undefined) this.#codes.delete(code);
  }

  /** The code when it can be redeemed: confirmed, unused and not expired. */
  find(code: string, nowSeconds: number): (AuthorizationCode & { userId: number }) | undefined {
    this.#expire(nowSeconds);
    const found = this.#codes.get(code);
    if (!found || found.userId === undefined) return undefined;
    return found as AuthorizationCode & { userId: number };
  }

  /** Deletes every code issued to an application (it was deleted). */
  revokeClient(clientId: number): void {
    for (const [code, issued] of this.#codes) {
      if (issued.clientId === clientId) this.#codes.delete(code);
    }
  }

  /** Uses a code up (after a successful exchange). */
  use(code: string): void {
    this.#codes.delete(code);
  }

  /** SOA2 deletes expired codes before every lookup (`SOA2DB::expireAuth`). */
  #expire(nowSeconds: number): void {
    for (const [code, issued] of this.#codes) {
      if (issued.expiry < nowSeconds) this.#codes.delete(code);
    }
    for (const [pageId, code] of this.#pages) {
      if (!this.#codes.has(code)) this.#pages.delete(pageId);
    }
  }
}
