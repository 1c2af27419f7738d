/**
 * The example's user database (examples/express-login/src/users.ts), on both backends it supports:
 * a SQLite file and a throwaway PostgreSQL server (test/helpers/postgres.ts). Users are found or
 * created from a login, accounts are linked (refused when linked to someone else) and unlinked
 * (refused for the last one), and two connections signing in the same new account at once make one
 * user.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Database, openDatabase } from '../../examples/express-login/src/database.js';
import type { ProviderIdentity } from '../../examples/express-login/src/user.js';
import {
  findOrCreateUser,
  linkIdentity,
  loadUser,
  unlinkIdentity,
} from '../../examples/express-login/src/users.js';
import {
  createDatabase,
  postgresUnavailable,
  type RunningPostgres,
  startPostgres,
} from '../helpers/postgres.js';

const TIMEOUT = { timeout: 30_000 };

const exbo = (id: string, username = `exbo-${id}`): ProviderIdentity => ({
  provider: 'exbo',
  id,
  username,
  displayName: username,
});
const scratch = (id: string, username = `scratch-${id}`): ProviderIdentity => ({
  provider: 'soa2',
  id,
  username,
  displayName: username,
  authoritative: true,
});

interface Backend {
  /** Two separate connections to one database, as two instances of the app have. */
  open(): Promise<[Database, Database]>;
  close(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'example-users-'));
  return {
    open: async () => {
      const file = join(dir, 'example.db');
      return [
        await openDatabase({ databaseFile: file }),
        await openDatabase({ databaseFile: file }),
      ];
    },
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresBackend(): Backend {
  let server: RunningPostgres | undefined;
  return {
    open: async () => {
      server = await startPostgres();
      const url = await createDatabase(server, 'users_test');
      // Both at once: creating the tables from two instances must not race.
      return Promise.all([openDatabase({ databaseURL: url }), openDatabase({ databaseURL: url })]);
    },
    close: async () => server?.stop(),
  };
}

const BACKENDS: Array<[string, () => Backend, string | undefined]> = [
  ['SQLite file', sqliteBackend, undefined],
  ['PostgreSQL', postgresBackend, postgresUnavailable()],
];

for (const [name, makeBackend, skip] of BACKENDS) {
  describe(`example users on ${name}`, { skip }, () => {
    let backend: Backend;
    let db: Database;
    let other: Database;
    before(async () => {
      backend = makeBackend();
      [db, other] = await backend.open();
    });
    after(async () => {
      await db?.close();
      await other?.close();
      await backend?.close();
    });

    it('a login finds the user its account is linked to, or creates one', TIMEOUT, async () => {
      const first = await findOrCreateUser(db, exbo('100', 'Stalker'));
      assert.equal(await findOrCreateUser(other, exbo('100', 'Stalker-Renamed')), first);
      const user = await loadUser(db, { userId: first, provider: 'exbo' });
      assert.equal(user?.username, 'Stalker-Renamed', 'the name the provider reports now');
      assert.deepEqual(
        user?.identities.map((i) => [i.provider, i.id]),
        [['exbo', '100']],
      );
      // The same id at the other provider is another person.
      assert.notEqual(await findOrCreateUser(db, scratch('100')), first);
      assert.equal(await loadUser(db, { userId: 987654, provider: 'exbo' }), undefined);
    });

    it(
      'the first login of one account on two connections at once makes one user',
      TIMEOUT,
      async () => {
        const ids = await Promise.all(
          Array.from({ length: 6 }, (_, i) => findOrCreateUser(i % 2 ? db : other, exbo('200'))),
        );
        assert.equal(new Set(ids).size, 1, `one user: ${ids.join(', ')}`);
        const rows = await db.all<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM identities WHERE provider = 'exbo' AND provider_user_id = '200'",
        );
        assert.equal(Number(rows[0]?.n), 1);
        const orphans = await db.all<{ n: number | string }>(
          'SELECT COUNT(*) AS n FROM users WHERE id NOT IN (SELECT user_id FROM identities)',
        );
        assert.equal(Number(orphans[0]?.n), 0, 'no user left without an account');
      },
    );

    it(
      'links EXBO and Scratch to one user; both logins then sign in as that user',
      TIMEOUT,
      async () => {
        const userId = await findOrCreateUser(db, exbo('300', 'Linker'));
        assert.deepEqual(await linkIdentity(db, userId, scratch('300', 'linker_s')), {
          ok: true,
          already: false,
        });
        assert.deepEqual(await linkIdentity(other, userId, scratch('300', 'linker_s')), {
          ok: true,
          already: true,
        });
        assert.equal(await findOrCreateUser(other, scratch('300')), userId, 'Scratch signs in');
        assert.equal(await findOrCreateUser(other, exbo('300')), userId, 'EXBO signs in');
        const user = await loadUser(db, { userId, provider: 'soa2' });
        assert.equal(user?.provider, 'soa2', 'signed in with Scratch');
        assert.equal(user?.authoritative, true);
        assert.deepEqual(
          user?.identities.map((i) => i.provider),
          ['exbo', 'soa2'],
        );
      },
    );

    it(
      'refuses to link an account linked to another user, or a second one of a provider',
      TIMEOUT,
      async () => {
        const alice = await findOrCreateUser(db, exbo('400', 'alice'));
        const bob = await findOrCreateUser(db, scratch('401', 'bob'));
        assert.deepEqual(await linkIdentity(db, alice, scratch('401', 'bob')), {
          ok: false,
          reason: 'linked-to-another-user',
        });
        assert.deepEqual(await linkIdentity(db, alice, exbo('402', 'alice-alt')), {
          ok: false,
          reason: 'provider-already-linked',
        });
        // Nothing moved: bob still signs in with his Scratch account.
        assert.equal(await findOrCreateUser(db, scratch('401')), bob);
        const aliceNow = await loadUser(db, { userId: alice, provider: 'exbo' });
        assert.deepEqual(
          aliceNow?.identities.map((i) => i.id),
          ['400'],
        );
        assert.equal((await findOrCreateUser(db, exbo('402'))) === alice, false);
      },
    );

    it(
      'unlinks an account, but never the last one; unlinking EXBO deletes its tokens',
      TIMEOUT,
      async () => {
        const userId = await findOrCreateUser(db, exbo('500'));
        assert.equal(await unlinkIdentity(db, userId, 'exbo'), 'last-identity');
        assert.equal(await unlinkIdentity(db, userId, 'soa2'), 'not-linked');
        await linkIdentity(db, userId, scratch('500'));
        await db.run(
          'INSERT INTO exbo_tokens (user_id, access_token, refresh_token, expires_at, rejected, updated_at) VALUES (?, ?, ?, ?, 0, ?)',
          [userId, 'access', 'refresh', Date.now() + 3600_000, Date.now()],
        );
        assert.equal(await unlinkIdentity(other, userId, 'exbo'), 'unlinked');
        const tokens = await db.all('SELECT user_id FROM exbo_tokens WHERE user_id = ?', [userId]);
        assert.deepEqual(tokens, []);
        // A session that signed in with EXBO now shows the user's remaining account.
        const user = await loadUser(db, { userId, provider: 'exbo' });
        assert.equal(user?.provider, 'soa2');
        assert.equal(await unlinkIdentity(db, userId, 'soa2'), 'last-identity');
        // The unlinked EXBO account is free again: its next login makes a new user.
        assert.notEqual(await findOrCreateUser(db, exbo('500')), userId);
      },
    );

    it(
      'two unlinks at once of one user’s two accounts leave exactly one account',
      TIMEOUT,
      async () => {
        // The two arrive on two connections (two instances, or two tabs), at the same moment. The
        // race is a matter of timing: many rounds, each with several users' pairs at once so the
        // statements overlap on the server. Every pair is checked and the failures counted, so a
        // failure says how often it happened.
        const ROUNDS = 50;
        const USERS_PER_ROUND = 5;
        const failures: string[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const users = await Promise.all(
            Array.from({ length: USERS_PER_ROUND }, async (_, i) => {
              const id = `600-${round}-${i}`;
              const userId = await findOrCreateUser(db, exbo(id));
              await linkIdentity(db, userId, scratch(id));
              return userId;
            }),
          );
          await Promise.all(
            users.map(async (userId) => {
              const outcomes = await Promise.all([
                unlinkIdentity(db, userId, 'exbo'),
                unlinkIdentity(other, userId, 'soa2'),
              ]);
              const left = await db.all('SELECT provider FROM identities WHERE user_id = ?', [
                userId,
              ]);
              const refused = outcomes.filter((outcome) => outcome === 'last-identity').length;
              if (left.length !== 1 || refused !== 1) {
                failures.push(`user ${userId}: ${outcomes.join(' + ')}, ${left.length} left`);
              }
            }),
          );
        }
        const pairs = ROUNDS * USERS_PER_ROUND;
        assert.deepEqual(failures, [], `${failures.length} of ${pairs} pairs went wrong`);
      },
    );
  });
}
