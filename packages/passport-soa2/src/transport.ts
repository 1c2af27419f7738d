import { type FetchLike, type ProxyOption, Transport } from '@exbo-soa2/core';
import { USER_AGENT } from './version.js';

export interface Soa2TransportOptions {
  /** Milliseconds for each request to SOA2. Default 10000. */
  timeout?: number | undefined;
  /** Send through this fetch instead of `node:http` (an undici `ProxyAgent`, instrumentation, tests). */
  fetch?: FetchLike | undefined;
  /** Outbound proxy: a URL, `false`, or `'env'` (default: HTTPS_PROXY / NO_PROXY). */
  proxy?: ProxyOption | undefined;
}

/** The shared transport, labelled for SOA2 so every message names the provider. */
export function soa2Transport(options: Soa2TransportOptions = {}): Transport {
  return new Transport({
    provider: 'soa2',
    providerLabel: 'SOA2',
    userAgent: USER_AGENT,
    timeout: options.timeout,
    fetch: options.fetch,
    proxy: options.proxy,
  });
}
