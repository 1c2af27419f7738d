/**
 * `@exbo-soa2/core` is internal to passport-exbo and passport-soa2: it exports what those two
 * packages use, and nothing here is a public API (apps get `OAuthError` and the rest from the
 * strategy packages). See README.md.
 *
 * @module @exbo-soa2/core
 */
export type { VerifyRequest } from './app-request.js';
export { resolveCallbackURL } from './callback-request.js';
export { callbackify } from './callbackify.js';
// FetchLike, OAuthErrorCode and VerifyCallback without `type`: the strategies' `export =` entry
// types (scripts/bundle-entries.mjs) alias them, which TypeScript refuses for `export type` names.
export {
  type ConnectionOptions,
  connectionOptions,
  FetchLike,
  ProxyOption,
} from './connection-options.js';
// Types only: the cookie store is required when a strategy asks for it (login-state.ts).
export type { CookieStateStore, CookieStateStoreOptions } from './cookie-state-store.js';
export { isOAuthError, OAuthError, OAuthErrorCode } from './errors.js';
export {
  checkStrategyArguments,
  openLogin,
  type PassportStrategyActions,
  type StrategyIdentity,
  type StrategySettings,
  skipsProfile,
  strategySettings,
  withAppState,
} from './login-flow.js';
export {
  checkAbsoluteURL,
  checkClientID,
  checkClientSecret,
  checkNonEmptyString,
  checkOptionsObject,
  checkServiceURL,
  checkTimeout,
  invalidOptionType,
  invalidOptionValue,
  isLoopbackHost,
  unsupportedOption,
} from './option-checks.js';
export {
  answerText,
  type RateLimitAnswer,
  rateLimitedError,
} from './provider-errors.js';
export { type ProxyEnv, proxyEnv } from './proxy-settings.js';
export { answerSecrets, bodyExcerpt, redactSecrets } from './redact.js';
export { retryAfterSeconds } from './retry-after.js';
export { LoginStateStore, newStateHandle } from './state-store.js';
// LoginStateCookieOptions without `type`, like FetchLike above.
export { LoginStateCookieOptions, type SharedStrategyOptions } from './strategy-options.js';
export { type HttpResponse, Transport } from './transport.js';
export {
  invokeVerify,
  VerifyCallback,
  type VerifyFunction,
  type VerifyFunctionWithRequest,
  type VerifyWithParams,
  type VerifyWithParamsAndRequest,
  type VerifyWithProfile,
  type VerifyWithProfileAndRequest,
} from './verify.js';
