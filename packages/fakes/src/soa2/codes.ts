/**
 * Authorization codes: 64 lowercase hex characters, valid an hour, single use. A failed exchange
 * (401, 417) does not use a code up; only a successful one does.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CODE_LIFETIME_SECONDS } from './defaults.js';

export interface AuthorizationCode {
  code: string;
  clientId: number;
  userId: number;
  /** The scopes the user approved, in order (the exchange must send exactly these). */
  scopes: string[];
  /** Unix seconds. */
  expiry: number;
}

export class AuthorizationCodes {
  readonly #codes = new Map<string, AuthorizationCode>();

  /** A new code for an approved request (SOA2 hashes random bytes with SHA-256). */
  issue(clientId: number, userId: number, scopes: string[], nowSeconds: number): string {
    const code = createHash('sha256').update(randomBytes(64)).digest('hex');
    this.#codes.set(code, {
      code,
      clientId,
      userId,
      scopes: [...scopes],
      expiry: nowSeconds + CODE_LIFETIME_SECONDS,
    });
    return code;
  }

  /** The code when it can still be redeemed: known, unused and not expired. */
  find(code: string, nowSeconds: number): AuthorizationCode | undefined {
    const found = this.#codes.get(code);
    if (!found) return undefined;
    if (found.expiry < nowSeconds) {
      this.#codes.delete(code);
      return undefined;
    }
    return found;
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
}
