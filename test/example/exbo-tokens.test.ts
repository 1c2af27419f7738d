/**
 * The example's stored EXBO tokens (examples/express-login/src/exbo-tokens.ts) against the EXBO
 * fake, on a SQLite file and on a throwaway PostgreSQL: two instances of the app, each with its own
 * database connection and its own EXBO client, share one user's pair. An expiring pair is
 * refreshed exactly once when both ask at the same moment (EXBO rotates the pair, so a second
 * refresh would fail and lose it); a refresh that fails for now keeps the pair that still works;
 * only EXBO refusing the refresh token marks the pair rejected.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  DEFAULT_EXBO_CLIENT,
  type ExboFake,
  type ExboRecordedRequest,
  startExboFake,
} from '@exbo-soa2/fakes';
import { ExboClient } from 'passport-exbo';
import { createApp } from '../../examples/express-login/src/app.js';
import type { AppConfig } from '../../examples/express-login/src/config.js';
import { type Database, openDatabase } from '../../examples/express-login/src/database.js';
import {
  ExboTokenProblem,
  ExboTokens,
  type StoredExboTokens,
} from '../../examples/express-login/src/exbo-tokens.js';
import { memorySessionStore } from '../../examples/express-login/src/session-store.js';
import { freePort } from '../../harness/processes.js';
import { Browser } from '../helpers/browser.js';
import {
  createDatabase,
  postgresUnavailable,
  type RunningPostgres,
  startPostgres,
} from '../helpers/postgres.js';
import { listen, type RunningServer } from '../helpers/server.js';

const TIMEOUT = { timeout: 30_000 };
/** The fake's first account (Test-1, id 90102) has a character in EU: TestOne. */
const EU_CHARACTER = 'TestOne';

const isRefresh = (request: ExboRecordedRequest) =>
  request.path === '/oauth/token' &&
  new URLSearchParams(request.body).get('grant_type') === 'refresh_token';
const isCharacters = (request: ExboRecordedRequest) =>
  request.path.startsWith('/game-api/') && request.path.endsWith('/characters');

