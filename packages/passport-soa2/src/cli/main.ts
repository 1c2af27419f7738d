/**
 * `soa2 <command> [options]`: parses the command line (node:util parseArgs, no framework), runs
 * the command, and turns every failure into one readable message and an exit status: 0 done,
 * 1 failed, 2 wrong usage. With `--json`, results are JSON lines on stdout and errors
 * `{"error": {"code", "message"}}` on stderr.
 */
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { isLoopbackHost, isOAuthError } from '@exbo-soa2/core';
import { soa2Endpoints } from '../endpoints.js';
import { PACKAGE_NAME } from '../version.js';
import {
  type AppOptions,
  apps,
  type CommandIo,
  type GlobalOptions,
  login,
  logout,
} from './commands.js';
import { LineReader } from './prompt.js';
import { defaultSessionFile } from './session-file.js';
import { API_URL_VARIABLE, CliError, DEFAULT_API_URL, USAGE, UsageError } from './usage.js';

export interface CliStreams {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

const OPTIONS = {
  'api-url': { type: 'string' },
  'session-file': { type: 'string' },
  json: { type: 'boolean' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  'no-wait': { type: 'boolean' },
  finish: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  name: { type: 'string' },
  'no-name': { type: 'boolean' },
  'redirect-uri': { type: 'string', multiple: true },
  'no-redirect-uris': { type: 'boolean' },
  'add-redirect-uri': { type: 'string', multiple: true },
  'remove-redirect-uri': { type: 'string', multiple: true },
} as const;

type OptionName = keyof typeof OPTIONS;

const GLOBAL: readonly OptionName[] = ['api-url', 'session-file', 'json', 'timeout', 'help'];

/** The options each command takes besides the global ones. */
const COMMAND_OPTIONS: Record<string, readonly OptionName[]> = {
  login: ['no-wait', 'finish'],
  logout: [],
  'apps list': [],
  'apps show': [],
  'apps create': ['name', 'redirect-uri'],
  'apps update': [
    'name',
    'no-name',
    'redirect-uri',
    'no-redirect-uris',
    'add-redirect-uri',
    'remove-redirect-uri',
  ],
  'apps reset-secret': [],
  'apps delete': ['yes'],
};

/**
 * The API URL and where it came from: `--api-url`, else `SOA2_API_URL` (so a shell pointed at the
 * fake once stays pointed at it), else SOA2's own. An empty variable counts as unset.
 */
function apiURLSetting(values: Record<string, unknown>, env: NodeJS.ProcessEnv) {
  const flag = values['api-url'] as string | undefined;
  if (flag !== undefined) return { apiURL: flag, source: '--api-url' };
  if (env[API_URL_VARIABLE]) return { apiURL: env[API_URL_VARIABLE], source: API_URL_VARIABLE };
  return { apiURL: DEFAULT_API_URL, source: 'the default API URL' };
}

function globalOptions(values: Record<string, unknown>, env: NodeJS.ProcessEnv): GlobalOptions {
  const { apiURL, source } = apiURLSetting(values, env);
  if (!/^https?:\/\//i.test(apiURL) || !URL.canParse(apiURL)) {
    throw new UsageError(`${source}: not an http(s) URL: ${apiURL}`);
  }
  const { protocol, hostname } = new URL(apiURL);
  if (protocol === 'http:' && !isLoopbackHost(hostname)) {
    // Refused before anything is sent: every request carries the login, its CSRF token or the
    // session cookie. The library refuses it too; this says it in the CLI's words.
    throw new UsageError(
      `${source}: insecure http:// to ${hostname} would send your SOA2 login session in clear: use https://, or http:// only to localhost`,
    );
  }
  const timeoutText = values.timeout as string | undefined;
  if (timeoutText !== undefined && (!/^\d{1,9}$/.test(timeoutText) || Number(timeoutText) === 0)) {
    throw new UsageError(`--timeout: not a positive number of milliseconds: ${timeoutText}`);
  }
  const sessionFile = values['session-file'] as string | undefined;
  if (sessionFile === '') throw new UsageError('--session-file: empty path');
  return {
    // The form the client keeps (no trailing slash), so saved sessions compare equal.
    apiURL: soa2Endpoints({ apiURL }).apiURL,
    sessionFile: sessionFile ?? defaultSessionFile(env),
    json: values.json === true,
    timeout: timeoutText === undefined ? undefined : Number(timeoutText),
  };
}

/** Refuses options the command does not take (a typo would otherwise be silently ignored). */
function checkOptions(command: string, values: Record<string, unknown>): void {
  const allowed = new Set<string>([...GLOBAL, ...(COMMAND_OPTIONS[command] ?? [])]);
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && !allowed.has(name)) {
      throw new UsageError(`--${name} does not apply to ${command}`);
    }
  }
}

