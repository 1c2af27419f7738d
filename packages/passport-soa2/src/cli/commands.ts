/**
 * The CLI's commands, each on top of {@link Soa2AccountClient}: login / logout and the application
 * operations. The session is read from its file before a command and saved after it whenever it
 * changed (SOA2 may renew or end the session on any answer), failures included.
 */
import { isOAuthError } from '@exbo-soa2/core';
import { Soa2AccountClient } from '../account-client.js';
import type { Soa2AccountSession, Soa2LoginChallenge } from '../account-session.js';
import type { Soa2Application, Soa2ApplicationChanges } from '../applications.js';
import { MAX_CLIENT_ID, parseClientID } from '../credentials.js';
import { LOGIN_CSRF_LIFETIME_MS } from '../errors.js';
import { isScratchUsername } from '../username.js';
import { applicationJson, formatApplication, formatApplicationList } from './output.js';
import { profilePageURL } from './profile-link.js';
import type { LineReader } from './prompt.js';
import { deleteSessionFile, readSessionFile, writeSessionFile } from './session-file.js';
import { CliError, UsageError } from './usage.js';

export interface GlobalOptions {
  /** SOA2's REST API root, without a trailing slash. */
  apiURL: string;
  sessionFile: string;
  json: boolean;
  timeout: number | undefined;
}

/** Where a command prints and reads. */
export interface CommandIo {
  options: GlobalOptions;
  /** Text for people: stdout, or stderr with `--json` (stdout then carries JSON only). */
  say(text: string): void;
  /** The command's result: `json` with `--json`, else `human` (when given). */
  result(human: string | undefined, json: unknown): void;
  /** A warning, always on stderr. */
  warn(text: string): void;
  lines: LineReader;
}

function sameSession(a: Soa2AccountSession | undefined, b: Soa2AccountSession): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

async function loadSession(io: CommandIo): Promise<Soa2AccountSession | undefined> {
  return readSessionFile(io.options.sessionFile, io.warn);
}

function newClient(io: CommandIo, session?: Soa2AccountSession): Soa2AccountClient {
  return new Soa2AccountClient({
    apiURL: io.options.apiURL,
    timeout: io.options.timeout,
    proxy: 'env',
    ...(session && { session }),
  });
}

/** Saves the client's session when it differs from what the file held. */
async function saveSession(
  io: CommandIo,
  client: Soa2AccountClient,
  before: Soa2AccountSession | undefined,
): Promise<void> {
  const session = client.session;
  if (!sameSession(before, session)) {
    await writeSessionFile(io.options.sessionFile, session, io.warn);
  }
}

function usernameArgument(value: string | undefined): string {
  if (value === undefined) throw new UsageError('login needs your Scratch username');
  if (!isScratchUsername(value)) {
    throw new UsageError(
      `${JSON.stringify(value)} is not a Scratch username (3 to 20 characters: letters, digits, "_" and "-")`,
    );
  }
  return value;
}

/** When a login's 30 minutes (SOA2's CSRF lifetime) are over, for the instructions. */
function deadline(challenge: Soa2LoginChallenge): string {
  return new Date(challenge.startedAt + LOGIN_CSRF_LIFETIME_MS).toISOString();
}

function loginExpired(challenge: Soa2LoginChallenge): boolean {
  return Date.now() - challenge.startedAt > LOGIN_CSRF_LIFETIME_MS;
}

/**
 * SOA2 has not found the comment yet (and the login is not too old to be found): the CLI's own
 * words for `LOGIN_NOT_VERIFIED`, pointing at the profile page of the site it talks to (the
 * library's message can only name Scratch's). Any other failure is returned as it is.
 */
function notFoundYet(io: CommandIo, challenge: Soa2LoginChallenge, err: unknown): unknown {
  if (!isOAuthError(err) || err.code !== 'LOGIN_NOT_VERIFIED' || loginExpired(challenge)) {
    return err;
  }
  const name = challenge.username;
  return new CliError(
    `Not found yet: the text is not among the comments on ${profilePageURL(io.options.apiURL, name)}. Post it there, whole and signed in as ${name}. If it is there, the login's session was lost: run \`soa2 login ${name}\` again.`,
    'LOGIN_NOT_VERIFIED',
  );
}

