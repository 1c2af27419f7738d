/**
 * The CLI's saved SOA2 login: one JSON file that only its owner can read (0600, in a 0700
 * folder), since its cookies let anyone holding them manage the user's applications. Written
 * atomically (a temporary file renamed over the old one), so an interrupted write never leaves
 * half a session behind.
 *
 * Nothing here goes through a symbolic link or trusts a folder others can change: the file is
 * opened with O_NOFOLLOW and checked (owner, kind, mode) on the open handle, so a link planted at
 * its path is refused and the mode of whatever it points at is never touched; the folder must be
 * ours and writable by us only (a folder others can write lets them swap the file), and is
 * tightened to 0700 when it is ours but looser. Windows has neither modes nor this kind of
 * sharing: the checks are POSIX only.
 */
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseAccountSession, type Soa2AccountSession } from '../account-session.js';
import { PACKAGE_NAME } from '../version.js';
import { CliError } from './usage.js';

/** The file format's version, stored in the file. */
const FORMAT = 1;
const OWNER_ONLY_FILE = 0o600;
const OWNER_ONLY_FOLDER = 0o700;
const POSIX = process.platform !== 'win32';
/**
 * Opening for reading never follows a link, and never waits on a FIFO planted at the path
 * (O_NONBLOCK: the open returns at once, and the kind check below refuses it).
 */
const READ_FLAGS = POSIX ? constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK : 'r';

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
  return join(base, PACKAGE_NAME, 'session.json');
}

function errorCode(err: unknown): string | undefined {
  return (err as { code?: string }).code;
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8)}`;
}

/**
 * Checks the session file's folder: refused when it is a link, not ours, or (not ours and)
 * writable by others; made 0700 when it is ours and looser (`warn` says so).
 */
async function checkFolder(folder: string, warn: (message: string) => void): Promise<void> {
  if (!POSIX) return;
  const info = await lstat(folder);
  if (info.isSymbolicLink() || !info.isDirectory()) {
    throw new CliError(
      `${folder} is ${info.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}: the session is kept only in a real folder of yours. Remove it, or choose another place with --session-file.`,
      'UNSAFE_SESSION_FOLDER',
    );
  }
  if (info.uid !== process.getuid?.()) {
    throw new CliError(
      `${folder} belongs to another user (uid ${info.uid})${(info.mode & 0o022) !== 0 ? ' and others can write in it' : ''}: the session is kept only in a folder of yours. Choose another place with --session-file.`,
      'UNSAFE_SESSION_FOLDER',
    );
  }
  if ((info.mode & 0o077) !== 0) {
    // lstat said it is no link, and chmod on a folder of ours changes only that folder.
    await chmod(folder, OWNER_ONLY_FOLDER);
    warn(
      `${folder} was open to other users (${octal(info.mode)}); it is now private to you (0700).`,
    );
  }
}

/** Reads the file without following a link; a file others can read is made private (`warn`). */
async function readPrivateFile(path: string, warn: (message: string) => void): Promise<string> {
  const handle = await open(path, READ_FLAGS);
  try {
    const info = await handle.stat();
    if (!info.isFile()) {
      throw new CliError(
        `${path} is not a regular file: remove it, or choose another place with --session-file.`,
        'UNSAFE_SESSION_FILE',
      );
    }
    if (POSIX && info.uid !== process.getuid?.()) {
      throw new CliError(
        `${path} belongs to another user (uid ${info.uid}): it is not used. Remove it, or choose another place with --session-file.`,
        'UNSAFE_SESSION_FILE',
      );
    }
    if (POSIX && (info.mode & 0o077) !== 0) {
      // On the open handle (fchmod): the file itself, never what a link would point at.
      await handle.chmod(OWNER_ONLY_FILE);
      warn(`${path} was readable by other users; it is now readable by you only (0600).`);
    }
    return await handle.readFile('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * The saved session, or `undefined` when there is none. A file that others can read is made
 * private again first (`warn` says so); a link, a file or folder that is not the user's, or a
 * file that is not a session file is a {@link CliError}.
 */
export async function readSessionFile(
  path: string,
  warn: (message: string) => void,
): Promise<Soa2AccountSession | undefined> {
  let text: string;
  try {
    await checkFolder(dirname(path), warn);
    text = await readPrivateFile(path, warn);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    if (err instanceof CliError) throw err;
    if (errorCode(err) === 'ELOOP') {
      throw new CliError(
        `${path} is a symbolic link: it is not followed (the session is kept only in a regular file of yours). Remove the link, or log in again to replace it with a file.`,
        'UNSAFE_SESSION_FILE',
      );
    }
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

/**
 * Saves the session, readable by its owner only, in a folder only its owner can use. A link at
 * `path` is replaced by the file (rename replaces the link itself), its target left alone.
 */
export async function writeSessionFile(
  path: string,
  session: Soa2AccountSession,
  warn: (message: string) => void,
): Promise<void> {
  const text = `${JSON.stringify({ version: FORMAT, ...session }, null, 2)}\n`;
  const folder = dirname(path);
  const temporary = `${path}.${process.pid}.tmp`;
  let created = false;
  try {
    // `mode` applies only to the folders mkdir creates: checkFolder sees to an existing one.
    await mkdir(folder, { recursive: true, mode: OWNER_ONLY_FOLDER });
    await checkFolder(folder, warn);
    // A leftover from a crashed run of this process id; rm removes a link, not its target.
    await rm(temporary, { force: true });
    // `wx` (O_CREAT | O_EXCL) creates a new file and never opens one planted meanwhile.
    const handle = await open(temporary, 'wx', OWNER_ONLY_FILE);
    created = true;
    try {
      await handle.writeFile(text);
      // The umask may have narrowed the mode given to open; it cannot have widened it. Make sure.
      if (POSIX) await handle.chmod(OWNER_ONLY_FILE);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (err) {
    if (created) await rm(temporary, { force: true }).catch(() => {});
    if (err instanceof CliError) throw err;
    throw new CliError(`Cannot save the session to ${path}: ${(err as Error).message}`);
  }
}

/** Deletes the saved session (a link is deleted, not its target); `false` when there was none. */
export async function deleteSessionFile(path: string): Promise<boolean> {
  try {
    await rm(path);
    return true;
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return false;
    throw new CliError(`Cannot delete the session file ${path}: ${(err as Error).message}`);
  }
}
