/**
 * `passport-soa2/accounts`: SOA2's account API, to log in with a Scratch account and register,
 * list, change and delete your SOA2 applications (what the `soa2` command does).
 *
 * @module passport-soa2/accounts
 */
export { Soa2AccountClient, type Soa2AccountClientOptions } from '../account-client.js';
export type { Soa2AccountCookie } from '../account-cookies.js';
export type { Soa2AccountSession, Soa2LoginChallenge } from '../account-session.js';
export type {
  Soa2Application,
  Soa2ApplicationChanges,
  Soa2ApplicationSummary,
  Soa2NewApplication,
} from '../applications.js';
export { APPLICATION_FLAGS, flagNames, type Soa2ApplicationFlag } from '../flags.js';
export { isScratchUsername } from '../username.js';
