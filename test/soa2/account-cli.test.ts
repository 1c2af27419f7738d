/**
 * The `soa2` CLI as a user or a script runs it: a real subprocess (node dist/cli.js) against
 * the SOA2 fake, its stdin driven like a person pressing Enter, its session file in a temporary
 * folder. Covers the interactive and the scripted login, every apps subcommand in human and JSON
 * output, the session file (permissions, reuse, expiry, logout; a symlink planted in its place, a
 * folder others can write or that is not ours, with real files), the API URL from `SOA2_API_URL`,
 * the profile link of the site in use, and each kind of bad input.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Soa2Fake, startSoa2Fake } from '@exbo-soa2/fakes';
import { type Soa2Profile, Strategy, type VerifyCallback } from 'passport-soa2';
import { startTestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { listen } from '../helpers/server.js';
import { KENNY } from './setup.js';

const CLI = fileURLToPath(new URL('../../packages/passport-soa2/dist/cli.js', import.meta.url));
/** No CLI run may take longer: a hung prompt fails the test instead of the whole run. */
const RUN_LIMIT_MS = 20_000;
/** Each test runs a few CLI processes (each well under a second): a hang fails its own test. */
const TEST = { timeout: 60_000 };

let fake: Soa2Fake;
let now = Date.now();
let dir: string;
let sessionFile: string;
let counter = 0;

before(async () => {
  fake = await startSoa2Fake({ clock: () => now });
  dir = await mkdtemp(join(tmpdir(), 'soa2-cli-'));
});
after(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  now = Date.now();
  // A session file per test, in a folder that does not exist yet.
  counter += 1;
  sessionFile = join(dir, `t${counter}`, 'passport-soa2', 'session.json');
});

interface Finished {
  status: number | null;
  stdout: string;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  /** Resolves with everything printed on stdout once `pattern` appears in it. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Types a line, as pressing Enter does. */
  type(line: string): void;
  finished: Promise<Finished>;
}

/** Starts the CLI with the fake's API and this test's session file (unless `bare`). */
function start(args: string[], options: { bare?: boolean; env?: NodeJS.ProcessEnv } = {}): Running {
  const common = options.bare ? [] : ['--api-url', fake.apiURL, '--session-file', sessionFile];
  const child = spawn(process.execPath, [CLI, ...args, ...common], {
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const watchers: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers.splice(0)) watcher();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill(), RUN_LIMIT_MS);
  const finished = new Promise<Finished>((resolve) => {
    child.on('close', (status) => {
      clearTimeout(timer);
      for (const watcher of watchers.splice(0)) watcher();
      resolve({ status, stdout, stderr });
    });
  });
  return {
    child,
    finished,
    type: (line) => child.stdin.write(`${line}\n`),
    waitFor(pattern) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (pattern.test(stdout)) resolve(stdout);
          else if (child.exitCode !== null || child.signalCode !== null) {
            reject(new Error(`exited before printing ${pattern}: ${stdout}\n${stderr}`));
          } else watchers.push(check);
        };
        check();
      });
    },
  };
}

