/**
 * The client credentials and scopes, checked once at construction: a mistake here would otherwise
 * surface only on the real server, as an opaque 400 or an "Invalid Auth URL" page.
 */
import {
  checkClientID,
  checkClientSecret,
  invalidOptionType,
  invalidOptionValue,
} from '@exbo-soa2/core';
import { IDENTIFY_SCOPE } from './endpoints.js';
import { PACKAGE_NAME } from './version.js';

/** The largest SOA2 client id: ids are integers from 0 to 2^30, sent as a JSON integer. */
export const MAX_CLIENT_ID = 2 ** 30;

const CLIENT_ID = { as: 'integer', max: MAX_CLIENT_ID } as const;

/**
 * The client id as the integer SOA2 wants. SOA2 rejects `"client_id": "123"` with 400, so a string
 * of digits (as it comes from an environment variable or the CLI's arguments) is converted here;
 * anything else throws. The one client-id rule: the clients, the strategy and the CLI use it.
 */
export function parseClientID(value: unknown): number {
  return checkClientID(PACKAGE_NAME, value, CLIENT_ID) as number;
}

/** The client secret: required. Its value never appears in a message. */
export function requireClientSecret(value: unknown): string {
  return checkClientSecret(PACKAGE_NAME, value);
}

/**
 * The scopes to request. SOA2 has only `identify`, and the consent page compares the `scopes`
 * parameter as one unsplit string (a server bug): `identify identify` or `identify,x` is an
 * "Invalid Auth URL". So duplicates are dropped and anything else is refused up front.
 */
export function normaliseScopes(value: unknown, option = 'scopes'): string[] {
  if (value === undefined) return [IDENTIFY_SCOPE];
  const list = typeof value === 'string' ? value.split(/[\s,]+/) : value;
  if (!Array.isArray(list)) {
    throw invalidOptionType(PACKAGE_NAME, option, 'an array of strings, e.g. ["identify"]', value);
  }
  const scopes = [...new Set(list.filter((scope) => scope !== ''))];
  if (scopes.length !== 1 || scopes[0] !== IDENTIFY_SCOPE) {
    throw invalidOptionValue(
      PACKAGE_NAME,
      option,
      '"identify", the only scope SOA2 knows (it accepts no other value)',
      value,
    );
  }
  return scopes;
}
