import { Strategy } from './strategy.js';

export {
  type FetchLike,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type VerifyCallback,
} from '@exbo-soa2/core';
export { bearerAuthorization, Soa2Client, type Soa2ClientOptions } from './client.js';
export {
  API_PATH,
  AUTHORIZE_PATH,
  DEFAULT_BASE_URL,
  IDENTIFY_SCOPE,
  type Soa2EndpointOptions,
  type Soa2Endpoints,
  soa2Endpoints,
} from './endpoints.js';
export type { Soa2Profile, Soa2UserJson } from './profile.js';
export {
  type Soa2AuthenticateOptions,
  type Soa2AuthorizationRequest,
  type Soa2StrategyOptions,
  type Soa2StrategyOptionsWithRequest,
  type Soa2VerifyFunction,
  type Soa2VerifyFunctionWithRequest,
  type Soa2VerifyWithParams,
  type Soa2VerifyWithParamsAndRequest,
  type Soa2VerifyWithProfile,
  type Soa2VerifyWithProfileAndRequest,
  Strategy,
} from './strategy.js';
export type { Soa2TokenParams, Soa2TokenResponse } from './tokens.js';
export { VERSION } from './version.js';

export default Strategy;
