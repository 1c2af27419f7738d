/**
 * The CLI's saved SOA2 login: one JSON file that only its owner can read (0600, in a 0700
 * folder), since its cookies let anyone holding them manage the user's applications. Written
 * atomically (a temporary file renamed over the old one), so an interrupted write never leaves
 * half a session behind.
 */
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAccountSession, type Soa2AccountSession } from '../account-session.js';
import { CliError } from './usage.js';

/** The file format's version, stored in the file. */
const FORMAT = 1;
const OWNER_ONLY = 0o600;

/**
 * `$XDG_CONFIG_HOME/passport-soa2/session.json`, else `~/.config/passport-soa2/session.json`
 * (`%APPDATA%\passport-soa2\session.json` on Windows).
 */
export function defaultSessionFile(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const base =
    env.XDG_CONFIG_HOME ||
    (platform === 'win32' && env.APPDATA ? env.APPDATA : join(home, '.config'));
  return join(base, 'passport-soa2', 'session.json');
}

function errorCode(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}

/**
 * The saved session, or `undefined` when there is none. A file that others can read is made
 * private again first (`warn` says so); one that is not a session file is a {@link CliError}.
 */
export async function readSessionFile(
  path: string,
  warn: (message: string) => void,
): Promise<Soa2AccountSession | undefined> {
  let text: string;
  try {
    const info = await stat(path);
    if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
      await chmod(path, OWNER_ONLY);
      warn(`${path} was readable by other users; it is now readable by you only (0600).`);
    }
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw new CliError(`Cannot read the session file ${path}: ${(err as Error).message}`);
  }
  try {
    const data = JSON.parse(text) as Record<string, unknown>;
    if (data?.version !== FORMAT) throw new TypeError(`unknown format ${String(data?.version)}`);
    const { version: _version, ...session } = data;
    return parseAccountSession(session);
  } catch (err) {
    throw new CliError(
      `${path} is not a passport-soa2 session file (${(err as Error).message}): log in again to replace it, or run \`soa2 logout\` to delete it.`,
    );
  }
}

/** Saves the session, readable by its owner only. */
export async function writeSessionFile(path: string, session: Soa2AccountSession): Promise<void> {
  const text = `${JSON.stringify({ version: FORMAT, ...session }, null, 2)}\n`;
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    await writeFile(temporary, text, { mode: OWNER_ONLY, flag: 'w' });
    // The mode given to writeFile applies only when the file is created: make sure.
    await chmod(temporary, OWNER_ONLY);
    await rename(temporary, path);
  } catch (err) {
    await rm(temporary, { force: true }).catch(() => {});
    throw new CliError(`Cannot save the session to ${path}: ${(err as Error).message}`);
  }
}

/** Deletes the saved session; `false` when there was none. */
export async function deleteSessionFile(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw new CliError(`Cannot delete the session file ${path}: ${(err as Error).message}`);
  }
}
