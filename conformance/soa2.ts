/**
 * The SOA2 steps that need no browser (docs/protocols/soa2.md, "Unknown, and how to settle it").
 * Requests our client would never send (a string client_id, a form body, no Content-Type) go out
 * raw through the same recorder; the rest go through passport-soa2's Soa2Client.
 *
 * Side effects on a real account, which the README spells out: `exchange` redeems SOA2_CODE and,
 * as every SOA2 login does, deletes the app's earlier tokens for that user.
 */
import { Soa2Client } from './packages.js';
import { Recorder } from './record.js';
import { StepLog, type StepResult } from './steps.js';

/** Where and as whom the SOA2 steps run. */
export interface Soa2Target {
  /** e.g. `https://oauth2.scratch-wiki.info`; the REST API is under `/w/rest.php/soa2/v0`. */
  baseUrl: string;
  clientId: number;
  clientSecret: string;
  /** A fresh authorization code (single use, an hour from when its consent page was shown). */
  code?: string | undefined;
  timeout: number;
}

const API_PATH = '/w/rest.php/soa2/v0';
/** Well-formed (64 and 128 lowercase hex characters) but never issued. */
const BOGUS_CODE = '0'.repeat(64);
const BOGUS_TOKEN = '0'.repeat(128);

export async function runSoa2Steps(target: Soa2Target): Promise<StepResult[]> {
  const base = target.baseUrl.replace(/\/+$/, '');
  const recorder = new Recorder([`${base}${API_PATH}`, base]);
  const client = new Soa2Client({
    baseURL: base,
    clientID: target.clientId,
    clientSecret: target.clientSecret,
    fetch: recorder.fetch,
    timeout: target.timeout,
  });
  const tokens = `${base}${API_PATH}/tokens`;
  const raw =
    (method: string, body: string | Uint8Array | undefined, type?: string) => async () => {
      const headers: Record<string, string> = { Accept: 'application/json' };
      if (type !== undefined) headers['Content-Type'] = type;
      const res = await recorder.fetch(tokens, {
        method,
        headers,
        // A Uint8Array body goes out without a Content-Type of fetch's own choosing.
        ...(body !== undefined && { body }),
        signal: AbortSignal.timeout(target.timeout),
      });
      await res.arrayBuffer();
    };
  const exchangeBody = (clientId: unknown, secret: string) =>
    JSON.stringify({
      client_id: clientId,
      client_secret: secret,
      code: BOGUS_CODE,
      scopes: ['identify'],
    });
  const wrongSecret = target.clientSecret === 'f'.repeat(128) ? 'e'.repeat(128) : 'f'.repeat(128);

  const log = new StepLog(recorder);
  const step = log.step.bind(log);
  await step(
    'client_id as a string',
    raw('POST', exchangeBody(String(target.clientId), target.clientSecret), 'application/json'),
  );
  await step(
    'wrong client secret',
    raw('POST', exchangeBody(target.clientId, wrongSecret), 'application/json'),
  );
  await step('unknown code', async () => void (await client.exchangeCode(BOGUS_CODE)));
  await step(
    'form-encoded body',
    raw(
      'POST',
      new URLSearchParams({ client_id: String(target.clientId), code: BOGUS_CODE }).toString(),
      'application/x-www-form-urlencoded',
    ),
  );
  await step(
    'JSON body without Content-Type',
    raw('POST', new TextEncoder().encode(exchangeBody(target.clientId, target.clientSecret))),
  );
  await step('empty PATCH without Content-Type', raw('PATCH', undefined));
  await step('unknown refresh token', async () => void (await client.refresh(BOGUS_TOKEN)));
  await step('user, unknown token', async () => void (await client.fetchProfile(BOGUS_TOKEN)));

  const { code } = target;
  const noCode = 'set SOA2_CODE';
  let issued: { access_token: string; refresh_token: string } | undefined;
  await step(
    'exchange',
    code === undefined
      ? noCode
      : async () => {
          issued = await client.exchangeCode(code);
        },
  );
  await step(
    'same code again',
    issued === undefined ? 'no exchange' : async () => void (await client.exchangeCode(code!)),
  );
  await step(
    'user',
    issued === undefined
      ? 'no exchange'
      : async () => void (await client.fetchProfile(issued!.access_token)),
  );
  let renewed: { access_token: string; refresh_token: string } | undefined;
  await step(
    'refresh',
    issued === undefined
      ? 'no exchange'
      : async () => {
          renewed = await client.refresh(issued!.refresh_token);
          return { refresh_token_kept: String(renewed.refresh_token === issued!.refresh_token) };
        },
  );
  await step(
    'old access token after refresh',
    renewed === undefined
      ? 'no refresh'
      : async () => void (await client.fetchProfile(issued!.access_token)),
  );
  return log.results;
}
