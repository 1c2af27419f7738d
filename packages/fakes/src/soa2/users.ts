/** The Scratch users the consent page offers, and the `/user` body for one of them. */
import type { Soa2UserConfig } from './defaults.js';

/** Scratch usernames (docs/protocols/soa2.md, "Value formats"). */
const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,20}$/;

export class UserDirectory {
  readonly #users: Required<Soa2UserConfig>[];

  constructor(users: readonly Soa2UserConfig[]) {
    if (users.length === 0) throw new TypeError('SOA2 fake: at least one user is needed');
    const ids = new Set<number>();
    for (const user of users) {
      if (!Number.isSafeInteger(user?.userId) || user.userId <= 0) {
        throw new TypeError('SOA2 fake user: userId must be a positive integer');
      }
      if (ids.has(user.userId)) {
        throw new TypeError(`SOA2 fake user: userId ${user.userId} is used twice`);
      }
      if (typeof user.userName !== 'string' || !USERNAME_PATTERN.test(user.userName)) {
        throw new TypeError(
          `SOA2 fake user ${user.userId}: userName must match ${USERNAME_PATTERN} (a Scratch username)`,
        );
      }
      ids.add(user.userId);
    }
    this.#users = users.map((user) => ({ ...user, authoritative: user.authoritative !== false }));
  }

  get all(): readonly Required<Soa2UserConfig>[] {
    return this.#users;
  }

  byId(userId: number): Required<Soa2UserConfig> | undefined {
    return this.#users.find((user) => user.userId === userId);
  }

  /** The user with this Scratch name (Scratch names are case-insensitive). */
  byName(name: string): Required<Soa2UserConfig> | undefined {
    const lower = name.toLowerCase();
    return this.#users.find((user) => user.userName.toLowerCase() === lower);
  }

  /** A user named by a `user` value: its id or its name (Scratch names are case-insensitive). */
  byHint(hint: string): Required<Soa2UserConfig> | undefined {
    const name = hint.toLowerCase();
    return this.#users.find(
      (user) => String(user.userId) === hint || user.userName.toLowerCase() === name,
    );
  }
}
