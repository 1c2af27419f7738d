/**
 * Settings from the environment, checked before anything starts.
 *
 * With no EXBO_* and no SOA2_* variables the app runs in demo mode: server.ts starts local fakes of
 * both providers and fills in `exbo` and `soa2` itself. As soon as one provider is configured, the
 * app talks to the real providers, and every mistake is reported at once, by variable name, so a
 * newcomer fixes their .env in one go instead of meeting the problems one login at a time.
 */

/** The routes this app serves for each provider's callback (the provider's redirect URI). */
export const CALLBACK_PATHS = {
  exbo: '/auth/exbo/callback',
  soa2: '/auth/soa2/callback',
} as const;

export interface ExboSettings {
  clientID: string;
  clientSecret: string;
  callbackURL: string;
  /** Where EXBO lives; unset means the real https://exbo.net. */
  baseURL?: string;
  /** The STALCRAFT game API (the characters page); unset means https://eapi.stalcraft.net. */
  gameApiURL?: string;
}

export interface Soa2Settings {
  clientID: number;
  clientSecret: string;
  /** Unset: only the "paste a code" login is offered (SOA2 allows apps without a redirect URI). */
  callbackURL?: string;
  /** Where SOA2 lives; unset means the real oauth2.scratch-wiki.info. */
  baseURL?: string;
  /** Set by demo mode, which knows the fake's exact URLs. */
  authorizationURL?: string;
  apiURL?: string;
}

export interface AppConfig {
  /** True when the providers are the local fakes: the pages say so. */
  demo: boolean;
  port: number;
  host: string;
  sessionSecret: string;
  /** Express's `trust proxy` setting: needed behind a TLS-terminating proxy. */
  trustProxy: boolean | number | string;
  /** Session cookie sent with `Secure`: the app is reached over https (through a proxy). */
  secureCookies: boolean;
  exbo?: ExboSettings;
  soa2?: Soa2Settings;
  /** REDIS_URL: sessions are kept in this Redis (shared by every instance) instead of in memory. */
  redisURL?: string;
  /** DATABASE_URL: users and tokens are kept in this PostgreSQL database instead of SQLite. */
  databaseURL?: string;
  /** DATABASE_FILE: the SQLite file when DATABASE_URL is unset (default data/example.db). */
  databaseFile?: string;
}

export type ConfigResult =
  | { ok: true; config: AppConfig; warnings: string[] }
  | { ok: false; problems: string[] };

type Env = Record<string, string | undefined>;