/** Runs the CLI to the end with `input` on stdin (closed afterwards: no person is there). */
async function soa2(
  args: string[],
  options: { input?: string; bare?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<Finished> {
  const run = start(args, options);
  run.child.stdin?.end(options.input ?? '');
  return run.finished;
}

/** The login text the CLI printed (its indented line). */
function printedCode(stdout: string): string {
  const match = /^ {4}(.+ \| .+)$/m.exec(stdout);
  assert.ok(match, `the text to post is printed: ${stdout}`);
  return match[1]!;
}

/** Logs in as `username` with --no-wait and --finish. */
async function logIn(username = KENNY.name): Promise<void> {
  const started = await soa2(['login', username, '--no-wait']);
  assert.equal(started.status, 0, started.stderr);
  fake.postComment(username, printedCode(started.stdout));
  const finished = await soa2(['login', '--finish']);
  assert.equal(finished.status, 0, finished.stderr);
}

/** `text` as a literal inside a RegExp. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function readSession() {
  return JSON.parse(await readFile(sessionFile, 'utf8'));
}

/** Requests the fake received while `action` ran. */
async function requestsDuring(action: () => Promise<unknown>) {
  const mark = fake.requests.length;
  await action();
  return fake.requests.slice(mark);
}

async function createApp(args: string[] = ['--name', 'CLI app']) {
  const created = await soa2(['apps', 'create', ...args, '--json']);
  assert.equal(created.status, 0, created.stderr);
  return JSON.parse(created.stdout);
}

describe('soa2 login', () => {
  test(
    'interactive: prints the text, checks on Enter, checks again, saves a private session',
    TEST,
    async () => {
      const run = start(['login', KENNY.name]);
      const shown = await run.waitFor(/press Enter here/);
      assert.match(shown, /post this text, exactly, as a comment on your own Scratch profile/);
      // The fake's own profile page, where (unlike on scratch.mit.edu) the fake reads comments.
      assert.ok(shown.includes(`(${fake.url}/fake/scratch/users/kenny2scratch)`), shown);
      const code = printedCode(shown);

      run.type('');
      await run.waitFor(/Press Enter to check again/);
      assert.match(
        await run.waitFor(/Not found yet/),
        new RegExp(
          `Not found yet: the text is not among the comments on ${literal(fake.url)}/fake/scratch/users/kenny2scratch\\. Post it there, whole and signed in as kenny2scratch`,
        ),
      );
      fake.postComment(KENNY.name, code);
      run.type('');
      const done = await run.finished;
      assert.equal(done.status, 0, done.stderr);
      assert.match(done.stdout, /Logged in to SOA2 as kenny2scratch\. Session saved to /);
      assert.match(done.stdout, /readable by you only\), valid until \d{4}-/);

      const file = await stat(sessionFile);
      assert.equal(file.mode & 0o777, 0o600, 'the session file is readable by its owner only');
      assert.equal((await stat(join(sessionFile, '..'))).mode & 0o777, 0o700);
      const session = await readSession();
      assert.equal(session.version, 1);
      assert.equal(session.username, KENNY.name);
      assert.equal(session.apiURL, fake.apiURL);
      assert.equal(session.login, undefined);
      assert.match(session.cookies[0].value, /^[0-9a-f]{32}$/);
      assert.ok(!done.stdout.includes(session.cookies[0].value), 'the cookie is never printed');

      const listed = await soa2(['apps', 'list']);
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, /You have no SOA2 applications/, 'the saved session is reused');
    },
  );

  test(
    'the input ends before confirming: exit 1, and the saved login can be finished later',
    TEST,
    async () => {
      const started = await soa2(['login', KENNY.name]);
      assert.equal(started.status, 1);
      assert.match(
        started.stderr,
        /Not logged in yet: no confirmation was typed.*soa2 login --finish/,
      );
      fake.postComment(KENNY.name, printedCode(started.stdout));
      const finished = await soa2(['login', KENNY.name.toUpperCase(), '--finish']);
      assert.equal(finished.status, 0, finished.stderr);
      assert.match(finished.stdout, /Logged in to SOA2 as kenny2scratch/);
    },
  );

  test('--no-wait and --finish with --json, for scripts', TEST, async () => {
    const started = await soa2(['login', KENNY.name, '--no-wait', '--json']);
    assert.equal(started.status, 0, started.stderr);
    const challenge = JSON.parse(started.stdout);
    assert.deepEqual(Object.keys(challenge), ['username', 'code', 'profileURL', 'finishBy']);
    assert.equal(challenge.profileURL, `${fake.url}/fake/scratch/users/kenny2scratch`);
    assert.ok(Date.parse(challenge.finishBy) - Date.now() > 29 * 60 * 1000);
    assert.match(started.stderr, /Then run `soa2 login --finish`/, 'people text goes to stderr');
    assert.ok(!started.stdout.includes((await readSession()).login.csrf), 'no CSRF printed');

    const early = await soa2(['login', '--finish', '--json']);
    assert.equal(early.status, 1);
    assert.equal(JSON.parse(early.stderr).error.code, 'LOGIN_NOT_VERIFIED');
    fake.postComment(KENNY.name, challenge.code);
    const finished = await soa2(['login', '--finish', '--json']);
    assert.equal(finished.status, 0, finished.stderr);
    const result = JSON.parse(finished.stdout);
    assert.equal(result.loggedIn, true);
    assert.equal(result.username, KENNY.name);
    assert.equal(result.sessionFile, sessionFile);
  });

  test('an expired CSRF token: exit 1 saying the login is too old', TEST, async () => {
    const started = await soa2(['login', KENNY.name, '--no-wait']);
    fake.postComment(KENNY.name, printedCode(started.stdout));
    now += 31 * 60 * 1000;
    // The CLI's own clock is the real one: age the saved login as the fake's clock was moved.
    const session = await readSession();
    session.login.startedAt -= 31 * 60 * 1000;
    await writeFile(sessionFile, JSON.stringify(session), { mode: 0o600 });
    const late = await soa2(['login', '--finish']);
    assert.equal(late.status, 1);
    assert.match(late.stderr, /started 31 minutes ago, and SOA2 accepts it for 30 minutes only/);
  });

  test(
    'bad input: a malformed username, an unknown user, --finish with nothing started',
    TEST,
    async () => {
      const sent = await requestsDuring(async () => {
        for (const name of ['a b', 'ab', 'x'.repeat(21)]) {
          const bad = await soa2(['login', name]);
          assert.equal(bad.status, 2, name);
          assert.match(bad.stderr, /is not a Scratch username \(3 to 20 characters/);
        }
        assert.equal((await soa2(['login'])).status, 2);
      });
      assert.equal(sent.length, 0, 'nothing was sent');
      const unknown = await soa2(['login', 'Nobody_Here_42']);
      assert.equal(unknown.status, 1);
      assert.match(unknown.stderr, /Scratch has no user named "Nobody_Here_42"/);
      const nothing = await soa2(['login', '--finish']);
      assert.equal(nothing.status, 1);
      assert.match(nothing.stderr, /No started login .* start one with `soa2 login <username>`/);
    },
  );
});

describe('soa2 apps', () => {
  test(
    'create, list, show, update, reset-secret, delete; the secret printed only twice',
    TEST,
    async () => {
      await logIn();
      const created = await soa2([
        'apps',
        'create',
        '--name',
        'Studio Tools',
        '--redirect-uri',
        'http://127.0.0.1:4000/cb',
        '--redirect-uri',
        'http://127.0.0.1:4000/cb',
      ]);
      assert.equal(created.status, 0, created.stderr);
      assert.match(
        created.stdout,
        /^Registered application (\d+)\. Its client secret is shown only now/,
      );
      const id = /client id\s+(\d+)/.exec(created.stdout)?.[1] ?? '';
      const secret = /client secret\s+([0-9a-f]{128})$/m.exec(created.stdout)?.[1] ?? '';
      assert.ok(id && secret, created.stdout);
      assert.match(created.stdout, /name\s+"Studio Tools" \(awaiting moderation/);
      assert.match(created.stdout, /redirect URIs\s+http:\/\/127\.0\.0\.1:4000\/cb\n/);

      const list = await soa2(['apps', 'list']);
      assert.match(list.stdout, /^CLIENT ID\s+NAME\n/);
      assert.match(list.stdout, new RegExp(`^${id}\\s+Studio Tools$`, 'm'));
      const listJson = JSON.parse((await soa2(['apps', 'list', '--json'])).stdout);
      assert.deepEqual(listJson, [{ client_id: Number(id), app_name: 'Studio Tools' }]);

      const shown = await soa2(['apps', 'show', id]);
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, /flags\s+none/);
      assert.match(shown.stdout, /created\s+\d{4}-\d\d-\d\dT/);
      assert.ok(!shown.stdout.includes(secret), 'show never prints the secret');
      const shownJson = JSON.parse((await soa2(['apps', 'show', id, '--json'])).stdout);
      assert.equal(shownJson.client_id, Number(id));
      assert.equal('client_secret' in shownJson, false);

      const updated = await soa2([
        'apps',
        'update',
        id,
        '--name',
        'Renamed',
        '--add-redirect-uri',
        'https://tools.example/cb',
        '--remove-redirect-uri',
        'http://127.0.0.1:4000/cb',
        '--remove-redirect-uri',
        'http://not-there/cb',
      ]);
      assert.equal(updated.status, 0, updated.stderr);
      assert.match(updated.stdout, /name\s+"Renamed"/);
      assert.match(updated.stdout, /redirect URIs\s+https:\/\/tools\.example\/cb\n/);
      assert.ok(!updated.stdout.includes(secret));
      assert.match(updated.stderr, /http:\/\/not-there\/cb was not a redirect URI/);
      const cleared = JSON.parse(
        (await soa2(['apps', 'update', id, '--no-name', '--no-redirect-uris', '--json'])).stdout,
      );
      assert.equal(cleared.app_name, null);
      assert.deepEqual(cleared.redirect_uris, []);
      assert.equal(cleared.flags, 1, 'no name: approved');

      const reset = await soa2(['apps', 'reset-secret', id, '--json']);
      assert.equal(reset.status, 0, reset.stderr);
      const newSecret = JSON.parse(reset.stdout).client_secret;
      assert.match(newSecret, /^[0-9a-f]{128}$/);
      assert.notEqual(newSecret, secret);
      const resetHuman = await soa2(['apps', 'reset-secret', id]);
      assert.match(
        resetHuman.stdout,
        /New client secret for application \d+; the old one no longer works/,
      );
      assert.match(resetHuman.stdout, /client secret\s+[0-9a-f]{128}$/m);

      const refused = await soa2(['apps', 'delete', id], { input: 'no\n' });
      assert.equal(refused.status, 1);
      assert.match(refused.stdout, /Delete application \d+ \(unnamed\)\? .*Type "yes" to delete:/);
      assert.match(refused.stderr, /Not deleted\./);
      const noAnswer = await soa2(['apps', 'delete', id]);
      assert.equal(noAnswer.status, 1);
      assert.match(noAnswer.stderr, /pass --yes to delete without asking/);
      assert.equal((await soa2(['apps', 'show', id])).status, 0, 'still there');

      const deleted = await soa2(['apps', 'delete', id], { input: 'yes\n' });
      assert.equal(deleted.status, 0, deleted.stderr);
      assert.match(
        deleted.stdout,
        /Deleted application \d+; every token issued for it stopped working/,
      );
      const other = (await createApp()).client_id;
      const scripted = await soa2(['apps', 'delete', String(other), '--yes', '--json']);
      assert.deepEqual(JSON.parse(scripted.stdout), { deleted: other });
      const gone = await soa2(['apps', 'show', id]);
      assert.equal(gone.status, 1);
      assert.match(gone.stderr, new RegExp(`You have no application ${id} on SOA2`));
    },
  );

  test(
    'bad input: exit 2 and no request for usage errors, exit 1 for unknown apps',
    TEST,
    async () => {
      await logIn();
      const id = String((await createApp()).client_id);
      const usage: string[][] = [
        ['apps', 'show', 'abc'],
        // Past SOA2's largest id (2^30) and not an integer: the library's client-id rule refuses them.
        ['apps', 'show', String(2 ** 30 + 1)],
        ['apps', 'show', '1.5'],
        ['apps', 'show'],
        ['apps', 'show', '1', '2'],
        ['apps', 'update', id],
        ['apps', 'update', id, '--name', 'x', '--no-name'],
        [
          'apps',
          'update',
          id,
          '--redirect-uri',
          'http://a/cb',
          '--add-redirect-uri',
          'http://b/cb',
        ],
        ['apps', 'create', '--redirect-uri', 'not a url'],
        ['apps', 'create', '--name', ''],
        ['apps', 'list', '--name', 'x'],
        ['apps', 'frobnicate'],
        ['apps'],
        ['frobnicate'],
        ['apps', 'list', '--no-such-option'],
        ['apps', 'list', '--timeout', 'soon'],
      ];
      const sent = await requestsDuring(async () => {
        for (const args of usage) {
          const run = await soa2(args);
          assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
          assert.match(run.stderr, /^soa2: .+\nRun `soa2 --help` for usage\.\n$/, args.join(' '));
        }
      });
      assert.equal(sent.length, 0, 'nothing was sent');
      const badUrl = await soa2(['apps', 'list', '--api-url', 'ftp://x'], { bare: true });
      assert.equal(badUrl.status, 2);

      const unknown = await soa2(['apps', 'show', '5', '--json']);
      assert.equal(unknown.status, 1);
      const error = JSON.parse(unknown.stderr).error;
      assert.equal(error.code, 'NOT_FOUND');
      assert.match(error.message, /You have no application 5 on SOA2/);
      assert.equal(unknown.stdout, '');
    },
  );

  test('help', TEST, async () => {
    const help = await soa2(['--help'], { bare: true });
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: soa2 <command> \[options\]/);
    for (const command of [
      'login <username>',
      'logout',
      'apps list',
      'apps reset-secret',
      '--json',
    ]) {
      assert.ok(help.stdout.includes(command), command);
    }
    const none = await soa2([], { bare: true });
    assert.equal(none.status, 2);
    assert.match(none.stderr, /^Usage: soa2/);
  });
});

