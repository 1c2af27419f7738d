/**
 * `passport-exbo`: what a login needs, and nothing else (the game API, application tokens and
 * token decoding are on `passport-exbo/game-api`). `require('passport-exbo')` returns the Strategy
 * with these as its properties (Passport's convention); `import` gets them as named exports and
 * the Strategy as the default export.
 *
 * @module passport-exbo
 */
export {
  type FetchLike,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type VerifyCallback,
} from '@exbo-soa2/core';
export { type AuthorizationURLOptions, ExboClient, type ExboClientOptions } from '../client.js';
export type { ExboEndpointOptions } from '../endpoints.js';
export type { ExboOAuth2StateStore } from '../passport-oauth2.js';
export type { ExboProfile, ExboUserJson } from '../profile.js';
export type {
  ExboCharacterError,
  ExboCharactersOption,
  ExboProfileCharacters,
  ExboProfileWithCharacters,
} from '../profile-characters.js';
export {
  type ExboAuthenticateOptions,
  type ExboStrategyOptions,
  type ExboStrategyOptionsWithRequest,
  type ExboVerifyFunction,
  type ExboVerifyFunctionWithRequest,
  Strategy,
} from '../strategy.js';
export type { ExboTokenParams, ExboTokenResponse } from '../token-answer.js';
export { VERSION } from '../version.js';
