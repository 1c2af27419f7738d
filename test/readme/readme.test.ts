/**
 * The package READMEs' marked code blocks (`<!-- tested: NAME -->`, see blocks.ts), run as a user
 * would after pasting them into an empty folder: each CommonJS app as its own Node process against
 * the fakes, logged in end to end with the scripted browser; each TypeScript block compiled by the
 * repo's tsc under `strict` (`skipLibCheck: false` for the Express apps) and its output run the same
 * way. A README edit that breaks an app (say, `passport.session()` removed) fails here.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { type AppProcess, startAppProcess } from '../compat/app-process.js';
import {
  EXBO_CLIENT,
  type Fakes,
  loginWithExbo,
  loginWithSoa2,
  SOA2_CLIENT,
  startFakes,
} from '../compat/logins.js';
import { tsc } from '../compat/tsc.js';
import type { Page } from '../helpers/browser.js';
import { Browser } from '../helpers/browser.js';
import { block, testedBlocks, writeProject } from './blocks.js';

const TIMEOUT = { timeout: 60_000 };

/** A user's tsconfig for the TypeScript forms: strict, libraries checked too. */
function expressTsconfig(module: 'nodenext' | 'bundler'): string {
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      target: 'ES2022',
      lib: ['ES2023'],
      module: module === 'nodenext' ? 'nodenext' : 'preserve',
      moduleResolution: module,
      skipLibCheck: false,
      types: ['node'],
      outDir: 'dist',
      rootDir: '.',
      ...(module === 'bundler' && { noEmit: true }),
    },
    include: ['*.ts'],
  });
}

