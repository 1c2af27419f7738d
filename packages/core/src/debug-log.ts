/**
 * The debug log: `NODE_DEBUG=passport-exbo` (or `passport-soa2`, or both, comma-separated) makes
 * the strategies and clients write, on stderr through Node's `util.debuglog`, one line per
 * provider request and answer and one line per login outcome.
 *
 * What a line may hold: method, host, path with query values blanked, status, content type,
 * sizes, times, connection reuse, the proxy's `host:port`, and our own error codes and messages
 * (which never carry a secret: errors.ts). Never a header value, a body, a code, a token, a
 * secret or a cookie. When the section is off, `debuglog`'s `enabled` is false and callers skip
 * all of this work: the check is one property read per request.
 *
 * @module
 */
import { debuglog } from 'node:util';
import type { PassportStrategyActions } from './login-flow.js';

/** A `util.debuglog` logger for one package, e.g. `passport-exbo`. */
export interface DebugLog {
  (message: string): void;
  readonly enabled: boolean;
}

const logs = new Map<string, DebugLog>();

/**
 * The logger of section `passport-<provider>` (the package's name, which is what a user puts in
 * `NODE_DEBUG`). One per section, made on first use.
 */
export function debugLogOf(provider: string): DebugLog {
  const section = `passport-${provider}`;
  let log = logs.get(section);
  if (log === undefined) {
    const write = debuglog(section);
    log = Object.assign((message: string) => write('%s', message), {
      enabled: write.enabled,
    });
    logs.set(section, log);
  }
  return log;
}

/** `https://host/path?a=1&b=2` → `/path?a=&b=`: the names of query parameters, not their values. */
export function pathWithoutQueryValues(url: string): string {
  try {
    const parsed = new URL(url);
    let query = '';
    for (const name of parsed.searchParams.keys()) {
      query += `${query === '' ? '?' : '&'}${encodeURIComponent(name)}=`;
    }
    return parsed.pathname + query;
  } catch {
    return '(invalid URL)';
  }
}

/**
 * Logs how this login ends (one line: started, succeeded, failed with its message, or errored with
 * its code) when the debug log of `provider` is on. Call it first thing in `authenticate`: Passport
 * runs each request on its own copy of the strategy (`Object.create(strategy)` with `success`,
 * `fail`, `error`, `redirect` set on it), and this wraps those four on that copy, never on the
 * strategy or on `req`. Off, it returns after one check.
 */
export function traceLoginOutcome(strategy: unknown, provider: string, label: string): void {
  const log = debugLogOf(provider);
  if (!log.enabled) return;
  const actions = strategy as PassportStrategyActions;
  const { success, fail, error, redirect } = actions;
  if (typeof success !== 'function' || typeof fail !== 'function') return;
  actions.success = (user, info) => {
    log(`${label} login succeeded`);
    success.call(actions, user, info);
  };
  actions.fail = (challenge, status) => {
    log(`${label} login failed${status ? ` (${status})` : ''}: ${failMessage(challenge)}`);
    fail.call(actions, challenge, status);
  };
  actions.error = (err) => {
    log(`${label} login error: ${describeError(err)}`);
    error.call(actions, err);
  };
  actions.redirect = (url, status) => {
    log(`${label} login redirects the browser to ${hostOf(url)}`);
    redirect.call(actions, url, status);
  };
}

/** Passport's `fail` takes a message string or `{ message }`; our messages carry no secret. */
function failMessage(challenge: unknown): string {
  const message =
    typeof challenge === 'string'
      ? challenge
      : (challenge as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : 'no message';
}

/**
 * Our errors (with a `code`) are quoted: their messages never carry a secret. Anything else came
 * from the app's verify or another library and may quote anything, so only its name is given.
 */
function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    if (err.name === 'OAuthError' && typeof code === 'string') return `${code}: ${err.message}`;
    return `${err.name}${typeof code === 'string' ? ` ${code}` : ''} (message not logged: not ours)`;
  }
  return `a thrown ${typeof err} (not logged)`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'a relative URL';
  }
}
