/**
 * The app's database: a SQLite file by default (nothing to set up), PostgreSQL when DATABASE_URL is
 * set. Both sit behind one small interface, `all` and `run` with `?` placeholders plus
 * `transaction`, and the rest of the app (users.ts, exbo-tokens.ts) writes SQL that both understand.
 *
 * Three tables, created at start-up if missing:
 * - `users`: the app's own users (an id and a display name);
 * - `identities`: provider accounts (EXBO, Scratch) linked to a user, at most one per provider per
 *   user, and each provider account linked to one user only;
 * - `exbo_tokens`: the user's EXBO access and refresh token, when they expire, and the claim of the
 *   instance that is refreshing them right now (see exbo-tokens.ts).
 *
 * Times are milliseconds since the epoch. Several processes can use the same database: SQLite in
 * WAL mode with a busy timeout (writers wait for each other instead of failing), PostgreSQL as is.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';

/** Where the SQLite file lives unless DATABASE_FILE says otherwise (git-ignored). */
export const DEFAULT_DATABASE_FILE = fileURLToPath(new URL('../data/example.db', import.meta.url));

export type SqlValue = string | number | null;

export interface Queries {
  /** The rows of a query. `?` stands for each parameter, in order. */
  all<Row>(sql: string, params?: readonly SqlValue[]): Promise<Row[]>;
  /** Runs a statement; `changes` is how many rows it inserted, updated or deleted. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ changes: number }>;
}

export interface Database extends Queries {
  /** `sqlite` or `postgres`. */
  kind: 'sqlite' | 'postgres';
  /** For the start-up message: the file, or the server without any password. */
  description: string;
  /**
   * Runs `fn` in one transaction, on the `tx` it is given (not on this Database, which would wait
   * for the transaction to end): committed when `fn` resolves, rolled back when it throws.
   */
  transaction<T>(fn: (tx: Queries) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** The first row of a query, or undefined. */
export async function first<Row>(
  db: Queries,
  sql: string,
  params: readonly SqlValue[] = [],
): Promise<Row | undefined> {
  return (await db.all<Row>(sql, params))[0];
}

/** The schema; only the id column differs between the two databases. */
function schema(idColumn: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS users (
      id ${idColumn},
      display_name TEXT NOT NULL,
      created_at BIGINT NOT NULL
    )`,
    `CREATE TABLE IF NOT EXISTS identities (
      provider TEXT NOT NULL,
      provider_user_id TEXT NOT NULL,
      user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
      username TEXT NOT NULL,
      display_name TEXT NOT NULL,
      authoritative INTEGER,
      linked_at BIGINT NOT NULL,
      PRIMARY KEY (provider, provider_user_id),
      UNIQUE (user_id, provider)
    )`,
    `CREATE TABLE IF NOT EXISTS exbo_tokens (
      user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
      access_token TEXT NOT NULL,
      refresh_token TEXT NOT NULL,
      expires_at BIGINT NOT NULL,
      refresh_claimed_until BIGINT,
      rejected INTEGER NOT NULL DEFAULT 0,
      updated_at BIGINT NOT NULL
    )`,
  ];
}

/**
 * Opens the database and creates the tables: PostgreSQL at `databaseURL` when given, else the
 * SQLite file. Fails with a message naming the setting when the database cannot be used.
 */
export async function openDatabase(options: {
  databaseURL?: string | undefined;
  databaseFile?: string | undefined;
}): Promise<Database> {
  if (options.databaseURL !== undefined) return openPostgres(options.databaseURL);
  return openSqlite(options.databaseFile ?? DEFAULT_DATABASE_FILE);
}

/**
 * The SQLite transaction open in this process, if any. better-sqlite3 runs each statement
 * synchronously, but a transaction's `fn` awaits between its statements, and a statement of
 * another request run meanwhile would land inside the open transaction (same connection) or block
 * the whole process on its lock (another connection to the file). So while one is open, every
 * other SQLite statement of this process waits for it to end. Other processes wait on SQLite's
 * own lock (the busy timeout).
 */
let sqliteTransaction: Promise<void> | undefined;

/** SQLite through better-sqlite3 (synchronous calls, which are fast on a local file). */
export function openSqlite(file: string): Database {
  let db: BetterSqlite3.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    db = new BetterSqlite3(file);
    // Another process may be writing: wait up to 5 s for its lock rather than fail at once.
    db.pragma('busy_timeout = 5000');
    // WAL: readers do not block the writer and the writer does not block readers.
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    for (const statement of schema('INTEGER PRIMARY KEY')) db.exec(statement);
  } catch (err) {
    throw new Error(
      `cannot open the SQLite database ${file} (DATABASE_FILE): ${(err as Error).message}`,
    );
  }
  const all = <Row>(sql: string, params: readonly SqlValue[]) =>
    db.prepare(sql).all(...params) as Row[];
  const run = (sql: string, params: readonly SqlValue[]) => ({
    changes: db.prepare(sql).run(...params).changes,
  });
  // Waiting and then running the statement in one synchronous stretch: no transaction can begin
  // in between.
  const outsideTransaction = async <T>(statement: () => T): Promise<T> => {
    while (sqliteTransaction) await sqliteTransaction;
    return statement();
  };
  const tx: Queries = {
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) => all<Row>(sql, params),
    run: async (sql, params = []) => run(sql, params),
  };
  return {
    kind: 'sqlite',
    description: `SQLite at ${file}`,
    all: <Row>(sql: string, params: readonly SqlValue[] = []) =>
      outsideTransaction(() => all<Row>(sql, params)),
    run: (sql, params = []) => outsideTransaction(() => run(sql, params)),
    transaction: async (fn) => {
      let end = () => {};
      await outsideTransaction(() => {
        // IMMEDIATE: take the write lock now, so another process cannot change what `fn` reads.
        db.exec('BEGIN IMMEDIATE');
        sqliteTransaction = new Promise((resolve) => {
          end = resolve;
        });
      });
      try {
        const result = await fn(tx);
        db.exec('COMMIT');
        return result;
      } catch (err) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw err;
      } finally {
        sqliteTransaction = undefined;
        end();
      }
    },
    close: async () => {
      db.close();
    },
  };
}

/** PostgreSQL through a pg connection pool. */
export async function openPostgres(url: string): Promise<Database> {
  const where = redactedDatabaseURL(url);
  const pool = new pg.Pool({ connectionString: url, max: 5, connectionTimeoutMillis: 5000 });
  // An idle connection that breaks (the server restarted) must not crash the process.
  pool.on('error', (err) => console.error(`Database: PostgreSQL at ${where}: ${err.message}`));
  // `?` → `$1`, `$2`, …: the app's SQL has no `?` inside string literals.
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  // On the pool, each statement takes whichever connection is free; in a transaction, all of
  // them go to the transaction's own connection.
  const queries = (on: pg.Pool | pg.PoolClient): Queries => ({
    all: async <Row>(sql: string, params: readonly SqlValue[] = []) =>
      (await on.query(numbered(sql), [...params])).rows as Row[],
    run: async (sql, params = []) => ({
      changes: (await on.query(numbered(sql), [...params])).rowCount ?? 0,
    }),
  });
  const transaction = async <T>(fn: (tx: Queries) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A connection whose ROLLBACK failed may still be inside the transaction: it is closed
    // rather than handed to the next request.
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const result = await fn(queries(client));
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  };
  try {
    // Two instances starting at once must not both create the tables (that races in
    // PostgreSQL's catalog): one at a time, under a transaction-scoped advisory lock.
    await transaction(async (tx) => {
      await tx.run('SELECT pg_advisory_xact_lock(24240001)');
      for (const statement of schema('INTEGER GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY')) {
        await tx.run(statement);
      }
    });
  } catch (err) {
    // Not awaited: after some failures (a port pg refuses, `?port=abc`) the pool keeps the dead
    // client and end() never settles; awaiting it left start-up pending until the process ran
    // out of work and exited with code 0, silently.
    void pool.end().catch(() => {});
    throw new Error(
      `cannot use the PostgreSQL database at ${where} (DATABASE_URL): ${(err as Error).message}`,
    );
  }
  return {
    kind: 'postgres',
    description: `PostgreSQL at ${where}`,
    ...queries(pool),
    transaction,
    close: () => pool.end(),
  };
}

/**
 * The URL as it can be printed: a password in it is replaced by `***`, whether before the host or
 * as a query parameter (pg reads every query parameter as a setting, `?password=` included).
 */
export function redactedDatabaseURL(url: string): string {
  if (!URL.canParse(url)) return 'an invalid URL';
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    if (/password/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}
