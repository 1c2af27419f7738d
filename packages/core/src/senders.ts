/**
 * How a {@link Transport} request goes on the wire: `node:http(s)` with kept-alive connections by
 * default, or a `fetch` the user injected (an undici `ProxyAgent`, instrumentation, tests).
 *
 * Why `node:http` by default and not the global `fetch`: on Node 20, undici's fetch costs about
 * 250 µs more CPU per request than `node:http` (WHATWG streams, Request/Response objects, an abort
 * listener per signal) and ~25 MB more RSS. A login is two requests, so with fetch a strategy spent
 * ~40 % of a login's CPU in it and could not match stock passport-oauth2 (node-oauth sends with
 * `node:http`); bench/README.md has the figures. Everything else (headers, deadline, body cap,
 * decoding, errors) is the Transport's and the same for both senders.
 *
 * @module
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { BodyCollector, type Exchange } from './exchange.js';
import type { ProxySettings } from './proxy-settings.js';

/** The subset of the global `fetch` the transport calls; an undici or instrumented fetch fits. */
export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

/** One request as a sender sends it: everything already encoded. */
export interface Outgoing {
  method: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/** A whole answer, its body not yet decoded. */
export interface Answer {
  status: number;
  /** Built only when asked for: the login path never reads them. */
  headers(): Headers;
  body: Uint8Array;
  /** Whether a kept-alive connection carried it (`undefined` when the sender cannot tell). */
  reused?: boolean | undefined;
}

/**
 * Sends one request and reads the whole answer, never following redirects. It sets
 * `exchange.status` when the status line arrives, registers with `exchange.onExpire` how to stop,
 * and collects the body under `exchange.maxBodyBytes`; it rejects with the raw network error (or a
 * `BodyTooLargeError`), which the Transport turns into an `OAuthError`.
 */
export interface Sender {
  (url: string, outgoing: Outgoing, exchange: Exchange): Promise<Answer>;
  /**
   * The proxy (`host:port`) requests to `url` go through, for messages and the debug log;
   * absent on senders that never use one.
   */
  via?(url: string): string | undefined;
}

/** Sends through an injected `fetch`, asking it not to follow redirects. */
export function fetchSender(fetchImpl: FetchLike): Sender {
  return async (url, { method, headers, body }, exchange) => {
    const controller = new AbortController();
    exchange.onExpire(() => controller.abort());
    const res = await fetchImpl(url, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: controller.signal,
    });
    exchange.status = res.status;
    const collected = new BodyCollector(exchange.maxBodyBytes);
    // Leaving the loop by a throw cancels the stream.
    if (res.body) for await (const chunk of res.body) collected.add(chunk);
    return { status: res.status, headers: () => res.headers, body: collected.bytes() };
  };
}

/**
 * An idle kept-alive connection is dropped after this long, or one second before the provider's
 * announced `Keep-Alive: timeout=N` if that is sooner (Node's agent applies the hint only when it
 * has a timeout of its own), so a request is not sent on a connection the provider is closing.
 */
const IDLE_CONNECTION_MS = 30_000;

/**
 * Where one URL's requests go, as `node:http` wants it. Worked out once per URL: a login sends to
 * the same two endpoints every time, and parsing them again cost ~10 µs per request.
 */
interface Target {
  send: typeof httpRequest;
  /** The proxy this URL's requests pass through (proxy-tunnel.ts), or `undefined`. */
  via: string | undefined;
  agent: HttpAgent;
  protocol: string;
  hostname: string;
  port: string;
  path: string;
}

/** Distinct URLs remembered per sender (the game API varies the path); beyond this, start over. */
const MAX_TARGETS = 256;

const AGENT_OPTIONS = { keepAlive: true, timeout: IDLE_CONNECTION_MS };

/** Which agent carries a URL's requests, and through which proxy (proxy-tunnel.ts makes these). */
type Router = (url: URL) => { agent: HttpAgent; via: string | undefined };

/**
 * Sends through `node:http` / `node:https` (which never follow redirects), keeping connections to
 * the provider alive between logins: one agent per scheme, per sender. `route`, given only for a
 * proxied transport, picks another agent (a tunnel through the proxy) per URL.
 */