function loggedIn(io: CommandIo, client: Soa2AccountClient, username: string): void {
  const expires = client.sessionExpiresAt();
  io.result(
    `Logged in to SOA2 as ${username}. Session saved to ${io.options.sessionFile} (readable by you only)${
      expires === undefined ? '' : `, valid until ${new Date(expires).toISOString()}`
    }.\nYou may delete the comment from your profile now.`,
    {
      loggedIn: true,
      username,
      sessionFile: io.options.sessionFile,
      sessionExpiresAt: expires === undefined ? null : new Date(expires).toISOString(),
    },
  );
}

/**
 * `login <username>`: starts a login (saved at once, so `login --finish` can complete it if this
 * process is stopped), prints the text to post, then checks it each time Enter is pressed until it
 * is found, the 30 minutes are over, or the input ends. `--no-wait` stops after the start.
 */
export async function login(
  io: CommandIo,
  positionals: string[],
  flags: { noWait: boolean; finish: boolean },
): Promise<void> {
  if (positionals.length > 1) throw new UsageError('login takes one username');
  if (flags.finish) return finishSavedLogin(io, positionals[0]);
  const username = usernameArgument(positionals[0]);
  let saved: Soa2AccountSession | undefined;
  try {
    saved = await loadSession(io);
  } catch (err) {
    // A damaged session file (or a link in its place) must not stop the login that replaces it;
    // a folder that is unsafe would be as unsafe for the new one.
    if (!(err instanceof CliError) || err.code === 'UNSAFE_SESSION_FOLDER') throw err;
    io.warn(`${err.message} (This login replaces it.)`);
  }
  if (saved && saved.apiURL !== io.options.apiURL) {
    io.warn(`Replacing the saved login for ${saved.apiURL}.`);
    saved = undefined;
  }
  // Keeping the old cookies keeps the old login usable until this one succeeds.
  const client = newClient(io, saved);
  let challenge: Soa2LoginChallenge;
  try {
    challenge = await client.startLogin(username);
  } finally {
    await saveSession(io, client, saved);
  }
  const profileURL = profilePageURL(io.options.apiURL, challenge.username);
  io.result(
    `To log in to SOA2 as ${challenge.username}, post this text, exactly, as a comment on your own Scratch profile
(${profileURL}), signed in to Scratch as ${challenge.username}:

    ${challenge.code}
`,
    {
      username: challenge.username,
      code: challenge.code,
      profileURL,
      finishBy: deadline(challenge),
    },
  );
  if (flags.noWait) {
    io.say(`Then run \`soa2 login --finish\` before ${deadline(challenge)}.`);
    return;
  }
  await waitAndFinish(io, client, challenge);
}

/** Checks the comment each time the user presses Enter. */
async function waitAndFinish(
  io: CommandIo,
  client: Soa2AccountClient,
  challenge: Soa2LoginChallenge,
): Promise<void> {
  io.say(`Then press Enter here (before ${deadline(challenge)}; Ctrl+D stops).`);
  for (;;) {
    const line = await io.lines.next();
    if (line === undefined) {
      throw new CliError(
        'Not logged in yet: no confirmation was typed (the input ended). Once the text is posted, run `soa2 login --finish`.',
        'NOT_CONFIRMED',
      );
    }
    const before = client.session;
    try {
      const username = await client.finishLogin(challenge);
      await saveSession(io, client, before);
      return loggedIn(io, client, username);
    } catch (err) {
      await saveSession(io, client, before);
      const reported = notFoundYet(io, challenge, err);
      if (!(reported instanceof CliError)) throw reported;
      io.say(`${reported.message}\nPress Enter to check again (Ctrl+D stops).`);
    }
  }
}

/** `login --finish [username]`: the login saved by `login <username> --no-wait`. */
async function finishSavedLogin(io: CommandIo, username: string | undefined): Promise<void> {
  const saved = await loadSession(io);
  const challenge = saved?.apiURL === io.options.apiURL ? saved.login : undefined;
  if (!saved || !challenge) {
    throw new CliError(
      `No started login for ${io.options.apiURL} in ${io.options.sessionFile}: start one with \`soa2 login <username>\`.`,
      'NO_LOGIN_STARTED',
    );
  }
  if (
    username !== undefined &&
    usernameArgument(username).toLowerCase() !== challenge.username.toLowerCase()
  ) {
    throw new UsageError(
      `The started login is for ${challenge.username}, not ${username}: run \`soa2 login ${username}\` to start one for ${username}.`,
    );
  }
  const client = newClient(io, saved);
  try {
    const name = await client.finishLogin();
    await saveSession(io, client, saved);
    loggedIn(io, client, name);
  } catch (err) {
    await saveSession(io, client, saved);
    throw notFoundYet(io, challenge, err);
  }
}

