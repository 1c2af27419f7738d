/**
 * The client credentials and scopes, checked once at construction: a mistake here would otherwise
 * surface only on the real server, as an opaque 400 or an "Invalid Auth URL" page.
 */
import { IDENTIFY_SCOPE } from './endpoints.js';

/** SOA2 client ids are integers from 0 to 2^30. */
const MAX_CLIENT_ID = 2 ** 30;

/**
 * The client id as the integer SOA2 wants. SOA2 rejects `"client_id": "123"` with 400, so a string
 * of digits (as it comes from an environment variable) is converted here; anything else throws.
 */
export function parseClientID(value: unknown): number {
  let id: number | undefined;
  if (typeof value === 'number') id = value;
  else if (typeof value === 'string' && /^\d{1,10}$/.test(value.trim())) id = Number(value.trim());
  if (id === undefined || !Number.isInteger(id) || id < 0 || id > MAX_CLIENT_ID) {
    throw new TypeError(
      `passport-soa2: clientID must be an integer (or a string of digits) from 0 to ${MAX_CLIENT_ID}, got ${JSON.stringify(value)}`,
    );
  }
  return id;
}

/** The client secret: required. Its value never appears in a message. */
export function requireClientSecret(value: unknown): string {
  if (typeof value !== 'string' || value === '') {
    throw new TypeError('passport-soa2: the clientSecret option is required (a non-empty string)');
  }
  return value;
}

/**
 * The scopes to request. SOA2 has only `identify`, and the consent page compares the `scopes`
 * parameter as one unsplit string (a server bug): `identify identify` or `identify,x` is an
 * "Invalid Auth URL". So duplicates are dropped and anything else is refused up front.
 */
export function normaliseScopes(value: unknown): string[] {
  if (value === undefined) return [IDENTIFY_SCOPE];
  const list = typeof value === 'string' ? value.split(/[\s,]+/) : value;
  if (!Array.isArray(list)) {
    throw new TypeError('passport-soa2: scopes must be an array of strings, e.g. ["identify"]');
  }
  const scopes = [...new Set(list.filter((scope) => scope !== ''))];
  if (scopes.length !== 1 || scopes[0] !== IDENTIFY_SCOPE) {
    throw new TypeError(
      `passport-soa2: SOA2 knows only the "identify" scope (and accepts no other value), got ${JSON.stringify(value)}`,
    );
  }
  return scopes;
}
