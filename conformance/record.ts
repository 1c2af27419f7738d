/**
 * The recording `fetch` the kit hands to the packages' clients (their `fetch` option): every
 * request goes out unchanged through Node's fetch, and the kit keeps only each exchange's shape
 * (shape.ts), never a header value, a body or a token (only protocol vocabulary such as `error`).
 */
import { type BodyShape, bodyShape, headerShapes, protocolValues } from './shape.js';

/** One request and its answer, as shapes. */
export interface ExchangeRecord {
  method: string;
  /** The path below the base URL it was sent to, e.g. `/oauth/token` or `/regions`. */
  path: string;
  /** Names of the query parameters sent (values are not kept). */
  query: string[];
  /** How the request authenticated: `bearer`, `client-secret` (headers) or `none`. */
  auth: string;
  /** The request body's Content-Type (`(none)` when absent) and shape. */
  requestType: string;
  requestBody: BodyShape;
  /** 0 when no answer came (then `error` says why: `ECONNREFUSED`, `aborted`, …). */
  status: number;
  error?: string;
  /** The headers that matter, as shapes (shape.ts). */
  headers: Record<string, string>;
  body: BodyShape;
  /** The body's protocol vocabulary (shape.ts, `protocolValues`), e.g. `{ error: 'invalid_request' }`. */
  values: Record<string, string>;
}

type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

function authKind(headers: Headers): string {
  if (headers.get('authorization') !== null) return 'bearer';
  if (headers.get('client-secret') !== null) return 'client-secret';
  return 'none';
}

function failure(err: unknown): string {
  if (err instanceof Error && err.name === 'AbortError') return 'aborted';
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'error';
}

/** Records the shape of every exchange sent through {@link Recorder.fetch}. */
export class Recorder {
  #exchanges: ExchangeRecord[] = [];
  readonly #bases: string[];

  /** `bases`: the base URLs in use; a recorded path is relative to the longest one it starts with. */
  constructor(bases: string[]) {
    this.#bases = bases.map((base) => base.replace(/\/+$/, '')).sort((a, b) => b.length - a.length);
  }

  readonly fetch: FetchLike = async (input, init = {}) => {
    const url = new URL(String(input));
    const headers = new Headers(init.headers);
    const sentBody = typeof init.body === 'string' ? init.body : init.body ? '<bytes>' : '';
    const plain = `${url.origin}${url.pathname}`;
    const base = this.#bases.find((b) => plain === b || plain.startsWith(`${b}/`));
    const record: ExchangeRecord = {
      method: (init.method ?? 'GET').toUpperCase(),
      path: base === undefined ? url.pathname : plain.slice(base.length) || '/',
      query: [...new Set(url.searchParams.keys())],
      auth: authKind(headers),
      requestType: headers.get('content-type')?.split(';')[0]?.trim() ?? '(none)',
      requestBody: bodyShape(sentBody, headers.get('content-type')),
      status: 0,
      headers: {},
      body: { kind: 'empty' },
      values: {},
    };
    this.#exchanges.push(record);
    try {
      const res = await fetch(input, init);
      record.status = res.status;
      record.headers = headerShapes(res.headers);
      const text = await res.clone().text();
      record.body = bodyShape(text, res.headers.get('content-type'));
      record.values = protocolValues(text);
      return res;
    } catch (err) {
      record.error = failure(err);
      throw err;
    }
  };

  /** The exchanges recorded since the last call. */
  take(): ExchangeRecord[] {
    const taken = this.#exchanges;
    this.#exchanges = [];
    return taken;
  }
}
