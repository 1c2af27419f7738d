/**
 * Runs logins and provider calls in a process of its own, so the parent test can give it the
 * environment a deployment has: `HTTPS_PROXY` / `NO_PROXY`, `NODE_EXTRA_CA_CERTS` (the test CA
 * that signs the fakes' HTTPS fronts) and `NODE_DEBUG`, all read by Node only at startup.
 *
 * It starts both fakes behind HTTPS fronts, a real Express app with express-session and both
 * strategies, and runs the steps of its plan (argv[2], JSON). It prints one JSON line: each
 * step's outcome, the requests each fake received, and every secret, code, token and cookie the
 * run used (for the parent to search the debug log for them).
 */
import { readFileSync } from 'node:fs';
import {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_SOA2_CLIENT,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
import {
  AppTokenManager,
  ExboClient,
  ExboGameApi,
  Strategy as ExboStrategy,
  MemoryAppTokenStore,
} from 'passport-exbo';
import { Strategy as Soa2Strategy } from 'passport-soa2';
import { startTestApp } from '../../helpers/app.js';
import { Browser, type Page } from '../../helpers/browser.js';
import { startHttpsFront } from './https-front.js';

export type Step =
  /** A full EXBO login through the app: consent, callback, token and profile requests. */
  | 'exbo-login'
  /** The same with a client secret EXBO rejects: the login ends in an error. */
  | 'exbo-login-bad-secret'
  /** A callback with a state the app never issued: the login fails. */
  | 'exbo-login-forged-state'
  /** A full SOA2 login through the app. */
  | 'soa2-login'
  /** An app token, then two game-API calls with it. */
  | 'app-token-game-api'
  /** One app-token request with `ExboClient` (the failure cases use this). */
  | 'exbo-app-token';

export interface Plan {
  steps: Step[];
  /** The strategies' and clients' `proxy` option; absent = the default. */
  proxy?: string | false;
  /** The strategies' and clients' `timeout`. */
  timeout?: number;
  /** Where the test CA's server key and certificate are (`server.key`, `server.pem`). */
  caDir: string;
  /** Ports for the fakes' HTTPS fronts (the proxy's `ConnectPort`s). */
  ports: { exbo: number; soa2: number };
}

export type StepOutcome =
  | { ok: true; detail: string }
  | { ok: false; code: string | undefined; message: string; status?: number };

export interface Report {
  outcomes: Partial<Record<Step, StepOutcome>>;
  /** `METHOD path` of every request each fake received. */
  requests: { exbo: string[]; soa2: string[] };
  /** Every secret, code, token and cookie value this run used. */
  secrets: string[];
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan;
const tls = {
  key: readFileSync(`${plan.caDir}/server.key`, 'utf8'),
  cert: readFileSync(`${plan.caDir}/server.pem`, 'utf8'),
};
const transport = {
  ...(plan.proxy !== undefined && { proxy: plan.proxy }),
  ...(plan.timeout !== undefined && { timeout: plan.timeout }),
};

const exboFake = await startExboFake();
const soa2Fake = await startSoa2Fake();
const exboFront = await startHttpsFront(exboFake.url, tls, plan.ports.exbo);
const soa2Front = await startHttpsFront(soa2Fake.url, tls, plan.ports.soa2);
const secrets = new Set<string>([
  DEFAULT_EXBO_CLIENT.clientSecret,
  DEFAULT_SOA2_CLIENT.clientSecret,
]);
const keepTokens = (
  accessToken: string,
  refreshToken: string,
  profile: { id: unknown },
  done: (e: null, u: object) => void,
) => {
  secrets.add(accessToken);
  if (refreshToken) secrets.add(refreshToken);
  done(null, { id: profile.id });
};

const strategies = [
  new ExboStrategy(
    {
      clientID: DEFAULT_EXBO_CLIENT.clientId,
      clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
      callbackURL: '/callback/exbo',
      baseURL: exboFront.url,
      ...transport,
    },
    keepTokens,
  ),
  new ExboStrategy(
    {
      name: 'exbo-bad-secret',
      clientID: DEFAULT_EXBO_CLIENT.clientId,
      clientSecret: 'wrong-secret-0123456789abcdef',
      callbackURL: '/callback/exbo-bad-secret',
      baseURL: exboFront.url,
      ...transport,
    },
    keepTokens,
  ),
  new Soa2Strategy(
    {
      clientID: DEFAULT_SOA2_CLIENT.clientId,
      clientSecret: DEFAULT_SOA2_CLIENT.clientSecret,
      callbackURL: '/callback/soa2',
      baseURL: soa2Front.url,
      ...transport,
    },
    keepTokens,
  ),
];
secrets.add('wrong-secret-0123456789abcdef');
const app = await startTestApp({ strategies });
exboFake.addClient({
  ...DEFAULT_EXBO_CLIENT,
  redirectUris: [`${app.url}/callback/exbo`, `${app.url}/callback/exbo-bad-secret`],
});
soa2Fake.addClient({ ...DEFAULT_SOA2_CLIENT, redirectUris: [`${app.url}/callback/soa2`] });

/** Remembers the codes and cookies a browser run carried. */
function remember(browser: Browser, page: Page): void {
  for (const hop of page.hops) {
    const code = new URL(hop.location ?? hop.url, hop.url).searchParams.get('code');
    if (code) secrets.add(code);
  }
  for (const cookie of browser.jar.getCookiesSync(app.url)) secrets.add(cookie.value);
}

function appAnswer(page: Page): StepOutcome {
  const body = JSON.parse(page.text) as {
    user?: { id: string };
    error?: { code?: string; message: string; status: number };
    messages?: string[];
  };
  if (body.user) return { ok: true, detail: `user ${body.user.id}` };
  if (body.error)
    return { ok: false, code: body.error.code, message: body.error.message, status: page.status };
  return {
    ok: false,
    code: undefined,
    message: (body.messages ?? []).join(' | '),
    status: page.status,
  };
}

function failure(err: unknown): StepOutcome {
  const e = err as { code?: string; message?: string };
  return { ok: false, code: e.code, message: String(e.message) };
}

async function browserLogin(name: string, button: string): Promise<StepOutcome> {
  const browser = new Browser();
  const consent = await browser.get(`${app.url}/login/${name}`);
  if (consent.status !== 200)
    return {
      ok: false,
      code: undefined,
      message: `consent page: ${consent.status} ${consent.text.slice(0, 200)}`,
    };
  const done = await browser.submit(consent, button);
  remember(browser, done);
  return appAnswer(done);
}

/** An ExboClient for the fake's HTTPS front, with the plan's transport options. */
function exboClient(): ExboClient {
  return new ExboClient({
    clientID: DEFAULT_EXBO_CLIENT.clientId,
    clientSecret: DEFAULT_EXBO_CLIENT.clientSecret,
    callbackURL: `${app.url}/callback/exbo`,
    baseURL: exboFront.url,
    ...transport,
  });
}

const steps: Record<Step, () => Promise<StepOutcome>> = {
  'exbo-login': () => browserLogin('exbo', 'approve'),
  'exbo-login-bad-secret': () => browserLogin('exbo-bad-secret', 'approve'),
  'soa2-login': () => browserLogin('soa2', 'confirm'),
  'exbo-login-forged-state': async () => {
    const browser = new Browser();
    // A login is started (so the session exists), then a callback arrives with another state.
    await browser.get(`${app.url}/login/exbo`, { follow: false });
    const page = await browser.get(
      `${app.url}/callback/exbo?code=forged-code-4711&state=forged-state-4711`,
    );
    secrets.add('forged-code-4711');
    remember(browser, page);
    return appAnswer(page);
  },
  'app-token-game-api': async () => {
    const client = exboClient();
    const appTokens = new AppTokenManager(client, { store: new MemoryAppTokenStore() });
    const api = new ExboGameApi({ baseURL: `${exboFront.url}/game-api`, client, appTokens });
    const first = await api.request({ path: '/SEA/emission', auth: 'app-token' });
    const second = await api.request({ path: '/RU/emission', auth: 'app-token' });
    secrets.add(await appTokens.getToken());
    return { ok: true, detail: `emission ${first.status} ${second.status}` };
  },
  'exbo-app-token': async () => {
    const client = exboClient();
    const tokens = await client.requestAppToken();
    secrets.add(tokens.access_token);
    return { ok: true, detail: 'app token' };
  },
};

const outcomes: Report['outcomes'] = {};
for (const step of plan.steps) {
  outcomes[step] = await steps[step]().catch(failure);
}
const report: Report = {
  outcomes,
  requests: {
    exbo: exboFake.requests.map((r) => `${r.method} ${r.path}`),
    soa2: soa2Fake.requests.map((r) => `${r.method} ${r.path}`),
  },
  secrets: [...secrets],
};
process.stdout.write(`${JSON.stringify(report)}\n`);
await app.close();
await exboFront.close();
await soa2Front.close();
await exboFake.close();
await soa2Fake.close();
process.exit(0);