describe('the session file', () => {
  test('not logged in: exit 1 without a request, as text or as JSON', TEST, async () => {
    const sent = await requestsDuring(async () => {
      const text = await soa2(['apps', 'list']);
      assert.equal(text.status, 1);
      assert.equal(
        text.stderr,
        'soa2: Not logged in to SOA2: run `soa2 login <username>` first.\n',
      );
      const json = await soa2(['apps', 'list', '--json']);
      assert.deepEqual(JSON.parse(json.stderr), {
        error: {
          code: 'NOT_LOGGED_IN',
          message: 'Not logged in to SOA2: run `soa2 login <username>` first.',
        },
      });
    });
    assert.equal(sent.length, 0);
  });

  test('an expired session is not used: exit 1 without a request', TEST, async () => {
    await logIn();
    const session = await readSession();
    session.cookies[0].expires = Date.now() - 1000;
    await writeFile(sessionFile, JSON.stringify(session), { mode: 0o600 });
    const sent = await requestsDuring(async () => {
      const run = await soa2(['apps', 'list']);
      assert.equal(run.status, 1);
      assert.match(
        run.stderr,
        /Your SOA2 login as kenny2scratch has expired: run `soa2 login kenny2scratch` again/,
      );
    });
    assert.equal(sent.length, 0);
  });

  test('a session SOA2 ended: exit 1, and the file no longer claims a login', TEST, async () => {
    await logIn();
    now += 24 * 3600 * 1000 + 1000;
    const run = await soa2(['apps', 'list']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /SOA2 says you are not logged in/);
    assert.equal((await readSession()).username, null);
    now = Date.now();
    assert.match((await soa2(['apps', 'list'])).stderr, /Not logged in to SOA2/);
  });

  test('a file others can read is made private again, with a warning', TEST, async () => {
    await logIn();
    await chmod(sessionFile, 0o644);
    const run = await soa2(['apps', 'list']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(
      run.stderr,
      /was readable by other users; it is now readable by you only \(0600\)/,
    );
    assert.equal((await stat(sessionFile)).mode & 0o777, 0o600);
  });

  test('a session for another API is not used there', TEST, async () => {
    await logIn();
    const run = await soa2(
      ['apps', 'list', '--session-file', sessionFile, '--api-url', 'http://127.0.0.1:9/api'],
      {
        bare: true,
      },
    );
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /The saved login is for http:\/\/127\.0\.0\.1:\d+\/w\/rest\.php\/soa2\/v0, not http:\/\/127\.0\.0\.1:9\/api/,
    );
  });

  test(
    'a file that is not a session: a clear error; a new login replaces it, logout deletes it',
    TEST,
    async () => {
      await logIn();
      await writeFile(sessionFile, '{"hello": 1}', { mode: 0o600 });
      const run = await soa2(['apps', 'list']);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /is not a passport-soa2 session file .*soa2 logout/);
      const replaced = await soa2(['login', KENNY.name, '--no-wait']);
      assert.equal(replaced.status, 0, 'a new login replaces it');
      assert.match(
        replaced.stderr,
        /not a passport-soa2 session file.*\(This login replaces it\.\)/,
      );
      assert.equal((await readSession()).login.username, KENNY.name);
      await writeFile(sessionFile, 'not json', { mode: 0o600 });
      assert.equal((await soa2(['logout'])).status, 0);
      await assert.rejects(stat(sessionFile), { code: 'ENOENT' });
    },
  );

  test('logout deletes the file; a second logout says there was none', TEST, async () => {
    await logIn();
    const out = await soa2(['logout']);
    assert.equal(out.status, 0, out.stderr);
    assert.equal(out.stdout, `Logged out: deleted ${sessionFile}.\n`);
    await assert.rejects(stat(sessionFile), { code: 'ENOENT' });
    const again = await soa2(['logout', '--json']);
    assert.deepEqual(JSON.parse(again.stdout), { loggedOut: false, sessionFile });
  });

  test('the default location is under $XDG_CONFIG_HOME', TEST, async () => {
    const config = join(dir, `xdg${counter}`);
    const env = { XDG_CONFIG_HOME: config };
    const started = await soa2(['login', KENNY.name, '--no-wait', '--api-url', fake.apiURL], {
      bare: true,
      env,
    });
    assert.equal(started.status, 0, started.stderr);
    const file = join(config, 'passport-soa2', 'session.json');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    fake.postComment(KENNY.name, printedCode(started.stdout));
    const finished = await soa2(['login', '--finish', '--api-url', fake.apiURL], {
      bare: true,
      env,
    });
    assert.match(finished.stdout, new RegExp(`Session saved to ${literal(file)}`));
  });
});

