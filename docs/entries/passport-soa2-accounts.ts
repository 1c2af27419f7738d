/**
 * SOA2's account API: log in with a Scratch account, then register, list, change and delete your
 * SOA2 applications (what the `soa2` command does).
 *
 * @module passport-soa2/accounts
 */
export * from '../../packages/passport-soa2/src/entries/accounts.js';
