/**
 * How a {@link Transport} request goes on the wire: `node:http(s)` with kept-alive connections by
 * default, or a `fetch` the user injected (an undici `ProxyAgent`, instrumentation, tests).
 *
 * Why `node:http` by default and not the global `fetch`: on Node 20, undici's fetch costs about
 * 280 µs more CPU per request than `node:http` (WHATWG streams, Request/Response objects, an abort
 * listener per signal) and ~25 MB more RSS. A login is two requests, so with fetch a strategy spent
 * ~40 % of a login's CPU in it and could not match stock passport-oauth2 (node-oauth sends with
 * `node:http`); bench/README.md has the figures. Everything else (headers, deadline, body cap,
 * decoding, errors) is the Transport's and the same for both senders.
 *
 * @module
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** The subset of the global `fetch` the transport calls; an undici or instrumented fetch fits. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** One request as a sender sends it: everything already encoded. */
export interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
  /** Aborted at the Transport's deadline; ends the exchange wherever it is (connect, headers, body). */
  signal: AbortSignal;
}

/** The start of an answer: its status, and its body still to be read. */
export interface Incoming {
  status: number;
  /** Built only when asked for: the login path never reads them. */
  headers(): Headers;
  /** `null` when the answer has no body (fetch, for a 204 or a HEAD). */
  body: AsyncIterable<Uint8Array> | null;
}

/** Sends one request; never follows redirects; rejects with the raw network error. */
export type Sender = (url: string, outgoing: Outgoing) => Promise<Incoming>;

/** Sends through an injected `fetch`, asking it not to follow redirects. */
export function fetchSender(fetchImpl: FetchLike): Sender {
  return async (url, { method, headers, body, signal }) => {
    const res = await fetchImpl(url, { method, headers, body, redirect: 'manual', signal });
    return { status: res.status, headers: () => res.headers, body: res.body };
  };
}

/**
 * An idle kept-alive connection is dropped after this long, or one second before the provider's
 * announced `Keep-Alive: timeout=N` if that is sooner (Node's agent applies the hint only when it
 * has a timeout of its own), so a request is not sent on a connection the provider is closing.
 */
const IDLE_CONNECTION_MS = 30_000;

/**
 * Sends through `node:http` / `node:https` (which never follow redirects), keeping connections to
 * the provider alive between logins: one agent per scheme, per sender.
 */
export function nodeHttpSender(): Sender {
  const agents: Record<string, HttpAgent> = {
    'http:': new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
    'https:': new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS }),
  };
  return (url, { method, headers, body, signal }) =>
    new Promise((resolve, reject) => {
      const target = new URL(url);
      const agent = agents[target.protocol];
      if (!agent) throw new TypeError(`unsupported protocol ${target.protocol}`);
      const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
      const sized =
        body === undefined
          ? headers
          : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
      const request = send(target, { method, headers: sized, agent, signal }, (res) =>
        resolve({ status: res.statusCode ?? 0, headers: () => headersOf(res), body: res }),
      );
      // Before the answer this rejects the exchange; after it, a failure also ends the body stream
      // (which the reader sees), and this listener only keeps the 'error' event from being unhandled.
      request.on('error', reject);
      request.end(body);
    });
}

/** node:http's headers as a `Headers`; a value `Headers` refuses (Node's parser is laxer) is left out. */
function headersOf(res: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] as string, raw[i + 1] as string);
    } catch {
      // Not valid for WHATWG Headers: not a header any caller reads.
    }
  }
  return headers;
}
