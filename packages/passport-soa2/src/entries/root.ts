/**
 * `passport-soa2`: what a login needs, and nothing else (the account API that registers SOA2
 * applications is on `passport-soa2/accounts`). `require('passport-soa2')` returns the Strategy
 * with these as its properties (Passport's convention); `import` gets them as named exports and
 * the Strategy as the default export.
 *
 * @module passport-soa2
 */
export {
  type FetchLike,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type VerifyCallback,
} from '@exbo-soa2/core';
export { Soa2Client, type Soa2ClientOptions } from '../client.js';
export type { Soa2EndpointOptions } from '../endpoints.js';
export type { Soa2Profile, Soa2UserJson } from '../profile.js';
export {
  type Soa2AuthenticateOptions,
  type Soa2AuthorizationRequest,
  type Soa2StrategyOptions,
  type Soa2StrategyOptionsWithRequest,
  type Soa2VerifyFunction,
  type Soa2VerifyFunctionWithRequest,
  Strategy,
} from '../strategy.js';
export type { Soa2TokenParams, Soa2TokenResponse } from '../token-answer.js';
export { VERSION } from '../version.js';