export function nodeHttpSender(
  route?: (direct: Record<string, HttpAgent>) => Router,
): Sender & { via(url: string): string | undefined } {
  const agents: Record<string, HttpAgent> = {
    'http:': new HttpAgent(AGENT_OPTIONS),
    'https:': new HttpsAgent(AGENT_OPTIONS),
  };
  const router: Router = route
    ? route(agents)
    : (url) => ({ agent: agents[url.protocol] as HttpAgent, via: undefined });
  const targets = new Map<string, Target>();
  const targetOf = (url: string): Target => {
    let target = targets.get(url);
    if (target === undefined) {
      const parsed = new URL(url);
      if (!agents[parsed.protocol]) throw new TypeError(`unsupported protocol ${parsed.protocol}`);
      const { agent, via } = router(parsed);
      target = {
        send: parsed.protocol === 'https:' ? httpsRequest : httpRequest,
        via,
        agent,
        protocol: parsed.protocol,
        // URL keeps an IPv6 literal's brackets; node:http wants the bare address.
        hostname: parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname,
        port: parsed.port,
        path: parsed.pathname + parsed.search,
      };
      if (targets.size >= MAX_TARGETS) targets.clear();
      targets.set(url, target);
    }
    return target;
  };
  const sender = (url: string, { method, headers, body }: Outgoing, exchange: Exchange) =>
    new Promise<Answer>((resolve, reject) => {
      const { send, agent, protocol, hostname, port, path } = targetOf(url);
      const sized =
        body === undefined
          ? headers
          : { ...headers, 'Content-Length': String(Buffer.byteLength(body)) };
      // An options object rather than the URL: given a URL, ClientRequest converts it to these
      // options again (~12 µs per request on Node 20).
      const options = { protocol, hostname, port, path, method, headers: sized, agent };
      const request = send(options, (res) => {
        exchange.status = res.statusCode ?? 0;
        const collected = new BodyCollector(exchange.maxBodyBytes);
        res.on('data', (chunk: Buffer) => {
          try {
            collected.add(chunk);
          } catch (err) {
            reject(err);
            request.destroy();
          }
        });
        res.on('end', () =>
          resolve({
            status: exchange.status ?? 0,
            headers: () => headersOf(res),
            body: collected.bytes(),
            reused: request.reusedSocket,
          }),
        );
        // A connection lost mid-body (reset, truncated, destroyed at the deadline) ends here.
        res.on('error', reject);
        res.on('close', () => {
          if (!res.complete)
            reject(new Error('the connection closed before the answer was complete'));
        });
      });
      // Every failure reaches one of these listeners; rejecting an already settled promise is a
      // no-op, so the first one wins and none is left unhandled.
      request.on('error', reject);
      exchange.onExpire(() => request.destroy(new Error('deadline passed')));
      request.end(body);
    });
  return Object.assign(sender, {
    via: (url: string) => {
      try {
        return targetOf(url).via;
      } catch {
        return undefined;
      }
    },
  });
}

/**
 * The `node:http` sender for a transport with a proxy, by the `settings` read when the transport
 * was made (proxy-settings.ts). The tunnels (proxy-tunnel.ts) are imported on the first request,
 * so an app without a proxy never loads them.
 */
export function proxiedSender(settings: ProxySettings, timeoutMs: number): Sender {
  let ready: Promise<ReturnType<typeof nodeHttpSender>> | undefined;
  let loaded: ReturnType<typeof nodeHttpSender> | undefined;
  const send: Sender = async (url, outgoing, exchange) => {
    ready ??= import('./proxy-tunnel.js').then((tunnel) => {
      loaded = nodeHttpSender((direct) =>
        tunnel.proxyRouter(settings, timeoutMs, direct, AGENT_OPTIONS),
      );
      return loaded;
    });
    return (await ready)(url, outgoing, exchange);
  };
  send.via = (url) => loaded?.via(url);
  return send;
}

/** A sender for a transport whose proxy setting is broken: every request fails with `err`. */
export function failingSender(err: Error): Sender {
  return () => Promise.reject(err);
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
