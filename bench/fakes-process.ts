/**
 * Child process: both provider fakes, so the provider's CPU is never counted as the app's.
 *
 * `node bench/dist/fakes-process.js <slots>` starts the EXBO and SOA2 fakes on 127.0.0.1 with one
 * account per concurrency slot, and answers `register` (point the built-in client at the app's
 * callback URL) and `snapshot` (this process's CPU, to show what the provider side costs).
 */
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  type ExboUserConfig,
  type Soa2UserConfig,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import { serveParent, takeSnapshot } from './children.js';
import type { Provider } from './variants.js';

export interface FakesReady {
  exbo: { url: string; authorizationURL: string; tokenURL: string; userProfileURL: string };
  soa2: { url: string; authorizationURL: string; apiURL: string };
  clients: {
    exbo: { clientID: string; clientSecret: string };
    soa2: { clientID: number; clientSecret: string };
  };
  /** The account of each concurrency slot, by provider (index = slot). */
  users: Record<Provider, number[]>;
}

/**
 * One account per slot. Both providers revoke a user's earlier tokens at each code exchange, so two
 * logins of one account in flight at once would break each other's profile request; a slot runs
 * its logins one after another, so per-slot accounts never collide.
 *
 * Logins are ASCII on purpose: the EXBO fake sends a body containing multi-byte UTF-8 in two writes
 * 15 ms apart (to catch chunk-by-chunk decoders), and that pause would be measured as our latency.
 */
function benchUsers(slots: number) {
  const exbo: ExboUserConfig[] = [];
  const soa2: Soa2UserConfig[] = [];
  for (let slot = 0; slot < slots; slot++) {
    const hex = slot.toString(16).padStart(12, '0');
    exbo.push({
      id: 700_000 + slot,
      uuid: `0b0e0c00-0000-4000-8000-${hex}`,
      login: `bench-${slot}`,
      displayLogin: null,
      distributor: 'EXBO',
      distributorId: null,
    });
    soa2.push({ userId: 800_000 + slot, userName: `bench_${slot}` });
  }
  return { exbo, soa2 };
}

async function main(): Promise<void> {
  const slots = Number(process.argv[2]);
  if (!Number.isSafeInteger(slots) || slots < 1) throw new Error('usage: fakes-process <slots>');
  const users = benchUsers(slots);
  const exbo = await startExboFake({ users: users.exbo });
  const soa2 = await startSoa2Fake({ users: users.soa2 });
  // The fakes record every request for tests to inspect; here that would only grow the heap.
  setInterval(() => {
    exbo.requests.length = 0;
    soa2.requests.length = 0;
  }, 1000).unref();
  process.on('SIGTERM', () => {
    Promise.all([exbo.close(), soa2.close()]).finally(() => process.exit(0));
  });

  const ready: FakesReady = {
    exbo: {
      url: exbo.url,
      authorizationURL: exbo.authorizationURL,
      tokenURL: exbo.tokenURL,
      userProfileURL: exbo.userProfileURL,
    },
    soa2: { url: soa2.url, authorizationURL: soa2.authorizationURL, apiURL: soa2.apiURL },
    clients: {
      exbo: {
        clientID: DEFAULT_EXBO_CLIENT.clientId,
        clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
      },
      soa2: {
        clientID: DEFAULT_SOA2_CLIENT.clientId,
        clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
      },
    },
    users: {
      exbo: users.exbo.map((user) => user.id),
      soa2: users.soa2.map((user) => user.userId),
    },
  };
  const registered: Record<Provider, string[]> = { exbo: [], soa2: [] };
  serveParent(ready, {
    register({ provider, redirectUri }: { provider: Provider; redirectUri: string }) {
      // Redirect URIs are compared byte for byte, so the app's real callback URL is registered;
      // each app registers its own (the paired comparison runs two apps against one fakes process).
      const uris = [...registered[provider], redirectUri];
      registered[provider] = uris;
      if (provider === 'exbo') exbo.addClient({ ...DEFAULT_EXBO_CLIENT, redirectUris: uris });
      else soa2.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: uris });
      return true;
    },
    snapshot: () => takeSnapshot(0),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
