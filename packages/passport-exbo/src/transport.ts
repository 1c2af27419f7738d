import { type ConnectionOptions, Transport } from '@exbo-soa2/core';
import { USER_AGENT } from './version.js';

/**
 * The shared transport, labelled for EXBO so every message names the provider. `options` may be
 * any options object: the Transport takes (and checks) only its connection options.
 */
export function exboTransport(options: ConnectionOptions = {}): Transport {
  return new Transport({
    ...options,
    provider: 'exbo',
    providerLabel: 'EXBO',
    userAgent: USER_AGENT,
  });
}
