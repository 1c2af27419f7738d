/**
 * Start-up settings of the example app: demo mode with nothing set, every mistake named at once
 * otherwise, and the real `server.js` refusing to start with bad settings.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../examples/express-login/src/config.js';
import { freePort } from '../../harness/processes.js';

const SERVER = fileURLToPath(
  new URL('../../examples/express-login/dist/server.js', import.meta.url),
);
const EXBO_SECRET = 'Real0Looking0Exbo0Secret0000000000000000';
const SOA2_SECRET = 'ab'.repeat(64);
const SESSION_SECRET = 'x'.repeat(40);

const validExbo = {
  EXBO_CLIENT_ID: '30',
  EXBO_CLIENT_SECRET: EXBO_SECRET,
  EXBO_CALLBACK_URL: 'http://localhost:3000/auth/exbo/callback',
};
const validSoa2 = {
  SOA2_CLIENT_ID: '123456789',
  SOA2_CLIENT_SECRET: SOA2_SECRET,
  SOA2_CALLBACK_URL: 'http://localhost:3000/auth/soa2/callback',
};

function problemsOf(env: Record<string, string>): string[] {
  const result = loadConfig(env);
  assert.equal(result.ok, false, 'expected the settings to be refused');
  return result.ok ? [] : result.problems;
}

describe('example app settings', () => {
  it('a provider URL over insecure http:// to another host is refused, naming the variable', () => {
    for (const name of ['EXBO_BASE_URL', 'SOA2_BASE_URL']) {
      const problems = problemsOf({
        ...validExbo,
        ...validSoa2,
        SESSION_SECRET,
        [name]: 'http://provider.example',
      });
      assert.ok(
        problems.some((p) => p.startsWith(`${name} must be https://`) && /insecure http/.test(p)),
        problems.join('\n'),
      );
      const local = loadConfig({
        ...validExbo,
        ...validSoa2,
        SESSION_SECRET,
        [name]: 'http://127.0.0.1:9',
      });
      assert.equal(local.ok, true, name);
    }
  });

  it('runs in demo mode with no provider settings, with a random session secret and a warning', () => {
    const first = loadConfig({});
    const second = loadConfig({});
    assert.ok(first.ok && second.ok);
    assert.equal(first.config.demo, true);
    assert.equal(first.config.exbo, undefined);
    assert.equal(first.config.port, 3000);
    assert.equal(first.config.host, '127.0.0.1');
    assert.equal(first.config.secureCookies, false);
    assert.ok(first.config.sessionSecret.length >= 32);
    assert.notEqual(first.config.sessionSecret, second.config.sessionSecret);
    assert.match(first.warnings.join('\n'), /SESSION_SECRET is not set/);
  });

  it('accepts complete settings for the real providers', () => {
    const result = loadConfig({ ...validExbo, ...validSoa2, SESSION_SECRET });
    assert.ok(result.ok);
    assert.equal(result.config.demo, false);
    assert.deepEqual(result.config.exbo, {
      clientID: '30',
      clientSecret: EXBO_SECRET,
      callbackURL: validExbo.EXBO_CALLBACK_URL,
    });
    assert.equal(result.config.soa2?.clientID, 123456789);
    assert.equal(result.config.sessionSecret, SESSION_SECRET);
    assert.deepEqual(result.warnings, []);
  });

  it('accepts one provider alone, and SOA2 without a callback URL (paste mode)', () => {
    const result = loadConfig({
      SOA2_CLIENT_ID: '5',
      SOA2_CLIENT_SECRET: SOA2_SECRET,
      SESSION_SECRET,
    });
    assert.ok(result.ok);
    assert.equal(result.config.exbo, undefined);
    assert.equal(result.config.soa2?.callbackURL, undefined);
  });

  it('names every missing setting of a half-configured provider, and the session secret', () => {
    const problems = problemsOf({ EXBO_CLIENT_ID: '30' }).join('\n');
    assert.match(problems, /EXBO_CLIENT_SECRET is missing/);
    assert.match(problems, /EXBO_CALLBACK_URL is missing/);
    assert.match(problems, /SESSION_SECRET is not set/);
    assert.doesNotMatch(problems, /EXBO_CLIENT_ID/);
  });

  it('names each invalid value, without echoing secrets', () => {
    const problems = problemsOf({
      EXBO_CLIENT_ID: 'my-app',
      EXBO_CLIENT_SECRET: EXBO_SECRET,
      EXBO_CALLBACK_URL: 'http://localhost:3000/callback',
      SOA2_CLIENT_ID: '12.5',
      SOA2_CLIENT_SECRET: 'NOT-HEX-secret-value',
      SOA2_CALLBACK_URL: 'localhost:3000/auth/soa2/callback',
      SOA2_BASE_URL: 'ftp://example.org',
      SESSION_SECRET: 'short',
      PORT: '99999',
    });
    const text = problems.join('\n');
    for (const name of [
      'EXBO_CLIENT_ID',
      'EXBO_CALLBACK_URL must end in /auth/exbo/callback',
      'SOA2_CLIENT_ID',
      'SOA2_CLIENT_SECRET',
      'SOA2_CALLBACK_URL must be an absolute',
      'SOA2_BASE_URL',
      'SESSION_SECRET is too short',
      'PORT',
    ]) {
      assert.ok(text.includes(name), `no problem names ${name}:\n${text}`);
    }
    assert.ok(!text.includes(EXBO_SECRET) && !text.includes('NOT-HEX-secret-value'));
    assert.ok(!text.includes('short"'), 'the session secret itself is not echoed');
  });

  it('refuses https callback URLs without TRUST_PROXY, and sends Secure cookies with it', () => {
    const https = {
      ...validExbo,
      EXBO_CALLBACK_URL: 'https://app.example/auth/exbo/callback',
      SESSION_SECRET,
    };
    assert.match(problemsOf(https).join('\n'), /set TRUST_PROXY/);
    const result = loadConfig({ ...https, TRUST_PROXY: '1' });
    assert.ok(result.ok);
    assert.equal(result.config.trustProxy, 1);
    assert.equal(result.config.secureCookies, true);
  });

  it('refuses a callback URL on this machine that does not reach the app port', () => {
    const problems = problemsOf({ ...validExbo, SESSION_SECRET, PORT: '4000' }).join('\n');
    assert.match(problems, /EXBO_CALLBACK_URL points at port 3000 .* PORT=4000/);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built server.js with only `env` (and PATH). `onStdout` sees the output so far and may
 * return a promise; the server is stopped once it settles. Killed after 15 s in any case.
 */
