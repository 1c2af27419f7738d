import { type ConnectionOptions, type ProxyEnv, Transport } from '@exbo-soa2/core';
import { USER_AGENT } from './version.js';

/**
 * The shared transport, labelled for EXBO so every message names the provider. `options` may be
 * any options object: the Transport takes (and checks) only its connection options, and `env`,
 * the environment `proxy: 'env'` reads (default `process.env`, now).
 */
export function exboTransport(options: ConnectionOptions & { env?: ProxyEnv } = {}): Transport {
  return new Transport({
    ...options,
    provider: 'exbo',
    providerLabel: 'EXBO',
    userAgent: USER_AGENT,
  });
}
