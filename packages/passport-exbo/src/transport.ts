import { type FetchLike, type ProxyOption, Transport } from '@exbo-soa2/core';
import { USER_AGENT } from './version.js';

export interface ExboTransportOptions {
  /** Milliseconds for each request to EXBO. Default 10000. */
  timeout?: number | undefined;
  /** Send through this fetch instead of `node:http` (an undici `ProxyAgent`, instrumentation, tests). */
  fetch?: FetchLike | undefined;
  /** Outbound proxy: a URL, `false`, or `'env'` (default: HTTPS_PROXY / NO_PROXY). */
  proxy?: ProxyOption | undefined;
}

/** The shared transport, labelled for EXBO so every message names the provider. */
export function exboTransport(options: ExboTransportOptions = {}): Transport {
  return new Transport({
    provider: 'exbo',
    providerLabel: 'EXBO',
    userAgent: USER_AGENT,
    timeout: options.timeout,
    fetch: options.fetch,
    proxy: options.proxy,
  });
}
