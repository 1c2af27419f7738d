/**
 * The outbound proxy's configuration, read once when a transport is made: the `proxy` option's
 * URL (checked by option-checks.ts with {@link parseProxyURL} at construction), or under `'env'`
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` with curl's rules. The tunnels that use it
 * (proxy-tunnel.ts) are loaded only on the first request of a transport with a proxy.
 *
 * @module
 */
import { BlockList, isIP } from 'node:net';

/** One proxy: where it listens and how we authenticate to it. */
export interface ProxyEndpoint {
  hostname: string;
  port: number;
  /** `host:port`, the proxy's name in messages and logs: never its user or password. */
  label: string;
  /** `Proxy-Authorization` header value when the URL carries a user. */
  authorization: string | undefined;
}

/** The environment variables the `'env'` setting reads (a subset of `process.env`). */
export type ProxyEnv = Record<string, string | undefined>;

/** Their names: each in both letter cases ({@link proxiesFromEnv} says which wins). */
const PROXY_VARIABLES = [
  'https_proxy',
  'HTTPS_PROXY',
  'http_proxy',
  'HTTP_PROXY',
  'no_proxy',
  'NO_PROXY',
];

/**
 * The variables of `env` that the `'env'` setting reads, copied: for a transport made after the
 * fact (passport-exbo's client makes its transport on the first request) to read the environment
 * as it was when its owner was created.
 */
export function proxyEnv(env: ProxyEnv = process.env): ProxyEnv {
  const copy: ProxyEnv = {};
  for (const name of PROXY_VARIABLES) {
    if (env[name] !== undefined) copy[name] = env[name];
  }
  return copy;
}

/** Marks every {@link ProxyError}, whichever copy of this module made it. */
const PROXY_ERROR = Symbol.for('@exbo-soa2/core ProxyError');

/**
 * A failure of the proxy itself (unreachable, refused the tunnel, wants credentials), as opposed to
 * a failure of the provider behind it. `proxyStatus` is the proxy's HTTP answer to `CONNECT`.
 *
 * The tunnel that throws it is a bundle of its own (dist/proxy-tunnel.js, loaded lazily) with its own
 * copy of this class, so `instanceof` checks the mark instead of the prototype chain.
 */
export class ProxyError extends Error {
  override readonly name = 'ProxyError';
  readonly [PROXY_ERROR] = true;
  constructor(
    message: string,
    /** The proxy's `host:port`. */
    readonly proxy: string,
    readonly proxyStatus?: number,
  ) {
    super(message);
  }
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && PROXY_ERROR in value;
  }
}

/**
 * Reads a proxy URL: `http://[user[:password]@]host[:port][/]`; a value without a scheme is taken
 * as `http://` (as curl does with `HTTPS_PROXY=proxy:3128`). `source` names the setting in errors,
 * which never quote the URL (it may hold a password). The one reader of proxy URLs: the `proxy`
 * option is checked with it when a strategy or client is made, the environment when its
 * transport is.
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
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') {
    throw new TypeError(`${source} has a path, query or fragment (expected http://host:port)`);
  }
  if (url.port === '0') throw new TypeError(`${source} has port 0`);
  const port = url.port === '' ? 80 : Number(url.port);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const label = `${url.hostname}:${port}`;
  let user: string;
  let password: string;
  try {
    user = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    throw new TypeError(`${source} has a user or password with broken %-encoding`);
  }
  const authorization =
    user === '' && password === ''
      ? undefined
      : `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
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
export function proxiesFromEnv(env: ProxyEnv): ProxySettings {
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

/** Which proxy each scheme's requests go through, and the hosts exempted from it. */
export interface ProxySettings {
  https: ProxyEndpoint | undefined;
  http: ProxyEndpoint | undefined;
  noProxy: NoProxy;
}

/**
 * The settings of a transport's `proxy` option (`'env'` reads `env`), or `undefined` when no
 * request goes through a proxy. Throws the `TypeError` of {@link parseProxyURL} for a broken URL.
 */
export function proxySettings(
  option: string | false,
  env: ProxyEnv = process.env,
): ProxySettings | undefined {
  if (option === false) return undefined;
  if (option !== 'env') {
    const endpoint = parseProxyURL(option, 'the proxy option');
    return { https: endpoint, http: endpoint, noProxy: parseNoProxy(undefined) };
  }
  const settings = proxiesFromEnv(env);
  return settings.https || settings.http ? settings : undefined;
}
