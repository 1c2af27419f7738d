// Interfaces are re-exported without `type`, so that dist/index.d.ts (scripts/bundle-entries.mjs)
// can alias them in its `export =` namespace.
/**
 * `passport-soa2`: what a login needs, and nothing else (the account API that registers SOA2
 * applications is on `passport-soa2/accounts`). `require('passport-soa2')` returns the Strategy
 * with these as its properties (Passport's convention); `import` gets them as named exports and
 * the Strategy as the default export.
 *
 * @module passport-soa2
 */
export {
  FetchLike,
  isOAuthError,
  LoginStateCookieOptions,
  OAuthError,
  OAuthErrorCode,
  VerifyCallback,
} from '@exbo-soa2/core';
export { Soa2Client, Soa2ClientOptions } from '../client.js';
export { Soa2EndpointOptions } from '../endpoints.js';
export { Soa2Profile, Soa2UserJson } from '../profile.js';
export {
  Soa2AuthenticateOptions,
  Soa2AuthorizationRequest,
  Soa2StrategyOptions,
  Soa2StrategyOptionsWithRequest,
  Soa2VerifyFunction,
  Soa2VerifyFunctionWithRequest,
  Strategy,
} from '../strategy.js';
export { Soa2TokenParams, Soa2TokenResponse } from '../token-answer.js';
export { VERSION } from '../version.js';
