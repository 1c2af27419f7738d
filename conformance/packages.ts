/**
 * Everything the conformance kit uses from this repository's packages, imported in this one file:
 * the kit drives the providers through the packages' public API (built dist, by package name), so
 * when an import path moves (the game API to `passport-exbo/game-api`, the account parts to
 * `passport-soa2/accounts`), this is the only file to change.
 */
export {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  DEFAULT_SOA2_CLIENT,
  DEFAULT_SOA2_USERS,
  type ExboFake,
  type Soa2Fake,
  startExboFake,
  startSoa2Fake,
} from '@exbo-soa2/fakes';
export {
  decodeAccessToken,
  ExboClient,
  ExboGameApi,
  GAME_API_URLS,
  OAuthError,
} from 'passport-exbo';
export { Soa2Client } from 'passport-soa2';
