/**
 * Outbound HTTP proxies for the `node:http` sender: which proxy (if any) a provider URL goes
 * through, and connection agents that open a `CONNECT` tunnel through it.
 *
 * Loaded only when a proxy is configured (senders.ts imports this file on the first request of a
 * proxied transport), so an app without a proxy never loads it.
 *
 * Every target goes through a `CONNECT` tunnel, `https:` and `http:` alike: TLS runs end to end
 * from us to the provider (the proxy sees only host and port), kept-alive connections are pooled
 * by the agent per provider as without a proxy, and anything the proxy itself answers (403, 407,
 * 502) comes back as the answer to `CONNECT`, never mistaken for the provider's answer, which
 * absolute-form `GET http://…` requests to the proxy would allow. The cost: a proxy that only
 * allows `CONNECT` to port 443 refuses plain-`http:` providers, which only exist in development
 * (both providers are served over https): such a host goes in `NO_PROXY`.
 *
 * @module
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { BlockList, connect, isIP, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';

/** One proxy: where it listens and how we authenticate to it. */
export interface ProxyEndpoint {
  hostname: string;
  port: number;
  /** `host:port`, the proxy's name in messages and logs: never its user or password. */
  label: string;
  /** `Proxy-Authorization` header value when the URL carries a user. */
  authorization: string | undefined;
}

/** Where one provider URL goes: the agent to use and the proxy it passes through, if any. */
export interface Route {
  agent: HttpAgent;
  /** The proxy's `host:port`, or `undefined` for a direct connection. */
  via: string | undefined;
}

/** The environment variables the `'env'` setting reads (a subset of `process.env`). */
export type ProxyEnv = Record<string, string | undefined>;

/**
 * A failure of the proxy itself (unreachable, refused the tunnel, wants credentials), as opposed to
 * a failure of the provider behind it. `proxyStatus` is the proxy's HTTP answer to `CONNECT`.
 * The Transport recognises it by its `proxyStatus`/`proxy` fields (it does not import this file).
 */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  constructor(
    message: string,
    /** The proxy's `host:port`. */
    readonly proxy: string,
    readonly proxyStatus?: number,
  ) {
    super(message);
  }
}

/**
 * Reads a proxy URL: `http://[user[:password]@]host[:port]`; a value without a scheme is taken as
 * `http://` (as curl does with `HTTPS_PROXY=proxy:3128`). `source` names the setting in errors,
 * which never quote the URL (it may hold a password).
 */
export function parseProxyURL(text: string, source: string): ProxyEndpoint {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new TypeError(`${source} is not a URL (expected http://host:port)`);
  }
  if (url.protocol !== 'http:') {
    throw new TypeError(
      `${source} uses ${url.protocol}//, but only http:// proxies are supported (TLS to the provider still runs end to end through them)`,
    );
  }
  if (url.hostname === '') throw new TypeError(`${source} has no host`);
  const port = url.port === '' ? 80 : Number(url.port);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const label = `${url.hostname}:${port}`;
  const user = decodeURIComponent(url.username);
  const authorization =
    user === '' && url.password === ''
      ? undefined
      : `Basic ${Buffer.from(`${user}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  return { hostname, port, label, authorization };
}

/** Whether `NO_PROXY` (or `no_proxy`) exempts a host: `(hostname, port) => boolean`. */
export type NoProxy = (hostname: string, port: number) => boolean;

/**
 * Parses a `NO_PROXY` value with curl's conventions: entries separated by commas or spaces,
 * matched case-insensitively; `*` alone exempts every host; a name matches itself and every
 * subdomain (`example.com` and `.example.com` both match `example.com` and `a.example.com`, not
 * `notexample.com`); an IP address matches only itself and a CIDR range (`10.0.0.0/8`) its
 * addresses; `host:port` (`[::1]:8443` for IPv6) only that port.
 */