const EXBO_VARS = ['EXBO_CLIENT_ID', 'EXBO_CLIENT_SECRET', 'EXBO_CALLBACK_URL', 'EXBO_BASE_URL'];
const SOA2_VARS = ['SOA2_CLIENT_ID', 'SOA2_CLIENT_SECRET', 'SOA2_CALLBACK_URL', 'SOA2_BASE_URL'];
const DEFAULT_PORT = 3000;
const MIN_SECRET_LENGTH = 32;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Reads the settings. `env` is `process.env` in server.ts and a plain object in tests. */
export function loadConfig(env: Env): ConfigResult {
  const problems: string[] = [];
  const warnings: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === '' ? undefined : raw;
  };

  const port = parsePort(value('PORT'), problems);
  const host = value('HOST') ?? '127.0.0.1';
  const trustProxy = parseTrustProxy(value('TRUST_PROXY'));

  const exboWanted = EXBO_VARS.some((name) => value(name) !== undefined);
  const soa2Wanted = SOA2_VARS.some((name) => value(name) !== undefined);
  const demo = !exboWanted && !soa2Wanted;

  const exbo = exboWanted ? readExbo(value, problems) : undefined;
  const soa2 = soa2Wanted ? readSoa2(value, problems) : undefined;

  // A callback URL on this machine must reach this process, or the login lands on nothing.
  for (const [name, url] of [
    ['EXBO_CALLBACK_URL', exbo?.callbackURL],
    ['SOA2_CALLBACK_URL', soa2?.callbackURL],
  ] as const) {
    if (url === undefined || trustProxy !== false) continue;
    const parsed = new URL(url);
    const urlPort = Number(parsed.port || (parsed.protocol === 'https:' ? 443 : 80));
    if (LOOPBACK_HOSTS.has(parsed.hostname) && urlPort !== port) {
      problems.push(
        `${name} points at port ${urlPort} of this machine, but the app listens on PORT=${port}: make them the same.`,
      );
    }
  }

  // https callback URLs mean the app is reached over https. This example speaks plain http, so
  // something in front terminates TLS; without trust proxy Express would think every request is
  // plain http and express-session would refuse to send the Secure cookie.
  const https = [exbo?.callbackURL, soa2?.callbackURL].some((url) => url?.startsWith('https:'));
  if (https && trustProxy === false) {
    problems.push(
      'The callback URLs use https, so this app must run behind an https proxy: set TRUST_PROXY (for example TRUST_PROXY=1 for one proxy in front).',
    );
  }

  const redisURL = value('REDIS_URL');
  if (redisURL !== undefined) checkRedisURL(redisURL, problems);
  const databaseURL = value('DATABASE_URL');
  if (databaseURL !== undefined) checkDatabaseURL(databaseURL, problems);
  const databaseFile = value('DATABASE_FILE');

  let sessionSecret = value('SESSION_SECRET');
  if (sessionSecret !== undefined && sessionSecret.length < MIN_SECRET_LENGTH) {
    problems.push(
      `SESSION_SECRET is too short (${sessionSecret.length} characters): use at least ${MIN_SECRET_LENGTH} random characters, for example the output of \`openssl rand -hex 32\`.`,
    );
  }
  if (sessionSecret === undefined) {
    if (!demo) {
      problems.push(
        'SESSION_SECRET is not set: with real providers the session cookie must be signed with a secret that survives restarts (`openssl rand -hex 32`).',
      );
    } else if (redisURL !== undefined) {
      // A random secret per process would make every instance reject the others' cookies.
      problems.push(
        'SESSION_SECRET is not set: with REDIS_URL the sessions are shared, so every instance must sign cookies with the same secret (`openssl rand -hex 32`).',
      );
    } else {
      sessionSecret = randomSecret();
      warnings.push(
        'SESSION_SECRET is not set: using a random one for this run (everyone is signed out on restart).',
      );
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  const config: AppConfig = {
    demo,
    port,
    host,
    sessionSecret: sessionSecret as string,
    trustProxy,
    secureCookies: https,
  };
  if (exbo) config.exbo = exbo;
  if (soa2) config.soa2 = soa2;
  if (redisURL !== undefined) config.redisURL = redisURL;
  if (databaseURL !== undefined) config.databaseURL = databaseURL;
  if (databaseFile !== undefined) config.databaseFile = databaseFile;
  return { ok: true, config, warnings };
}

type Read = (name: string) => string | undefined;

function readExbo(value: Read, problems: string[]): ExboSettings | undefined {
  const before = problems.length;
  const clientID = required(value, 'EXBO_CLIENT_ID', problems);
  const clientSecret = required(value, 'EXBO_CLIENT_SECRET', problems);
  const callbackURL = required(value, 'EXBO_CALLBACK_URL', problems);
  const baseURL = value('EXBO_BASE_URL');
  const gameApiURL = value('EXBO_GAME_API_URL');
  // EXBO hands out numeric client ids (the Telegram bot's registration).
  if (clientID !== undefined && !/^\d+$/.test(clientID)) {
    problems.push(`EXBO_CLIENT_ID must be the numeric id EXBO gave you, not "${clientID}".`);
  }
  if (callbackURL !== undefined) checkCallback('EXBO_CALLBACK_URL', callbackURL, 'exbo', problems);
  if (baseURL !== undefined) checkProviderURL('EXBO_BASE_URL', baseURL, problems);
  if (gameApiURL !== undefined) checkProviderURL('EXBO_GAME_API_URL', gameApiURL, problems);
  if (problems.length > before) return undefined;
  const settings: ExboSettings = {
    clientID: clientID as string,
    clientSecret: clientSecret as string,
    callbackURL: callbackURL as string,
  };
  if (baseURL !== undefined) settings.baseURL = baseURL;
  if (gameApiURL !== undefined) settings.gameApiURL = gameApiURL;
  return settings;
}

function readSoa2(value: Read, problems: string[]): Soa2Settings | undefined {
  const before = problems.length;
  const clientID = required(value, 'SOA2_CLIENT_ID', problems);
  const clientSecret = required(value, 'SOA2_CLIENT_SECRET', problems);
  const callbackURL = value('SOA2_CALLBACK_URL');
  const baseURL = value('SOA2_BASE_URL');
  // SOA2 client ids are integers up to 2^30 and secrets are 128 lowercase hex characters.
  if (clientID !== undefined && !(/^\d+$/.test(clientID) && Number(clientID) <= 2 ** 30)) {
    problems.push(`SOA2_CLIENT_ID must be the numeric client id SOA2 gave you, not "${clientID}".`);
  }
  if (clientSecret !== undefined && !/^[0-9a-f]{128}$/.test(clientSecret)) {
    problems.push(
      `SOA2_CLIENT_SECRET must be the 128 lowercase hex characters SOA2 gave you (got ${clientSecret.length} characters).`,
    );
  }
  if (callbackURL !== undefined) checkCallback('SOA2_CALLBACK_URL', callbackURL, 'soa2', problems);
  if (baseURL !== undefined) checkProviderURL('SOA2_BASE_URL', baseURL, problems);
  if (problems.length > before) return undefined;
  const settings: Soa2Settings = {
    clientID: Number(clientID),
    clientSecret: clientSecret as string,
  };
  if (callbackURL !== undefined) settings.callbackURL = callbackURL;
  if (baseURL !== undefined) settings.baseURL = baseURL;
  return settings;
}

function required(value: Read, name: string, problems: string[]): string | undefined {
  const found = value(name);
  if (found === undefined) {
    const provider = name.split('_')[0];
    problems.push(`${name} is missing (the other ${provider}_* settings are set).`);
  }
  return found;
}

/** The value is not echoed: a Redis URL often carries a password. */
function checkRedisURL(url: string, problems: string[]): void {
  if (!URL.canParse(url) || !/^rediss?:$/.test(new URL(url).protocol)) {
    problems.push(
      'REDIS_URL must be a redis:// or rediss:// URL, for example redis://127.0.0.1:6379 (or unset it to keep sessions in memory).',
    );
  }
}

/** The value is not echoed: a database URL usually carries a password. */
function checkDatabaseURL(url: string, problems: string[]): void {
  if (!URL.canParse(url) || !/^postgres(ql)?:$/.test(new URL(url).protocol)) {
    problems.push(
      'DATABASE_URL must be a postgres:// or postgresql:// URL, for example postgres://user:password@127.0.0.1:5432/example (or unset it to use the SQLite file).',
    );
  }
}

function checkHttpURL(name: string, url: string, problems: string[]): boolean {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    problems.push(`${name} must be an absolute http(s) URL, not "${url}".`);
    return false;
  }
  return true;
}

