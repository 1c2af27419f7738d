/**
 * Both fakes, started once and used as "the real providers" by any number of app instances: each
 * instance gets their URLs through EXBO_BASE_URL / SOA2_BASE_URL (real-provider mode), and the
 * instances' public callback URLs are registered with the fakes.
 *
 * Many distinct accounts, so that a session ending up as someone else is caught: with the three
 * default users, two logins would share a user one time in three.
 */
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

export type Provider = 'exbo' | 'soa2';

/** An account on one of the fakes, as the example app shows it once signed in. */
export interface Account {
  provider: Provider;
  /** The value of the consent page's `user` field. */
  id: string;
  username: string;
}

export interface Providers {
  exbo: ExboFake;
  soa2: Soa2Fake;
  accounts: Record<Provider, Account[]>;
  /** Registers `origin` + each provider's callback path with the fakes. */
  register(origin: string): void;
  /** Real-provider settings for an app whose public address is `origin`. */
  appEnv(origin: string): Record<string, string>;
  close(): Promise<void>;
}

/** A session secret shared by every instance (they must all accept each other's cookies). */
export const SHARED_SESSION_SECRET = 'load-and-reliability-runs-shared-session-secret-0123456789';

export async function startProviders(accountsPerProvider = 100): Promise<Providers> {
  const exboUsers: ExboUserConfig[] = [];
  const soa2Users: Soa2UserConfig[] = [];
  for (let i = 1; i <= accountsPerProvider; i++) {
    // Every fourth EXBO login is Cyrillic: multi-byte UTF-8 all the way to the page.
    exboUsers.push({
      id: 700_000 + i,
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      login: i % 4 === 0 ? `Сталкер-${i}` : `Stalker-${i}`,
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
  const exboCallbacks: string[] = [];
  const soa2Callbacks: string[] = [];
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
      exboCallbacks.push(`${origin}${CALLBACK_PATHS.exbo}`);
      soa2Callbacks.push(`${origin}${CALLBACK_PATHS.soa2}`);
      exbo.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: [...exboCallbacks] });
      soa2.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: [...soa2Callbacks] });
    },
    appEnv: (origin) => ({
      SESSION_SECRET: SHARED_SESSION_SECRET,
      EXBO_CLIENT_ID: DEFAULT_EXBO_CLIENT.clientId,
      EXBO_CLIENT_SECRET: DEFAULT_EXBO_CLIENT.clientSecret,
      EXBO_CALLBACK_URL: `${origin}${CALLBACK_PATHS.exbo}`,
      EXBO_BASE_URL: exbo.url,
      SOA2_CLIENT_ID: String(DEFAULT_SOA2_CLIENT.clientId),
      SOA2_CLIENT_SECRET: DEFAULT_SOA2_CLIENT.clientSecret,
      SOA2_CALLBACK_URL: `${origin}${CALLBACK_PATHS.soa2}`,
      SOA2_BASE_URL: soa2.url,
    }),
    close: async () => {
      await Promise.all([exbo.close(), soa2.close()]);
    },
  };
}
