/**
 * `npm run bench:transport`: CPU time per provider request of the shared `Transport`, with its
 * default sender (node:http) and with an injected global `fetch`, against node-oauth (what
 * passport-oauth2 sends with). The figures behind bench/README.md's "The transport decision".
 *
 * One process serves a token answer shaped like EXBO's (~1.7 KB of JSON) on 127.0.0.1; each client
 * runs alone in a fresh process, POSTs a code-exchange form (a 780-character code) with 16 requests
 * in flight over kept-alive connections, and reports its own CPU time per request (user + system,
 * all threads) over 5 rounds after a warm-up. Clients run in rotated order, `--repeat` times.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Transport } from '@exbo-soa2/core';
import OAuth2Strategy from 'passport-oauth2';
import { median, medianAndRangeCells } from './stats.js';

const CLIENTS = ['transport (node:http)', 'transport (injected fetch)', 'node-oauth'] as const;
type ClientName = (typeof CLIENTS)[number];

const IN_FLIGHT = 16;
const WARMUP_REQUESTS = 3000;
const ROUND_REQUESTS = 4000;
const ROUNDS = 5;
const CODE = 'c'.repeat(780);
const SECRET = 's'.repeat(40);
const REDIRECT_URI = 'http://127.0.0.1/callback';

/** Serves one fixed token answer to every request and tells the parent its port. */
function serve(): void {
  const answer = JSON.stringify({
    token_type: 'Bearer',
    expires_in: 86400,
    access_token: 'a'.repeat(1000),
    refresh_token: 'r'.repeat(660),
  });
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      res.end(answer);
    });
  });
  server.listen(0, '127.0.0.1', () => process.send?.((server.address() as AddressInfo).port));
}

/** passport-oauth2's own node-oauth client, configured as for a login. */
class NodeOAuthClient extends OAuth2Strategy {
  constructor(tokenURL: string) {
    const options = { authorizationURL: tokenURL, tokenURL, clientID: '1', clientSecret: SECRET };
    super({ ...options, callbackURL: '/' }, () => {});
  }

  get oauth2() {
    return this._oauth2;
  }
}

/** One code exchange through `client`, resolved when the whole answer is read. */
function requester(client: ClientName, tokenURL: string): () => Promise<unknown> {
  if (client === 'node-oauth') {
    const oauth2 = new NodeOAuthClient(tokenURL).oauth2;
    return () =>
      new Promise((resolve, reject) =>
        oauth2.getOAuthAccessToken(
          CODE,
          { grant_type: 'authorization_code', redirect_uri: REDIRECT_URI },
          (err, accessToken) => (err ? reject(err) : resolve(accessToken)),
        ),
      );
  }
  const transport = new Transport({
    provider: 'bench',
    providerLabel: 'Bench',
    userAgent: 'bench/1',
    ...(client === 'transport (injected fetch)' && { fetch: (input, init) => fetch(input, init) }),
  });
  const form = {
    grant_type: 'authorization_code',
    client_id: '1',
    client_secret: SECRET,
    code: CODE,
    redirect_uri: REDIRECT_URI,
  };
  return () => transport.request({ method: 'POST', url: tokenURL, form, purpose: 'the bench' });
}

/** Sends `count` requests, `IN_FLIGHT` at a time. */
async function drive(send: () => Promise<unknown>, count: number): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started++ < count) await send();
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

/** Child: measures one client and sends the parent its CPU µs per request, one figure per round. */
async function measure(client: ClientName, port: number): Promise<void> {
  const send = requester(client, `http://127.0.0.1:${port}/oauth/token`);
  await drive(send, WARMUP_REQUESTS);
  const perRequest: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const before = process.cpuUsage();
    await drive(send, ROUND_REQUESTS);
    const used = process.cpuUsage(before);
    perRequest.push((used.user + used.system) / ROUND_REQUESTS);
  }
  process.send?.(perRequest, () => process.exit(0));
}

/** Forks this file with `args` (its role first); `message` is the child's first message. */
function child<T>(args: string[]): { process: ChildProcess; message: Promise<T> } {
  const started = fork(fileURLToPath(import.meta.url), args, { execArgv: [] });
  const message = new Promise<T>((resolve, reject) => {
    started.once('message', (value) => resolve(value as T));
    started.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { process: started, message };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { repeat: { type: 'string', default: '3' } } });
  const repeat = Number(values.repeat);
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new Error('--repeat must be a positive integer');
  const server = child<number>(['serve']);
  try {
    const port = await server.message;
    const results = new Map<ClientName, number[]>(CLIENTS.map((name) => [name, []]));
    for (let pass = 0; pass < repeat; pass++) {
      for (let i = 0; i < CLIENTS.length; i++) {
        const client = CLIENTS[(i + pass) % CLIENTS.length] as ClientName;
        const rounds = await child<number[]>(['client', client, String(port)]).message;
        results.get(client)?.push(...rounds);
        console.error(
          `  pass ${pass + 1} ${client.padEnd(28)} ${median(rounds).toFixed(0)} µs/request`,
        );
      }
    }
    console.log(
      `## Transport CPU per request (${IN_FLIGHT} in flight, kept-alive loopback, ${repeat} × ${ROUNDS} rounds of ${ROUND_REQUESTS})\n`,
    );
    console.log('| client | CPU µs per request, median | range |\n| --- | --- | --- |');
    for (const [client, figures] of results) {
      console.log(`| ${client} ${medianAndRangeCells(figures)}`);
    }
  } finally {
    server.process.kill();
  }
}

const [role, client, port] = process.argv.slice(2);
if (role === 'serve') serve();
else if (role === 'client') await measure(client as ClientName, Number(port));
else await main();