describe('the session file and its folder are never trusted blindly', () => {
  /** A file outside the session folder that a planted link points at. */
  async function victim(mode: number): Promise<string> {
    const path = join(dir, `victim${counter}.txt`);
    await writeFile(path, 'not yours\n', { mode });
    await chmod(path, mode);
    return path;
  }

  test(
    'a symlinked session.json: refused, never followed, its target untouched',
    TEST,
    async () => {
      await logIn();
      const target = await victim(0o644);
      await rm(sessionFile);
      await symlink(target, sessionFile);

      for (const args of [
        ['apps', 'list'],
        ['login', '--finish'],
      ]) {
        const run = await soa2(args);
        assert.equal(run.status, 1, run.stderr);
        assert.match(run.stderr, /session\.json is a symbolic link: it is not followed/);
        assert.doesNotMatch(run.stderr, /was readable by other users/);
      }
      const json = await soa2(['apps', 'list', '--json']);
      assert.equal(JSON.parse(json.stderr).error.code, 'UNSAFE_SESSION_FILE');
      assert.equal((await stat(target)).mode & 0o777, 0o644, "the target's mode is unchanged");
      assert.equal(await readFile(target, 'utf8'), 'not yours\n');
      assert.ok((await lstat(sessionFile)).isSymbolicLink(), 'a refused link is left in place');
    },
  );

  test('a new login replaces a symlinked session.json with a private file', TEST, async () => {
    const target = await victim(0o644);
    await mkdir(dirname(sessionFile), { recursive: true, mode: 0o700 });
    await symlink(target, sessionFile);
    const started = await soa2(['login', KENNY.name, '--no-wait']);
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stderr, /is a symbolic link.*\(This login replaces it\.\)/);

    const file = await lstat(sessionFile);
    assert.ok(file.isFile(), 'the link itself was replaced');
    assert.equal(file.mode & 0o777, 0o600);
    assert.equal((await stat(target)).mode & 0o777, 0o644, "the target's mode is unchanged");
    assert.equal(await readFile(target, 'utf8'), 'not yours\n', 'nothing was written through it');
    assert.equal((await soa2(['logout'])).status, 0);
    assert.equal(await readFile(target, 'utf8'), 'not yours\n', 'logout deletes no target');
  });

  test(
    'a pre-existing 0777 folder of ours is tightened to 0700, with a warning',
    TEST,
    async () => {
      const folder = dirname(sessionFile);
      await mkdir(folder, { recursive: true });
      await chmod(folder, 0o777);
      const started = await soa2(['login', KENNY.name, '--no-wait']);
      assert.equal(started.status, 0, started.stderr);
      assert.ok(
        started.stderr.includes(
          `${folder} was open to other users (0777); it is now private to you (0700).`,
        ),
        started.stderr,
      );
      assert.equal((await stat(folder)).mode & 0o777, 0o700);
      assert.equal((await stat(sessionFile)).mode & 0o777, 0o600);

      // Loosened again after the login: the next read tightens it as well.
      await chmod(folder, 0o755);
      const listed = await soa2(['login', '--finish']);
      assert.match(listed.stderr, /was open to other users \(0755\); it is now private to you/);
      assert.equal((await stat(folder)).mode & 0o777, 0o700);
    },
  );

  test(
    'a folder that is a link, or another user’s, is refused and left as it is',
    TEST,
    async (t) => {
      const real = join(dir, `real${counter}`);
      await mkdir(real, { mode: 0o755 });
      await chmod(real, 0o755);
      await mkdir(dirname(dirname(sessionFile)), { recursive: true });
      await symlink(real, dirname(sessionFile));
      const linked = await soa2(['login', KENNY.name, '--no-wait', '--json']);
      assert.equal(linked.status, 1);
      const error = JSON.parse(linked.stderr.trim().split('\n').at(-1) ?? '').error;
      assert.equal(error.code, 'UNSAFE_SESSION_FOLDER');
      assert.match(error.message, /passport-soa2 is a symbolic link: the session is kept only/);
      assert.equal((await stat(real)).mode & 0o777, 0o755, 'not chmodded through the link');
      await assert.rejects(stat(join(real, 'session.json')), { code: 'ENOENT' });

      if (process.getuid?.() !== 0) {
        t.diagnostic('not root: cannot give a folder to another user here');
        return;
      }
      const theirs = join(dir, `theirs${counter}`, 'passport-soa2');
      await mkdir(theirs, { recursive: true, mode: 0o777 });
      await chmod(theirs, 0o777);
      await chown(theirs, 65534, 65534);
      // This test's own session file sits in the linked folder: use others from here on.
      sessionFile = join(theirs, 'session.json');
      const run = await soa2(['login', KENNY.name, '--no-wait']);
      assert.equal(run.status, 1);
      assert.match(run.stderr, /belongs to another user \(uid 65534\) and others can write in it/);
      assert.equal(
        (await stat(theirs)).mode & 0o777,
        0o777,
        'another user’s folder is not changed',
      );
      await assert.rejects(stat(join(theirs, 'session.json')), { code: 'ENOENT' });

      // A session file another user put in a folder of ours is not used either.
      sessionFile = join(dir, `ours${counter}`, 'passport-soa2', 'session.json');
      await logIn();
      await chown(sessionFile, 65534, 65534);
      const list = await soa2(['apps', 'list']);
      assert.equal(list.status, 1);
      assert.match(
        list.stderr,
        /session\.json belongs to another user \(uid 65534\): it is not used/,
      );
    },
  );
});

