/**
 * A throwaway PostgreSQL server for the example's database tests: a fresh cluster (initdb) in a
 * temporary directory, listening on a free port of 127.0.0.1 only, fsync off, deleted on stop.
 *
 * PostgreSQL must be installed (Debian: `apt-get install postgresql`; .ci/run does it). Its server
 * refuses to run as root, so as root the cluster belongs to the `postgres` user the package creates
 * and both programs run as that user (child_process `uid`/`gid`).
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort, waitFor } from '../../harness/processes.js';

export interface RunningPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication, loopback only). */
  url: string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 20_000;

/** The directory of initdb and postgres, or undefined when PostgreSQL is not installed. */
export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], 'bin');
}

/** Why the PostgreSQL tests cannot run here, or undefined when they can. */
export function postgresUnavailable(): string | undefined {
  if (!findPostgresBin()) {
    return 'PostgreSQL is not installed (Debian: apt-get install postgresql; .ci/run installs it)';
  }
  if (process.getuid?.() === 0 && postgresUser() === undefined) {
    return 'running as root and there is no `postgres` user to run the server as';
  }
  return undefined;
}

function postgresUser(): { uid: number; gid: number } | undefined {
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = findPostgresBin();
  if (!bin) throw new Error(postgresUnavailable());
  const dir = mkdtempSync(join(tmpdir(), 'example-pg-'));
  const data = join(dir, 'data');
  const asUser = process.getuid?.() === 0 ? postgresUser() : undefined;
  if (asUser) chownSync(dir, asUser.uid, asUser.gid);
  const options = { ...(asUser ?? {}), cwd: dir };
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8'],
    { ...options, stdio: 'pipe' },
  );
  const port = await freePort();
  const child: ChildProcess = spawn(
    join(bin, 'postgres'),
    [
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
    ],
    { ...options, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      // SIGINT: PostgreSQL's fast shutdown (SIGTERM would wait for every client to leave).
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`postgres exited with code ${child.exitCode}:\n${output.join('')}`);
        }
        const client = new pg.Client({ connectionString: url });
        try {
          await client.connect();
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => {});
        }
      },
      READY_TIMEOUT_MS,
      'PostgreSQL to accept connections',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** A new empty database on the server, so each test starts from nothing. */
export async function createDatabase(server: RunningPostgres, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return server.url.replace(/\/postgres$/, `/${name}`);
}