/** `logout`: deletes the session file (SOA2 has no logout endpoint; its session just ends). */
export async function logout(io: CommandIo): Promise<void> {
  const deleted = await deleteSessionFile(io.options.sessionFile);
  io.result(
    deleted
      ? `Logged out: deleted ${io.options.sessionFile}.`
      : `Not logged in: there is no session file at ${io.options.sessionFile}.`,
    { loggedOut: deleted, sessionFile: io.options.sessionFile },
  );
}

/**
 * Runs `action` with a client holding the saved login, then saves the session if SOA2 changed it.
 * Refuses early, without a request, when there is no login for this API or it has expired.
 */
async function withLogin<T>(
  io: CommandIo,
  action: (client: Soa2AccountClient) => Promise<T>,
): Promise<T> {
  const saved = await loadSession(io);
  if (saved && saved.apiURL !== io.options.apiURL) {
    throw new CliError(
      `The saved login is for ${saved.apiURL}, not ${io.options.apiURL}: pass --api-url ${saved.apiURL}, or log in to this API with \`soa2 login <username> --api-url ${io.options.apiURL}\`.`,
      'NOT_LOGGED_IN',
    );
  }
  if (!saved || saved.username === null) {
    const pending = saved?.login;
    throw new CliError(
      pending
        ? `Not logged in: the login of ${pending.username} is not finished. Post the text and run \`soa2 login --finish\`.`
        : 'Not logged in to SOA2: run `soa2 login <username>` first.',
      'NOT_LOGGED_IN',
    );
  }
  const client = newClient(io, saved);
  if (!client.hasSession()) {
    throw new CliError(
      `Your SOA2 login as ${saved.username} has expired: run \`soa2 login ${saved.username}\` again.`,
      'NOT_LOGGED_IN',
    );
  }
  try {
    return await action(client);
  } finally {
    await saveSession(io, client, saved);
  }
}

function clientIdArgument(command: string, positionals: string[]): number {
  if (positionals.length !== 1) throw new UsageError(`apps ${command} takes one <client-id>`);
  const value = positionals[0]!;
  try {
    return parseClientID(value);
  } catch {
    // The rule is the library's (credentials.ts); the words are the CLI's, for an argument.
    throw new UsageError(
      `${JSON.stringify(value)} is not an SOA2 client id (an integer from 0 to ${MAX_CLIENT_ID})`,
    );
  }
}

function redirectURIs(option: string, values: readonly string[] | undefined): string[] {
  for (const uri of values ?? []) {
    if (!URL.canParse(uri)) throw new UsageError(`${option}: not an absolute URL: ${uri}`);
  }
  return [...(values ?? [])];
}

function appName(value: string | undefined): string | undefined {
  if (value === '') throw new UsageError('--name must not be empty (--no-name removes the name)');
  return value;
}

function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`apps ${command} takes no arguments`);
}

export interface AppOptions {
  name?: string | undefined;
  noName: boolean;
  redirectURIs?: string[] | undefined;
  noRedirectURIs: boolean;
  addRedirectURIs?: string[] | undefined;
  removeRedirectURIs?: string[] | undefined;
  yes: boolean;
}

function showApplication(io: CommandIo, app: Soa2Application, heading: string, secret: boolean) {
  io.result(`${heading}\n${formatApplication(app, secret)}`, applicationJson(app, secret));
}

