/** The accounts the consent page offers, and the `/oauth/user` body for one of them. */
import type { ExboUserConfig } from './defaults.js';

/** `/oauth/user` answers in snake_case; `id` is a JSON integer, two fields are nullable. */
export interface ExboUserInfo {
  id: number;
  uuid: string;
  login: string;
  display_login: string | null;
  distributor: string;
  distributor_id: string | null;
}

export class UserDirectory {
  readonly #users: ExboUserConfig[];

  constructor(users: readonly ExboUserConfig[]) {
    if (users.length === 0) throw new TypeError('EXBO fake: at least one user is needed');
    const ids = new Set<number>();
    for (const user of users) {
      if (!Number.isSafeInteger(user?.id) || user.id <= 0) {
        throw new TypeError('EXBO fake user: id must be a positive integer');
      }
      if (ids.has(user.id)) throw new TypeError(`EXBO fake user: id ${user.id} is used twice`);
      ids.add(user.id);
    }
    this.#users = users.map((user) => ({ ...user }));
  }

  get all(): readonly ExboUserConfig[] {
    return this.#users;
  }

  byId(id: number): ExboUserConfig | undefined {
    return this.#users.find((user) => user.id === id);
  }

  /** A user named by a `login_hint`/`user` value: its id or its exact login. */
  byHint(hint: string): ExboUserConfig | undefined {
    return this.#users.find((user) => String(user.id) === hint || user.login === hint);
  }
}

export function userInfo(user: ExboUserConfig): ExboUserInfo {
  return {
    id: user.id,
    uuid: user.uuid,
    login: user.login,
    display_login: user.displayLogin,
    distributor: user.distributor,
    distributor_id: user.distributorId,
  };
}
