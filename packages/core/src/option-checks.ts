/**
 * One check per option concept, shared by both strategies and their clients, so that a Strategy
 * and the client it holds accept and reject exactly the same values with the same message.
 *
 * Programmer errors follow Node's convention: a `TypeError` (wrong type, or a value of the right
 * type that cannot work) or a `RangeError` (a number out of range), with `code`
 * `ERR_INVALID_ARG_TYPE` or `ERR_INVALID_ARG_VALUE`, and a message that names the option. Callers
 * (the CLI, an app's config loader) decide on `code`, never on message text. A secret's value is
 * never quoted.
 */
import { parseProxyURL } from './proxy-settings.js';

/** The `code` of an invalid-option error, as Node's own argument checks set it. */
export type InvalidOptionCode = 'ERR_INVALID_ARG_TYPE' | 'ERR_INVALID_ARG_VALUE';

/** A `TypeError` or `RangeError` carrying Node's `code`. */
export type InvalidOptionError = (TypeError | RangeError) & { code: InvalidOptionCode };

/** `owner` names the package in the message, e.g. `'passport-exbo'`. */
function invalid(
  Kind: typeof TypeError | typeof RangeError,
  code: InvalidOptionCode,
  owner: string,
  message: string,
): InvalidOptionError {
  const err = new Kind(`${owner}: ${message}`) as InvalidOptionError;
  err.code = code;
  return err;
}

/** What a bad value was, for a message; never the value itself when `secret`. */
function received(value: unknown, secret = false): string {
  if (value === undefined) return 'received undefined';
  if (value === null) return 'received null';
  if (secret) {
    if (typeof value === 'string') return `received a string of ${value.length} characters`;
    return typeof value === 'object' ? 'received an object' : `received a ${typeof value}`;
  }
  if (typeof value === 'string') return `received ${JSON.stringify(value.slice(0, 100))}`;
  if (typeof value === 'number' || typeof value === 'boolean') return `received ${value}`;
  if (Array.isArray(value)) return `received ${JSON.stringify(value).slice(0, 100)}`;
  return typeof value === 'object' ? 'received an object' : `received a ${typeof value}`;
}

/** `TypeError` `ERR_INVALID_ARG_TYPE`: `option` must be `expected`. */
export function invalidOptionType(
  owner: string,
  option: string,
  expected: string,
  value: unknown,
  secret = false,
): InvalidOptionError {
  const message =
    value === undefined
      ? `the "${option}" option is required: ${expected}`
      : `the "${option}" option must be ${expected} (${received(value, secret)})`;
  return invalid(TypeError, 'ERR_INVALID_ARG_TYPE', owner, message);
}

/**
 * `TypeError` (or `RangeError` for a number out of range) `ERR_INVALID_ARG_VALUE`; a `secret`
 * value is described (its type, a string's length), never quoted.
 */
export function invalidOptionValue(
  owner: string,
  option: string,
  expected: string,
  value: unknown,
  range = false,
  secret = false,
): InvalidOptionError {
  return invalid(
    range ? RangeError : TypeError,
    'ERR_INVALID_ARG_VALUE',
    owner,
    `the "${option}" option must be ${expected} (${received(value, secret)})`,
  );
}

/** The options object itself: a non-null object. */
export function checkOptionsObject(owner: string, value: unknown): void {
  if (value === null || typeof value !== 'object') {
    throw invalidOptionType(owner, 'options', 'an object', value);
  }
}

/** How each provider writes its client id: EXBO a string of digits, SOA2 an integer up to 2^30. */
export interface ClientIDRule {
  /** The id as the provider receives it: `'string'` (EXBO) or `'integer'` (SOA2). */
  as: 'string' | 'integer';
  /** Largest id (integer ids). */
  max: number;
}

/**
 * A client id: a non-negative integer (as a number, or a string of digits as it comes from an
 * environment variable), returned in the provider's form. `NaN`, `'abc'`, `-1`, `1.5` are refused.
 */
export function checkClientID(owner: string, value: unknown, rule: ClientIDRule): string | number {
  const expected = `a non-negative integer or a string of digits (at most ${rule.max})`;
  let id: number;
  if (typeof value === 'number') id = value;
  else if (typeof value === 'string') {
    if (!/^\d{1,16}$/.test(value.trim()))
      throw invalidOptionValue(owner, 'clientID', expected, value);
    id = Number(value.trim());
  } else throw invalidOptionType(owner, 'clientID', expected, value);
  if (!Number.isSafeInteger(id) || id < 0 || id > rule.max) {
    throw invalidOptionValue(owner, 'clientID', expected, value, Number.isInteger(id));
  }
  return rule.as === 'integer' ? id : String(id);
}

