/**
 * Who registered which application through the registration API, and when: SOA2 shows and changes
 * an application only for its owner (everyone else gets 404, docs/protocols/soa2.md, "Application
 * registration"). Applications configured with the fake's `clients` option belong to nobody: they
 * exist for logins, not for this API.
 */
import { randomBytes, randomInt } from 'node:crypto';

/** SOA2 draws client ids from 0 .. 2^30; the fake avoids 0, which its consent page refuses. */
const MAX_CLIENT_ID = 2 ** 30;

interface Ownership {
  ownerId: number;
  /** Unix seconds. */
  createdAt: number;
}

export class ApplicationOwners {
  readonly #owned = new Map<number, Ownership>();

  /** A client id no application has, as SOA2 draws them (at random). */
  newClientId(taken: (clientId: number) => boolean): number {
    for (;;) {
      const id = randomInt(1, MAX_CLIENT_ID + 1);
      if (!taken(id) && !this.#owned.has(id)) return id;
    }
  }

  /** A client secret as SOA2 makes them: 64 random bytes in lowercase hex. */
  newClientSecret(): string {
    return randomBytes(64).toString('hex');
  }

  assign(clientId: number, ownerId: number, createdAt: number): void {
    this.#owned.set(clientId, { ownerId, createdAt });
  }

  /** When `ownerId` owns `clientId`: its registration time; else `undefined` (→ 404). */
  ownedBy(clientId: number, ownerId: number): Ownership | undefined {
    const owned = this.#owned.get(clientId);
    return owned?.ownerId === ownerId ? owned : undefined;
  }

  /** The client ids `ownerId` registered, oldest first. */
  listFor(ownerId: number): number[] {
    return [...this.#owned].filter(([, owned]) => owned.ownerId === ownerId).map(([id]) => id);
  }

  remove(clientId: number): void {
    this.#owned.delete(clientId);
  }
}