function appOptions(values: Record<string, unknown>): AppOptions {
  return {
    name: values.name as string | undefined,
    noName: values['no-name'] === true,
    redirectURIs: values['redirect-uri'] as string[] | undefined,
    noRedirectURIs: values['no-redirect-uris'] === true,
    addRedirectURIs: values['add-redirect-uri'] as string[] | undefined,
    removeRedirectURIs: values['remove-redirect-uri'] as string[] | undefined,
    yes: values.yes === true,
  };
}

function writeLine(stream: NodeJS.WritableStream, text: string): void {
  stream.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** Runs the CLI; resolves with the exit status. Never rejects. */
export async function runCli(argv: string[], streams: CliStreams): Promise<number> {
  const lines = new LineReader(streams.stdin);
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: OPTIONS,
      strict: true,
      allowPositionals: true,
    });
    json = values.json === true;
    const [first, second, ...rest] = positionals;
    if (values.help || first === 'help' || first === undefined) {
      writeLine(first === undefined && !values.help ? streams.stderr : streams.stdout, USAGE);
      return first === undefined && !values.help ? 2 : 0;
    }
    const options = globalOptions(values, streams.env);
    const io: CommandIo = {
      options,
      say: (text) => writeLine(options.json ? streams.stderr : streams.stdout, text),
      result: (human, value) => {
        if (options.json) writeLine(streams.stdout, JSON.stringify(value));
        else if (human !== undefined) writeLine(streams.stdout, human);
      },
      warn: (text) => writeLine(streams.stderr, `soa2: ${text}`),
      lines,
    };
    switch (first) {
      case 'login':
        checkOptions('login', values);
        await login(
          io,
          [second, ...rest].filter((p) => p !== undefined),
          {
            noWait: values['no-wait'] === true,
            finish: values.finish === true,
          },
        );
        return 0;
      case 'logout':
        checkOptions('logout', values);
        if (second !== undefined) throw new UsageError('logout takes no arguments');
        await logout(io);
        return 0;
      case 'apps': {
        // An unknown subcommand is reported as such by apps(), not as a misplaced option.
        const command = `apps ${second}`;
        if (Object.hasOwn(COMMAND_OPTIONS, command)) checkOptions(command, values);
        await apps(io, second, rest, appOptions(values));
        return 0;
      }
      default:
        throw new UsageError(`Unknown command: ${first}`);
    }
  } catch (err) {
    return report(err, streams, json);
  } finally {
    lines.close();
  }
}

/** One message per failure; a stack trace only for what is a bug here. */
function report(err: unknown, streams: CliStreams, json: boolean): number {
  const usage =
    err instanceof UsageError || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
  // Our own input checks throw TypeErrors that say `passport-soa2: …`; any other error is a bug.
  const prefix = `${PACKAGE_NAME}: `;
  const said = err instanceof Error ? err.message : String(err);
  const checked = err instanceof TypeError && said.startsWith(prefix);
  const known = usage || checked || err instanceof CliError || isOAuthError(err);
  const message =
    err instanceof Error && said.startsWith(prefix) ? said.slice(prefix.length) : said;
  const code = usage ? 'USAGE' : ((err as { code?: string })?.code ?? 'FAILED');
  if (json) {
    writeLine(streams.stderr, JSON.stringify({ error: { code, message } }));
  } else {
    writeLine(streams.stderr, `soa2: ${message}`);
    if (usage) writeLine(streams.stderr, 'Run `soa2 --help` for usage.');
    else if (!known && err instanceof Error && err.stack) writeLine(streams.stderr, err.stack);
  }
  return usage ? 2 : 1;
}