/** `apps <subcommand> ...`. */
export async function apps(
  io: CommandIo,
  subcommand: string | undefined,
  positionals: string[],
  options: AppOptions,
): Promise<void> {
  switch (subcommand) {
    case 'list': {
      noPositionals('list', positionals);
      const list = await withLogin(io, (client) => client.listApplications());
      return io.result(formatApplicationList(list), list);
    }
    case 'show': {
      const id = clientIdArgument('show', positionals);
      const app = await withLogin(io, (client) => client.getApplication(id));
      return showApplication(io, app, `Application ${id}:`, false);
    }
    case 'create': {
      noPositionals('create', positionals);
      const name = appName(options.name);
      const uris = redirectURIs('--redirect-uri', options.redirectURIs);
      const app = await withLogin(io, (client) =>
        client.createApplication({ app_name: name ?? null, redirect_uris: uris }),
      );
      return showApplication(
        io,
        app,
        `Registered application ${app.client_id}. Its client secret is shown only now: keep it somewhere safe (a new one: soa2 apps reset-secret ${app.client_id}).`,
        true,
      );
    }
    case 'update': {
      const id = clientIdArgument('update', positionals);
      const plan = planUpdate(options);
      const app = await withLogin(io, (client) => applyUpdate(io, client, id, plan));
      return showApplication(io, app, `Updated application ${id}:`, false);
    }
    case 'reset-secret': {
      const id = clientIdArgument('reset-secret', positionals);
      const app = await withLogin(io, (client) => client.resetSecret(id));
      return showApplication(
        io,
        app,
        `New client secret for application ${id}; the old one no longer works. It is shown only now:`,
        true,
      );
    }
    case 'delete': {
      const id = clientIdArgument('delete', positionals);
      await withLogin(io, async (client) => {
        if (!options.yes) await confirmDeletion(io, client, id);
        await client.deleteApplication(id);
      });
      return io.result(`Deleted application ${id}; every token issued for it stopped working.`, {
        deleted: id,
      });
    }
    case undefined:
      throw new UsageError(
        'apps needs a subcommand: list, show, create, update, reset-secret or delete',
      );
    default:
      throw new UsageError(`Unknown apps subcommand: ${subcommand}`);
  }
}

interface UpdatePlan {
  changes: Soa2ApplicationChanges;
  add: string[];
  remove: string[];
}

/** The change the options ask for, checked before anything is sent. */
function planUpdate(options: AppOptions): UpdatePlan {
  const name = appName(options.name);
  if (name !== undefined && options.noName) throw new UsageError('--name and --no-name conflict');
  if (options.redirectURIs !== undefined && options.noRedirectURIs) {
    throw new UsageError('--redirect-uri and --no-redirect-uris conflict');
  }
  const replace = options.redirectURIs !== undefined || options.noRedirectURIs;
  const add = redirectURIs('--add-redirect-uri', options.addRedirectURIs);
  const remove = options.removeRedirectURIs ?? [];
  if (replace && (add.length > 0 || remove.length > 0)) {
    throw new UsageError(
      '--redirect-uri and --no-redirect-uris replace the whole list: use them without --add-redirect-uri and --remove-redirect-uri',
    );
  }
  const changes: Soa2ApplicationChanges = {};
  if (name !== undefined) changes.app_name = name;
  if (options.noName) changes.app_name = null;
  if (replace) changes.redirect_uris = redirectURIs('--redirect-uri', options.redirectURIs);
  if (Object.keys(changes).length === 0 && add.length === 0 && remove.length === 0) {
    throw new UsageError(
      'apps update needs a change: --name, --no-name, --redirect-uri, --no-redirect-uris, --add-redirect-uri or --remove-redirect-uri',
    );
  }
  return { changes, add, remove };
}

/** Sends the change; adding or removing URIs starts from the application's current list. */
async function applyUpdate(
  io: CommandIo,
  client: Soa2AccountClient,
  id: number,
  { changes, add, remove }: UpdatePlan,
): Promise<Soa2Application> {
  if (add.length === 0 && remove.length === 0) return client.updateApplication(id, changes);
  const current = (await client.getApplication(id)).redirect_uris;
  for (const uri of remove) {
    if (!current.includes(uri)) io.warn(`${uri} was not a redirect URI of application ${id}.`);
  }
  const kept = current.filter((uri) => !remove.includes(uri));
  return client.updateApplication(id, {
    ...changes,
    redirect_uris: [...new Set([...kept, ...add])],
  });
}

/** Asks before deleting (the name is shown so the right app goes); no answer means no. */
async function confirmDeletion(io: CommandIo, client: Soa2AccountClient, id: number) {
  const app = await client.getApplication(id);
  const name = app.app_name === null ? 'unnamed' : JSON.stringify(app.app_name);
  io.say(
    `Delete application ${id} (${name})? Every token issued for it stops working at once. Type "yes" to delete:`,
  );
  const answer = await io.lines.next();
  if (answer?.trim().toLowerCase() !== 'yes') {
    throw new CliError(
      `Not deleted${answer === undefined ? ' (no answer; pass --yes to delete without asking)' : ''}.`,
      'NOT_CONFIRMED',
    );
  }
}