describe('the API the CLI talks to', () => {
  test('SOA2_API_URL sets it; --api-url wins over it', TEST, async () => {
    const env = { SOA2_API_URL: fake.apiURL };
    const started = await soa2(['login', KENNY.name, '--no-wait', '--session-file', sessionFile], {
      bare: true,
      env,
    });
    assert.equal(started.status, 0, started.stderr);
    assert.equal((await readSession()).apiURL, fake.apiURL);
    fake.postComment(KENNY.name, printedCode(started.stdout));
    const finished = await soa2(['login', '--finish', '--session-file', sessionFile], {
      bare: true,
      env,
    });
    assert.equal(finished.status, 0, finished.stderr);

    // The flag wins: a variable pointing nowhere is not used.
    const flagged = await soa2(['apps', 'list'], {
      env: { SOA2_API_URL: 'http://127.0.0.1:9/api' },
    });
    assert.equal(flagged.status, 0, flagged.stderr);
    // Neither flag nor variable (an empty one counts as unset): SOA2's own API, which this
    // session does not belong to, so nothing is sent anywhere.
    const neither = await soa2(['apps', 'list', '--session-file', sessionFile], {
      bare: true,
      env: { SOA2_API_URL: '' },
    });
    assert.equal(neither.status, 1);
    assert.match(
      neither.stderr,
      /not https:\/\/oauth2\.scratch-wiki\.info\/w\/rest\.php\/soa2\/v0/,
    );
  });

  test('a malformed SOA2_API_URL is a usage error that names the variable', TEST, async () => {
    const run = await soa2(['apps', 'list', '--session-file', sessionFile], {
      bare: true,
      env: { SOA2_API_URL: 'ftp://example' },
    });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /^soa2: SOA2_API_URL: not an http\(s\) URL: ftp:\/\/example\n/);
  });

  for (const [how, args, env] of [
    ['SOA2_API_URL', [], { SOA2_API_URL: 'http://oauth2.scratch-wiki.info/w/rest.php/soa2/v0' }],
    ['--api-url', ['--api-url', 'http://oauth2.scratch-wiki.info/w/rest.php/soa2/v0'], {}],
  ] as const) {
    test(
      `insecure http:// to another host (${how}) exits non-zero and sends nothing`,
      TEST,
      async () => {
        // Someone on the path: a proxy that records whatever reaches it.
        const seen: string[] = [];
        const onPath = await listen((req, res) => {
          seen.push(`${req.method} ${req.url}`);
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end('{}');
        });
        try {
          const run = await soa2(
            ['login', KENNY.name, '--no-wait', ...args, '--session-file', sessionFile],
            { bare: true, env: { ...env, HTTP_PROXY: onPath.url, http_proxy: onPath.url } },
          );
          assert.equal(run.status, 2, run.stdout);
          assert.match(run.stderr, /insecure http:\/\/ to oauth2\.scratch-wiki\.info/);
          assert.deepEqual(seen, []);
        } finally {
          await onPath.close();
        }
      },
    );
  }

  test("the text is posted on the fake's own profile page, which login links", TEST, async () => {
    const started = await soa2(['login', KENNY.name, '--no-wait', '--json']);
    assert.equal(started.status, 0, started.stderr);
    const { code, profileURL } = JSON.parse(started.stdout);
    assert.equal(profileURL, `${fake.url}/fake/scratch/users/kenny2scratch`);
    // Posted as a person would, through the page the CLI linked (no test hook).
    const page = await fetch(profileURL, { signal: AbortSignal.timeout(10_000) });
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<form method="post">/);
    const posted = await fetch(profileURL, {
      method: 'POST',
      body: new URLSearchParams({ comment: code }),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(posted.status, 303);
    const finished = await soa2(['login', '--finish']);
    assert.equal(finished.status, 0, finished.stderr);
    assert.match(finished.stdout, /Logged in to SOA2 as kenny2scratch/);
  });

  test("SOA2's own host links the Scratch profile", TEST, async () => {
    const { profilePageURL } = await import(
      '../../packages/passport-soa2/dist/lib/cli/profile-link.js'
    );
    assert.equal(
      profilePageURL('https://oauth2.scratch-wiki.info/w/rest.php/soa2/v0', 'Some_One'),
      'https://scratch.mit.edu/users/Some_One/#comments',
    );
    assert.equal(
      profilePageURL('http://127.0.0.1:4567/w/rest.php/soa2/v0/', 'Some_One'),
      'http://127.0.0.1:4567/fake/scratch/users/Some_One',
    );
  });
});

