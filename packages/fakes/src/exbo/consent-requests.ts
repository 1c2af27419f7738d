/**
 * Authorization requests waiting on the consent page. Each page carries a nonce; its POST must
 * present the nonce and the same client_id, redirect_uri and state (Passport keeps the request in
 * the session for the same reason: the decision cannot be replayed or retargeted).
 */
import { randomBytes } from 'node:crypto';

export interface PendingConsent {
  clientId: string;
  redirectUri: string;
  /** `undefined` when the request had no state (then none is sent back). */
  state: string | undefined;
}

export class ConsentRequests {
  readonly #pending = new Map<string, PendingConsent>();

  /** Remembers a request shown on a consent page; returns the page's nonce. */
  create(request: PendingConsent): string {
    const nonce = randomBytes(24).toString('base64url');
    this.#pending.set(nonce, { ...request });
    return nonce;
  }

  /** The request behind a nonce, once: a second submit of the same page finds nothing. */
  take(nonce: string): PendingConsent | undefined {
    const request = this.#pending.get(nonce);
    this.#pending.delete(nonce);
    return request;
  }
}
