/** The applications registered with the fake, and how a request proves it is one of them. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { NAME_APPROVED, type Soa2ClientConfig } from './defaults.js';

/** A registered application with every optional field filled in. */
export interface Soa2Application {
  clientId: number;
  clientSecret: string;
  redirectUris: string[];
  appName: string | null;
  flags: number;
}

const MAX_CLIENT_ID = 2 ** 30;
const SECRET_PATTERN = /^[0-9a-f]{128}$/;

export class ClientRegistry {
  readonly #clients = new Map<number, Soa2Application>();

  constructor(clients: readonly Soa2ClientConfig[]) {
    for (const client of clients) this.add(client);
  }

  /** Registers an application, replacing any with the same id (a copy is kept). */
  add(config: Soa2ClientConfig): void {
    const { clientId, clientSecret, redirectUris, appName, flags } =
      config ?? ({} as Soa2ClientConfig);
    if (!Number.isInteger(clientId) || clientId < 0 || clientId > MAX_CLIENT_ID) {
      throw new TypeError(
        `SOA2 fake client: clientId must be an integer from 0 to ${MAX_CLIENT_ID}`,
      );
    }
    if (typeof clientSecret !== 'string' || !SECRET_PATTERN.test(clientSecret)) {
      throw new TypeError(
        `SOA2 fake client ${clientId}: clientSecret must be 128 lowercase hex characters, as SOA2 issues them`,
      );
    }
    if (!Array.isArray(redirectUris) || !redirectUris.every((uri) => typeof uri === 'string')) {
      throw new TypeError(`SOA2 fake client ${clientId}: redirectUris must be an array of strings`);
    }
    if (appName !== undefined && appName !== null && typeof appName !== 'string') {
      throw new TypeError(`SOA2 fake client ${clientId}: appName must be a string or null`);
    }
    if (flags !== undefined && (!Number.isInteger(flags) || flags < 0)) {
      throw new TypeError(`SOA2 fake client ${clientId}: flags must be a non-negative integer`);
    }
    this.#clients.set(clientId, {
      clientId,
      clientSecret,
      // SOA2 drops empty strings and duplicates from the list (docs/protocols/soa2.md, "Application
      // registration").
      redirectUris: [...new Set(redirectUris.filter((uri) => uri !== ''))],
      appName: appName ?? null,
      flags: flags ?? NAME_APPROVED,
    });
  }

  /** Unregisters an application (deleted through the account API). */
  remove(clientId: number): void {
    this.#clients.delete(clientId);
  }

  find(clientId: number): Soa2Application | undefined {
    return this.#clients.get(clientId);
  }

  /** The client when the secret matches (constant time, as SOA2's `hash_equals`). */
  authenticate(clientId: number, secret: string): Soa2Application | undefined {
    const client = this.#clients.get(clientId);
    if (!client) return undefined;
    return timingSafeEqual(sha256(client.clientSecret), sha256(secret)) ? client : undefined;
  }

  /** SOA2 compares redirect URIs byte for byte: no trailing-slash, case or prefix leniency. */
  isRegisteredRedirect(client: Soa2Application, redirectUri: string): boolean {
    return client.redirectUris.includes(redirectUri);
  }
}

/** How the consent page names an application (SOA2 hides names a moderator has not approved). */
export function displayName(client: Soa2Application): string {
  if (client.appName === null) return '[unnamed application]';
  if ((client.flags & NAME_APPROVED) === 0) return '[application name unmoderated]';
  return client.appName;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
