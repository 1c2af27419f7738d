/**
 * Child process: both provider fakes of the shared harness (harness/fakes.ts), alone in their
 * process so the providers' CPU is never counted as the app's. `node fakes-process.js <slots>`
 * answers `register` (an app's exact callback URL) and `snapshot` (this process's CPU).
 *
 * One account per concurrency slot: both providers revoke a user's earlier tokens at each code
 * exchange, so two logins of one account in flight would break each other; a slot logs in one
 * login after another. ASCII logins: the EXBO fake pauses 15 ms inside a multi-byte body, which
 * would be measured as the app's latency.
 */
import { DEFAULT_EXBO_CLIENT, DEFAULT_SOA2_CLIENT } from '@exbo-soa2/fakes';
import { type Provider, startFakes } from '../harness/fakes.js';
import { serveParent, takeSnapshot } from './children.js';

export interface FakesReady {
  exbo: { authorizationURL: string; tokenURL: string; userProfileURL: string };
  soa2: { authorizationURL: string; apiURL: string };
  clients: {
    exbo: { clientID: string; clientSecret: string };
    soa2: { clientID: number; clientSecret: string };
  };
  /** The account of each concurrency slot (index = slot). */
  users: Record<Provider, number[]>;
}

const fakes = await startFakes({ accounts: Number(process.argv[2]), asciiOnly: true });
const { exbo, soa2 } = fakes;
// The fakes record every request for tests to inspect; here that would only grow the heap.
setInterval(() => {
  exbo.requests.length = 0;
  soa2.requests.length = 0;
}, 1000).unref();
process.on('SIGTERM', () => fakes.close().finally(() => process.exit(0)));

serveParent(
  {
    exbo: {
      authorizationURL: exbo.authorizationURL,
      tokenURL: exbo.tokenURL,
      userProfileURL: exbo.userProfileURL,
    },
    soa2: { authorizationURL: soa2.authorizationURL, apiURL: soa2.apiURL },
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
      exbo: fakes.accounts.exbo.map((account) => Number(account.id)),
      soa2: fakes.accounts.soa2.map((account) => Number(account.id)),
    },
  } satisfies FakesReady,
  {
    register: ({ provider, redirectUri }: { provider: Provider; redirectUri: string }) =>
      fakes.registerRedirect(provider, redirectUri),
    snapshot: () => takeSnapshot(0),
  },
);
