import { Strategy } from './strategy.js';

export {
  type FetchLike,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type VerifyCallback,
} from '@exbo-soa2/core';
export {
  APPLICATIONS_PATH,
  LOGIN_PATH,
  Soa2AccountClient,
  type Soa2AccountClientOptions,
} from './account-client.js';
export { LOGIN_CSRF_LIFETIME_MS } from './account-errors.js';
export {
  parseAccountSession,
  type Soa2AccountSession,
  type Soa2LoginChallenge,
} from './account-session.js';
export type {
  Soa2Application,
  Soa2ApplicationChanges,
  Soa2ApplicationSummary,
  Soa2NewApplication,
} from './applications.js';
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
export {
  APPLICATION_FLAGS,
  flagNames,
  HIDE_OWNER,
  isNameApproved,
  isOwnerHidden,
  isVerified,
  NAME_APPROVED,
  type Soa2ApplicationFlag,
  VERIFIED,
} from './flags.js';
export type { Soa2Profile, Soa2UserJson } from './profile.js';
export type { Soa2SessionCookie } from './session-cookie.js';
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
export {
  isScratchUsername,
  parseScratchUsername,
  SCRATCH_USERNAME_PATTERN,
  scratchProfileURL,
} from './username.js';
export { VERSION } from './version.js';

export default Strategy;