function runServer(
  env: Record<string, string>,
  onStdout?: (stdout: string) => Promise<void> | undefined,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SERVER], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let waiting = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      const pending = waiting ? undefined : onStdout?.(stdout);
      if (pending) {
        waiting = true;
        void pending.finally(() => child.kill('SIGTERM'));
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('example app start-up (server.js)', () => {
  it('stops with exit code 1 and names what is wrong when the settings are partial', {
    timeout: 10_000,
  }, async () => {
    const run = await runServer({ EXBO_CLIENT_ID: '30', SOA2_CLIENT_SECRET: SOA2_SECRET });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /cannot start because of its settings/);
    assert.match(run.stderr, /EXBO_CLIENT_SECRET is missing/);
    assert.match(run.stderr, /EXBO_CALLBACK_URL is missing/);
    assert.match(run.stderr, /SOA2_CLIENT_ID is missing/);
    assert.match(run.stderr, /SESSION_SECRET is not set/);
    assert.ok(!run.stderr.includes(SOA2_SECRET), 'no secret in the output');
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    assert.doesNotMatch(run.stdout, /Open http/);
  });

  it('stops with exit code 1 when an invalid value is set', { timeout: 10_000 }, async () => {
    const run = await runServer({ ...validExbo, SESSION_SECRET, EXBO_CLIENT_ID: 'abc' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /EXBO_CLIENT_ID must be the numeric id/);
  });

  it('starts in demo mode with nothing set, prints the URL to open, and serves it', {
    timeout: 10_000,
  }, async () => {
    let home = '';
    const run = await runServer({ PORT: '0' }, (stdout) => {
      const url = /Open (http:\/\/localhost:\d+\/)/.exec(stdout)?.[1];
      if (!url) return undefined;
      return fetch(url)
        .then((res) => res.text())
        .then((text) => {
          home = text;
        });
    });
    assert.match(run.stdout, /DEMO providers/);
    assert.match(run.stdout, /Open http:\/\/localhost:\d+\/ in your browser/);
    assert.match(run.stderr, /SESSION_SECRET is not set/);
    assert.match(home, /Demo providers\./);
    assert.match(home, /Login with EXBO/);
    assert.match(home, /Login with Scratch/);
  });

  describe('a DATABASE_URL it cannot use: one line naming it, no password, exit code 1', () => {
    const PASSWORD = 'hunter2secret';
    /** Exits (rather than hangs), with one line naming DATABASE_URL, and never shows PASSWORD. */
    async function assertRefused(databaseURL: string, reason: RegExp) {
      const run = await runServer({ PORT: '0', DATABASE_URL: databaseURL });
      const output = `${run.stdout}\n${run.stderr}`;
      assert.equal(run.code, 1, `exit code (null: killed after 15 s):\n${output}`);
      const lines = run.stderr.split('\n').filter((line) => line.includes('DATABASE_URL'));
      assert.equal(lines.length, 1, `one line names DATABASE_URL:\n${run.stderr}`);
      assert.match(lines[0] ?? '', reason);
      assert.ok(!output.includes(PASSWORD), `the password is shown:\n${output}`);
      assert.doesNotMatch(output, /\n\s+at /, 'no stack trace');
      assert.doesNotMatch(run.stdout, /Open http/);
    }

    it('not a URL', { timeout: 20_000 }, async () => {
      await assertRefused('not a url', /must be a postgres:\/\/ or postgresql:\/\/ URL/);
    });

    it('nothing listening at its port', { timeout: 20_000 }, async () => {
      const port = await freePort();
      await assertRefused(
        `postgres://user:${PASSWORD}@127.0.0.1:${port}/db`,
        /cannot use the PostgreSQL database at postgres:\/\/user:\*\*\*@127\.0\.0\.1:\d+\/db .*ECONNREFUSED/,
      );
    });

    it('the password given as a query parameter', { timeout: 20_000 }, async () => {
      // pg reads every query parameter as a setting, password included.
      const port = await freePort();
      await assertRefused(
        `postgres://user@127.0.0.1:${port}/db?sslmode=disable&password=${PASSWORD}`,
        /cannot use the PostgreSQL database at .*password=\*\*\*/,
      );
    });

    it('a port pg cannot use, given as a query parameter', { timeout: 20_000 }, async () => {
      // The URL itself is valid; pg fails on the port, and its pool then never finishes ending.
      await assertRefused(
        `postgres://user:${PASSWORD}@127.0.0.1/db?port=abc`,
        /DATABASE_URL.*Port should be >= 0 and < 65536/,
      );
    });

    it('a server that accepts the connection and never answers', { timeout: 20_000 }, async () => {
      const sockets = new Set<Socket>();
      const silent = createServer((socket) => sockets.add(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      const { port } = silent.address() as { port: number };
      try {
        // Ended by the pool's 5 s connection timeout, not by runServer's 15 s kill.
        await assertRefused(
          `postgres://user:${PASSWORD}@127.0.0.1:${port}/db`,
          /DATABASE_URL.*timeout/,
        );
      } finally {
        for (const socket of sockets) socket.destroy();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });
});
