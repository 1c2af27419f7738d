/**
 * `passport-exbo/game-api`: beyond the login. The STALCRAFT game API, application tokens (managed
 * and shared through a store), their stores, the regions and access-token decoding.
 *
 * @module passport-exbo/game-api
 */
export { AppTokenManager, type AppTokenManagerOptions } from '../app-token.js';
export type {
  ExboCharacter,
  ExboCharacterInformation,
  ExboClanInfo,
  ExboClanMember,
} from '../characters.js';
export {
  ExboGameApi,
  type ExboGameApiOptions,
  type ExboRegionInfo,
  GAME_API_URLS,
  type GameApiAuth,
  type GameApiRequest,
  type GameApiResponse,
} from '../game-api.js';
export { decodeAccessToken, type ExboTokenClaims } from '../jwt.js';
export type { ExboRateLimit } from '../rate-limit.js';
export {
  RedisAppTokenStore,
  type RedisAppTokenStoreOptions,
  type RedisCommandClient,
} from '../redis-token-store.js';
export { EXBO_REGIONS, type ExboRegion } from '../regions.js';
export {
  type AppTokenLock,
  type AppTokenStore,
  MemoryAppTokenStore,
  type StoredAppToken,
} from '../token-store.js';
