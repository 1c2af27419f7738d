/**
 * The kit's settings: which providers to check, with which credentials, against which hosts. Read
 * from the environment (credentials never go on a command line, where `ps` and shell histories
 * keep them) and from flags (hosts, output folder). Nothing is sent anywhere unless a provider's
 * settings are given.
 */
import { parseArgs } from 'node:util';
import type { ExboTarget } from './exbo.js';
import { GAME_API_URLS } from './packages.js';
import type { Soa2Target } from './soa2.js';

export const USAGE = `Usage: npm run conformance -- [--provider exbo|soa2] [--base-url URL] [--game-url URL]
                               [--out DIR] [--timeout MS]

Runs the protocol steps that need no browser against the real provider (or the server at
--base-url), records each exchange's shape into DIR/<provider>-<time>.json (default
conformance-results/), runs the same steps against this project's fake, and prints a table.
Exit 0: no difference; 1: a difference; 2: could not run.

Settings (environment variables):
  EXBO_CLIENT_ID, EXBO_CLIENT_SECRET   required for EXBO
  EXBO_CALLBACK_URL                    a registered redirect URI (enables the bad-code step)
  EXBO_USER_TOKEN                      a user access token (user info, token kinds)
  EXBO_REFRESH_TOKEN                   a refresh token; SPENT by the refresh step (EXBO rotates it)
  SOA2_CLIENT_ID, SOA2_CLIENT_SECRET   required for SOA2
  SOA2_CODE                            a fresh authorization code; REDEEMED by the exchange step

--base-url   EXBO: the OAuth host (default https://exbo.net); SOA2: the wiki host (default
             https://oauth2.scratch-wiki.info). Needs a single --provider when both are set.
--game-url   EXBO's game API (default ${GAME_API_URLS.production}).`;

export type Provider = 'exbo' | 'soa2';

export interface KitSettings {
  exbo?: ExboTarget;
  soa2?: Soa2Target;
  outDir: string;
  /** Every credential given, to be kept out of anything printed or written. */
  secrets: string[];
}

/** Why the kit cannot run: printed, then exit 2. */
export class SettingsError extends Error {}

const EXBO_REQUIRED = ['EXBO_CLIENT_ID', 'EXBO_CLIENT_SECRET'];
const SOA2_REQUIRED = ['SOA2_CLIENT_ID', 'SOA2_CLIENT_SECRET'];
const EXBO_ALL = [...EXBO_REQUIRED, 'EXBO_CALLBACK_URL', 'EXBO_USER_TOKEN', 'EXBO_REFRESH_TOKEN'];
const SOA2_ALL = [...SOA2_REQUIRED, 'SOA2_CODE'];

function url(name: string, value: string | undefined, fallback: string): string {
  const chosen = value ?? fallback;
  if (!URL.canParse(chosen) || !/^https?:$/.test(new URL(chosen).protocol)) {
    throw new SettingsError(
      `${name} must be an absolute http(s) URL, got ${JSON.stringify(chosen)}`,
    );
  }
  return chosen.replace(/\/+$/, '');
}

function missing(env: NodeJS.ProcessEnv, names: string[]): string[] {
  return names.filter((name) => !env[name]);
}

function parseFlags(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      options: {
        provider: { type: 'string', multiple: true },
        'base-url': { type: 'string' },
        'game-url': { type: 'string' },
        out: { type: 'string' },
        timeout: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (err) {
    throw new SettingsError((err as Error).message);
  }
}

/** Reads flags and environment; throws {@link SettingsError} (exit 2) when the kit cannot run. */
export function readSettings(argv: string[], env: NodeJS.ProcessEnv): KitSettings | 'help' {
  const values = parseFlags(argv);
  if (values.help) return 'help';

  const named = (values.provider ?? []).flatMap((p) => p.split(','));
  for (const name of named) {
    if (name !== 'exbo' && name !== 'soa2')
      throw new SettingsError(`unknown provider "${name}": use exbo or soa2`);
  }
  const given = (names: string[]) => names.some((name) => env[name]);
  const providers: Provider[] =
    named.length > 0
      ? [...new Set(named as Provider[])]
      : ([given(EXBO_ALL) && 'exbo', given(SOA2_ALL) && 'soa2'].filter(Boolean) as Provider[]);
  if (providers.length === 0) {
    throw new SettingsError(
      `nothing to check, and nothing was sent: set ${EXBO_REQUIRED.join(' and ')} (EXBO) and/or ${SOA2_REQUIRED.join(' and ')} (SOA2)`,
    );
  }
  for (const provider of providers) {
    const lacking = missing(env, provider === 'exbo' ? EXBO_REQUIRED : SOA2_REQUIRED);
    if (lacking.length > 0) {
      throw new SettingsError(
        `${provider.toUpperCase()}: missing ${lacking.join(' and ')}; nothing was sent`,
      );
    }
  }
  if (values['base-url'] !== undefined && providers.length > 1) {
    throw new SettingsError('--base-url names one server: add --provider exbo or --provider soa2');
  }
  if (values['game-url'] !== undefined && !providers.includes('exbo')) {
    throw new SettingsError('--game-url is for EXBO only');
  }
  const timeout = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new SettingsError('--timeout must be a positive integer (ms)');

  const settings: KitSettings = {
    outDir: values.out ?? 'conformance-results',
    secrets: [...EXBO_ALL, ...SOA2_ALL].map((name) => env[name]).filter((v): v is string => !!v),
  };
  if (providers.includes('exbo')) {
    settings.exbo = {
      baseUrl: url('--base-url', values['base-url'], 'https://exbo.net'),
      gameUrl: url('--game-url', values['game-url'], GAME_API_URLS.production),
      clientId: env.EXBO_CLIENT_ID!,
      clientSecret: env.EXBO_CLIENT_SECRET!,
      callbackUrl: env.EXBO_CALLBACK_URL
        ? url('EXBO_CALLBACK_URL', env.EXBO_CALLBACK_URL, '')
        : undefined,
      userToken: env.EXBO_USER_TOKEN || undefined,
      refreshToken: env.EXBO_REFRESH_TOKEN || undefined,
      timeout,
    };
  }
  if (providers.includes('soa2')) {
    const clientId = Number(env.SOA2_CLIENT_ID);
    if (!/^\d{1,10}$/.test(env.SOA2_CLIENT_ID!) || !Number.isSafeInteger(clientId)) {
      throw new SettingsError('SOA2_CLIENT_ID must be an integer (SOA2 client ids are numbers)');
    }
    settings.soa2 = {
      baseUrl: url('--base-url', values['base-url'], 'https://oauth2.scratch-wiki.info'),
      clientId,
      clientSecret: env.SOA2_CLIENT_SECRET!,
      code: env.SOA2_CODE || undefined,
      timeout,
    };
  }
  return settings;
}
