/** The applications registered with the fake, and how a request proves it is one of them. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { ExboClientConfig } from './defaults.js';

export class ClientRegistry {
  readonly #clients = new Map<string, ExboClientConfig>();

  constructor(clients: readonly ExboClientConfig[]) {
    for (const client of clients) this.add(client);
  }

  /** Registers a client, replacing any client with the same id (a copy is kept). */
  add(client: ExboClientConfig): void {
    const { clientId, clientSecret, redirectUris, name } = client ?? ({} as ExboClientConfig);
    if (typeof clientId !== 'string' || clientId === '') {
      throw new TypeError('EXBO fake client: clientId must be a non-empty string');
    }
    if (typeof clientSecret !== 'string' || clientSecret === '') {
      throw new TypeError(`EXBO fake client ${clientId}: clientSecret must be a non-empty string`);
    }
    if (!Array.isArray(redirectUris) || !redirectUris.every(isAbsoluteUrl)) {
      throw new TypeError(
        `EXBO fake client ${clientId}: redirectUris must be an array of absolute URLs`,
      );
    }
    if (name !== undefined && typeof name !== 'string') {
      throw new TypeError(`EXBO fake client ${clientId}: name must be a string`);
    }
    this.#clients.set(clientId, {
      clientId,
      clientSecret,
      redirectUris: [...redirectUris],
      name: name ?? `EXBO app ${clientId}`,
    });
  }

  find(clientId: string): ExboClientConfig | undefined {
    return this.#clients.get(clientId);
  }

  /** Secret check in constant time (hashing first makes the lengths equal). */
  secretMatches(client: ExboClientConfig, secret: string): boolean {
    return timingSafeEqual(sha256(client.clientSecret), sha256(secret));
  }

  /** EXBO compares redirect URIs byte for byte: no trailing-slash, case or prefix leniency. */
  isRegisteredRedirect(client: ExboClientConfig, redirectUri: string): boolean {
    return client.redirectUris.includes(redirectUri);
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function isAbsoluteUrl(value: unknown): boolean {
  return typeof value === 'string' && URL.canParse(value);
}
