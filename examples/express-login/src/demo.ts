/**
 * Demo mode: local fakes of EXBO and SOA2, so the example runs with no credentials and no network
 * (registering a real application takes days to weeks).
 *
 * The fakes are as strict as the real providers: they redirect only to registered URIs, compared
 * byte for byte. So the app's address must be known first, and the fakes' clients are registered
 * with this app's exact callback URLs.
 */
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  type ExboFake,
  type Soa2Fake,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import { type AppConfig, CALLBACK_PATHS } from './config.js';

export interface DemoProviders {
  exbo: NonNullable<AppConfig['exbo']>;
  soa2: NonNullable<AppConfig['soa2']>;
  /** The running fakes (their `url` is where they listen). */
  fakes: { exbo: ExboFake; soa2: Soa2Fake };
  close(): Promise<void>;
}

/**
 * Starts both fakes on free ports of 127.0.0.1. `appOrigin` is where the app is reached, e.g.
 * `http://localhost:3000`: a different host name from the fakes', so the browser keeps their
 * cookies apart from the app's (cookies are per host, not per port).
 */
export async function startDemoProviders(appOrigin: string): Promise<DemoProviders> {
  const exboCallback = `${appOrigin}${CALLBACK_PATHS.exbo}`;
  const soa2Callback = `${appOrigin}${CALLBACK_PATHS.soa2}`;
  const exbo = await startExboFake({
    clients: [{ ...DEFAULT_EXBO_CLIENT, redirectUris: [exboCallback] }],
  });
  const soa2 = await startSoa2Fake({
    clients: [{ ...DEFAULT_SOA2_CLIENT, redirectUris: [soa2Callback] }],
  }).catch(async (err: unknown) => {
    await exbo.close();
    throw err;
  });
  return {
    exbo: {
      clientID: DEFAULT_EXBO_CLIENT.clientId,
      clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
      callbackURL: exboCallback,
      baseURL: exbo.url,
      gameApiURL: exbo.gameApiURL,
    },
    soa2: {
      clientID: DEFAULT_SOA2_CLIENT.clientId,
      clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
      callbackURL: soa2Callback,
      authorizationURL: soa2.authorizationURL,
      apiURL: soa2.apiURL,
    },
    fakes: { exbo, soa2 },
    close: async () => {
      await Promise.all([exbo.close(), soa2.close()]);
    },
  };
}
