export {
  DEFAULT_EXBO_CLIENT,
  DEFAULT_EXBO_USERS,
  type ExboClientConfig,
  type ExboUserConfig,
} from './exbo/defaults.js';
export {
  type ExboFake,
  type ExboFakeOptions,
  type ExboRecordedRequest,
  type ExboTokenStatus,
  startExboFake,
} from './exbo/fake.js';
export {
  DEFAULT_EXBO_CHARACTERS,
  type ExboCharacterConfig,
  type ExboCharactersConfig,
  type ExboGameApiLimits,
} from './exbo/game-data.js';
export type { ExboUserInfo } from './exbo/users.js';
export type { ListenOptions, RunningFake } from './http.js';
export {
  DEFAULT_SOA2_CLIENT,
  DEFAULT_SOA2_USERS,
  type Soa2ClientConfig,
  type Soa2FakeOptions,
  type Soa2UserConfig,
} from './soa2/defaults.js';
export { type Soa2Fake, type Soa2RecordedRequest, startSoa2Fake } from './soa2/fake.js';
