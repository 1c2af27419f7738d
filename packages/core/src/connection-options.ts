/**
 * How each request to a provider is sent: the options every strategy, client and API of both
 * packages accept under the same names, declared and checked here only. A new transport option
 * is one line in {@link ConnectionOptions} and one in {@link connectionOptions}.
 */
import { checkFetch, checkProxy, checkTimeout, type ProxyOption } from './option-checks.js';
import type { FetchLike } from './senders.js';

export type { ProxyOption } from './option-checks.js';
export { FetchLike } from './senders.js';

/** Transport settings shared by the strategies, their clients and the EXBO game API. */
export interface ConnectionOptions {
  /** Milliseconds for each request to the provider (connect, headers and body). Default 10000. */
  timeout?: number | undefined;
  /** Send through this fetch instead of `node:http` (an undici `ProxyAgent`, instrumentation, tests). */
  fetch?: FetchLike | undefined;
  /**
   * The outbound proxy: `'http://[user:password@]host:port'`, `false` for none, or `'env'`
   * (the default) for `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`, read when the transport is made.
   * A proxy URL together with `fetch` is refused (the `fetch` carries its own dispatcher).
   */
  proxy?: ProxyOption | undefined;
  /**
   * `true` lets the provider URLs (`baseURL`, `tokenURL`, `apiURL`…) be plain `http://` to a host
   * other than this machine, e.g. a test provider inside a private network. Off by default: those
   * requests carry the client secret, codes, tokens or session cookies, which http sends in clear.
   * `http://` to localhost, 127.0.0.0/8 and `[::1]` is always accepted.
   */
  allowInsecureRequests?: boolean | undefined;
}

/** The connection options of `options`, checked (a bad one throws) and copied. */
export function connectionOptions(owner: string, options: ConnectionOptions): ConnectionOptions {
  return {
    timeout: checkTimeout(owner, options.timeout),
    fetch: checkFetch(owner, options.fetch),
    proxy: checkProxy(owner, options.proxy, options.fetch !== undefined),
  };
}
