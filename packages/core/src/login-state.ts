/**
 * Which login state store a strategy uses, from its `state`, `stateMaxAge` and `sessionKey`
 * options: one place, so both strategies read these options identically.
 */
import type { CookieStateStore } from './cookie-state-store.js';
import { invalidOptionType } from './option-checks.js';
import { LoginStateStore } from './state-store.js';
import type { SharedStrategyOptions } from './strategy-options.js';

/** What {@link loginStateStore} needs to know about the strategy. */
export interface LoginStateContext {
  /** Package name for option errors, e.g. `'passport-exbo'`. */
  owner: string;
  /** Provider name for errors, e.g. `'exbo'`. */
  provider: string;
  /** The strategy's name: the default session key and cookie prefix are `passport-<name>`. */
  name: string;
}

/**
 * The session store (the default), the cookie store (`state: { cookie: { secret } }`), or none
 * (`state: false`). Throws the usual option errors for a malformed `state`.
 */
export function loginStateStore(
  options: Pick<SharedStrategyOptions, 'state' | 'stateMaxAge' | 'sessionKey'>,
  context: LoginStateContext,
): LoginStateStore | CookieStateStore | undefined {
  const { state } = options;
  const key = options.sessionKey ?? `passport-${context.name}`;
  if (state === false) return undefined;
  if (state === undefined || state === true) {
    return new LoginStateStore({ key, provider: context.provider, maxAge: options.stateMaxAge });
  }
  if (state === null || typeof state !== 'object' || state.cookie === undefined) {
    throw invalidOptionType(
      context.owner,
      'state',
      'true, false or { cookie: { secret } } (login state in a cookie)',
      state,
    );
  }
  // Required only when asked for: a plain login's require() does not compile its ~9 KB
  // (scripts/bundle-entries.mjs: it is a file of its own beside each bundle).
  const cookies = require('./cookie-state-store.js') as typeof import('./cookie-state-store.js');
  return new cookies.CookieStateStore({
    cookie: state.cookie,
    key: `passport-${context.name}`,
    provider: context.provider,
    owner: context.owner,
    maxAge: options.stateMaxAge,
  });
}