/**
 * A provider's URL: the app sends it the client secret, codes and tokens, so https, or http to
 * this machine only (the strategies refuse anything else too; this names the variable).
 */
function checkProviderURL(name: string, url: string, problems: string[]): void {
  if (!checkHttpURL(name, url, problems)) return;
  const { protocol, hostname } = new URL(url);
  const loopback =
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
  if (protocol === 'http:' && !loopback) {
    problems.push(
      `${name} must be https:// (insecure http:// would send the client secret in clear; it is accepted only for localhost), not "${url}".`,
    );
  }
}

/** The provider redirects to this URL byte for byte, so it must name the route this app serves. */
function checkCallback(
  name: string,
  url: string,
  provider: keyof typeof CALLBACK_PATHS,
  problems: string[],
): void {
  if (!checkHttpURL(name, url, problems)) return;
  const path = new URL(url).pathname;
  if (path !== CALLBACK_PATHS[provider]) {
    problems.push(
      `${name} must end in ${CALLBACK_PATHS[provider]} (the route this app serves), not ${path}.`,
    );
  }
}

function parsePort(raw: string | undefined, problems: string[]): number {
  if (raw === undefined) return DEFAULT_PORT;
  const port = Number(raw);
  // 0 asks for any free port (handy in demo mode and tests).
  if (!/^\d+$/.test(raw) || port > 65535) {
    problems.push(`PORT must be a number from 0 to 65535, not "${raw}".`);
    return DEFAULT_PORT;
  }
  return port;
}

/** TRUST_PROXY as Express understands it: a hop count, true/false, or a list of addresses. */
function parseTrustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw;
}

function randomSecret(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('hex');
}