export function parseNoProxy(value: string | undefined): NoProxy {
  const entries = (value ?? '')
    .toLowerCase()
    .split(/[\s,]+/)
    .filter((entry) => entry !== '');
  if (entries.includes('*')) return () => true;
  const names: Array<{ name: string; port: number | undefined }> = [];
  const addresses: Array<{ list: BlockList; port: number | undefined }> = [];
  for (const entry of entries) {
    const { host, port } = splitPort(entry);
    const cidr = /^(.+)\/(\d{1,3})$/.exec(host);
    const address = cidr ? (cidr[1] as string) : host;
    const family = isIP(address);
    if (family !== 0) {
      const list = new BlockList();
      const type = family === 6 ? 'ipv6' : 'ipv4';
      const prefix = cidr ? Number(cidr[2]) : family === 6 ? 128 : 32;
      try {
        list.addSubnet(address, prefix, type);
      } catch {
        continue; // A prefix too long for the family: an entry that matches nothing.
      }
      addresses.push({ list, port });
    } else {
      names.push({ name: host.replace(/^\*?\./, '').replace(/\.$/, ''), port });
    }
  }
  return (hostname, port) => {
    const host = hostname.toLowerCase().replace(/\.$/, '');
    const family = isIP(host);
    if (family !== 0) {
      const type = family === 6 ? 'ipv6' : 'ipv4';
      return addresses.some(
        (a) => (a.port === undefined || a.port === port) && a.list.check(host, type),
      );
    }
    return names.some(
      (n) =>
        (n.port === undefined || n.port === port) &&
        (host === n.name || host.endsWith(`.${n.name}`)),
    );
  };
}

/** `host`, `host:port`, `[v6]`, `[v6]:port`, or a bare IPv6 address (which has no port). */
function splitPort(entry: string): { host: string; port: number | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    return {
      host: bracketed[1] as string,
      port: bracketed[2] ? Number(bracketed[2]) : undefined,
    };
  }
  const withPort = /^([^:]+):(\d+)$/.exec(entry);
  if (withPort) return { host: withPort[1] as string, port: Number(withPort[2]) };
  return { host: entry, port: undefined };
}

/**
 * The proxy for each scheme under the `'env'` setting: `https_proxy`/`HTTPS_PROXY` for https
 * targets, `http_proxy`/`HTTP_PROXY` for http ones (the lower-case name wins when both are set, as
 * in curl), and `no_proxy`/`NO_PROXY`. An empty variable counts as unset.
 */
export function proxiesFromEnv(env: ProxyEnv): {
  https: ProxyEndpoint | undefined;
  http: ProxyEndpoint | undefined;
  noProxy: NoProxy;
} {
  const read = (name: string) => {
    for (const key of [name.toLowerCase(), name]) {
      const value = env[key]?.trim();
      if (value) return parseProxyURL(value, key);
    }
    return undefined;
  };
  return {
    https: read('HTTPS_PROXY'),
    http: read('HTTP_PROXY'),
    noProxy: parseNoProxy(env.no_proxy?.trim() || env.NO_PROXY),
  };
}

/**
 * The routing of one transport: `option` is a proxy URL or `'env'`; `direct` are the agents for
 * targets that bypass the proxy. Tunnelling agents are made once per proxy and scheme, so
 * kept-alive tunnels are reused across requests like direct connections.
 */
export function proxyRouter(
  option: string,
  env: ProxyEnv,
  timeoutMs: number,
  direct: Record<string, HttpAgent>,
  agentOptions: { keepAlive: boolean; timeout: number },
): (url: URL) => Route {
  const settings =
    option === 'env'
      ? proxiesFromEnv(env)
      : (() => {
          const endpoint = parseProxyURL(option, 'the proxy option');
          return { https: endpoint, http: endpoint, noProxy: parseNoProxy(undefined) };
        })();
  const tunnels = new Map<string, HttpAgent>();
  return (url) => {
    const secure = url.protocol === 'https:';
    const proxy = secure ? settings.https : settings.http;
    const port = url.port === '' ? (secure ? 443 : 80) : Number(url.port);
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (proxy === undefined || settings.noProxy(hostname, port)) {
      return { agent: direct[url.protocol] as HttpAgent, via: undefined };
    }
    const key = `${url.protocol}${proxy.label}`;
    let agent = tunnels.get(key);
    if (agent === undefined) {
      agent = tunnelAgent(secure, proxy, timeoutMs, agentOptions);
      tunnels.set(key, agent);
    }
    return { agent, via: proxy.label };
  };
}

type ConnectionCallback = (err: Error | null, socket: Duplex) => void;
interface ConnectionOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
}

