// Interfaces are re-exported without `type`, so that dist/index.d.ts (scripts/bundle-entries.mjs)
// can alias them in its `export =` namespace.
/**
 * `passport-exbo`: what a login needs, and nothing else (the game API, application tokens and
 * token decoding are on `passport-exbo/game-api`). `require('passport-exbo')` returns the Strategy
 * with these as its properties (Passport's convention); `import` gets them as named exports and
 * the Strategy as the default export.
 *
 * @module passport-exbo
 */
export {
  FetchLike,
  isOAuthError,
  LoginStateCookieOptions,
  OAuthError,
  OAuthErrorCode,
  VerifyCallback,
} from '@exbo-soa2/core';
export { AuthorizationURLOptions, ExboClient, ExboClientOptions } from '../client.js';
export { ExboEndpointOptions } from '../endpoints.js';
export { ExboOAuth2StateStore } from '../passport-oauth2.js';
export { ExboProfile, ExboUserJson } from '../profile.js';
export {
  ExboCharacterError,
  ExboCharactersOption,
  ExboProfileCharacters,
  ExboProfileWithCharacters,
} from '../profile-characters.js';
export {
  ExboAuthenticateOptions,
  ExboStrategyOptions,
  ExboStrategyOptionsWithRequest,
  ExboVerifyFunction,
  ExboVerifyFunctionWithRequest,
  Strategy,
} from '../strategy.js';
export { ExboTokenParams, ExboTokenResponse } from '../token-answer.js';
export { VERSION } from '../version.js';