interface Backend {
  /** A new connection to the test's database (each instance has its own). */
  connect(): Promise<Database>;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), 'example-tokens-'));
  const file = join(dir, 'example.db');
  return {
    connect: () => openDatabase({ databaseFile: file }),
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function postgresBackend(): Promise<Backend> {
  const server: RunningPostgres = await startPostgres();
  const url = await createDatabase(server, 'tokens_test');
  return {
    connect: () => openDatabase({ databaseURL: url }),
    close: () => server.stop(),
  };
}

interface Instance extends RunningServer {
  db: Database;
}

const BACKENDS: Array<[string, () => Promise<Backend>, string | undefined]> = [
  ['SQLite file', sqliteBackend, undefined],
  ['PostgreSQL', postgresBackend, postgresUnavailable()],
];

for (const [name, makeBackend, skip] of BACKENDS) {
  describe(`example EXBO tokens on ${name}: two instances, one user`, { skip }, () => {
    let backend: Backend;
    let fake: ExboFake;
    let instances: Instance[] = [];
    let db: Database;
    let userId: number;
    const browser = new Browser();
    const logged: string[] = [];

    const exboClient = (baseURL: string) =>
      new ExboClient({
        clientID: DEFAULT_EXBO_CLIENT.clientId,
        clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
        baseURL,
      });
    const tokensWith = (baseURL: string) =>
      new ExboTokens(db, exboClient(baseURL), { log: (line) => logged.push(line) });
    const stored = async (): Promise<StoredExboTokens> => {
      const tokens = await new ExboTokens(db, exboClient(fake.url)).read(userId);
      assert.ok(tokens, 'a pair is stored');
      return tokens;
    };
    /** Makes the stored pair expire in `ms` (inside the 5-minute refresh margin). */
    const expireIn = (ms: number) =>
      db.run('UPDATE exbo_tokens SET expires_at = ? WHERE user_id = ?', [Date.now() + ms, userId]);

    before(async () => {
      backend = await makeBackend();
      fake = await startExboFake({ clients: [] });
      // One shared session store: a login on one instance is valid on the other (as with Redis).
      const sessionStore = memorySessionStore();
      let callbackURL = '';
      for (let i = 0; i < 2; i++) {
        const server = createServer();
        const running = await listen(server);
        const url = running.url.replace('127.0.0.1', 'localhost');
        if (i === 0) callbackURL = `${url}/auth/exbo/callback`;
        const config: AppConfig = {
          demo: false,
          port: 0,
          host: '127.0.0.1',
          sessionSecret: 'example-token-tests-session-secret-0123456789',
          trustProxy: false,
          secureCookies: false,
          exbo: {
            clientID: DEFAULT_EXBO_CLIENT.clientId,
            clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
            callbackURL,
            baseURL: fake.url,
            gameApiURL: fake.gameApiURL,
          },
        };
        const instanceDb = await backend.connect();
        server.on('request', createApp(config, { sessionStore, database: instanceDb }));
        instances.push({ ...running, url, db: instanceDb });
      }
      fake.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [callbackURL] });
      db = await backend.connect();

      // Test-1 logs in with EXBO on the first instance: the pair lands in the database.
      const consent = await browser.get(`${instances[0]?.url}/auth/exbo`);
      const home = await browser.submit(consent, 'approve');
      assert.match(home.text, /Hello, Test-1/);
      const row = await db.all<{ user_id: number }>('SELECT user_id FROM exbo_tokens');
      assert.equal(row.length, 1);
      userId = Number(row[0]?.user_id);
    });
    after(async () => {
      for (const instance of instances) {
        await instance.close();
        await instance.db.close();
      }
      instances = [];
      await db?.close();
      await fake?.close();
      await backend?.close();
    });

    it(
      'reads the characters with the stored token, without refreshing a fresh pair',
      TIMEOUT,
      async () => {
        const before = fake.requests.length;
        const page = await browser.get(`${instances[1]?.url}/characters?region=EU`);
        assert.equal(page.status, 200, page.text);
        assert.match(page.text, new RegExp(EU_CHARACTER));
        const since = fake.requests.slice(before);
        assert.equal(since.filter(isRefresh).length, 0);
        assert.equal(
          since.find(isCharacters)?.headers.authorization,
          `Bearer ${(await stored()).accessToken}`,
        );
      },
    );

    it(
      'refreshes an expiring pair once when both instances ask at the same moment',
      TIMEOUT,
      async () => {
        const old = await stored();
        await expireIn(60_000);
        const before = fake.requests.length;
        const pages = await Promise.all(
          instances.map((instance) => browser.get(`${instance.url}/characters?region=EU`)),
        );
        const since = fake.requests.slice(before);
        assert.equal(since.filter(isRefresh).length, 1, 'one refresh for both instances');
        for (const page of pages) {
          assert.equal(page.status, 200, page.text);
          assert.match(page.text, new RegExp(EU_CHARACTER));
        }
        const now = await stored();
        assert.notEqual(now.refreshToken, old.refreshToken, 'the rotated pair is stored');
        assert.ok(now.expiresAt > Date.now() + 24 * 3600_000, 'with its new expiry');
        assert.equal(now.claimedUntil, undefined, 'the claim is released');
        // Both instances called the API with the one new access token.
        const used = since.filter(isCharacters).map((request) => request.headers.authorization);
        assert.deepEqual(used, [`Bearer ${now.accessToken}`, `Bearer ${now.accessToken}`]);
        assert.equal(fake.tokenStatus(now.refreshToken), 'active');
        assert.equal(fake.tokenStatus(old.refreshToken), 'revoked');
      },
    );

    it('ten requests on each instance at once still refresh once', TIMEOUT, async () => {
      await expireIn(60_000);
      const before = fake.requests.length;
      const pages = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          browser.get(`${instances[i % 2]?.url}/characters?region=EU`),
        ),
      );
      assert.deepEqual(
        pages.map((page) => page.status),
        Array(20).fill(200),
      );
      assert.equal(fake.requests.slice(before).filter(isRefresh).length, 1);
    });

    it(
      'a refresh that fails (EXBO unreachable, or a 503) keeps the pair that still works',
      TIMEOUT,
      async () => {
        const kept = await stored();
        await expireIn(60_000);
        const unreachable = `http://127.0.0.1:${await freePort()}`;
        const down = await listen((_req, res) => {
          res
            .writeHead(503, { 'Content-Type': 'text/html' })
            .end('<h1>503 Service Unavailable</h1>');
        });
        try {
          for (const baseURL of [unreachable, down.url]) {
            assert.equal(
              await tokensWith(baseURL).validAccessToken(userId),
              kept.accessToken,
              'the old access token, still valid',
            );
            const after = await stored();
            assert.equal(after.refreshToken, kept.refreshToken, 'the pair is kept');
            assert.equal(after.rejected, false);
            assert.equal(after.claimedUntil, undefined, 'the claim is released for the next try');
          }
          assert.match(
            logged.join('\n'),
            /refresh for user \d+ failed \(PROVIDER_UNREACHABLE\).*kept/,
          );
          assert.match(logged.join('\n'), /failed \(PROVIDER_ERROR\).*kept/);
          // Once the access token has expired too, a failed refresh is a clear problem, still
          // without touching the pair.
          await expireIn(-1000);
          await assert.rejects(tokensWith(down.url).validAccessToken(userId), (err: unknown) => {
            assert.ok(err instanceof ExboTokenProblem);
            assert.equal(err.kind, 'unavailable');
            return true;
          });
          assert.equal((await stored()).refreshToken, kept.refreshToken);
        } finally {
          await down.close();
        }
        // The kept pair really works: EXBO is back and the next request refreshes with it.
        assert.equal(fake.tokenStatus(kept.refreshToken), 'active');
        const page = await browser.get(`${instances[0]?.url}/characters?region=EU`);
        assert.equal(page.status, 200, page.text);
        assert.notEqual((await stored()).refreshToken, kept.refreshToken);
      },
    );

    it(
      'only EXBO refusing the refresh token marks the pair rejected; an EXBO login renews it',
      TIMEOUT,
      async () => {
        const current = await stored();
        // Someone else spends the refresh token (EXBO rotates it): the stored one is now dead.
        await exboClient(fake.url).refresh(current.refreshToken);
        await expireIn(60_000);
        const page = await browser.get(`${instances[1]?.url}/characters?region=EU`);
        assert.equal(page.status, 409);
        assert.match(page.text, /log in with EXBO again/);
        assert.equal((await stored()).rejected, true);
        // Asking again does not hit EXBO: the pair is known to be dead.
        const before = fake.requests.length;
        assert.equal((await browser.get(`${instances[0]?.url}/characters`)).status, 409);
        assert.equal(fake.requests.slice(before).filter(isRefresh).length, 0);
        // Logging in with EXBO again stores a fresh pair.
        const consent = await browser.get(`${instances[0]?.url}/auth/exbo`);
        await browser.submit(consent, 'approve');
        const renewed = await stored();
        assert.equal(renewed.rejected, false);
        assert.equal((await browser.get(`${instances[1]?.url}/characters?region=EU`)).status, 200);
      },
    );
  });
}