/**
 * A keep-alive agent whose connections are tunnels through `proxy`: node:http's own Agent (pooling,
 * idle timeout, socket reuse) with `createConnection` opening the tunnel first. For https, TLS
 * then runs over the tunnel through https.Agent's own `createConnection` (`tls.connect` with the
 * servername and TLS-session cache it manages, given the tunnel as `socket`).
 */
function tunnelAgent(
  secure: boolean,
  proxy: ProxyEndpoint,
  timeoutMs: number,
  options: { keepAlive: boolean; timeout: number },
): HttpAgent {
  const agent = secure ? new HttpsAgent(options) : new HttpAgent(options);
  const startTls = secure
    ? (HttpsAgent.prototype as unknown as { createConnection(o: object): Duplex }).createConnection
    : undefined;
  // Node's Agent calls createConnection(options, callback) and, when it returns nothing, waits
  // for the callback: the asynchronous form node:http documents for custom agents.
  agent.createConnection = ((connection: ConnectionOptions, callback: ConnectionCallback) => {
    openTunnel(proxy, connection, timeoutMs).then(
      (socket) => {
        let connected: Duplex = socket;
        try {
          if (startTls) connected = startTls.call(agent, { ...connection, socket });
        } catch (err) {
          // tls.connect throws for options it refuses: a failed request, not an unhandled rejection.
          socket.destroy();
          return callback(err as Error, undefined as unknown as Duplex);
        }
        callback(null, connected);
      },
      (err: Error) => callback(err, undefined as unknown as Duplex),
    );
    return undefined;
  }) as unknown as HttpAgent['createConnection'];
  return agent;
}

/** The proxy's answer to `CONNECT` is a status line and headers; more than this is not one. */
const MAX_CONNECT_ANSWER = 16 * 1024;

/**
 * Opens a `CONNECT` tunnel to the target of `options` through `proxy`. Resolves with the raw
 * socket once the proxy answers 2xx; rejects with a {@link ProxyError} otherwise. `timeoutMs`
 * bounds the setup, so a proxy that never answers does not keep a socket open after the request's
 * own deadline has failed it.
 */
function openTunnel(
  proxy: ProxyEndpoint,
  options: ConnectionOptions,
  timeoutMs: number,
): Promise<Socket> {
  const host = String(options.hostname ?? options.host ?? 'localhost');
  const authority = `${host.includes(':') ? `[${host}]` : host}:${options.port}`;
  return new Promise((resolve, reject) => {
    const socket = connect({ host: proxy.hostname, port: proxy.port });
    let received = Buffer.alloc(0);
    const fail = (err: ProxyError) => {
      socket.destroy();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end === -1) {
        if (received.length > MAX_CONNECT_ANSWER) {
          fail(new ProxyError('the proxy sent an oversized answer to CONNECT', proxy.label));
        }
        return;
      }
      const statusLine = received.subarray(0, received.indexOf('\r\n')).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!match) {
        return fail(new ProxyError('the proxy did not answer CONNECT with HTTP', proxy.label));
      }
      const status = Number(match[1]);
      if (status < 200 || status > 299) {
        // The reason phrase is the proxy's text: printable ASCII only, bounded.
        const reason = (match[2] ?? '').replace(/[^\x20-\x7e]/g, '').slice(0, 80);
        return fail(
          new ProxyError(
            `the proxy answered CONNECT with HTTP ${status}${reason ? ` ${reason}` : ''}`,
            proxy.label,
            status,
          ),
        );
      }
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('close', onClose);
      socket.setTimeout(0);
      const rest = received.subarray(end + 4);
      if (rest.length > 0) socket.unshift(rest);
      resolve(socket);
    };
    const onError = (err: NodeJS.ErrnoException) => {
      const code = err.code && !err.message.includes(err.code) ? `${err.code}: ` : '';
      fail(new ProxyError(`the proxy is unreachable (${code}${err.message})`, proxy.label));
    };
    const onClose = () =>
      fail(new ProxyError('the proxy closed the connection before answering CONNECT', proxy.label));
    socket.setTimeout(timeoutMs, () =>
      fail(new ProxyError(`the proxy did not answer CONNECT within ${timeoutMs} ms`, proxy.label)),
    );
    socket.on('data', onData);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once('connect', () => {
      const auth = proxy.authorization ? `Proxy-Authorization: ${proxy.authorization}\r\n` : '';
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    });
  });
}
