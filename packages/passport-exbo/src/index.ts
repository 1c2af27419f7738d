import { Strategy } from './strategy.js';

export {
  type FetchLike,
  isOAuthError,
  OAuthError,
  type OAuthErrorCode,
  type VerifyCallback,
} from '@exbo-soa2/core';
// Beyond login: standalone client, application tokens, token decoding and the game API.
export { AppTokenManager, type AppTokenManagerOptions } from './app-token.js';
export type {
  ExboCharacter,
  ExboCharacterInformation,
  ExboClanInfo,
  ExboClanMember,
} from './characters.js';
export {
  type AuthorizationURLOptions,
  ExboClient,
  type ExboClientOptions,
} from './client.js';
export { clientSecretHeaders, type ExboClientCredentials } from './client-headers.js';
export {
  DEFAULT_BASE_URL,
  type ExboEndpointOptions,
  type ExboEndpoints,
  exboEndpoints,
} from './endpoints.js';
export {
  ExboGameApi,
  type ExboGameApiOptions,
  type ExboRegionInfo,
  GAME_API_URLS,
  type GameApiAuth,
  type GameApiRequest,
  type GameApiResponse,
} from './game-api.js';
export { decodeAccessToken, type ExboTokenClaims } from './jwt.js';
export { type ExboProfile, type ExboUserJson, fetchProfile } from './profile.js';
export type {
  ExboCharacterError,
  ExboCharactersOption,
  ExboProfileCharacters,
  ExboProfileWithCharacters,
} from './profile-characters.js';
export { type ExboRateLimit, parseRateLimit } from './rate-limit.js';
export {
  RedisAppTokenStore,
  type RedisAppTokenStoreOptions,
  type RedisCommandClient,
} from './redis-token-store.js';
export { EXBO_REGIONS, type ExboRegion } from './regions.js';
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
export {
  type AppTokenLock,
  type AppTokenStore,
  MemoryAppTokenStore,
  type StoredAppToken,
} from './token-store.js';
export { VERSION } from './version.js';

export default Strategy;
