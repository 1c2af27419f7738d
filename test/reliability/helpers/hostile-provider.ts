/**
 * A provider that answers however the current script says: random statuses, content types and
 * bodies, bodies that are truncated, huge, dripped slowly or never finished, connections reset
 * mid-body. It serves EXBO's token and user endpoints (`/oauth/token`, `/oauth/user`) and SOA2's
 * (`/api/tokens`, `/api/user`), on 127.0.0.1.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import fc from 'fast-check';
import { listen, type RunningServer } from '../../helpers/server.js';
import type { ProviderName } from './strategies.js';

export type BodyKind =
  /** The answer the protocol documents, with this attempt's tokens. */
  | 'valid'
  /** The documented answer plus fields nobody asked for. */
  | 'valid-extra'
  /** An OAuth-style error object (GitHub sends these with 200). */
  | 'oauth-error'
  /** Any JSON value. */
  | 'random-json'
  /** Random bytes, often not UTF-8. */
  | 'bytes'
  /** A proxy's error page. */
  | 'html'
  /** The tokens form-encoded (what some providers answer without `Accept: application/json`). */
  | 'form-tokens'
  | 'empty'
  /** Larger than the transport accepts (1 MiB). */
  | 'huge';

export type Delivery =
  /** At once, with a correct Content-Length. */
  | 'whole'
  /** In 1-3 byte pieces a few milliseconds apart, finishing well within the timeout. */
  | 'slow'
  /** Content-Length promises more than is sent, then the connection is closed. */
  | 'truncated'
  /** Part of the body, then the connection is reset. */
  | 'reset'
  /** Headers, then nothing more. */
  | 'stall'
  /** Not even headers. */
  | 'silent'
  /** A byte now and then, for longer than the timeout. */
  | 'drip';

export interface Answer {
  status: number;
  contentType: string | undefined;
  body: BodyKind;
  bodySeed: { json: unknown; bytes: Uint8Array };
  delivery: Delivery;
}

export interface Script {
  token: Answer;
  profile: Answer;
}

/** The tokens a valid answer carries this attempt: they must never appear in a message. */
export interface ScriptTokens {
  accessToken: string;
  refreshToken: string;
}

const STATUSES = fc.oneof(
  { weight: 6, arbitrary: fc.constant(200) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      201,
      203,
      204,
      301,
      302,
      303,
      307,
      400,
      401,
      403,
      404,
      405,
      410,
      415,
      417,
      418,
      429,
      500,
      502,
      503,
      504,
    ),
  },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 599 }) },
);

const CONTENT_TYPES = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/html; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'application/json; charset=iso-8859-1',
  undefined,
);

const BODIES = fc.oneof(
  { weight: 6, arbitrary: fc.constant<BodyKind>('valid') },
  {
    weight: 6,
    arbitrary: fc.constantFrom<BodyKind>(
      'valid-extra',
      'oauth-error',
      'random-json',
      'bytes',
      'html',
      'form-tokens',
      'empty',
      'huge',
    ),
  },
);

const DELIVERIES = fc.oneof(
  { weight: 10, arbitrary: fc.constant<Delivery>('whole') },
  { weight: 3, arbitrary: fc.constantFrom<Delivery>('slow', 'truncated', 'reset') },
  // Each of these costs a full timeout: rarer, so the run stays short.
  { weight: 1, arbitrary: fc.constantFrom<Delivery>('stall', 'silent', 'drip') },
);

export const answers: fc.Arbitrary<Answer> = fc.record({
  status: STATUSES,
  contentType: CONTENT_TYPES,
  body: BODIES,
  bodySeed: fc.record({
    json: fc.jsonValue({ maxDepth: 3 }),
    bytes: fc.uint8Array({ maxLength: 200 }),
  }),
  delivery: DELIVERIES,
});

export const scripts: fc.Arbitrary<Script> = fc.record({ token: answers, profile: answers });

/** The documented body of each endpoint. */
function validBody(provider: ProviderName, endpoint: 'token' | 'profile', tokens: ScriptTokens) {
  const now = Math.floor(Date.now() / 1000);
  if (provider === 'exbo') {
    return endpoint === 'token'
      ? {
          token_type: 'Bearer',
          expires_in: 31_536_000,
          access_token: tokens.accessToken,
          refresh_token: tokens.refreshToken,
        }
      : {
          id: 4242,
          uuid: '9a3c4b2e-0000-4000-8000-000000004242',
          login: 'Сталкер-Hostile',
          display_login: null,
          distributor: 'EXBO',
          distributor_id: null,
        };
  }
  return endpoint === 'token'
    ? {
        refresh_token: tokens.refreshToken,
        refresh_expiry: now + 365 * 86400,
        scopes: ['identify'],
        access_token: tokens.accessToken,
        access_expiry: now + 86400,
      }
    : { user_id: 4242, user_name: 'hostile_user' };
}

