#!/usr/bin/env node
/**
 * `exbo-soa2-fakes <provider> [options]`: runs one provider's fake on 127.0.0.1 until Ctrl+C
 * (SIGINT) or SIGTERM, printing the URLs and client credentials to configure an app with.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_EXBO_CLIENT } from './exbo/defaults.js';
import { startExboFake } from './exbo/fake.js';
import type { RunningFake } from './http.js';
import { DEFAULT_SOA2_CLIENT, DEFAULT_SOA2_USERS } from './soa2/defaults.js';
import { startSoa2Fake } from './soa2/fake.js';
import { PROFILE_PAGE_PATH } from './soa2/profile-page.js';

interface Command {
  summary: string;
  /** Usage lines, the first being the synopsis. */
  usage: string[];
  /** Starts the fake (printing how to use it), or returns undefined after printing why not. */
  run(args: string[]): Promise<RunningFake | undefined>;
}

/** Fixed default ports, so an app's configuration survives restarts (`--port 0` picks a free one). */
const DEFAULT_EXBO_PORT = 3001;
const DEFAULT_SOA2_PORT = 3002;

const COMMANDS: Record<string, Command> = {
  exbo: {
    summary: 'EXBO OAuth (Login with EXBO / STALCRAFT)',
    usage: [
      'exbo [--port N] [--host H] [--client-id ID] [--client-secret S] [--redirect-uri URL ...] [--name NAME]',
      `Defaults: --port ${DEFAULT_EXBO_PORT}, --host 127.0.0.1, the built-in client ${DEFAULT_EXBO_CLIENT.clientId}`,
      `with redirect URI ${DEFAULT_EXBO_CLIENT.redirectUris.join(' ')}; --redirect-uri may repeat.`,
    ],
    run: runExbo,
  },
  soa2: {
    summary: 'ScratchOAuth2 (Login with Scratch)',
    usage: [
      'soa2 [--port N] [--host H] [--client-id ID] [--client-secret S] [--redirect-uri URL ...] [--app-name NAME] [--strict]',
      `Defaults: --port ${DEFAULT_SOA2_PORT}, --host 127.0.0.1, the built-in client ${DEFAULT_SOA2_CLIENT.clientId}`,
      `with redirect URI ${DEFAULT_SOA2_CLIENT.redirectUris.join(' ')}; --redirect-uri may repeat.`,
      '--strict: a code is redeemable only by the client it was issued to.',
    ],
    run: runSoa2,
  },
};

async function runExbo(args: string[]): Promise<RunningFake> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      name: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  });
  for (const uri of values['redirect-uri'] ?? []) {
    if (!URL.canParse(uri)) throw new UsageError(`--redirect-uri: not an absolute URL: ${uri}`);
  }
  const client = {
    clientId: values['client-id'] ?? DEFAULT_EXBO_CLIENT.clientId,
    clientSecret: values['client-secret'] ?? DEFAULT_EXBO_CLIENT.clientSecret,
    redirectUris: values['redirect-uri'] ?? [...DEFAULT_EXBO_CLIENT.redirectUris],
    name: values.name ?? DEFAULT_EXBO_CLIENT.name,
  };
  const fake = await startExboFake({
    port: parsePort(values.port, DEFAULT_EXBO_PORT),
    host: values.host ?? '127.0.0.1',
    clients: [client],
  });
  console.log(`EXBO fake listening on ${fake.url}
  authorization URL  ${fake.authorizationURL}
  token URL          ${fake.tokenURL}
  user profile URL   ${fake.userProfileURL}
  client_id          ${client.clientId}
  client_secret      ${client.clientSecret}
  redirect URIs      ${client.redirectUris.join(' ')}
Press Ctrl+C to stop.`);
  return fake;
}

async function runSoa2(args: string[]): Promise<RunningFake> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'redirect-uri': { type: 'string', multiple: true },
      'app-name': { type: 'string' },
      strict: { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const clientIdText = values['client-id'];
  // SOA2 client ids are integers: a string id is exactly the bug the fake exists to catch.
  if (clientIdText !== undefined && !/^[0-9]{1,10}$/.test(clientIdText)) {
    throw new UsageError(`--client-id: not an integer: ${clientIdText}`);
  }
  const secret = values['client-secret'];
  if (secret !== undefined && !/^[0-9a-f]{128}$/.test(secret)) {
    throw new UsageError('--client-secret: must be 128 lowercase hex characters, as SOA2 issues');
  }
  const client = {
    clientId: clientIdText === undefined ? DEFAULT_SOA2_CLIENT.clientId : Number(clientIdText),
    clientSecret: secret ?? DEFAULT_SOA2_CLIENT.clientSecret,
    redirectUris: values['redirect-uri'] ?? [...DEFAULT_SOA2_CLIENT.redirectUris],
    appName: values['app-name'] ?? DEFAULT_SOA2_CLIENT.appName ?? null,
  };
  const fake = await startSoa2Fake({
    port: parsePort(values.port, DEFAULT_SOA2_PORT),
    host: values.host ?? '127.0.0.1',
    clients: [client],
    strict: values.strict === true,
  });
  console.log(`SOA2 fake listening on ${fake.url}${values.strict ? ' (strict)' : ''}
  base URL           ${fake.url}
  authorization URL  ${fake.authorizationURL}
  API URL            ${fake.apiURL}
  client_id          ${client.clientId}
  client_secret      ${client.clientSecret}
  redirect URIs      ${client.redirectUris.join(' ') || '(none: codes are shown to paste)'}
  users              ${DEFAULT_SOA2_USERS.map((user) => `${user.userName}${user.authoritative === false ? ' (203)' : ''}`).join(', ')}
  profile comments   ${fake.url}${PROFILE_PAGE_PATH}/<username> (post \`soa2 login\` texts here)
Press Ctrl+C to stop.`);
  return fake;
}

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^[0-9]+$/.test(value) || port > 65535) throw new UsageError(`--port: not a port: ${value}`);
  return port;
}

class UsageError extends Error {}

function usage(): string {
  const lines = Object.entries(COMMANDS).flatMap(([name, command]) => [
    `  ${name.padEnd(6)} ${command.summary}`,
    ...command.usage.map((line) => `         ${line}`),
  ]);
  return `Usage: exbo-soa2-fakes <provider> [options]\n\nProviders:\n${lines.join('\n')}\n`;
}

/** Closes the fake on SIGINT/SIGTERM; a second signal exits at once. */
function stopOnSignal(fake: RunningFake): void {
  let stopping = false;
  const stop = () => {
    if (stopping) process.exit(1);
    stopping = true;
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`Unknown provider: ${name}\n\n${usage()}`);
    return 2;
  }
  let fake: RunningFake | undefined;
  try {
    fake = await command.run(args);
  } catch (err) {
    const known =
      err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    if (known) {
      const synopsis = command.usage.join('\n  ');
      process.stderr.write(`${(err as Error).message}\n\nUsage: exbo-soa2-fakes ${synopsis}\n`);
      return 2;
    }
    if ((err as { code?: string }).code === 'EADDRINUSE') {
      process.stderr.write(
        `${(err as Error).message}: pass --port N (or --port 0 for a free one)\n`,
      );
      return 1;
    }
    throw err;
  }
  if (!fake) return 1;
  stopOnSignal(fake);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== 0) process.exit(code);
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
