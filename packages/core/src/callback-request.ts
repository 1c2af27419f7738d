/**
 * Reading the incoming callback request safely, and resolving the callback URL.
 *
 * A callback is attacker-controlled input: Express 5 turns `?code=a&code=b` into an array, a body
 * parser may produce objects, and anything may be megabytes long. Nothing malformed is ever sent to
 * the provider.
 */

/** Longest parameter we accept from a callback (codes and states are far shorter). */
export const MAX_CALLBACK_PARAM_LENGTH = 2048;

/** The minimal request shape the strategies read (Express's `Request` satisfies it). */
export interface CallbackRequestLike {
  query?: unknown;
  body?: unknown;
  protocol?: string;
  headers?: Record<string, string | string[] | undefined>;
  /** Express's `req.get(header)`, preferred over `headers` when present. */
  get?(name: string): string | undefined;
}

/** What {@link callbackParam} found: the value (possibly absent), or why it cannot be used. */
export type ParamResult = { ok: true; value: string | undefined } | { ok: false; message: string };

function pick(source: unknown, name: string): unknown {
  if (source === null || typeof source !== 'object') return undefined;
  return Object.hasOwn(source, name) ? (source as Record<string, unknown>)[name] : undefined;
}

/**
 * One callback parameter from the query string (or, when `fromBody`, the form body): a string of
 * sensible length, absent, or a failure message for anything else.
 */
export function callbackParam(
  req: CallbackRequestLike,
  name: string,
  fromBody = false,
): ParamResult {
  let value = pick(req.query, name);
  if (value === undefined && fromBody) value = pick(req.body, name);
  if (value === undefined) return { ok: true, value: undefined };
  if (Array.isArray(value)) {
    return { ok: false, message: `The login response has more than one "${name}" parameter.` };
  }
  if (typeof value !== 'string') {
    return { ok: false, message: `The login response has a malformed "${name}" parameter.` };
  }
  if (value.length > MAX_CALLBACK_PARAM_LENGTH) {
    return { ok: false, message: `The login response has an oversized "${name}" parameter.` };
  }
  return { ok: true, value };
}

/**
 * An absolute callback URL. A relative one is resolved against the request's own protocol and
 * host as Express computes them (`req.protocol` honours the app's `trust proxy` setting), never from
 * raw `X-Forwarded-*` headers: passport-oauth2 trusts those whenever trust proxy is truthy.
 */
export function resolveCallbackURL(
  req: CallbackRequestLike,
  callbackURL: string | undefined,
): string | undefined {
  if (callbackURL === undefined || URL.canParse(callbackURL)) return callbackURL;
  const protocol = req.protocol ?? 'http';
  const host = req.get?.('host') ?? firstHeader(req.headers?.host) ?? 'localhost';
  return new URL(callbackURL, `${protocol}://${host}`).toString();
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
