import { type ConnectionOptions, Transport } from '@exbo-soa2/core';
import { USER_AGENT } from './version.js';

/**
 * The shared transport, labelled for SOA2 so every message names the provider. `options` may be
 * any options object: the Transport takes (and checks) only its connection options.
 */
export function soa2Transport(options: ConnectionOptions = {}): Transport {
  return new Transport({
    ...options,
    provider: 'soa2',
    providerLabel: 'SOA2',
    userAgent: USER_AGENT,
  });
}
