/**
 * Outbound HTTP proxies for the `node:http` sender: which proxy (if any) a provider URL goes
 * through, by the settings proxy-settings.ts read when the transport was made, and connection
 * agents that open a `CONNECT` tunnel through it.
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
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type ProxyEndpoint, ProxyError, type ProxySettings } from './proxy-settings.js';

/** Where one provider URL goes: the agent to use and the proxy it passes through, if any. */
export interface Route {
  agent: HttpAgent;
  /** The proxy's `host:port`, or `undefined` for a direct connection. */
  via: string | undefined;
}

/**
 * The routing of one transport by its proxy `settings`; `direct` are the agents for targets that
 * bypass the proxy. Tunnelling agents are made once per proxy and scheme, so kept-alive tunnels
 * are reused across requests like direct connections.
 */
export function proxyRouter(
  settings: ProxySettings,
  timeoutMs: number,
  direct: Record<string, HttpAgent>,
  agentOptions: { keepAlive: boolean; timeout: number },
): (url: URL) => Route {
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
