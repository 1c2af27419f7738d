/**
 * Both provider fakes (EXBO and SOA2) in this process, used as "the real providers" by any number of
 * app instances, load runs and benchmarks.
 *
 *   const fakes = await startFakes({ accounts: 200 });
 *   fakes.register('https://localhost:8443');        // the example app's callback paths there
 *   fakes.registerRedirect('exbo', 'http://…/cb');   // or any exact redirect URI (bench apps)
 *   startAppInstance(fakes.appEnv('https://localhost:8443'));  // real-provider settings
 *   await fakes.close();
 *
 * Many distinct accounts, so that a session ending up as someone else is caught: with the three
 * default users, two logins would share a user one time in three.
 *
 * `startFakesProcess(options)` runs the same fakes in a child process (harness/fakes-child.ts),
 * for drivers that must not delay the providers or count their CPU (load/, bench/): the same
 * `ProviderFakes` API, minus the fakes' objects.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  type ExboFake,
  type ExboUserConfig,
  type Soa2Fake,
  type Soa2UserConfig,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import { CALLBACK_PATHS } from '../examples/express-login/src/config.js';
import type { FakesChildReady } from './fakes-child.js';
import { stopProcess } from './processes.js';

export type Provider = 'exbo' | 'soa2';

/** An account on one of the fakes, as the example app shows it once signed in. */
export interface Account {
  provider: Provider;
  /** The value of the consent page's `user` field. */
  id: string;
  username: string;
}

export interface FakesOptions {
  /** Distinct accounts per provider. Default 100. */
  accounts?: number;
  /**
   * ASCII logins only. By default every fourth EXBO login is Cyrillic (multi-byte UTF-8 all the
   * way to the page); the EXBO fake sends such a body in two writes 15 ms apart (to catch
   * chunk-by-chunk decoders), a pause a benchmark would measure as the app's latency.
   */
  asciiOnly?: boolean;
}

/** What app instances need from the providers' fakes, wherever they run. */
export interface ProviderFakes {
  accounts: Record<Provider, Account[]>;
  /** Registers `origin` + the example app's callback path of each provider. */
  register(origin: string): void | Promise<void>;
  /** The example app's real-provider settings for a public address `origin`. */
  appEnv(origin: string): Record<string, string>;
  close(): Promise<void>;
}

export interface Fakes extends ProviderFakes {
  exbo: ExboFake;
  soa2: Soa2Fake;
  register(origin: string): void;
  /** Registers one exact redirect URI (compared byte for byte by both providers). */
  registerRedirect(provider: Provider, redirectUri: string): void;
}

/** A session secret shared by every instance (they must all accept each other's cookies). */
export const SHARED_SESSION_SECRET = 'load-and-reliability-runs-shared-session-secret-0123456789';

export async function startFakes(options: FakesOptions = {}): Promise<Fakes> {
  const count = options.accounts ?? 100;
  const exboUsers: ExboUserConfig[] = [];
  const soa2Users: Soa2UserConfig[] = [];
  for (let i = 1; i <= count; i++) {
    const cyrillic = !options.asciiOnly && i % 4 === 0;
    exboUsers.push({
      id: 700_000 + i,
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      login: cyrillic ? `Сталкер-${i}` : `Stalker-${i}`,
      displayLogin: null,
      distributor: 'EXBO',
      distributorId: null,
    });
    soa2Users.push({ userId: 900_000 + i, userName: `scratcher_${i}` });
  }
  const exbo = await startExboFake({
    clients: [{ ...DEFAULT_EXBO_CLIENT, redirectUris: [] }],
    users: exboUsers,
  });
  const soa2 = await startSoa2Fake({
    clients: [{ ...DEFAULT_SOA2_CLIENT, redirectUris: [] }],
    users: soa2Users,
  }).catch(async (err: unknown) => {
    await exbo.close();
    throw err;
  });
  const redirects: Record<Provider, string[]> = { exbo: [], soa2: [] };
  const registerRedirect = (provider: Provider, redirectUri: string) => {
    redirects[provider].push(redirectUri);
    if (provider === 'exbo') {
      exbo.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [...redirects.exbo] });
    } else {
      soa2.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: [...redirects.soa2] });
    }
  };
  return {
    exbo,
    soa2,
    accounts: {
      exbo: exboUsers.map((u) => ({ provider: 'exbo', id: String(u.id), username: u.login })),
      soa2: soa2Users.map((u) => ({
        provider: 'soa2',
        id: String(u.userId),
        username: u.userName,
      })),
    },
    register(origin) {
      registerRedirect('exbo', `${origin}${CALLBACK_PATHS.exbo}`);
      registerRedirect('soa2', `${origin}${CALLBACK_PATHS.soa2}`);
    },
    registerRedirect,
    appEnv: (origin) => appEnv(exbo.url, soa2.url, origin),
    close: async () => {
      await Promise.all([exbo.close(), soa2.close()]);
    },
  };
}

/** The example app's settings for the fakes at `exboURL` and `soa2URL`, public address `origin`. */
function appEnv(exboURL: string, soa2URL: string, origin: string): Record<string, string> {
  return {
    SESSION_SECRET: SHARED_SESSION_SECRET,
    EXBO_CLIENT_ID: DEFAULT_EXBO_CLIENT.clientId,
    EXBO_CLIENT_SECRET: DEFAULT_EXBO_CLIENT.clientSecret,
    EXBO_CALLBACK_URL: `${origin}${CALLBACK_PATHS.exbo}`,
    EXBO_BASE_URL: exboURL,
    SOA2_CLIENT_ID: String(DEFAULT_SOA2_CLIENT.clientId),
    SOA2_CLIENT_SECRET: DEFAULT_SOA2_CLIENT.clientSecret,
    SOA2_CALLBACK_URL: `${origin}${CALLBACK_PATHS.soa2}`,
    SOA2_BASE_URL: soa2URL,
  };
}

const CHILD_START_TIMEOUT_MS = 15_000;

/** The fakes in a child process of their own (harness/fakes-child.ts). */
export async function startFakesProcess(options: FakesOptions = {}): Promise<ProviderFakes> {
  const childFile = fileURLToPath(new URL(`./fakes-child${extension()}`, import.meta.url));
  const child = fork(childFile, [JSON.stringify(options)], {
    // TypeScript sources (tests, `npm run load`) need tsx; compiled ones (bench/dist) do not.
    execArgv: childFile.endsWith('.ts') ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await new Promise<FakesChildReady>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('the fakes process did not start')),
      CHILD_START_TIMEOUT_MS,
    );
    child.once('message', (message: { ready: FakesChildReady }) => {
      clearTimeout(timer);
      resolve(message.ready);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the fakes process exited with code ${code}`));
    });
  }).catch(async (err: unknown) => {
    await stopProcess(child);
    throw err;
  });
  return {
    accounts: ready.accounts,
    register: (origin) =>
      new Promise<void>((resolve) => {
        const acknowledged = (message: { registered?: string }) => {
          if (message.registered !== origin) return;
          child.off('message', acknowledged);
          resolve();
        };
        child.on('message', acknowledged);
        child.send({ register: origin });
      }),
    appEnv: (origin) => appEnv(ready.exboURL, ready.soa2URL, origin),
    close: () => stopProcess(child),
  };
}

/** `.ts` when running from the sources (tsx), `.js` when compiled. */
function extension(): string {
  return import.meta.url.endsWith('.ts') ? '.ts' : '.js';
}