/** A Nest project's tsconfig (as test/compat/fixtures/nest: decorators and their metadata). */
const NEST_TSCONFIG = JSON.stringify({
  compilerOptions: {
    strict: true,
    target: 'ES2022',
    lib: ['ES2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    experimentalDecorators: true,
    emitDecoratorMetadata: true,
    skipLibCheck: true,
    types: ['node'],
    outDir: 'dist',
    rootDir: '.',
  },
  include: ['*.ts'],
});

/** `@types` packages a strict Express app may need: the ones named in the READMEs and theirs. */
const EXPRESS_TYPES = new Set([
  '@types/node',
  '@types/express',
  '@types/express-serve-static-core',
  '@types/express-session',
  '@types/passport',
  '@types/serve-static',
  '@types/send',
  '@types/mime',
  '@types/http-errors',
  '@types/qs',
  '@types/range-parser',
  '@types/body-parser',
  '@types/connect',
]);

/** Compiles a project; asserts no diagnostics and, with `--listFiles`, which `@types` it used. */
function compile(dir: string, config = 'tsconfig.json', allowedTypes?: Set<string>): void {
  const build = tsc(`${dir}/${config}`, '--listFiles');
  const diagnostics = build.output
    .split('\n')
    .filter((line) => !line.startsWith('/'))
    .join('\n');
  assert.equal(diagnostics, '', `${dir}/${config} does not compile`);
  assert.equal(build.status, 0);
  if (!allowedTypes) return;
  const used = new Set(
    [...build.output.matchAll(/node_modules\/(@types\/[^/]+)/g)].map((m) => m[1]),
  );
  for (const name of used) assert.ok(allowedTypes.has(String(name)), `${name} is not needed`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  assert.ok(address && typeof address === 'object');
  return address.port;
}

/** The session-less apps sign their JWTs with this. */
const README_JWT_KEY = 'readme-test-jwt-key-0123456789';

/** The session user the Nest apps keep for the fakes' first user. */
const NEST_USERS = {
  exbo: { id: '90102', name: 'Test-1' },
  soa2: { id: '10114764', name: 'kenny2scratch' },
};

let fakes: Fakes;
before(async () => {
  fakes = await startFakes();
});
after(async () => {
  await fakes?.close();
});

interface Provider {
  readme: string;
  /** The app's login route and the provider's name on its page. */
  route: string;
  label: string;
  /** What the page shows once the fake's first user has logged in. */
  signedIn: RegExp;
  /** What the linking app's page shows once the fake's first user's account is linked. */
  linked: RegExp;
  env(): Record<string, string>;
  login(browser: Browser, startURL: string): Promise<Page>;
}

const PROVIDERS: Record<'exbo' | 'soa2', Provider> = {
  exbo: {
    readme: 'packages/passport-exbo/README.md',
    route: '/auth/exbo',
    label: 'Log in with EXBO',
    signedIn: /Logged in as Test-1 \(EXBO id 90102\)/,
    linked: /EXBO account: Test-1 \(EXBO id 90102\)/,
    env: () => ({
      EXBO_CLIENT_ID: EXBO_CLIENT.clientId,
      EXBO_CLIENT_SECRET: EXBO_CLIENT.clientSecret,
      EXBO_BASE_URL: fakes.exbo.url,
    }),
    login: (browser, startURL) => loginWithExbo(browser, startURL),
  },
  soa2: {
    readme: 'packages/passport-soa2/README.md',
    route: '/auth/soa2',
    label: 'Log in with Scratch',
    signedIn: /Logged in as kenny2scratch \(Scratch id 10114764\)/,
    linked: /Scratch account: kenny2scratch \(Scratch id 10114764\)/,
    env: () => ({
      SOA2_CLIENT_ID: String(SOA2_CLIENT.clientId),
      SOA2_CLIENT_SECRET: SOA2_CLIENT.clientSecret,
      SOA2_BASE_URL: fakes.soa2.url,
    }),
    login: (browser, startURL) => loginWithSoa2(browser, startURL),
  },
};

/**
 * Starts the compiled or pasted app on a free port, registers its callback with the fake, and
 * returns it; the caller closes it.
 */
async function startApp(
  name: keyof typeof PROVIDERS,
  file: string,
  route = PROVIDERS[name].route,
): Promise<AppProcess> {
  const port = await freePort();
  const provider = PROVIDERS[name];
  fakes.allowCallbacks({ [name]: [`http://localhost:${port}${route}/callback`] });
  return startAppProcess(file, {
    PORT: String(port),
    SESSION_SECRET: 'readme-test-session-secret-0123456789',
    STATE_COOKIE_SECRET: 'readme-test-login-state-cookie-secret',
    JWT_KEY: README_JWT_KEY,
    NO_PROXY: '*',
    ...provider.env(),
  });
}

/** Anonymous, then logged in through the fake, still logged in on reload, then logged out. */
async function assertLoginRoundTrip(name: keyof typeof PROVIDERS, app: AppProcess): Promise<void> {
  const provider = PROVIDERS[name];
  const browser = new Browser();
  const home = `${app.url}/`;
  const anonymous = await browser.get(home);
  assert.equal(anonymous.status, 200, anonymous.text);
  assert.match(anonymous.text, new RegExp(`href="${provider.route}"`), 'a login link');

  const done = await provider.login(browser, `${app.url}${provider.route}`);
  assert.equal(done.status, 200, done.text);
  assert.equal(done.url, home, 'the callback redirects home');
  assert.match(done.text, provider.signedIn, 'the page shows who is logged in');

  const again = await browser.get(home);
  assert.match(again.text, provider.signedIn, 'the session keeps the user');

  const out = await browser.post(`${app.url}/logout`, {});
  assert.equal(out.url, home);
  assert.match(out.text, new RegExp(provider.label), 'logged out');
  assert.equal(app.exitCode(), null, `the app is still running:\n${app.stderr()}`);
  assert.equal(app.stderr(), '', 'nothing on stderr');
}

for (const name of ['exbo', 'soa2'] as const) {
  describe(`${PROVIDERS[name].readme}: its tested blocks`, () => {
    test(`${name}-cjs: pasted as app.js, logs in against the fake`, TIMEOUT, async () => {
      const dir = writeProject(`${name}-cjs`, {
        'package.json': '{ "private": true }\n',
        'app.js': block(testedBlocks(PROVIDERS[name].readme), `${name}-cjs`),
      });
      const app = await startApp(name, `${dir}/app.js`);
      try {
        await assertLoginRoundTrip(name, app);
      } finally {
        await app.close();
      }
    });

    test(
      `${name}-link-cjs: a signed-in user links the account, staying signed in`,
      TIMEOUT,
      async () => {
        const dir = writeProject(`${name}-link-cjs`, {
          'package.json': '{ "private": true }\n',
          'app.js': block(testedBlocks(PROVIDERS[name].readme), `${name}-link-cjs`),
        });
        const app = await startApp(name, `${dir}/app.js`, `/connect/${name}`);
        try {
          const provider = PROVIDERS[name];
          const browser = new Browser();
          const home = `${app.url}/`;
          const anonymous = await browser.get(home);
          assert.match(anonymous.text, /Sign in as the demo user/);
          const refused = await browser.get(`${app.url}/connect/${name}`, { follow: false });
          assert.equal(refused.status, 401, 'linking needs a signed-in user');
          assert.equal(refused.headers.get('location'), null);

          const signedIn = await browser.post(`${app.url}/login`, {});
          assert.match(signedIn.text, /Signed in as Demo user/);
          assert.match(signedIn.text, new RegExp(`href="/connect/${name}"`), 'a link to link');
          const sessionCookie = async () =>
            (await browser.jar.getCookies(home)).find((cookie) => cookie.key === 'connect.sid')
              ?.value;
          const session = await sessionCookie();
          assert.ok(session);

          const done = await provider.login(browser, `${app.url}/connect/${name}`);
          assert.equal(done.url, home, 'the linking callback redirects home');
          assert.match(done.text, /Signed in as Demo user/, 'still the same user');
          assert.match(done.text, provider.linked, 'the account is linked');
          assert.equal(
            await sessionCookie(),
            session,
            'the same session: authorize logs no one in',
          );
          assert.match((await browser.get(home)).text, provider.linked, 'kept on reload');
          assert.equal(app.exitCode(), null, `the app is still running:\n${app.stderr()}`);
          assert.equal(app.stderr(), '', 'nothing on stderr');
        } finally {
          await app.close();
        }
      },
    );

    test(
      `${name}-sessionless-cjs: no session, a JWT after the login; a replay fails`,
      TIMEOUT,
      async () => {
        const dir = writeProject(`${name}-sessionless-cjs`, {
          'package.json': '{ "private": true }\n',
          'app.js': block(testedBlocks(PROVIDERS[name].readme), `${name}-sessionless-cjs`),
        });
        const app = await startApp(name, `${dir}/app.js`);
        try {
          const route = PROVIDERS[name].route;
          const browser = new Browser();
          const anonymous = await browser.get(`${app.url}/me`);
          assert.equal(anonymous.status, 401);
          assert.deepEqual(JSON.parse(anonymous.text), { login: route });

          const done = await PROVIDERS[name].login(browser, `${app.url}${route}?returnTo=/clan/7`);
          assert.equal(done.status, 200, done.text);
          const { token, returnTo } = JSON.parse(done.text) as { token: string; returnTo: string };
          assert.equal(returnTo, '/clan/7', 'the app state came back as req.authInfo.state');
          const [header = '', payload = '', signature = ''] = token.split('.');
          const expected = createHmac('sha256', README_JWT_KEY)
            .update(`${header}.${payload}`)
            .digest('base64url');
          assert.equal(signature, expected, 'an HS256 JWT under JWT_KEY');
          const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString());
          assert.deepEqual(decode(header), { alg: 'HS256', typ: 'JWT' });
          const claims = decode(payload);
          assert.deepEqual(
            { sub: claims.sub, name: claims.name },
            {
              sub: NEST_USERS[name].id,
              name: NEST_USERS[name].name,
            },
          );
          assert.equal(claims.exp - claims.iat, 3600);
          assert.equal((await browser.jar.getCookieString(done.url)).length, 0, 'no cookie left');

          const me = await fetch(`${app.url}/me`, {
            headers: { Authorization: `Bearer ${token}` },
          });
          assert.deepEqual(await me.json(), { user: NEST_USERS[name] });
          const forged = `${header}.${payload}.${'A'.repeat(43)}`;
          const refused = await fetch(`${app.url}/me`, {
            headers: { Authorization: `Bearer ${forged}` },
          });
          assert.equal(refused.status, 401);

          const replay = await browser.get(done.url);
          assert.equal(replay.status, 403, 'the replayed callback fails');
          const offsite = await PROVIDERS[name].login(
            new Browser(),
            `${app.url}${route}?returnTo=//evil.example`,
          );
          assert.equal(JSON.parse(offsite.text).returnTo, '/', 'only a local path travels');
          assert.equal(app.exitCode(), null, `the app is still running:\n${app.stderr()}`);
          assert.equal(app.stderr(), '', 'nothing on stderr');
        } finally {
          await app.close();
        }
      },
    );

    test(
      `${name}-ts: compiles under strict with only the usual @types, and logs in`,
      TIMEOUT,
      async () => {
        const dir = writeProject(`${name}-ts`, {
          'package.json': '{ "private": true, "type": "module" }\n',
          'app.ts': block(testedBlocks(PROVIDERS[name].readme), `${name}-ts`),
          'tsconfig.json': expressTsconfig('nodenext'),
          'tsconfig.bundler.json': expressTsconfig('bundler'),
        });
        compile(dir, 'tsconfig.json', EXPRESS_TYPES);
        compile(dir, 'tsconfig.bundler.json', EXPRESS_TYPES);
        const app = await startApp(name, `${dir}/dist/app.js`);
        try {
          await assertLoginRoundTrip(name, app);
        } finally {
          await app.close();
        }
      },
    );

    test(
      `${name}-nest: the NestJS app compiles as a Nest project and logs in`,
      TIMEOUT,
      async () => {
        const dir = writeProject(`${name}-nest`, {
          'package.json': '{ "private": true, "type": "module" }\n',
          'main.ts': block(testedBlocks(PROVIDERS[name].readme), `${name}-nest`),
          'tsconfig.json': NEST_TSCONFIG,
        });
        compile(dir);
        const app = await startApp(name, `${dir}/dist/main.js`);
        try {
          const browser = new Browser();
          const home = `${app.url}/`;
          const anonymous = await browser.get(home);
          assert.deepEqual(JSON.parse(anonymous.text), { login: PROVIDERS[name].route });

          const done = await PROVIDERS[name].login(browser, `${app.url}${PROVIDERS[name].route}`);
          assert.equal(done.url, home, 'the callback redirects home');
          assert.deepEqual(JSON.parse(done.text), { user: NEST_USERS[name] });

          const out = await browser.post(`${app.url}/logout`, {});
          assert.equal(out.url, home);
          assert.deepEqual(JSON.parse(out.text), { login: PROVIDERS[name].route }, 'logged out');
          assert.equal(app.exitCode(), null, `the app is still running:\n${app.stderr()}`);
        } finally {
          await app.close();
        }
      },
    );
  });
}
