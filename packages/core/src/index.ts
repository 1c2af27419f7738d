export {
  type CallbackRequestLike,
  callbackParam,
  MAX_CALLBACK_PARAM_LENGTH,
  type ParamResult,
  resolveCallbackURL,
} from './callback-request.js';
export { callbackify } from './callbackify.js';
export { traceLoginOutcome } from './debug-log.js';
export { isOAuthError, OAuthError, type OAuthErrorCode, type OAuthErrorDetails } from './errors.js';
export { answerSecrets, bodyExcerpt, redactSecrets } from './redact.js';
export { retryAfterSeconds } from './retry-after.js';
export {
  newStateHandle,
  SessionStateStore,
  type StateFailure,
  type StateStoreOptions,
} from './state-store.js';
export type { SharedStrategyOptions, SkipUserProfile } from './strategy-options.js';
export {
  DEFAULT_TIMEOUT_MS,
  type FetchLike,
  type HttpRequest,
  type HttpResponse,
  type ProxyOption,
  Transport,
  type TransportOptions,
} from './transport.js';
export {
  invokeVerify,
  type VerifyArguments,
  type VerifyCallback,
  type VerifyOutcome,
  wantsParams,
} from './verify.js';
