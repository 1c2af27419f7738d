import { Strategy } from './strategy.js';

export {
  type FetchLike,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type VerifyCallback,
} from '@exbo-soa2/core';
export {
  DEFAULT_BASE_URL,
  type ExboEndpointOptions,
  type ExboEndpoints,
  exboEndpoints,
} from './endpoints.js';
export { type ExboProfile, type ExboUserJson, fetchProfile } from './profile.js';
export {
  type ExboStrategyOptions,
  type ExboStrategyOptionsWithRequest,
  type ExboVerifyFunction,
  type ExboVerifyFunctionWithParams,
  type ExboVerifyFunctionWithRequest,
  type ExboVerifyFunctionWithRequestAndParams,
  Strategy,
} from './strategy.js';
export { type ExboTokenParams, type ExboTokenResponse, requestToken } from './token.js';
export { VERSION } from './version.js';

export default Strategy;