describe('an application created with the CLI', () => {
  test('its --json output configures the strategy for a full login', TEST, async () => {
    await logIn();
    let profile: Soa2Profile | undefined;
    const created = await createApp(['--name', 'From the terminal']);
    const strategy = new Strategy(
      {
        clientID: created.client_id,
        clientSecret: created.client_secret,
        callbackURL: '/callback/soa2',
        baseURL: fake.url,
      },
      (_access: string, _refresh: string, p: Soa2Profile, done: VerifyCallback) => {
        profile = p;
        done(null, { id: p.id });
      },
    );
    const running = await startTestApp({ strategies: [strategy] });
    try {
      // The callback URL is known once the app listens: register it, as a deployment script would.
      const update = await soa2([
        'apps',
        'update',
        String(created.client_id),
        '--redirect-uri',
        `${running.url}/callback/soa2`,
      ]);
      assert.equal(update.status, 0, update.stderr);
      const browser = new Browser();
      const consent = await browser.get(`${running.url}/login/soa2`);
      const done = await browser.submit(consent, 'confirm');
      assert.equal(done.status, 200, done.text);
      assert.deepEqual(JSON.parse(done.text).user, { id: KENNY.id });
      assert.equal(profile?.username, KENNY.name);
      await running.assertOneActionEach();
    } finally {
      await running.close();
    }
  });
});
