/**
 * The app's users and their linked provider accounts (the `users` and `identities` tables of
 * database.ts).
 *
 * - A login with a provider account finds the user it is linked to, or creates a user with it.
 * - A signed-in user links another account (EXBO and Scratch on one user); an account already
 *   linked to someone else is refused, not moved.
 * - Unlinking an account is refused when it is the user's last one: they could never sign in again.
 */
import { type Database, first } from './database.js';
import type { ProviderKey } from './login-errors.js';
import type { AppUser, ProviderIdentity, SessionUser } from './user.js';

interface IdentityRow {
  provider: ProviderKey;
  provider_user_id: string;
  user_id: number;
  username: string;
  display_name: string;
  authoritative: number | null;
}

const SELECT_IDENTITY =
  'SELECT provider, provider_user_id, user_id, username, display_name, authoritative FROM identities';

function identityOf(row: IdentityRow): ProviderIdentity {
  const identity: ProviderIdentity = {
    provider: row.provider,
    id: row.provider_user_id,
    username: row.username,
    displayName: row.display_name,
  };
  if (row.authoritative !== null) identity.authoritative = row.authoritative === 1;
  return identity;
}

const authoritativeValue = (identity: ProviderIdentity) =>
  identity.authoritative === undefined ? null : identity.authoritative ? 1 : 0;

async function findIdentity(db: Database, provider: ProviderKey, id: string) {
  return first<IdentityRow>(db, `${SELECT_IDENTITY} WHERE provider = ? AND provider_user_id = ?`, [
    provider,
    id,
  ]);
}

/** The provider may have renamed the account since: keep what the login just reported. */
async function refreshIdentity(db: Database, identity: ProviderIdentity): Promise<void> {
  await db.run(
    'UPDATE identities SET username = ?, display_name = ?, authoritative = ? WHERE provider = ? AND provider_user_id = ?',
    [
      identity.username,
      identity.displayName,
      authoritativeValue(identity),
      identity.provider,
      identity.id,
    ],
  );
}

async function insertIdentity(db: Database, userId: number, identity: ProviderIdentity) {
  return db.run(
    `INSERT INTO identities (provider, provider_user_id, user_id, username, display_name, authoritative, linked_at)
     VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    [
      identity.provider,
      identity.id,
      userId,
      identity.username,
      identity.displayName,
      authoritativeValue(identity),
      Date.now(),
    ],
  );
}

/** A login: the id of the user this account is linked to, or of a new user created with it. */
export async function findOrCreateUser(db: Database, identity: ProviderIdentity): Promise<number> {
  const found = await findIdentity(db, identity.provider, identity.id);
  if (found) {
    await refreshIdentity(db, identity);
    return found.user_id;
  }
  const created = await first<{ id: number }>(
    db,
    'INSERT INTO users (display_name, created_at) VALUES (?, ?) RETURNING id',
    [identity.displayName, Date.now()],
  );
  const userId = Number(created?.id);
  const { changes } = await insertIdentity(db, userId, identity);
  if (changes === 1) return userId;
  // The same account's first login finished at the same moment elsewhere: use that user.
  await db.run('DELETE FROM users WHERE id = ?', [userId]);
  const winner = await findIdentity(db, identity.provider, identity.id);
  if (!winner) throw new Error('the new identity was neither inserted nor found');
  return winner.user_id;
}

export type LinkOutcome =
  | { ok: true; already: boolean }
  | { ok: false; reason: 'linked-to-another-user' | 'provider-already-linked' };

/** Links `identity` to the signed-in user `userId`. */
export async function linkIdentity(
  db: Database,
  userId: number,
  identity: ProviderIdentity,
): Promise<LinkOutcome> {
  const found = await findIdentity(db, identity.provider, identity.id);
  if (found && found.user_id !== userId) return { ok: false, reason: 'linked-to-another-user' };
  if (found) {
    await refreshIdentity(db, identity);
    return { ok: true, already: true };
  }
  const { changes } = await insertIdentity(db, userId, identity);
  if (changes === 1) return { ok: true, already: false };
  // Refused by a unique constraint: either this account was linked elsewhere meanwhile, or the
  // user already has another account of this provider (one each).
  const now = await findIdentity(db, identity.provider, identity.id);
  if (now && now.user_id !== userId) return { ok: false, reason: 'linked-to-another-user' };
  if (now) return { ok: true, already: true };
  return { ok: false, reason: 'provider-already-linked' };
}

export type UnlinkOutcome = 'unlinked' | 'not-linked' | 'last-identity';

/**
 * Unlinks the user's account of `provider`, unless it is their only one. Unlinking EXBO also
 * deletes the stored EXBO tokens: they belong to that account.
 *
 * Two unlinks of the same user's two accounts can arrive at once (two tabs, two instances). On
 * PostgreSQL each statement sees the rows committed when it began, so two DELETEs guarded by a
 * COUNT could both see two accounts and both delete. Hence one transaction that first locks the
 * user's row: the second unlink waits there until the first commits, then counts what is left.
 * SQLite has no FOR UPDATE and needs none: its transaction holds the write lock from the start.
 */
export async function unlinkIdentity(
  db: Database,
  userId: number,
  provider: ProviderKey,
): Promise<UnlinkOutcome> {
  const forUpdate = db.kind === 'postgres' ? ' FOR UPDATE' : '';
  return db.transaction(async (tx) => {
    await tx.all(`SELECT id FROM users WHERE id = ?${forUpdate}`, [userId]);
    const { changes } = await tx.run(
      `DELETE FROM identities WHERE user_id = ? AND provider = ?
       AND (SELECT COUNT(*) FROM identities WHERE user_id = ?) > 1`,
      [userId, provider, userId],
    );
    if (changes === 1) {
      if (provider === 'exbo') await tx.run('DELETE FROM exbo_tokens WHERE user_id = ?', [userId]);
      return 'unlinked';
    }
    const still = await first<IdentityRow>(
      tx,
      `${SELECT_IDENTITY} WHERE user_id = ? AND provider = ?`,
      [userId, provider],
    );
    return still ? 'last-identity' : 'not-linked';
  });
}

/** The user a session names, with their identities; undefined when the user or all accounts are gone. */
export async function loadUser(db: Database, session: SessionUser): Promise<AppUser | undefined> {
  const rows = await db.all<IdentityRow>(
    `${SELECT_IDENTITY} WHERE user_id = ? ORDER BY linked_at, provider`,
    [session.userId],
  );
  const identities = rows.map(identityOf);
  const signedInWith =
    identities.find((identity) => identity.provider === session.provider) ?? identities[0];
  if (!signedInWith) return undefined;
  return { ...signedInWith, userId: session.userId, identities };
}