/** A client secret: a non-empty string. Its value never appears in a message. */
export function checkClientSecret(owner: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw invalidOptionType(owner, 'clientSecret', 'a non-empty string', value, true);
  }
  if (value === '') throw invalidOptionValue(owner, 'clientSecret', 'a non-empty string', value);
  return value;
}

/** An absolute URL (`https://…`; `http://` too, for local fakes and tests). */
export function checkAbsoluteURL(owner: string, option: string, value: unknown): string {
  if (typeof value !== 'string') {
    throw invalidOptionType(owner, option, 'an absolute URL string', value);
  }
  if (!URL.canParse(value)) throw invalidOptionValue(owner, option, 'an absolute URL', value);
  return value;
}

/**
 * Whether `hostname` (as `URL` gives it, lower-case and normalised) is this machine: `localhost`,
 * 127.0.0.0/8 or `[::1]`. Traffic to it never leaves the machine, so plain http there is safe.
 */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/**
 * A provider URL: `https://`, or `http://` to a loopback host (the local fakes, tests) unless
 * `allowInsecureRequests` is `true`. Every request to a provider carries a secret (the client
 * secret, a code, a token, a session cookie or a CSRF token), so plain http to another host is
 * refused here, before anything is sent, rather than sending it in clear.
 */
export function checkServiceURL(
  owner: string,
  option: string,
  value: unknown,
  allowInsecureRequests: unknown,
): string {
  if (allowInsecureRequests !== undefined && typeof allowInsecureRequests !== 'boolean') {
    throw invalidOptionType(owner, 'allowInsecureRequests', 'a boolean', allowInsecureRequests);
  }
  const url = checkAbsoluteURL(owner, option, value);
  const { protocol, hostname } = new URL(url);
  if (protocol === 'https:') return url;
  if (protocol !== 'http:') throw invalidOptionValue(owner, option, 'an https:// URL', value);
  if (allowInsecureRequests === true || isLoopbackHost(hostname)) return url;
  throw invalidOptionValue(
    owner,
    option,
    'an https:// URL: insecure http:// would send secrets in clear, so it is accepted only for localhost, 127.0.0.0/8 and [::1], or with allowInsecureRequests: true',
    value,
  );
}

/** A non-empty string (tokens, codes, states handed to a client method). */
export function checkNonEmptyString(
  owner: string,
  option: string,
  value: unknown,
  secret = true,
): string {
  if (typeof value !== 'string') {
    throw invalidOptionType(owner, option, 'a non-empty string', value, secret);
  }
  if (value === '') throw invalidOptionValue(owner, option, 'a non-empty string', value);
  return value;
}

/** A timeout in milliseconds: a finite number above 0, or absent. */
export function checkTimeout(
  owner: string,
  value: unknown,
  option = 'timeout',
): number | undefined {
  if (value === undefined) return undefined;
  const expected = 'a positive number of milliseconds';
  if (typeof value !== 'number') throw invalidOptionType(owner, option, expected, value);
  if (!Number.isFinite(value) || value <= 0) {
    throw invalidOptionValue(owner, option, expected, value, true);
  }
  return value;
}

/** A `fetch` function, or absent. */
export function checkFetch<F>(owner: string, value: F | undefined): F | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw invalidOptionType(owner, 'fetch', 'a function (a fetch implementation)', value);
  }
  return value;
}

/** A proxy URL (`http://` only, with optional `user:password@`), `false`, or `'env'`. */
export type ProxyOption = string | false;

/**
 * The `proxy` option: `'env'`, `false`, or an `http://` proxy URL, parsed when the strategy or
 * client is made by the reader the transport uses (proxy-settings.ts), so a typo fails at
 * start-up, not at the first login. The message never quotes the value: it may hold a password.
 */
export function checkProxy(
  owner: string,
  value: unknown,
  withFetch: boolean,
): ProxyOption | undefined {
  const expected = "an http:// proxy URL (http://[user:password@]host:port), 'env' or false";
  if (value === undefined || value === false || value === 'env') return value;
  if (typeof value !== 'string') throw invalidOptionType(owner, 'proxy', expected, value, true);
  try {
    parseProxyURL(value, 'it');
  } catch (err) {
    throw invalid(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      owner,
      `the "proxy" option must be ${expected}: ${(err as Error).message}`,
    );
  }
  if (withFetch) {
    throw invalid(
      TypeError,
      'ERR_INVALID_ARG_VALUE',
      owner,
      'give either the "fetch" or the "proxy" option: a fetch sends through its own dispatcher',
    );
  }
  return value;
}

/** `TypeError` `ERR_INVALID_ARG_VALUE` for an option the provider cannot honour, saying why. */
export function unsupportedOption(
  owner: string,
  option: string,
  reason: string,
): InvalidOptionError {
  return invalid(
    TypeError,
    'ERR_INVALID_ARG_VALUE',
    owner,
    `the "${option}" option is not supported: ${reason}`,
  );
}