function bodyBytes(
  provider: ProviderName,
  endpoint: 'token' | 'profile',
  answer: Answer,
  tokens: ScriptTokens,
): Buffer {
  const valid = validBody(provider, endpoint, tokens);
  switch (answer.body) {
    case 'valid':
      return Buffer.from(JSON.stringify(valid));
    case 'valid-extra':
      return Buffer.from(JSON.stringify({ ...valid, surprise: answer.bodySeed.json }));
    case 'oauth-error':
      return Buffer.from(
        JSON.stringify({ error: 'invalid_request', error_description: 'The code is bad.' }),
      );
    case 'random-json':
      return Buffer.from(JSON.stringify(answer.bodySeed.json) ?? 'null');
    case 'bytes':
      return Buffer.from(answer.bodySeed.bytes);
    case 'html':
      return Buffer.from('<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>');
    case 'form-tokens':
      return Buffer.from(
        `access_token=${tokens.accessToken}&refresh_token=${tokens.refreshToken}&token_type=bearer`,
      );
    case 'empty':
      return Buffer.alloc(0);
    case 'huge':
      return Buffer.alloc(1536 * 1024, 'x');
  }
}

/** Whether the strategy can log in with this answer (when it arrives in time and intact). */
export function acceptable(provider: ProviderName, endpoint: 'token' | 'profile', answer: Answer) {
  const okStatus =
    answer.status === 200 ||
    (provider === 'soa2' && endpoint === 'profile' && answer.status === 203);
  return (
    okStatus &&
    (answer.body === 'valid' || answer.body === 'valid-extra') &&
    (answer.delivery === 'whole' || answer.delivery === 'slow')
  );
}

export interface HostileProvider extends RunningServer {
  /** What the next requests get. */
  script: Script | undefined;
  tokens: ScriptTokens;
  /** Requests received, as `METHOD path`. */
  hits: string[];
  /**
   * When each endpoint's last answer started to be sent (`performance.now()`), and when its last
   * byte was written. A `slow` answer takes about 50 ms; far more means this machine stalled (a
   * loaded CI runner), and a client timeout is then the right outcome, not a bug.
   */
  sending: Partial<Record<'token' | 'profile', { started: number; ended?: number }>>;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends `body` as `answer.delivery` says. `timeoutMs` is the client's: the slow deliveries are
 * sized against it.
 */
async function deliver(res: ServerResponse, answer: Answer, body: Buffer, timeoutMs: number) {
  const headers: Record<string, string | number> = {};
  if (answer.contentType !== undefined) headers['Content-Type'] = answer.contentType;
  const socket = res.socket;
  switch (answer.delivery) {
    case 'silent':
      return; // the client's timeout ends it; closing the server ends the socket
    case 'whole':
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
      res.end(body);
      return;
    case 'stall':
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length + 10 });
      res.flushHeaders();
      return;
    case 'truncated':
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length + 10 });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      await sleep(5);
      socket?.end();
      return;
    case 'reset':
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length + 10 });
      res.write(body.subarray(0, Math.floor(body.length / 2)));
      await sleep(5);
      socket?.resetAndDestroy();
      return;
    case 'slow': {
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length });
      // At most ten pieces (so multi-byte characters get split), then the rest: well in time.
      let offset = 0;
      for (let piece = 0; piece < 10 && offset < body.length; piece++) {
        const size = 1 + (piece % 3);
        res.write(body.subarray(offset, offset + size));
        offset += size;
        await sleep(5);
      }
      res.end(body.subarray(offset));
      return;
    }
    case 'drip': {
      res.writeHead(answer.status, { ...headers, 'Content-Length': body.length + 1000 });
      const until = Date.now() + 2 * timeoutMs;
      for (let offset = 0; Date.now() < until && !res.destroyed; offset++) {
        res.write(
          body.length > 0 ? body.subarray(offset % body.length, (offset % body.length) + 1) : ' ',
        );
        await sleep(Math.max(10, Math.floor(timeoutMs / 8)));
      }
      res.destroy();
      return;
    }
  }
}

export async function startHostileProvider(timeoutMs: number): Promise<HostileProvider> {
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    req.resume(); // the request body does not matter
    provider.hits.push(`${req.method} ${req.url}`);
    const path = req.url ?? '';
    const name: ProviderName = path.startsWith('/api/') ? 'soa2' : 'exbo';
    const endpoint = /\/(token|tokens)$/.test(path) ? 'token' : 'profile';
    const answer = provider.script?.[endpoint];
    if (!answer) return void res.writeHead(404).end();
    const sending: { started: number; ended?: number } = { started: performance.now() };
    provider.sending[endpoint] = sending;
    await deliver(res, answer, bodyBytes(name, endpoint, answer, provider.tokens), timeoutMs);
    sending.ended = performance.now();
  };
  const server = await listen((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  const provider: HostileProvider = {
    ...server,
    script: undefined,
    tokens: { accessToken: '', refreshToken: '' },
    hits: [],
    sending: {},
  };
  return provider;
}
