/**
 * Both strategies in one real Express app (test/helpers/app.ts), pointed wherever a test says:
 * the fakes, a misbehaving stand-in, a dead port, an unresolvable host, an untrusted TLS server.
 * Their names are `exbo` and `soa2`; logins start at `/login/<name>` and come back to
 * `/callback/<name>`.
 */
import { DEFAULT_EXBO_CLIENT, DEFAULT_SOA2_CLIENT } from '@exbo-soa2/fakes';
import {
  Strategy as ExboStrategy,
  type ExboStrategyOptions,
  type VerifyCallback,
} from 'passport-exbo';
import { Strategy as Soa2Strategy, type Soa2StrategyOptions } from 'passport-soa2';
import { startTestApp, type TestApp } from '../../helpers/app.js';

export type ProviderName = 'exbo' | 'soa2';
export const PROVIDERS: readonly ProviderName[] = ['exbo', 'soa2'];

/** The client secrets the strategies are configured with: never in any message. */
export const CLIENT_SECRETS = [DEFAULT_EXBO_CLIENT.clientSecret, DEFAULT_SOA2_CLIENT.clientSecret];

export interface Endpoints {
  exbo: Partial<Pick<ExboStrategyOptions, 'baseURL' | 'tokenURL' | 'userProfileURL'>>;
  soa2: Partial<Pick<Soa2StrategyOptions, 'baseURL' | 'apiURL' | 'authorizationURL'>>;
}

/** The user as it ends up in the session: who, not how (no tokens). */
const keepWho = (
  _at: string,
  _rt: string,
  profile: { provider: string; id: string; username: string },
  done: VerifyCallback,
) => done(null, { provider: profile.provider, id: profile.id, username: profile.username });

/** Both strategies, each request to a provider bounded by `timeout` milliseconds. */
export function bothStrategies(
  endpoints: Endpoints,
  timeout: number,
): [ExboStrategy, Soa2Strategy] {
  const exbo = new ExboStrategy(
    {
      clientID: DEFAULT_EXBO_CLIENT.clientId,
      clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
      // Relative: resolved from the request, so the fakes can be told the app's port afterwards.
      callbackURL: '/callback/exbo',
      timeout,
      ...endpoints.exbo,
    },
    keepWho,
  );
  const soa2 = new Soa2Strategy(
    {
      clientID: DEFAULT_SOA2_CLIENT.clientId,
      clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
      callbackURL: '/callback/soa2',
      timeout,
      ...endpoints.soa2,
    },
    keepWho,
  );
  return [exbo, soa2];
}

/** The test app (test/helpers/app.ts: every Passport action recorded) with both strategies. */
export function startBothStrategies(endpoints: Endpoints, timeout: number): Promise<TestApp> {
  return startTestApp({ strategies: bothStrategies(endpoints, timeout) });
}

/** The callback URLs of `app`, to register with a fake. */
export function callbackURL(app: TestApp, provider: ProviderName): string {
  return `${app.url}/callback/${provider}`;
}
